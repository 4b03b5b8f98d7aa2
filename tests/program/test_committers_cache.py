"""Single applications read a year's top committers once, not once each: ``committer_reasons``
answers from its cache while the year's repositories, the git data and the identity
curations are unchanged, gives the same answer as reading them afresh, and reads again when
any of them changes (counted through ``CACHE.reads``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ossmeta.errors import InputError
from ossmeta.pipelines.git_import import import_git
from ossmeta.service.program import get_year
from ossmeta.service.program_access import operator_access
from ossmeta.service.program_apply import Choice, apply_pair
from ossmeta.service.program_committers import (
    CACHE,
    ReasonsCache,
    committer_reasons,
    top_committers,
)
from ossmeta.store import Store
from ossmeta.store.identities import IdentityOverrides
from ossmeta.store.program_maintainers import year_created
from ossmeta.store.tenancy import global_transaction
from tests.gitrepo import Repo
from tests.program.test_top_committers import NOW, _epoch, _year

WIDGET = "github.com/acme/widget"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    CACHE.clear()
    yield
    CACHE.clear()


def _refused(store: Store, student: str, pair: str) -> bool:
    access = operator_access(store, None, "admin")
    try:
        apply_pair(store, None, access, pair, student, "t1", [Choice("T1")], NOW)
    except InputError as error:
        assert "top committer" in str(error)
        return True
    return False


def test_many_applications_read_the_committers_once_until_the_data_changes(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _year(store, tmp_path, "[eligibility]\ntop_committers = 2\n")
    monkeypatch.setenv("OSSMETA_HOME", str(root.parent))  # the activity data's default place
    before = CACHE.reads
    for number in range(20):
        assert _refused(store, "carol", f"C{number}")
        assert not _refused(store, "olga", "P-olga")  # a pair may apply again
    assert CACHE.reads == before + 1

    # the same answer as reading the git data and the identities afresh
    year = get_year(store, None)
    with global_transaction(store) as connection:
        created = year_created(connection, year.id)
    fresh = top_committers(store, root, [WIDGET], created, 2)[WIDGET]
    cached = committer_reasons(store, year.id, year.rules)
    assert cached == {WIDGET: {i: why.reason() for i, why in fresh.items()}}
    assert CACHE.reads == before + 1

    # a curation makes olga's address carol's: the next application sees it
    IdentityOverrides(store).add(
        "merge", "email:olga@example.org", "email:carol@example.org", reason="same", author="t"
    )
    assert _refused(store, "olga", "P-olga")
    assert CACHE.reads == before + 2

    # new git data: erin's new commits make her the first; read once more
    repo = Repo(tmp_path / "widget")
    for day in range(1, 5):
        repo.commit(
            f"Erin more {day}",
            {f"more{day}": b"y"},
            author=("Erin", "erin@example.org"),
            author_date=_epoch(f"2029-09-0{day}T10:00:00"),
        )
    import_git(str(tmp_path / "widget"), store, root, repo_key=WIDGET)
    assert _refused(store, "erin", "E1")
    assert _refused(store, "erin", "E2")
    assert CACHE.reads == before + 3


def test_the_cache_keeps_the_most_recent_answers_only() -> None:
    cache = ReasonsCache(size=2)

    def answer(key: str) -> Callable[[], dict[str, dict[str, str]]]:
        return lambda: {key: {}}

    for key in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" comes
        cache.get(key, answer(key))
    assert cache.reads == 3
    assert cache.get("a", dict) == {"a": {}}
    assert cache.get("c", dict) == {"c": {}}
    assert cache.get("b", dict) == {}  # read again
    assert cache.reads == 4
