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
    given = load_toml(InputFile.of(path))
    return parse_config(_overlay(_default_table(), given), str(path))


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


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, message: str) -> UsageError:
        return UsageError(message, path=None if self.source == DEFAULT_NAME else self.source)

    def table(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{where} must be a table, not {_kind(value)}")
        return value

    def number(self, value: object, where: str, *, positive: bool) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{where} must be a number, not {_kind(value)}")
        if not math.isfinite(value) or value < 0 or (positive and value == 0):
            bound = "above 0" if positive else "0 or more"
            raise self.fail(f"{where} must be a finite number {bound}, not {value}")
        return float(value)

    def unknown(self, table: dict[str, Any], known: frozenset[str], where: str) -> None:
        extra = sorted(set(table) - known)
        if extra:
            raise self.fail(
                f"{where}: unknown key {extra[0]!r} (known: {', '.join(sorted(known))})"
            )


def parse_config(table: dict[str, Any], source: str) -> HealthConfig:
    """A checked configuration from a whole TOML table (the default and the file merged)."""
    check = _Checker(source)
    check.unknown(table, _TOP_KEYS, "the health config")
    window = table.get("window_months", 12)
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= _MAX_WINDOW:
        raise check.fail(
            f"window_months must be an integer from 1 to {_MAX_WINDOW}, not {window!r}"
        )

    license_table = check.table(table.get("license", {}), "[license]")
    check.unknown(license_table, frozenset({"allow"}), "[license]")
    allow = license_table.get("allow", [])
    if not isinstance(allow, list) or not all(isinstance(i, str) and i for i in allow):
        raise check.fail("[license] allow must be a list of SPDX licence identifiers")

    parts = check.table(table.get("parts", {}), "[parts]")
    check.unknown(parts, frozenset(PARTS), "[parts]")
    part_weights = tuple(
        (name, check.number(parts.get(name, 1), f"[parts] {name}", positive=False))
        for name in PARTS
    )
    if not any(weight for _, weight in part_weights):
        raise check.fail("[parts]: at least one part needs a weight above 0")

    signals = check.table(table.get("signals", {}), "[signals]")
    check.unknown(signals, frozenset(kind.name for kind in SIGNALS), "[signals]")
    specs = []
    for kind in SIGNALS:
        where = f"[signals.{kind.name}]"
        entry = check.table(signals.get(kind.name, {}), where)
        check.unknown(entry, _SIGNAL_KEYS, where)
        if "threshold" not in entry:
            raise check.fail(f"{where} needs a threshold")
        specs.append(
            SignalSpec(
                kind,
                check.number(entry.get("weight", 1), f"{where} weight", positive=False),
                check.number(entry["threshold"], f"{where} threshold", positive=True),
            )
        )
    return HealthConfig(part_weights, tuple(specs), frozenset(allow), window, source)
