"""The ``ossmeta`` command line (Typer + Rich)."""
