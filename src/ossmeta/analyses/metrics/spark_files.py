"""Activity datasets read through Spark, so the root may be any URI Spark's Hadoop layer
reads (a local path, ``file:///…``, or ``s3a://…`` / ``hdfs://…`` once Spark is configured for
it: no code here knows the scheme).

A dataset is ``<root>/<dataset>/month=YYYY-MM/*.parquet`` with ``<root>/<dataset>/
manifest.json`` naming the live files (``{"files": {month: [relative names]}}``; other keys
are ignored). Only the listed files are read, so files a writer has superseded but not yet
deleted are never seen, and no lock is taken: a writer replaces the manifest atomically.
"""

from __future__ import annotations

import json
from typing import Any

from ossmeta.errors import AnalysisError

__all__ = ["join_uri", "manifest_files"]


def join_uri(root: str, *parts: str) -> str:
    return "/".join([root.rstrip("/"), *parts])


def manifest_files(spark: Any, root: str, dataset: str, since: str | None = None) -> list[str]:
    """URIs of the dataset's live files, oldest month first (``since`` is ``YYYY-MM``); an
    absent manifest is an empty dataset."""
    uri = join_uri(root, dataset, "manifest.json")
    text = _read_text(spark, uri)
    if text is None:
        return []
    try:
        data = json.loads(text)
    except ValueError as error:
        raise AnalysisError(f"{uri}: the activity manifest is not JSON ({error})") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(n, list) for n in files.values()):
        raise AnalysisError(f"{uri}: the activity manifest has no 'files' object of lists")
    return [
        join_uri(root, dataset, f"month={month}", str(name))
        for month, names in sorted(files.items())
        if since is None or month >= since
        for name in names
    ]


def _read_text(spark: Any, uri: str) -> str | None:
    """The whole file as one string (one small row reaches the driver), None when absent."""
    try:
        rows = spark.read.text(uri, wholetext=True).collect()
    except Exception as error:  # Spark's AnalysisException; its class moved across versions
        message = str(error)
        if "PATH_NOT_FOUND" in message or "Path does not exist" in message:
            return None
        first = message.strip().splitlines()[0] if message.strip() else type(error).__name__
        raise AnalysisError(f"{uri}: cannot read the activity manifest: {first}") from None
    return str(rows[0][0]) if rows else ""
