"""``ossmeta policy``: policy as code. Apply a TOML policy file (a new version when its text
changes), test it against cases, explain a decision, manage waivers, read the audit log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from ossmeta.errors import EXIT_FINDINGS, UsageError
from ossmeta.surfaces.cli.common import DbOption, open_for_read, open_for_write, stderr
from ossmeta.surfaces.cli.index import _actor
from ossmeta.surfaces.cli.options import Format, format_option
from ossmeta.surfaces.formats.terminal import json_safe, terminal_safe

app = typer.Typer(
    help="Policy as code: what the package indexes and inventories allow.",
    no_args_is_help=True,
)
waiver_app = typer.Typer(help="Waivers: a policy's exceptions, approved and expiring.")
app.add_typer(waiver_app, name="waiver")


def _say(*fields: str) -> None:
    """One line of tab-separated fields, each made safe for a terminal."""
    typer.echo("\t".join(terminal_safe(f, one_line=True) for f in fields))


@app.command("apply")
def apply(
    file: Annotated[Path, typer.Argument(help="The policy file (TOML).")],
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="The tenant that owns the policy.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Check FILE and make it its policy's next version (nothing changes when the text is
    the latest version's already)."""
    from ossmeta.analyses.policy.config import load_policy
    from ossmeta.service.policy import apply_policy

    load_policy(file)  # a wrong file is named before the store is opened
    applied = apply_policy(open_for_write(db), file, tenant, _actor())
    state = "applied" if applied.changed else "unchanged"
    dry = " (dry run: decides and logs, blocks nothing)" if applied.dry_run else ""
    stderr.print(terminal_safe(f"policy {applied.name} v{applied.version} {state}{dry}"))


@app.command("test")
def test(
    file: Annotated[
        Path,
        typer.Argument(
            help="The policy file. Its cases are the [[cases]] tables in it and in the "
            "sibling NAME.cases.toml (baseline.toml -> baseline.cases.toml); each gives "
            "purl, facts (license, age_days or published, advisories, health_score, "
            "maintenance, deprecated, yanked, fixes, now) and expect (allow, hide or deny), "
            "optionally expect_rules."
        ),
    ],
) -> None:
    """Run the policy's cases: exit 0 when all pass, 1 (naming each) when some fail."""
    from ossmeta.analyses.policy.cases import parse_cases, run_case
    from ossmeta.analyses.policy.config import load_policy
    from ossmeta.sources.files import InputFile, load_toml

    policy, text, table = load_policy(file)
    cases = parse_cases(table.get("cases", []), str(file), text)
    sibling = file.with_name(file.name.removesuffix(".toml") + ".cases.toml")
    if sibling.is_file():
        source = InputFile.of(sibling)
        more = source.read_text()
        given = load_toml(source, more)
        extra = sorted(set(given) - {"cases"})
        if extra:
            raise UsageError(f"unknown key {extra[0]!r} (only [[cases]])", path=str(sibling))
        listed = given.get("cases", [])
        if not isinstance(listed, list):
            raise UsageError("cases must be an array of tables ([[cases]])", path=str(sibling))
        cases += parse_cases(listed, str(sibling), more)
    if not cases:
        raise UsageError(f"no cases: add [[cases]] to it or to {sibling.name}", path=str(file))
    failed = 0
    for case in cases:
        result = run_case(policy, case)
        if result.passed:
            continue
        failed += 1
        fired = "; ".join(f"{r.rule}: {r.message}" for r in result.decision.reasons) or "no rule"
        _say(f"FAIL {case.where}: {case.name}: {result.problem} ({fired})")
    _say(f"{len(cases) - failed} of {len(cases)} cases pass")
    if failed:
        raise typer.Exit(EXIT_FINDINGS)


def _only_policy(db: str | None) -> str:
    from ossmeta.service.policy import policies

    names = [p.name for p in policies(open_for_read(db)) if p.version]
    if len(names) != 1:
        raise UsageError(
            "--policy is needed: " + ("no policy is applied" if not names else "several exist")
        )
    return names[0]


@app.command("check")
def check(
    purl: Annotated[str, typer.Argument(help="A release: pkg:pypi/NAME@VERSION or pkg:npm/...")],
    policy: Annotated[
        str | None, typer.Option("--policy", help="The policy (default: the only one).")
    ] = None,
    format: Annotated[Format, format_option(Format.TEXT, Format.JSON)] = Format.TEXT,
    db: DbOption = None,
) -> None:
    """Explain the policy's decision on PURL: every rule that fired, the inputs read and
    the policy version. Exit 0 when allowed, 1 when hidden or denied."""
    from ossmeta.service.policy_decide import check as decide

    name = policy or _only_policy(db)
    result = decide(open_for_write(db), purl, name, actor=_actor())
    d = result.decision
    if format is Format.JSON:
        document: dict[str, Any] = {
            "purl": result.purl,
            "policy": d.policy,
            "policy_version": result.policy_version,
            "action": d.action,
            "enforced": d.enforced,
            "dry_run": d.dry_run,
            "waiver": d.waiver,
            "valid_until": None if d.valid_until is None else d.valid_until.isoformat(),
            "reasons": [
                {"rule": r.rule, "message": r.message, "advisory": r.advisory} for r in d.reasons
            ],
            "inputs": result.inputs,
        }
        typer.echo(json_safe(json.dumps(document, indent=2, sort_keys=True)))
    else:
        _say(f"{result.purl}: {d.action}" + (" (dry run: allowed)" if d.dry_run else ""))
        _say(f"policy {d.policy} v{result.policy_version}")
        for r in d.reasons:
            _say(f"  {r.rule}: {r.message}")
        if d.waiver:
            _say(f"  waived by {d.waiver}")
        for key, value in sorted(result.inputs.items()):
            _say(f"  input {key}: {json.dumps(value, sort_keys=True)}")
    if d.enforced != "allow":
        raise typer.Exit(EXIT_FINDINGS)


