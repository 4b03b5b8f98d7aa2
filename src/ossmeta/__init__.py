"""ossmeta: an open-source metadata center and trusted component repository."""

__version__ = "0.1.0"
