"""``ossmeta program notify``: deadline reminders to whoever acts in the phase, by e-mail to a
real SMTP server (aiosmtpd) and by webhook to a loopback receiver that verifies every
Standard Webhooks signature; each message once, a failed one retried on the next run. The
program's clock is a parameter; only the webhook signatures (and the runs' leases) carry the
real time. Two runs at once send each notice once; a webhook answering 410 Gone is disabled."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from ossmeta.errors import InputError
from ossmeta.service.notify_email import SmtpSettings
from ossmeta.service.program import advance_phase, create_year, get_year, read_config
from ossmeta.service.program_access import Member, add_program_member
from ossmeta.service.program_imports import import_kind
from ossmeta.service.program_notify import (
    LEASE,
    add_program_webhook,
    notify,
    program_notices,
    program_webhooks,
)
from ossmeta.store import Store
from ossmeta.store.identities import IdentityOverrides
from ossmeta.store.program_notify import take_notice
from ossmeta.store.tenancy import global_transaction
from tests.monitoring.receiver import Receiver, receiver
from tests.program.test_program_selection import run, table

START = datetime(2030, 1, 1, tzinfo=UTC)
PHASES = """[phases]
funding = ''
tasks_fixed = ''
teacher_training = ''
launch = 2030-03-01T00:00:00Z
selection = 2030-04-01T00:00:00Z
work = ''
midterm = 2030-06-01T00:00:00Z
defense = 2030-07-01T00:00:00Z
awards = 2030-08-01T00:00:00Z
"""


@dataclass
class Inbox:
    """What a real SMTP server (aiosmtpd) on loopback accepted; refuses ``refuse``."""

    refuse: set[str] = field(default_factory=set)
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_RCPT(
        self, _server: SMTP, _session: Session, envelope: Envelope, address: str, _options: Any
    ) -> str:
        if address in self.refuse:
            return "450 4.2.1 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        content = envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        self.messages.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(raw, policy=email.policy.default))
        )
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpt, message in self.messages if address in rcpt]


@dataclass
class HoldingInbox(Inbox):
    """Holds the first message's DATA open (sets ``arrived``) until ``release`` is set; the
    server keeps serving other connections meanwhile."""

    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if not self.arrived.is_set():
            self.arrived.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return await super().handle_DATA(server, session, envelope)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serving(inbox: Inbox) -> Iterator[tuple[Inbox, SmtpSettings]]:
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, SmtpSettings("127.0.0.1", controller.port, sender="program@center.test")
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SmtpSettings]]:
    yield from _serving(Inbox())


@pytest.fixture
def holding_smtp() -> Iterator[tuple[Inbox, SmtpSettings]]:
    inbox = HoldingInbox()
    try:
        yield from _serving(inbox)
    finally:
        inbox.release.set()  # a failed test does not leave the server waiting


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


def subscribe(store: Store, hooks: Receiver) -> None:
    """The year's webhook to the receiver, which learns the secret shown once."""
    _, hooks.secret = add_program_webhook(store, None, hooks.url, "admin", START)


def _people_year(store: Store, tmp_path: Path) -> None:
    """A year in its launch phase: M1 (mia@acme.org) offers T1; teacher t1 and students s1
    (two addresses) and s2 (none: reported as unreachable)."""
    config = tmp_path / "c.toml"
    config.write_text(PHASES)
    create_year(store, "y", read_config(config), "admin", START)
    files = [
        ("projects", ("project_id", "community", "repository"), [("w", "acme", "github.com/acme/w")]),
        ("mentors", ("mentor_id", "capacity", "identities"), [("M1", 2, "email:mia@acme.org")]),
        ("tasks", ("task_id", "mentor_id", "capacity", "project_id"), [("T1", "M1", 2, "w")]),
    ]  # fmt: skip
    for kind, header, rows in files:
        import_kind(store, None, kind, table(tmp_path / f"{kind}.csv", header, rows), "a", START)
    for _ in range(2):
        advance_phase(store, None, "admin", START)
    people = [
        ("teacher", "t1", "email:tan@u1.edu"),
        ("student", "s1", "login:sam; email:sam@u1.edu; email:sam@home.example"),
        ("student", "s2", "login:sue"),
    ]
    path = table(tmp_path / "people.csv", ("role", "person_id", "identities"), people)
    import_kind(store, None, "people", path, "admin", START)
    advance_phase(store, None, "admin", START)  # launch


