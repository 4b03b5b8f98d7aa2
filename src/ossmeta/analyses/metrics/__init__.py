"""Activity and community-health metrics: definitions written once as SQL (DuckDB dialect),
run on DuckDB or, transpiled by SQLGlot, on Spark."""
