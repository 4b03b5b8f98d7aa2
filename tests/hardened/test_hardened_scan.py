"""Scans and tenant inventories honour hardened releases: a component whose version is a
registered hardened version is not affected by the advisories it fixes (named by any id
of the alias group), shown as not_affected with the hardened provenance as the reason,
although its version lies in the vulnerable range. The upstream version it replaces, an
unregistered rebuild number and the advisories it does not fix are reported as before."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from ossmeta.service import inventories
from ossmeta.service.accounts import Actor, create_tenant
from ossmeta.service.hardened import add_hardened
from ossmeta.service.reevaluate import run_job
from ossmeta.store import Store
from ossmeta.store.blobs import BlobStore
from ossmeta.store.jobs import list_jobs
from ossmeta.store.tenancy import global_transaction
from ossmeta.surfaces.cli.app import main
from tests.hardened.artifacts import npm_tarball, patch, wheel
from tests.service.inventories_data import import_records

FIXED = "GHSA-aaaa-bbbb-cccc"
FIXED_ALIAS = "CVE-2026-0001"
OTHER = "GHSA-2222-3333-4444"
NPM_FIXED = "GHSA-xxxx-yyyy-zzzz"


def _record(advisory: str, ecosystem: str, name: str, fixed: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": advisory,
        "modified": "2026-01-01T00:00:00Z",
        "summary": f"{name} is vulnerable",
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                ],
            }
        ],
        **extra,
    }


@pytest.fixture
def hardened(store: Store, tmp_path: Path) -> Store:
    """Three advisories and two hardened releases: demo 1.2.3+trusted.1 fixes the first
    (named by its CVE alias), not the second; @acme/left-pad 1.0.0-trusted.1 fixes its one."""
    import_records(
        store,
        tmp_path / "osv",
        _record(FIXED, "PyPI", "demo", "1.2.4", aliases=[FIXED_ALIAS]),
        _record(OTHER, "PyPI", "demo", "1.3.0"),
        _record(NPM_FIXED, "npm", "@acme/left-pad", "1.0.1"),
    )
    blobs = BlobStore(tmp_path / "blobs")
    fix = patch(tmp_path)
    built = wheel(tmp_path / "dist", "demo", "1.2.3+trusted.1")
    add_hardened(store, "pkg:pypi/demo@1.2.3", built, [FIXED_ALIAS], [fix], "test", blobs)
    tarball = npm_tarball(tmp_path / "npm", "@acme/left-pad", "1.0.0-trusted.1")
    add_hardened(store, "pkg:npm/%40acme/left-pad@1.0.0", tarball, [NPM_FIXED], [fix], "t", blobs)
    return store


def _scan(store: Store, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    capsys.readouterr()
    code = main(["scan", str(path), "--format", "json", "--db", store.url])
    return code, json.loads(capsys.readouterr().out)


def _ids(component: dict[str, Any], key: str) -> list[str]:
    return [f["id"] for f in component[key]]


PINS = [
    ("1.2.3+trusted.1", [OTHER], [FIXED]),
    ("1.2.3+TRUSTED.1", [OTHER], [FIXED]),  # PEP 440 equality, not the text
    ("1.2.3", [FIXED, OTHER], []),  # the upstream version it replaces
    ("1.2.3+trusted.2", [FIXED, OTHER], []),  # a rebuild nobody registered
]


def test_scan_of_a_requirements_file(
    hardened: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for n, (pin, reported, not_affected) in enumerate(PINS):
        requirements = tmp_path / f"{n}" / "requirements.txt"
        requirements.parent.mkdir()
        requirements.write_text(f"demo=={pin}\n", encoding="utf-8")
        code, report = _scan(hardened, requirements, capsys)
        assert code == 1  # OTHER is never fixed
        (component,) = report["components"]
        assert sorted(_ids(component, "vulnerabilities")) == sorted(reported), pin
        assert _ids(component, "ignored") == not_affected, pin
        for finding in component["ignored"]:
            assert finding["verdict"] == "not_affected"
            assert finding["aliases"] == [FIXED_ALIAS]
            assert "hardened release 1.2.3+trusted.1 of upstream 1.2.3" in finding["reason"]
            assert "fix-cve.patch" in finding["reason"]
            assert finding["ignore"]["location"] == "ossmeta hardened"
        assert report["summary"]["ignored"] == len(not_affected)
    # An SBOM names the hardened version by purl (the "+" percent-encoded).
    sbom = tmp_path / "bom.cdx.json"
    component = {"type": "library", "name": "demo", "version": "1.2.3+trusted.1"}
    component["purl"] = "pkg:pypi/demo@1.2.3%2Btrusted.1"
    body = {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [component]}
    sbom.write_text(json.dumps(body), encoding="utf-8")
    code, report = _scan(hardened, sbom, capsys)
    (scanned,) = report["components"]
    assert (_ids(scanned, "vulnerabilities"), _ids(scanned, "ignored")) == ([OTHER], [FIXED])


def test_scan_of_an_npm_lockfile(
    hardened: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def lock(version: str) -> Path:
        path = tmp_path / version / "package-lock.json"
        path.parent.mkdir()
        body = {
            "name": "app",
            "lockfileVersion": 3,
            "packages": {
                "": {"name": "app", "dependencies": {"@acme/left-pad": version}},
                "node_modules/@acme/left-pad": {"version": version},
            },
        }
        path.write_text(json.dumps(body), encoding="utf-8")
        return path

    # A prerelease sorts below 1.0.0, inside "introduced 0, fixed 1.0.1": matched, then cleared.
    code, report = _scan(hardened, lock("1.0.0-trusted.1"), capsys)
    (component,) = report["components"]
    assert (code, _ids(component, "vulnerabilities"), _ids(component, "ignored")) == (
        0,
        [],
        [NPM_FIXED],
    )
    assert component["ignored"][0]["verdict"] == "not_affected"
    code, report = _scan(hardened, lock("1.0.0"), capsys)
    assert (code, _ids(report["components"][0], "vulnerabilities")) == (1, [NPM_FIXED])


def test_tenant_inventories_honour_it(hardened: Store) -> None:
    actor = Actor("cli:test")
    tenant = create_tenant(hardened, "acme", actor).id
    inventories.create_project(hardened, tenant, "shop", actor)
    body = b"demo==1.2.3+trusted.1\n"
    done = inventories.upload(hardened, tenant, "shop", "1.0", "requirements.txt", body, actor)
    (component,) = done.report.components
    assert [f.id for f in component.findings] == [OTHER]
    stored = inventories.findings_report(hardened, tenant, "shop", "1.0")
    assert [f.id for cr in stored.components for f in cr.findings] == [OTHER]
    body = b"demo==1.2.3\n"
    done = inventories.upload(hardened, tenant, "shop", "0.9", "requirements.txt", body, actor)
    assert sorted(f.id for f in done.report.components[0].findings) == sorted([FIXED, OTHER])


@functools.cache
def _validator() -> Any:
    # Built once: importing it builds rfc3987-syntax's parser (seconds).
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    return JsonStrictValidator(SchemaVersion.V1_6)


def test_cyclonedx_says_unaffected_with_the_reason(
    hardened: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("demo==1.2.3+trusted.1\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["scan", str(requirements), "--format", "cyclonedx", "--db", hardened.url])
    out = capsys.readouterr().out
    assert code == 1
    assert _validator().validate_str(out) is None
    entries = {v["bom-ref"]: v for v in json.loads(out)["vulnerabilities"]}
    cleared = entries[f"vulnerability:{FIXED}#ignored"]
    assert cleared["analysis"]["state"] == "not_affected"
    assert cleared["analysis"]["justification"] == "code_not_present"
    assert "hardened release 1.2.3+trusted.1" in cleared["analysis"]["detail"]
    assert cleared["affects"][0]["versions"] == [
        {"version": "1.2.3+trusted.1", "status": "unaffected"}
    ]
    assert entries[f"vulnerability:{OTHER}"]["affects"][0]["versions"][0]["status"] == "affected"


def test_adding_one_re_evaluates_the_stored_inventories(store: Store, tmp_path: Path) -> None:
    """An inventory uploaded before the hardened release was added loses the finding it
    fixes once the queued re-evaluation runs."""
    import_records(store, tmp_path / "osv", _record(FIXED, "PyPI", "demo", "1.2.4"))
    actor = Actor("cli:test")
    tenant = create_tenant(store, "acme", actor).id
    inventories.create_project(store, tenant, "shop", actor)
    body = b"demo==1.2.3+trusted.1\n"
    inventories.upload(store, tenant, "shop", "1.0", "requirements.txt", body, actor)

    def stored() -> list[str]:
        report = inventories.findings_report(store, tenant, "shop", "1.0")
        return [f.id for cr in report.components for f in cr.findings]

    assert stored() == [FIXED]
    built = wheel(tmp_path / "dist", "demo", "1.2.3+trusted.1")
    add_hardened(
        store, "pkg:pypi/demo@1.2.3", built, [FIXED], [patch(tmp_path)], "t", BlobStore(tmp_path)
    )
    with global_transaction(store) as tx:
        (job,) = list_jobs(tx, kind="reevaluate")
    assert job.payload == {"packages": [["PyPI", "demo"]]}
    run_job(store, job)
    assert stored() == []