def test_reminders_once_each_and_a_failed_one_retried(
    store: Store, tmp_path: Path, smtp: tuple[Inbox, SmtpSettings], hooks: Receiver
) -> None:
    inbox, settings = smtp
    _people_year(store, tmp_path)
    subscribe(store, hooks)

    early = notify(store, None, datetime(2030, 2, 20, tzinfo=UTC), smtp=settings)
    assert (early.recorded, early.sent, inbox.messages, hooks.received) == (0, 0, [], [])

    inbox.refuse.add("sam@home.example")
    due = datetime(2030, 2, 27, tzinfo=UTC)  # 2 days before the launch deadline
    first = notify(store, None, due, smtp=settings)
    assert first.recorded == 4  # tan, sam twice, one webhook event
    assert first.sent == 3
    assert len(first.failed) == 1 and first.failed[0].startswith("email sam@home.example")
    assert first.unreachable == ("student s2",)
    assert sorted(a for rcpt, _ in inbox.messages for a in rcpt) == ["sam@u1.edu", "tan@u1.edu"]
    mail = inbox.to("tan@u1.edu")[0]
    assert mail["X-Ossmeta-Event"] == "program.deadline"
    assert "apply with your ranked tasks" in mail.get_content()
    assert "2030-03-01T00:00:00+00:00" in mail.get_content()
    [event] = hooks.received
    assert event.verified and event.body is not None
    assert event.body["type"] == "program.deadline"
    assert event.body["data"]["phase"] == "launch"
    assert event.body["data"]["roles"] == ["student", "teacher"]

    inbox.refuse.clear()
    again = notify(store, None, due, smtp=settings)  # the run scheduled next: only the retry
    assert (again.recorded, again.sent, again.failed) == (0, 1, ())
    assert len(inbox.to("sam@home.example")) == 1 and len(inbox.messages) == 3
    quiet = notify(store, None, due, smtp=settings)
    assert (quiet.recorded, quiet.sent, quiet.failed) == (0, 0, ())
    assert len(inbox.messages) == 3 and len(hooks.received) == 1
    notices = program_notices(store, None)
    assert all(n.sent_at == due for n in notices)
    assert [n.attempts for n in notices if n.target == "sam@home.example"] == [2]

    late = notify(store, None, datetime(2030, 3, 1, tzinfo=UTC), smtp=settings)
    assert (late.recorded, late.sent) == (0, 0)  # the deadline passed: no reminder any more


def test_each_phase_reminds_its_people(
    store: Store, tmp_path: Path, smtp: tuple[Inbox, SmtpSettings]
) -> None:
    inbox, settings = smtp
    _people_year(store, tmp_path)
    members = [
        Member("uadmin", "university", "u1"),
        Member("rev", "reviewer", "acme"),
        Member("contact", "community", "acme"),
        Member("mia-login", "mentor", "M1"),
    ]
    for member in members:
        add_program_member(store, None, member, "admin", START)
    curations = IdentityOverrides(store)
    for login, address in [
        ("uadmin", "dean@u1.edu"),
        ("rev", "rev@acme.org"),
        ("contact", "hello@acme.org"),
        ("mia-login", "mia@home.example"),
    ]:
        curations.add("merge", f"login:{login}", f"email:{address}", reason="t", author="t")  # fmt: skip
    expected = {
        "selection": ["mia@acme.org", "mia@home.example"],
        "midterm": ["dean@u1.edu", "mia@acme.org", "mia@home.example"],
        "defense": ["rev@acme.org"],
        "awards": ["hello@acme.org"],
    }
    deadlines = {"selection": 4, "midterm": 6, "defense": 7, "awards": 8}
    for phase, month in deadlines.items():
        while True:  # advance to the phase
            year = advance_phase(store, None, "admin", START)
            if year.current.name == phase:
                break
        before = len(inbox.messages)
        report = notify(store, None, datetime(2030, month - 1, 30, tzinfo=UTC), smtp=settings)
        got = sorted(a for rcpt, _ in inbox.messages[before:] for a in rcpt)
        assert got == expected[phase], phase
        assert report.failed == ()


