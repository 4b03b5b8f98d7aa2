"""Surfaces: the command line now; the REST API, web UI and trusted index later."""
