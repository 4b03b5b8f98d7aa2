"""The manifest of one activity dataset (``<dataset>/manifest.json``) and its JSON form.

    {"files": {"YYYY-MM": ["<name>.parquet", ...]},      live: what readers read
     "generation": 7,                                     raised by every swap
     "retired": [{"generation": 6, "at": "<ISO time>",   superseded, kept for readers
                  "files": ["month=YYYY-MM/<name>.parquet"]}],
     "staged": {"<owner>": {"host": "...", "pid": 123,    written by a running import,
                            "at": "<ISO time>",           not published yet
                            "files": ["month=YYYY-MM/<name>.parquet"]}}}

Readers need only ``files`` (names relative to ``month=YYYY-MM``); a manifest written before
the other keys existed reads as generation 0 with nothing retired or staged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ossmeta.errors import StoreError

__all__ = ["Manifest", "Retired", "Staged", "manifest_json", "read_manifest"]


@dataclass(frozen=True)
class Retired:
    """Files a swap superseded: live up to ``generation``, superseded at ``at``."""

    generation: int
    at: datetime
    files: tuple[str, ...]  # relative to the dataset directory: month=YYYY-MM/<name>


@dataclass(frozen=True)
class Staged:
    """Files a writer has added but not published: its process, and when it last wrote."""

    host: str
    pid: int
    at: datetime
    files: tuple[str, ...]


@dataclass
class Manifest:
    files: dict[str, list[str]] = field(default_factory=dict)
    generation: int = 0
    retired: list[Retired] = field(default_factory=list)
    staged: dict[str, Staged] = field(default_factory=dict)

    def kept(self) -> set[str]:
        """Every file something still needs (live, retired or staged), relative paths."""
        named = {f"month={month}/{n}" for month, names in self.files.items() for n in names}
        named.update(f for r in self.retired for f in r.files)
        named.update(f for s in self.staged.values() for f in s.files)
        return named


def read_manifest(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Manifest()
    except (OSError, ValueError) as error:
        raise StoreError(f"cannot read the activity manifest: {error}", path=str(path)) from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise StoreError("activity manifest has no 'files' object", path=str(path))
    try:
        return Manifest(
            {str(month): [str(name) for name in names] for month, names in files.items()},
            int(data.get("generation", 0)),
            [
                Retired(int(r["generation"]), datetime.fromisoformat(r["at"]), tuple(r["files"]))
                for r in data.get("retired", [])
            ],
            {
                str(owner): Staged(
                    str(s["host"]),
                    int(s["pid"]),
                    datetime.fromisoformat(s["at"]),
                    tuple(s["files"]),
                )
                for owner, s in data.get("staged", {}).items()
            },
        )
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        message = f"activity manifest has a damaged 'retired' or 'staged' entry: {error}"
        raise StoreError(message, path=str(path)) from None


def manifest_json(manifest: Manifest) -> str:
    body: dict[str, Any] = {
        "files": {month: names for month, names in sorted(manifest.files.items()) if names},
        "generation": manifest.generation,
        "retired": [
            {"generation": r.generation, "at": r.at.isoformat(), "files": list(r.files)}
            for r in manifest.retired
        ],
        "staged": {
            owner: {"host": s.host, "pid": s.pid, "at": s.at.isoformat(), "files": list(s.files)}
            for owner, s in sorted(manifest.staged.items())
        },
    }
    return json.dumps(body, indent=1)
