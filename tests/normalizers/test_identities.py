"""Identity merging and bot rules on hand-made identities: every rule, every curation, the
stability of person ids, and (hypothesis) that the result does not depend on input order."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ossmeta.errors import InputError
from ossmeta.normalizers.identities import (
    Account,
    IdentityOverride,
    Person,
    Signature,
    check_override,
    parse_bot_list,
    parse_identity,
    resolve_identities,
)

NOREPLY = "users.noreply.github.com"


def resolve(
    accounts: list[Account] | None = None,
    signatures: list[Signature] | None = None,
    overrides: list[IdentityOverride] | None = None,
    bots: frozenset[str] = frozenset(),
) -> tuple[Person, ...]:
    return resolve_identities(accounts or [], signatures or [], overrides or [], bots)


def partition(people: tuple[Person, ...]) -> dict[str, set[str]]:
    return {p.id: {m.identity for m in p.members} for p in people}


def person_of(people: tuple[Person, ...], identity: str) -> Person:
    found = [p for p in people if any(m.identity == identity for m in p.members)]
    assert len(found) == 1, f"{identity} is in {len(found)} people"
    return found[0]


def rules_of(people: tuple[Person, ...], identity: str) -> tuple[str, ...]:
    person = person_of(people, identity)
    return next(m.rules for m in person.members if m.identity == identity)


def override(id: int, action: str, identity: str, other: str | None = None) -> IdentityOverride:
    return IdentityOverride(id, action, identity, other, f"reason {id}", "alice")


# ---------------------------------------------------------------------------- automatic rules


def test_logins_are_lowercased_and_each_is_its_own_person() -> None:
    people = resolve([Account("Octocat", 1), Account("octocat", 1), Account("hubot", 2)])
    assert partition(people) == {"login:hubot": {"login:hubot"}, "login:octocat": {"login:octocat"}}
    octocat = person_of(people, "login:octocat")
    # two spellings of one login: the display is the smallest spelling ("O" < "o")
    assert octocat.display == "Octocat"
    assert "same login (case-insensitive): Octocat, octocat" in rules_of(people, "login:octocat")
    assert rules_of(people, "login:hubot")[0].startswith("preferred identity")


def test_same_account_id_joins_a_renamed_login() -> None:
    people = resolve([Account("jane-old", 7), Account("jane", 7), Account("other", 8)])
    assert partition(people) == {
        # person id: the smallest login, "jane" < "jane-old"
        "login:jane": {"login:jane", "login:jane-old"},
        "login:other": {"login:other"},
    }
    assert rules_of(people, "login:jane-old") == (
        "same GitHub account id 7 (login:jane-old ~ login:jane)",
    )


def test_account_ids_of_different_platforms_do_not_join() -> None:
    people = resolve([Account("a", 7, "github.com"), Account("b", 7, "gitee.com")])
    assert partition(people) == {"login:a": {"login:a"}, "login:b": {"login:b"}}


def test_a_login_seen_with_two_account_ids_joins_nothing_by_id() -> None:
    # "free" was account 1, renamed to "taken"; account 2 then took the name "free"
    people = resolve([Account("free", 1), Account("taken", 1), Account("free", 2)])
    assert partition(people) == {"login:free": {"login:free"}, "login:taken": {"login:taken"}}
    assert "seen with account ids 1, 2: not joined by id" in rules_of(people, "login:free")


def test_noreply_email_with_id_joins_its_login() -> None:
    email = f"1+octocat@{NOREPLY}"
    people = resolve([Account("octocat", 1)], [Signature("The Octocat", email, "r")])
    assert partition(people) == {"login:octocat": {"login:octocat", f"email:{email}"}}
    assert rules_of(people, f"email:{email}") == (
        f"GitHub noreply email <id>+<login>@{NOREPLY} (email:{email} ~ login:octocat)",
    )
    # the person shows the login, not the git name
    assert person_of(people, "login:octocat").display == "octocat"


def test_old_noreply_email_implies_a_login_events_never_showed() -> None:
    people = resolve([], [Signature("Jane Roe", f"Jane@{NOREPLY}", "r")])
    assert partition(people) == {"login:jane": {"login:jane", f"email:jane@{NOREPLY}"}}
    assert f"implied by the GitHub noreply email email:jane@{NOREPLY}" in rules_of(
        people, "login:jane"
    )


def test_noreply_email_of_a_renamed_account_joins_the_new_login_by_id() -> None:
    # the commit was made as "oldname"; events only know the account as "newname"
    email = f"5+oldname@{NOREPLY}"
    people = resolve([Account("newname", 5)], [Signature("N", email, "r")])
    assert partition(people) == {
        "login:newname": {"login:newname", "login:oldname", f"email:{email}"}
    }
    assert rules_of(people, f"email:{email}") == (
        f"GitHub noreply email of account id 5 (email:{email} ~ login:newname)",
    )


def test_same_email_case_folded_is_one_identity() -> None:
    people = resolve(
        [], [Signature("Jane Roe", "Jane@Example.ORG"), Signature("J", "jane@example.org")]
    )
    assert partition(people) == {"email:jane@example.org": {"email:jane@example.org"}}
    assert "same email (case-folded): Jane@Example.ORG, jane@example.org" in rules_of(
        people, "email:jane@example.org"
    )


def test_same_full_name_in_one_repository_joins_two_emails() -> None:
    people = resolve(
        [],
        [
            Signature("Ann  Lee", "ann@work.example.net", "github.com/o/r"),
            Signature("ann lee", "ann@home.example.org", "github.com/o/r"),
        ],
    )
    # whitespace collapsed and case-folded, both are "ann lee"; person id: the smaller email
    assert partition(people) == {
        "email:ann@home.example.org": {"email:ann@home.example.org", "email:ann@work.example.net"}
    }
    assert rules_of(people, "email:ann@work.example.net") == (
        "same full name 'ann lee' in github.com/o/r "
        "(email:ann@work.example.net ~ email:ann@home.example.org)",
    )


@pytest.mark.parametrize(
    ("first", "second", "why"),
    [
        (
            ("Ann Lee", "ann@work.example.net", "r1"),
            ("Ann Lee", "ann@home.example.org", "r2"),
            "other repository",
        ),
        (
            ("root", "a@one.example.net", "r"),
            ("root", "b@two.example.net", "r"),
            "bare common name",
        ),
        (("John", "john@one.example.net", "r"), ("John", "john@two.example.net", "r"), "one word"),
        (
            ("Your Name", "a@one.example.net", "r"),
            ("Your Name", "b@two.example.net", "r"),
            "placeholder name",
        ),
        (("Ann Lee", "ann@work.example.net", "r"), ("Ann Lee", "root@localhost", "r"), "localhost"),
        (
            ("Ann Lee", "ann@work.example.net", "r"),
            ("Ann Lee", "ann@ann-laptop", "r"),
            "host without a dot",
        ),
        (
            ("Ann Lee", "ann@work.example.net", "r"),
            ("Ann Lee", "admin@corp.example.org", "r"),
            "role address",
        ),
        (
            ("Ann Lee", "ann@work.example.net", "r"),
            ("Ann Lee", "ann@mac.local", "r"),
            ".local domain",
        ),
        (
            ("Build Robot [bot]", "a@one.example.net", "r"),
            ("Build Robot [bot]", "b@two.example.net", "r"),
            "bot name",
        ),
    ],
)
def test_names_that_never_join(
    first: tuple[str, str, str], second: tuple[str, str, str], why: str
) -> None:
    people = resolve([], [Signature(*first), Signature(*second)])
    assert len(people) == 2, why


def test_a_signature_without_email_is_known_by_its_name() -> None:
    people = resolve(
        [],
        [
            Signature("Old  Timer", "", "r", uses=3),
            Signature("Old Timer", "old@timer.example.net", "r"),
            Signature("", "", "r"),  # nothing to know it by: dropped
        ],
    )
    # the name identity and the email share a distinctive full name in one repository
    assert partition(people) == {
        "email:old@timer.example.net": {"email:old@timer.example.net", "name:Old Timer"}
    }
    assert "a git signature without an email: known by its name" in rules_of(
        people, "name:Old Timer"
    )


def test_display_of_a_git_only_person_is_its_most_used_name() -> None:
    people = resolve(
        [],
        [
            Signature("A. Lee", "ann@work.example.net", "r", uses=2),
            Signature("Ann Lee", "ann@work.example.net", "r", uses=5),
        ],
    )
    # 5 uses > 2 uses
    assert people[0].display == "Ann Lee"


def test_person_ids_are_stable() -> None:
    accounts = [Account("zed", 1)]
    signatures = [
        Signature("Zed Q", f"1+zed@{NOREPLY}", "r"),
        Signature("Amy Q", "amy@a.example.net"),
    ]
    before = resolve(accounts, signatures)
    # a login is preferred over an email even though "email:..." sorts before "login:..."
    assert [p.id for p in before] == ["email:amy@a.example.net", "login:zed"]
    assert resolve(accounts, signatures) == before  # the same data, the same people
    more = resolve(
        [*accounts, Account("bob", 2)], [*signatures, Signature("Bob", "b@b.example.net")]
    )
    assert {p.id for p in before} <= {p.id for p in more}  # unrelated data changes no id
    # a second login joining zed's person: the smallest login is the id ("old-zed" < "zed")
    renamed = resolve([*accounts, Account("old-zed", 1)], signatures)
    assert person_of(renamed, "login:zed").id == "login:old-zed"


# ---------------------------------------------------------------------------- bots


def test_bot_rules() -> None:
    people = resolve(
        [Account("dependabot[bot]", 49), Account("k8s-ci-robot", 20), Account("jane", 3)],
        [
            Signature("renovate", f"29139614+renovate[bot]@{NOREPLY}", "r"),
            Signature("ci[bot]", "ci@builds.example.net", "r"),
            Signature("ci[bot]", "shared@builds.example.net", "r"),
            Signature("Shared Person", "shared@builds.example.net", "r"),
        ],
        bots=parse_bot_list("k8s-ci-robot\n"),
    )
    verdicts = {p.id: p.bot_rule for p in people}
    assert verdicts == {
        "login:dependabot[bot]": "bot: login:dependabot[bot] ends with [bot] (a GitHub App)",
        "login:k8s-ci-robot": "bot: login:k8s-ci-robot is on the shipped bot list",
        # the noreply email implies login:renovate[bot]; its login rule comes first
        "login:renovate[bot]": "bot: login:renovate[bot] ends with [bot] (a GitHub App)",
        "email:ci@builds.example.net": "bot: email:ci@builds.example.net is only ever used with git names ending in [bot]",
        # also used with a human name: not a bot
        "email:shared@builds.example.net": None,
        "login:jane": None,
    }
    assert {p.id for p in people if p.is_bot} == {
        "login:dependabot[bot]",
        "login:k8s-ci-robot",
        "login:renovate[bot]",
        "email:ci@builds.example.net",
    }


def test_noreply_bot_email_is_a_bot_on_its_own() -> None:
    email = f"49+dependabot[bot]@{NOREPLY}"
    people = resolve([], [Signature("Dependabot", email, "r")])
    (person,) = people
    assert person.is_bot
    # login first: the implied login's rule is the one shown
    assert person.bot_rule == "bot: login:dependabot[bot] ends with [bot] (a GitHub App)"
    curated = resolve(
        [], [Signature("Dependabot", email, "r")], [override(1, "split", "login:dependabot[bot]")]
    )
    alone = person_of(curated, f"email:{email}")
    assert alone.bot_rule == f"bot: email:{email} is the GitHub noreply email of a [bot] account"


def test_bot_list_entry_matches_with_and_without_bot_suffix() -> None:
    bots = parse_bot_list("# header\n\nRenovate   # comment\ncodecov[bot]\n")
    assert bots == frozenset({"renovate", "codecov"})
    people = resolve(
        [Account("renovate", 1), Account("codecov", 2), Account("renovator", 3)], bots=bots
    )
    assert {p.id: p.is_bot for p in people} == {
        "login:codecov": True,
        "login:renovate": True,
        "login:renovator": False,
    }


def test_a_person_is_a_bot_if_any_identity_is() -> None:
    email = "builds@ci.example.net"
    people = resolve(
        [Account("ci-runner", 4)],
        [Signature("builder[bot]", email, "r")],
        [override(1, "merge", "login:ci-runner", f"email:{email}")],
    )
    (person,) = people
    assert person.id == "login:ci-runner" and person.is_bot
    assert person.bot_rule == f"bot: email:{email} is only ever used with git names ending in [bot]"


# ---------------------------------------------------------------------------- curations


def test_curated_merge_joins_two_people_and_explains_it() -> None:
    people = resolve(
        [Account("jane", 1)],
        [Signature("Jane", "jane@home.example.net", "r")],
        [override(12, "merge", "email:jane@home.example.net", "login:jane")],
    )
    assert partition(people) == {"login:jane": {"login:jane", "email:jane@home.example.net"}}
    assert rules_of(people, "email:jane@home.example.net") == (
        "curated merge #12 by alice: reason 12 (email:jane@home.example.net ~ login:jane)",
    )


def test_a_merge_naming_an_unobserved_identity_does_nothing() -> None:
    people = resolve(
        [Account("jane", 1)], [], [override(1, "merge", "login:jane", "login:ghost-writer")]
    )
    assert partition(people) == {"login:jane": {"login:jane"}}


def test_a_name_selects_every_signature_with_that_name() -> None:
    people = resolve(
        [Account("li", 9)],
        [
            Signature("李雷", "li@one.example.net", "r1"),
            Signature("李雷", "li@two.example.net", "r2"),
            Signature("Han Meimei", "han@three.example.net", "r1"),
        ],
        [override(1, "merge", "name:李雷", "login:li")],
    )
    # a one-word CJK name never joins by rule; the curation names it explicitly
    assert partition(people) == {
        "email:han@three.example.net": {"email:han@three.example.net"},
        "login:li": {"login:li", "email:li@one.example.net", "email:li@two.example.net"},
    }


def test_split_cuts_automatic_and_older_joins_but_not_newer_ones() -> None:
    email = f"1+jane@{NOREPLY}"
    accounts = [Account("jane", 1), Account("jane-old", 1)]
    signatures = [Signature("Jane", email, "r"), Signature("J", "j@home.example.net", "r")]
    people = resolve(
        accounts,
        signatures,
        [
            override(1, "merge", "email:j@home.example.net", "login:jane"),
            override(2, "split", "login:jane"),
            override(3, "merge", "login:jane", "login:jane-old"),
        ],
    )
    # #2 cut login:jane's joins: by id (automatic), to the noreply email (automatic), to the
    # home email (#1). #3 is newer and joins it to jane-old again. The noreply email still
    # reaches jane-old by the account id it carries (an automatic join not touching jane).
    assert partition(people) == {
        "email:j@home.example.net": {"email:j@home.example.net"},
        "login:jane": {"login:jane", "login:jane-old", f"email:{email}"},
    }
    assert "curated split #2 by alice: reason 2 (joins before it cut)" in rules_of(
        people, "login:jane"
    )


def test_split_of_a_bridge_separates_both_sides() -> None:
    people = resolve(
        [Account("a", 1), Account("b", 1)],
        [Signature("X", f"1+a@{NOREPLY}", "r")],
        [override(1, "split", "login:a")],
    )
    # login:a joined login:b (account id 1) and its noreply email; the email also carries
    # id 1, so it stays with login:b
    assert partition(people) == {
        "login:a": {"login:a"},
        "login:b": {"login:b", f"email:1+a@{NOREPLY}"},
    }


def test_human_overrides_the_bot_rules_and_the_newest_curation_wins() -> None:
    accounts = [Account("mergebot[bot]", 1)]
    human = resolve(accounts, [], [override(1, "human", "login:mergebot[bot]")])
    assert not human[0].is_bot
    assert human[0].bot_rule == "human: curated human #1 by alice: reason 1 (login:mergebot[bot])"
    both = resolve(
        accounts,
        [],
        [override(2, "bot", "login:mergebot[bot]"), override(1, "human", "login:mergebot[bot]")],
    )
    assert both[0].is_bot  # #2 is newer than #1, whatever the input order
    person = resolve([Account("jane", 2)], [], [override(4, "bot", "login:jane")])
    assert person[0].is_bot and person[0].bot_rule.startswith("bot: curated bot #4")  # type: ignore[union-attr]


# ---------------------------------------------------------------------------- syntax


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("login:Octocat", "login:octocat"),
        (" login:dependabot[bot] ", "login:dependabot[bot]"),
        ("email:Jane@Example.ORG", "email:jane@example.org"),
        ("name:  Jane   Roe ", "name:Jane Roe"),
        ("name:李雷", "name:李雷"),
    ],
)
def test_parse_identity(text: str, canonical: str) -> None:
    assert parse_identity(text) == canonical


@pytest.mark.parametrize(
    "text",
    ["octocat", "user:octocat", "login:", "login:has space", "login:-dash", "email:no-at",
     "email:@example.org", "email:a b@example.org", "name:", "name:   ", "name:a\x00b"],
)  # fmt: skip
def test_parse_identity_refuses(text: str) -> None:
    with pytest.raises(InputError):
        parse_identity(text)


def test_check_override() -> None:
    assert check_override("merge", "login:A", "email:X@Y.org") == ("login:a", "email:x@y.org")
    assert check_override("bot", "login:a", None) == ("login:a", None)
    for action, first, second in [
        ("merge", "login:a", None),
        ("merge", "login:a", "login:A"),
        ("split", "login:a", "login:b"),
        ("delete", "login:a", None),
    ]:
        with pytest.raises(InputError):
            check_override(action, first, second)


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_parse_identity_is_total_and_idempotent(text: str) -> None:
    try:
        canonical = parse_identity(text)
    except InputError as error:
        assert "\n" not in str(error)
        return
    assert parse_identity(canonical) == canonical


@given(st.text(alphabet=st.sampled_from("ab[]# \n\tBOT-"), max_size=60))
@example("a[bot][bot]\n  # only a comment\n[bot]")
@settings(max_examples=150, deadline=None)
def test_parse_bot_list_gives_clean_logins(text: str) -> None:
    for login in parse_bot_list(text):
        assert login and login == login.strip().lower()
        assert "#" not in login and "\n" not in login and not login.endswith("[bot]")


# ---------------------------------------------------------------------------- order independence

_logins = st.sampled_from(["a", "A", "b", "c", "d[bot]", "k8s-ci-robot"])
_accounts = st.builds(Account, _logins, st.sampled_from([None, 1, 2, 3]))
_emails = st.sampled_from(
    ["", "x@y.example.org", "X@Y.example.org", "z@y.example.org", f"1+a@{NOREPLY}",
     f"a@{NOREPLY}", f"9+e@{NOREPLY}", f"2+d[bot]@{NOREPLY}", "root@localhost"]
)  # fmt: skip
_signatures = st.builds(
    Signature,
    st.sampled_from(["Ann Lee", "ann  lee", "root", "", "x[bot]"]),
    _emails,
    st.sampled_from(["r1", "r2"]),
    st.integers(1, 3),
)
_identities = st.sampled_from(
    [
        "login:a",
        "login:b",
        "login:e",
        "email:x@y.example.org",
        "email:z@y.example.org",
        "name:Ann Lee",
    ]
)
_overrides = st.lists(
    st.tuples(st.sampled_from(["merge", "split", "bot", "human"]), _identities, _identities),
    max_size=4,
).map(
    lambda drawn: [
        IdentityOverride(n, action, a, b if action == "merge" else None, "r", "u")
        for n, (action, a, b) in enumerate(drawn, 1)
    ]
)


@given(st.lists(_accounts, max_size=8), st.lists(_signatures, max_size=8), _overrides, st.data())
@settings(max_examples=150, deadline=None)
def test_result_does_not_depend_on_input_order(
    accounts: list[Account],
    signatures: list[Signature],
    overrides: list[IdentityOverride],
    data: st.DataObject,
) -> None:
    bots = frozenset({"k8s-ci-robot"})
    first = resolve_identities(accounts, signatures, overrides, bots)
    again = resolve_identities(
        data.draw(st.permutations(accounts)),
        data.draw(st.permutations(signatures)),
        data.draw(st.permutations(overrides)),
        bots,
    )
    assert again == first
    # a partition: every identity in exactly one person, whose id is its preferred member
    members = [m.identity for p in first for m in p.members]
    assert len(members) == len(set(members))
    for person in first:
        assert person.members[0].identity == person.id
        # every other member explains its join (a path to the preferred identity)
        assert person.members[0].rules[0].startswith("preferred identity")
        assert all(not m.rules[0].startswith("preferred") for m in person.members[1:])
        kinds = [m.identity.split(":", 1)[0] for m in person.members]
        assert kinds == sorted(kinds, key=["login", "email", "name"].index)
