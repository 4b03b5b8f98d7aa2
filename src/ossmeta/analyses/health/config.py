"""The health score's weights and thresholds: the default shipped in the package
(``ossmeta/data/health.toml``, which documents every key) and a file given with
``--config`` laid over it, so that file needs only the keys it changes.

Every value is checked; a wrong one is a one-line usage error naming the file and the key.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Any

from ossmeta.analyses.health.model import PARTS, SIGNALS, HealthConfig, SignalSpec
from ossmeta.errors import UsageError
from ossmeta.sources.files import InputFile, load_toml

__all__ = ["DEFAULT_NAME", "default_config", "load_config", "parse_config"]

DEFAULT_NAME = "default"
_TOP_KEYS = frozenset({"window_months", "license", "parts", "signals"})
_SIGNAL_KEYS = frozenset({"weight", "threshold"})
_MAX_WINDOW = 120


def _default_table() -> dict[str, Any]:
    text = resources.files("ossmeta").joinpath("data/health.toml").read_text("utf-8")
    return load_toml(InputFile.of("health.toml"), text)


def default_config() -> HealthConfig:
    return parse_config(_default_table(), DEFAULT_NAME)


def load_config(path: Path | None) -> HealthConfig:
    """The default, with the file at ``path`` (when given) laid over it."""
    if path is None:
        return default_config()
    file = InputFile.of(path)
    text = file.read_text()
    given = load_toml(file, text)
    return parse_config(_overlay(_default_table(), given), str(path), text)


def _overlay(base: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """``given`` over ``base``, table by table; lists and values replace (an allow list in
    the file is the whole allow list)."""
    merged = dict(base)
    for key, value in given.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _overlay(base[key], value)
        else:
            merged[key] = value
    return merged


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    return names.get(type(value), "a " + ("table" if isinstance(value, dict) else "list"))


def _line_of(text: str, table: str, key: str | None) -> int | None:
    """The line of the file that sets ``key`` in ``[table]`` (``table`` "" for the top): the
    key's own line, or a ``[table.key]`` header; else where ``table`` itself is set. None
    when nothing is written plainly (a dotted key, say)."""
    current, header = "", None
    nested = f"{table}.{key}" if table else key
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]") and not line.startswith("[["):
            current = ".".join(part.strip() for part in line[1:-1].split("."))
            if key is not None and current == nested:
                return number
            if current == table:
                header = number
            continue
        if key is not None and current == table and line.partition("=")[0].strip() == key:
            return number
    if header is None and table:
        parent, _, last = table.rpartition(".")
        return _line_of(text, parent, last)
    return header


class _Checker:
    """Checks values and names the file, the line (when it can be found) and the key of a
    wrong one. ``text`` is the file given (None for the default alone)."""

    def __init__(self, source: str, text: str | None) -> None:
        self.source = source
        self.text = text

    def fail(self, message: str, table: str = "", key: str | None = None) -> UsageError:
        line = None if self.text is None else _line_of(self.text, table, key)
        path = None if self.source == DEFAULT_NAME else self.source
        return UsageError(message, path=path, line=line if path else None)

    def table(self, value: object, table: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            parent, _, key = table.rpartition(".")
            raise self.fail(f"[{table}] must be a table, not {_kind(value)}", parent, key)
        return value

    def number(self, value: object, table: str, key: str, *, positive: bool) -> float:
        where = f"[{table}] {key}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{where} must be a number, not {_kind(value)}", table, key)
        if not math.isfinite(value) or value < 0 or (positive and value == 0):
            bound = "above 0" if positive else "0 or more"
            raise self.fail(f"{where} must be a finite number {bound}, not {value}", table, key)
        return float(value)

    def unknown(self, given: dict[str, Any], known: frozenset[str], table: str) -> None:
        extra = sorted(set(given) - known)
        if extra:
            where = f"[{table}]" if table else "the health config"
            raise self.fail(
                f"{where}: unknown key {extra[0]!r} (known: {', '.join(sorted(known))})",
                table,
                extra[0],
            )


def parse_config(table: dict[str, Any], source: str, text: str | None = None) -> HealthConfig:
    """A checked configuration from a whole TOML table (the default and the file merged);
    ``text`` is the file's, to name the line of a wrong value."""
    check = _Checker(source, text)
    check.unknown(table, _TOP_KEYS, "")
    window = table.get("window_months", 12)
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= _MAX_WINDOW:
        raise check.fail(
            f"window_months must be an integer from 1 to {_MAX_WINDOW}, not {window!r}",
            "",
            "window_months",
        )

    license_table = check.table(table.get("license", {}), "license")
    check.unknown(license_table, frozenset({"allow"}), "license")
    allow = license_table.get("allow", [])
    if not isinstance(allow, list) or not all(isinstance(i, str) and i for i in allow):
        raise check.fail(
            "[license] allow must be a list of SPDX licence identifiers", "license", "allow"
        )

    parts = check.table(table.get("parts", {}), "parts")
    check.unknown(parts, frozenset(PARTS), "parts")
    part_weights = tuple(
        (name, check.number(parts.get(name, 1), "parts", name, positive=False)) for name in PARTS
    )
    if not any(weight for _, weight in part_weights):
        raise check.fail("[parts]: at least one part needs a weight above 0", "parts")

    signals = check.table(table.get("signals", {}), "signals")
    check.unknown(signals, frozenset(kind.name for kind in SIGNALS), "signals")
    specs = []
    for kind in SIGNALS:
        name = f"signals.{kind.name}"
        entry = check.table(signals.get(kind.name, {}), name)
        check.unknown(entry, _SIGNAL_KEYS, name)
        if "threshold" not in entry:
            raise check.fail(f"[{name}] needs a threshold", name)
        specs.append(
            SignalSpec(
                kind,
                check.number(entry.get("weight", 1), name, "weight", positive=False),
                check.number(entry["threshold"], name, "threshold", positive=True),
            )
        )
    return HealthConfig(part_weights, tuple(specs), frozenset(allow), window, source)
