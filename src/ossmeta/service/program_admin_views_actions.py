"""What a program admin does over the API and on the web: move the phase on, extend a
deadline, add and remove members, import and export a table, run, edit and publish the
matching. Each checks the caller's admin role first, then calls the service the CLI calls
(which checks the phase and writes the audit), with the caller's login as the actor.

An edit is previewed with the independent checker before it is made: one that leaves
blocking pairs without an override is refused with ``BlockingEdit``, which carries the
blocking pairs so that the API can answer them (409) and the page can list them."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import datetime
from pathlib import Path, PurePath

from ossmeta.analyses.program import BlockingPair, Matching, check
from ossmeta.errors import InputError
from ossmeta.service import program, program_access, program_imports, program_selection
from ossmeta.service.program import year_in
from ossmeta.service.program_access import Access, Member
from ossmeta.service.program_selection import NONE, Checked, load_instance
from ossmeta.store.engine import Store
from ossmeta.store.program import Year
from ossmeta.store.program_matchings import StoredMatching, current_matching
from ossmeta.store.tenancy import global_transaction

__all__ = [
    "FORMATS",
    "MAX_UPLOAD",
    "BlockingEdit",
    "add_member",
    "advance",
    "edit",
    "export_rows",
    "export_table",
    "extend",
    "import_table",
    "match",
    "publish",
    "remove_member",
]

#: The largest table an upload may be: a national program's applications fit many times.
MAX_UPLOAD = 16 * 1024 * 1024
FORMATS = ("csv", "xlsx")
VARIANTS = ("pair_optimal", "mentor_optimal")


class BlockingEdit(InputError):
    """An edit that would leave blocking pairs, asked for without an override reason."""

    def __init__(self, message: str, blocking: tuple[BlockingPair, ...]) -> None:
        super().__init__(message)
        self.blocking = blocking


def advance(store: Store, year_name: str | None, access: Access, now: datetime) -> Year:
    access.require_admin()
    return program.advance_phase(store, year_name, access.login, now)


def extend(
    store: Store, year_name: str | None, access: Access, deadline: datetime, now: datetime
) -> Year:
    access.require_admin()
    return program.extend_deadline(store, year_name, deadline, access.login, now)


def add_member(
    store: Store, year_name: str | None, access: Access, member: Member, now: datetime
) -> bool:
    access.require_admin()
    return program_access.add_program_member(store, year_name, member, access.login, now)


def remove_member(
    store: Store, year_name: str | None, access: Access, member: Member, now: datetime
) -> bool:
    access.require_admin()
    return program_access.remove_program_member(store, year_name, member, access.login, now)


def _upload_name(filename: str) -> str:
    # Only the base name: the browser's or client's folder names mean nothing here.
    name = PurePath(filename.replace("\\", "/")).name
    if not name or name.startswith("."):
        raise InputError("the upload needs a file name ending in .csv or .xlsx")
    if PurePath(name).suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"{name}: a table is a .csv or an .xlsx file", path=name)
    return name


def import_table(
    store: Store,
    year_name: str | None,
    access: Access,
    kind: str,
    filename: str,
    content: bytes,
    now: datetime,
) -> int:
    """Replace the year's ``kind`` rows with the uploaded table's; the rows imported. A
    mistake in the file names the upload (not where it was spooled) and its line."""
    access.require_admin()
    name = _upload_name(filename)
    if len(content) > MAX_UPLOAD:
        raise InputError(f"{name}: larger than {MAX_UPLOAD} bytes", path=name)
    with tempfile.TemporaryDirectory(prefix="ossmeta-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            return program_imports.import_kind(store, year_name, kind, path, access.login, now)
        except InputError as error:
            if error.path is None:
                raise
            raise type(error)(error.message, path=name, line=error.line) from None


def export_table(
    store: Store, year_name: str | None, access: Access, kind: str, fmt: str
) -> tuple[str, bytes]:
    """The year's ``kind`` table as a file: its name and its bytes."""
    access.require_admin()
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    year = program.get_year(store, year_name)
    name = f"{year.name}-{kind}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="ossmeta-export-") as folder:
        path = Path(folder) / name
        program_imports.export_kind(store, year.name, kind, path)
        return name, path.read_bytes()


def export_rows(
    store: Store, year_name: str | None, access: Access, kind: str
) -> tuple[list[str], list[list[str]]]:
    """The year's ``kind`` table as its columns and rows of text (the CSV's cells)."""
    _, content = export_table(store, year_name, access, kind, "csv")
    header, *rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    return header, rows


def match(
    store: Store, year_name: str | None, access: Access, variant: str, now: datetime
) -> Checked:
    access.require_admin()
    if variant not in VARIANTS:
        raise InputError(f"unknown variant {variant!r}; one of {', '.join(VARIANTS)}")
    return program_selection.run_matching(
        store, year_name, mentor_optimal=variant == "mentor_optimal", actor=access.login, now=now
    )


def _preview(store: Store, year_name: str | None, pair: str, task: str) -> tuple[BlockingPair, ...]:
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        stored = current_matching(connection, year.id)
        if stored is None:
            return ()  # edit_matching says there is nothing to edit
        instance = load_instance(connection, year)
    assignment = dict(stored.assignment)
    if task == NONE:
        assignment.pop(pair, None)
    else:
        assignment[pair] = task
    verdict = check(instance, Matching(instance, assignment, stored.seed))
    return () if verdict.problems else verdict.blocking  # edit_matching refuses those


def edit(
    store: Store,
    year_name: str | None,
    access: Access,
    pair: str,
    task: str | None,
    override: str | None,
    now: datetime,
) -> Checked:
    """Give ``pair`` the task ``task`` (None: no task). Refused with ``BlockingEdit`` when
    the result has blocking pairs and ``override`` gives no reason."""
    access.require_admin()
    target = NONE if task is None else task
    reason = override.strip() if override else None
    if not reason:
        program.require_phase(program.get_year(store, year_name), "edit", now)
        blocking = _preview(store, year_name, pair, target)
        if blocking:
            shown = ", ".join(f"{b.pair}→{b.task} ({b.case})" for b in blocking[:5])
            raise BlockingEdit(
                f"the edit leaves {len(blocking)} blocking pair(s): {shown}; keep it only "
                "with an override reason",
                blocking,
            )
    return program_selection.edit_matching(
        store, year_name, pair, target, override=reason, actor=access.login, now=now
    )


def publish(store: Store, year_name: str | None, access: Access, now: datetime) -> StoredMatching:
    access.require_admin()
    return program_selection.publish(store, year_name, access.login, now)
