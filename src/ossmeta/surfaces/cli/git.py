"""`ossmeta git`: Git repositories: import commits and tags."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ossmeta.surfaces.cli.common import DbOption, open_for_write, progress_bar, stderr
from ossmeta.surfaces.cli.interrupts import activity_rows, kept_on_interrupt, rows_kept

if TYPE_CHECKING:
    from ossmeta.pipelines.git_import import GitImportReport

app = typer.Typer(help="Git repositories: import commits and tags.", no_args_is_help=True)


class _Bar:
    """The pipeline's progress on a Rich bar: the stage as the label, commits as the count."""

    def __init__(self) -> None:
        # Off when stderr is not a terminal: a log gets the summary line and nothing else.
        self.bar = progress_bar("{task.description}", disable=not stderr.is_terminal)
        self.task = self.bar.add_task("opening", total=None)

    def stage(self, text: str) -> None:
        self.bar.update(self.task, description=text)

    def total(self, commits: int) -> None:
        self.bar.update(self.task, total=commits, completed=0)

    def advance(self, commits: int) -> None:
        self.bar.advance(self.task, commits)


def _summary(report: GitImportReport) -> str:
    return (
        f"{report.repo}: {report.new_commits} new commit(s), {report.tags} tag(s) written, "
        f"{report.total_commits} commit(s) stored, in {report.elapsed:.1f} s"
    )


@app.command("import")
def import_(
    location: Annotated[
        str, typer.Argument(help="A repository's directory (work tree or bare), or its URL.")
    ],
    repo: Annotated[
        str | None,
        typer.Option(
            "--repo",
            help="Repository key to store under (default: host/owner/name from the URL or "
            "the origin remote, else local/<directory name>).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Activity data directory (default: OSSMETA_HOME/activity).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import every commit (authors, committers, times with offsets, files changed,
    insertions, deletions, merges) and tag of a repository. A URL is mirrored under
    OSSMETA_HOME/git first. Run again, it reads only what is new."""
    from ossmeta.pipelines.git_import import import_git
    from ossmeta.store.activity_files import activity_root

    store = open_for_write(db)
    progress = _Bar()
    root = activity_root(data_dir)
    before = activity_rows(root, "commits")
    again = "run the same command again: it imports what is missing"
    try:
        with (
            progress.bar,
            kept_on_interrupt(
                lambda: rows_kept(before, activity_rows(root, "commits"), "commit rows", again)
            ),
        ):
            report = import_git(location, store, root, repo, progress=progress)
    finally:
        store.dispose()
    stderr.print(_summary(report))
