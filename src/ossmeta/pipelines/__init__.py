"""Pipelines that join sources, normalizers and the store: registry sync and re-normalization."""
