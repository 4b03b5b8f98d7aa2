"""The HTTP API (FastAPI): ``create_app`` builds it over the same store as the CLI."""
