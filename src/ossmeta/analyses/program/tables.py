"""Rows of a CSV or XLSX file, with the line a person sees: the CSV line, the Excel row.

Universities work in spreadsheets, so every table of the selection reads and writes both.
A CSV may start with the byte-order mark Excel writes. The first row names the columns
(any order, extra columns ignored); blank rows are skipped; a cell is text or an integer.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ossmeta.errors import InputError, OutputError

__all__ = ["Row", "TableError", "read_rows", "write_rows"]


class TableError(InputError):
    """A file of the selection is wrong; it names the file and the line (exit 2)."""


@dataclass(frozen=True)
class Row:
    path: str
    line: int
    cells: dict[str, str]

    def error(self, message: str) -> TableError:
        return TableError(message, path=self.path, line=self.line)

    def text(self, column: str, *, required: bool = True) -> str:
        value = self.cells.get(column, "")
        if required and not value:
            raise self.error(f"column {column!r} is empty")
        return value

    def integer(self, column: str, *, minimum: int = 1) -> int:
        raw = self.text(column)
        try:
            value = int(raw)
        except ValueError:
            raise self.error(f"column {column!r} must be a whole number, not {raw!r}") from None
        if value < minimum:
            raise self.error(f"column {column!r} must be ≥ {minimum}, not {value}")
        return value


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores every number as a float
    return str(value).strip()


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            start = 1
            for record in reader:
                yield start, [_cell(value) for value in record]
                start = reader.line_num + 1  # a quoted cell may span lines
    except UnicodeDecodeError as error:
        raise TableError(f"not UTF-8 text ({error.reason})", path=str(path)) from None
    except csv.Error as error:
        raise TableError(f"not valid CSV: {error}", path=str(path)) from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as error:
        raise TableError(f"not a readable XLSX workbook: {error}", path=str(path)) from None
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(value) for value in values]
    finally:
        book.close()


def read_rows(path: Path, columns: Sequence[str]) -> Iterator[Row]:
    """The data rows of ``path`` (``.xlsx`` or CSV), each with the named columns."""
    if not path.is_file():
        raise TableError("no such file", path=str(path))
    rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    header: list[str] | None = None
    for line, values in rows:
        if not any(values):
            continue
        if header is None:
            header = [value.lower() for value in values]
            missing = [column for column in columns if column not in header]
            if missing:
                raise TableError(f"missing column {missing[0]!r}", path=str(path), line=line)
            continue
        cells = {name: values[i] if i < len(values) else "" for i, name in enumerate(header)}
        yield Row(str(path), line, cells)
    if header is None:
        raise TableError("the file is empty (no header row)", path=str(path))


def write_rows(path: Path, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Write a header and the rows, as XLSX when the name ends in ``.xlsx``, else CSV."""
    try:
        if path.suffix.lower() == ".xlsx":
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            assert sheet is not None  # a new workbook always has its first sheet
            sheet.append(list(columns))
            for row in rows:
                sheet.append(list(row))
            book.save(path)
        else:
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                writer.writerows(rows)
    except OSError as error:
        raise OutputError(f"cannot write: {error.strerror}", path=str(path)) from None