@app.command("list")
def list_(db: DbOption = None) -> None:
    """The policies: name, latest version, applied at, by."""
    from ossmeta.service.policy import policies

    for p in policies(open_for_read(db)):
        when = p.applied_at.isoformat(timespec="seconds") if p.applied_at else "-"
        _say(p.name, f"v{p.version}", when, p.applied_by or "-")


@app.command("audit")
def audit(
    policy: Annotated[str | None, typer.Option("--policy", help="Only this policy's.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100000)] = 100,
    format: Annotated[Format, format_option(Format.TEXT, Format.JSON)] = Format.TEXT,
    db: DbOption = None,
) -> None:
    """The policy audit log (append-only), oldest first: policy changes, waivers and every
    decision change."""
    from ossmeta.service.policy import audit_entries

    entries = audit_entries(open_for_read(db), policy, limit)
    if format is Format.JSON:
        rows = [
            {
                "id": e.id,
                "policy": e.policy,
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "detail": e.detail,
                "at": e.at.isoformat(),
            }
            for e in entries
        ]
        typer.echo(json_safe(json.dumps(rows, indent=2, sort_keys=True)))
        return
    for e in entries:
        fields = (e.at.isoformat(timespec="seconds"), e.policy, e.actor, e.action, e.target)
        _say(*fields)


def _expiry(expires: str | None, days: float | None) -> datetime | None:
    if expires is not None and days is not None:
        raise UsageError("give --expires or --days, not both")
    if days is not None:
        return datetime.now(UTC) + timedelta(days=days)
    if expires is None:
        return None
    try:
        moment = datetime.fromisoformat(expires)
    except ValueError:
        raise UsageError(f"--expires {expires!r}: an ISO date or date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@waiver_app.command("add")
def waiver_add(
    policy: Annotated[str, typer.Argument(help="The policy the waiver is an exception to.")],
    package: Annotated[str, typer.Argument(help="pkg:pypi/NAME, pkg:npm/NAME or a bare name.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is acceptable.")],
    requested_by: Annotated[str, typer.Option("--requested-by", help="Who asks.")],
    approved_by: Annotated[
        str, typer.Option("--approved-by", help="Who approves (not the requester).")
    ],
    versions: Annotated[
        str, typer.Option("--versions", help="'*' or comparators: '>=1.0,<2', '==1.4.2'.")
    ] = "*",
    expires: Annotated[
        str | None, typer.Option("--expires", help="When it ends: an ISO date(-time), UTC.")
    ] = None,
    days: Annotated[
        float | None, typer.Option("--days", min=0.0, help="It ends this many days from now.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a waiver: the policy lets PACKAGE (those versions) through until it expires."""
    from ossmeta.service.policy import add_waiver

    made = add_waiver(
        open_for_write(db),
        policy,
        package,
        versions,
        reason,
        requested_by,
        approved_by,
        _expiry(expires, days),
    )
    typer.echo(made.id)
    until = made.expires_at.isoformat(timespec="seconds") if made.expires_at else "no expiry"
    stderr.print(terminal_safe(f"waiver {made.id} of policy {policy} added ({until})"))


@waiver_app.command("list")
def waiver_list(
    policy: Annotated[str, typer.Argument(help="The policy.")],
    all_: Annotated[bool, typer.Option("--all", help="Also revoked and expired ones.")] = False,
    db: DbOption = None,
) -> None:
    """The policy's waivers: id, package, versions, expiry, requester, approver, reason."""
    from ossmeta.service.policy import waivers

    for w in waivers(open_for_read(db), policy, in_force=not all_):
        until = w.expires_at.isoformat(timespec="seconds") if w.expires_at else "-"
        state = "revoked" if w.revoked_at else until
        fields = (str(w.id), w.package, w.versions, state, w.requested_by, w.approved_by, w.reason)
        _say(*fields)


@waiver_app.command("revoke")
def waiver_revoke(
    waiver_id: Annotated[int, typer.Argument(metavar="ID", min=1, max=2**31 - 1)],
    db: DbOption = None,
) -> None:
    """Revoke a waiver; decisions it allowed are made again without it."""
    from ossmeta.service.policy import revoke

    revoke(open_for_write(db), waiver_id, _actor())
    stderr.print(f"waiver {waiver_id} revoked")
