"""Identity curations in the store (SQLite and PostgreSQL): add in canonical form, list in id
order (all, or those naming one identity), remove, and refusal of malformed curations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from ossmeta.errors import InputError
from ossmeta.normalizers.identities import IdentityOverride
from ossmeta.store import Store
from ossmeta.store.identities import (
    add_override,
    get_override,
    list_overrides,
    remove_override,
)
from ossmeta.store.schema import identity_overrides

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_add_list_and_remove(store: Store) -> None:
    with store.engine.begin() as connection:
        merged = add_override(
            connection,
            "merge",
            " Email:Jane@Example.ORG ",
            "login:Jane",
            reason="her work address\nsee the commit log",
            author="alice",
            now=T0,
        )
        flagged = add_override(
            connection, "bot", "login:Release-Robot", reason="posts releases", author="bob", now=T0
        )
        split = add_override(connection, "split", "name:Ann  Lee", reason="two Anns", author="bob")
    assert merged < flagged < split

    with store.engine.connect() as connection:
        everything = list_overrides(connection)
        about_jane = list_overrides(connection, "login:JANE")
    assert everything[0] == IdentityOverride(
        merged,
        "merge",
        "email:jane@example.org",  # canonical: kind kept, value lowercased and stripped
        "login:jane",
        "her work address\nsee the commit log",
        "alice",
        T0,
    )
    assert [(o.id, o.action, o.identity, o.other) for o in everything[1:]] == [
        (flagged, "bot", "login:release-robot", None),
        (split, "split", "name:Ann Lee", None),
    ]
    assert [o.id for o in about_jane] == [merged]  # found as the "other" of the merge

    with store.engine.begin() as connection:
        gone = remove_override(connection, flagged)
    assert gone.action == "bot"
    with store.engine.connect() as connection:
        assert get_override(connection, flagged) is None
        assert [o.id for o in list_overrides(connection)] == [merged, split]


@pytest.mark.parametrize(
    ("action", "identity", "other", "reason", "author", "message"),
    [
        ("merge", "login:jane", None, "r", "a", "merge takes two identities"),
        ("merge", "login:jane", "login:JANE", "r", "a", "two different identities"),
        ("split", "login:jane", "login:joe", "r", "a", "split takes one identity"),
        ("rename", "login:jane", None, "r", "a", "one of merge, split, bot, human"),
        ("bot", "jane", None, "r", "a", "an identity is login:NAME"),
        ("bot", "login:has space", None, "r", "a", "a login is letters"),
        ("bot", "email:nobody", None, "r", "a", "an email is LOCAL@DOMAIN"),
        ("bot", "login:jane", None, "  ", "a", "needs a reason"),
        ("bot", "login:jane", None, "r", "", "needs an author"),
        ("bot", "login:jane", None, "r", "al\nice", "must be one line"),
        ("bot", "login:jane", None, "nul\x00", "a", "must be text"),
    ],
)
def test_malformed_curations_are_refused_and_nothing_is_stored(
    store: Store,
    action: str,
    identity: str,
    other: str | None,
    reason: str,
    author: str,
    message: str,
) -> None:
    with store.engine.begin() as connection, pytest.raises(InputError) as raised:
        add_override(connection, action, identity, other, reason=reason, author=author)
    assert message in str(raised.value) and "\n" not in str(raised.value)
    with store.engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(identity_overrides)).scalar() == 0
        )


def test_removing_a_missing_curation_is_an_input_error(store: Store) -> None:
    with (
        store.engine.begin() as connection,
        pytest.raises(InputError, match="no identity curation #4"),
    ):
        remove_override(connection, 4)
