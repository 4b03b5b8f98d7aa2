"""Scan report formats: ``table`` (Rich, the default), ``json``, ``sarif`` and ``cyclonedx``.

Each writer takes a finished :class:`~ossmeta.model.ScanReport` and a text stream. The
writer modules are imported only when their format is asked for, so a JSON scan never
imports Rich or cyclonedx-python-lib.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from ossmeta.errors import UsageError

if TYPE_CHECKING:
    from ossmeta.model import ScanReport

Writer = Callable[["ScanReport", TextIO], None]

#: format name -> module under this package that defines ``write(report, stream)``
_MODULES: dict[str, str] = {
    "table": "table",
    "json": "jsonfmt",
    "sarif": "sarif",
    "cyclonedx": "cyclonedx",
}

DEFAULT_FORMAT = "table"


def _lazy(module: str) -> Writer:
    def write(report: ScanReport, stream: TextIO) -> None:
        writer: Writer = importlib.import_module(f"{__name__}.{module}").write
        writer(report, stream)

    write.__name__ = f"write_{module}"
    write.__qualname__ = write.__name__
    return write


#: The registry: format name -> writer. Iteration order is the order to offer in ``--help``.
FORMATS: dict[str, Writer] = {name: _lazy(module) for name, module in _MODULES.items()}


def write_report(report: ScanReport, fmt: str, stream: TextIO) -> None:
    """Write ``report`` to ``stream`` in format ``fmt`` (one of :data:`FORMATS`)."""
    try:
        writer = FORMATS[fmt]
    except KeyError:
        known = ", ".join(FORMATS)
        raise UsageError(f"unknown report format {fmt!r} (known: {known})") from None
    writer(report, stream)