def test_the_command_runs_on_a_schedule_and_says_what_failed(
    store: Store,
    tmp_path: Path,
    smtp: tuple[Inbox, SmtpSettings],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, settings = smtp
    _people_year(store, tmp_path)
    db = ("--db", store.url)
    code, out, err = run(capsys, "program", "webhook", "add", "http://127.0.0.1:9/closed", *db)
    assert code == 0 and out.startswith("whsec_") and "shown once" in err
    code, out, _ = run(capsys, "program", "webhook", "list", *db)
    assert out == "1\thttp://127.0.0.1:9/closed\n"
    monkeypatch.setenv("OSSMETA_SMTP_HOST", settings.host)
    monkeypatch.setenv("OSSMETA_SMTP_PORT", str(settings.port))
    when = ("--now", "2030-02-27T00:00:00Z")
    code, _, err = run(capsys, "program", "notify", *when, *db)
    assert code == 4  # the webhook's port is closed: reported, retried next run
    assert "4 new notice(s), 3 sent, 1 failed" in err
    assert "no e-mail address for student s2" in err
    assert "failed (retried next run): webhook 1:" in err
    assert run(capsys, "program", "webhook", "remove", "1", *db)[0] == 0
    code, _, err = run(capsys, "program", "notify", *when, *db)
    assert code == 4 and "webhook 1: the webhook was removed" in err
    assert len(inbox.messages) == 3
    code, _, err = run(capsys, "program", "notify", "--lead", "soon", *db)
    assert code == 2 and "--lead 'soon'" in err


def test_a_webhook_url_is_checked(store: Store, tmp_path: Path) -> None:
    _people_year(store, tmp_path)
    with pytest.raises(InputError, match="an http:// or https:// URL"):
        add_program_webhook(store, None, "ftp://example.org/x", "admin", START)


DUE = datetime(2030, 2, 27, tzinfo=UTC)  # 2 days before the launch deadline
ADDRESSES = ["sam@home.example", "sam@u1.edu", "tan@u1.edu"]


def test_two_runs_at_once_send_each_notice_once(
    store: Store, tmp_path: Path, holding_smtp: tuple[Inbox, SmtpSettings], hooks: Receiver
) -> None:
    inbox, settings = holding_smtp
    assert isinstance(inbox, HoldingInbox)
    _people_year(store, tmp_path)
    subscribe(store, hooks)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(notify, store, None, DUE, smtp=settings)
        assert inbox.arrived.wait(60)  # the first run is sending its first e-mail, held
        fast = notify(store, None, DUE, smtp=settings)  # the next run, meanwhile, to its end
        inbox.release.set()
        first = slow.result(timeout=60)
    assert (first.recorded, fast.recorded) == (4, 0)
    assert first.failed == fast.failed == ()
    assert fast.sent >= 1 and first.sent >= 1  # the second run sent what was not leased
    assert first.sent + fast.sent == 4
    assert sorted(a for rcpt, _ in inbox.messages for a in rcpt) == ADDRESSES  # once each
    assert len(hooks.received) == 1
    assert [n.attempts for n in program_notices(store, None)] == [1, 1, 1, 1]


def test_a_killed_runs_lease_runs_out_then_another_run_sends(
    store: Store, tmp_path: Path, smtp: tuple[Inbox, SmtpSettings]
) -> None:
    inbox, settings = smtp
    _people_year(store, tmp_path)
    notify(store, None, datetime(2030, 2, 20, tzinfo=UTC), smtp=settings)  # nothing due yet
    inbox.refuse.update(ADDRESSES)
    notify(store, None, DUE, smtp=settings)  # records the three, none delivered
    inbox.refuse.clear()
    taken_at = datetime(2031, 5, 1, tzinfo=UTC)  # the real time of the runs, as a parameter
    year_id = get_year(store, None).id
    with global_transaction(store) as connection:  # a run takes one and dies sending it
        dead = take_notice(connection, year_id, "dead-run", now=taken_at, lease=LEASE)
    assert dead is not None
    soon = notify(store, None, DUE, smtp=settings, clock=lambda: taken_at + timedelta(minutes=1))
    assert soon.sent == 2 and inbox.to(dead.target) == []
    later = notify(store, None, DUE, smtp=settings, clock=lambda: taken_at + LEASE * 2)
    assert later.sent == 1 and len(inbox.to(dead.target)) == 1
    assert sorted(a for rcpt, _ in inbox.messages for a in rcpt) == ADDRESSES


def test_a_webhook_answering_410_is_disabled_others_are_retried(
    store: Store,
    tmp_path: Path,
    smtp: tuple[Inbox, SmtpSettings],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, settings = smtp
    _people_year(store, tmp_path)
    monkeypatch.setenv("OSSMETA_SMTP_HOST", settings.host)
    monkeypatch.setenv("OSSMETA_SMTP_PORT", str(settings.port))
    db = ("--db", store.url)
    with receiver([410]) as gone, receiver([500]) as flaky:
        subscribe(store, gone)
        subscribe(store, flaky)
        code, _, err = run(capsys, "program", "notify", "--now", "2030-02-27T00:00:00Z", *db)
        assert code == 4
        assert f"webhook 1 {gone.url} disabled: it answered 410 Gone" in err
        assert "failed (retried next run): webhook 2: the receiver answered HTTP 500" in err
        assert "webhook 1:" not in err.replace(f"webhook 1 {gone.url}", "")
        code, out, _ = run(capsys, "program", "webhook", "list", *db)
        assert out == f"1\t{gone.url}\tdisabled\n2\t{flaky.url}\n"

        again = notify(store, None, DUE, smtp=settings)  # the 500 is retried, the 410 not
        assert (again.sent, again.failed, again.disabled) == (1, (), ())
        assert (len(gone.received), len(flaky.received)) == (1, 2)

        advance_phase(store, None, "admin", START)  # selection: a new deadline to remind of
        later = notify(store, None, datetime(2030, 3, 30, tzinfo=UTC), smtp=settings)
        assert later.failed == () and later.sent >= 1
        assert (len(gone.received), len(flaky.received)) == (1, 3)
    [disabled] = [hook for hook in program_webhooks(store, None) if hook.disabled_at]
    assert disabled.id == 1
    unsent = [n for n in program_notices(store, None) if n.sent_at is None]
    assert [(n.target, n.attempts, n.last_error) for n in unsent] == [
        ("1", 1, "the receiver answered 410 Gone")
    ]
