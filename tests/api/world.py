"""A populated center the route-walking tests share: public data (packages, advisories,
metrics) and a tenant with projects, versions, inventories, a decision and tokens, every
name of it unique to the tenant (so that a leak is found by looking for the names).

Also the route enumeration (every operation of the app's OpenAPI document) and a request
body for an operation synthesized from its schema, so that routes added later are walked
without a hand-kept list."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ossmeta.model import Dependency, LicenseValue, PackageRecord, PackageVersion
from ossmeta.store.metrics import Metrics
from ossmeta.store.packages import save_package
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings
from tests.api import world_program, world_program_admin
from tests.api.conftest import ApiServer
from tests.helpers import pypi_record
from tests.service.inventories_data import JINJA, UV_LOCK, load_advisories

T0 = datetime(2026, 3, 1, tzinfo=UTC)
MIT = LicenseValue("MIT", "MIT", "high", "pypi:license_expression")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
#: Bodies a synthesized one cannot stand for (raw uploads), by (method, path template).
RAW_BODIES: dict[tuple[str, str], tuple[bytes, dict[str, str]]] = {
    ("PUT", "/api/v1/projects/{project}/versions/{version}/inventory"): (
        UV_LOCK,
        {"filename": "uv.lock"},
    ),
}

#: Query parameters an operation needs to answer with data (beyond its required ones).
QUERIES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/api/v1/where-used"): {"purl": "pkg:pypi/jinja2"},
    ("GET", "/api/v1/compare"): {"purl": ["pkg:pypi/core", "pkg:pypi/web"]},  # type: ignore[dict-item]
}


#: Keys whose values change by themselves between two identical requests: when a token was
#: last used, and the time an exported document was made (with what is derived from it).
VARYING = frozenset({"last_used_at", "timestamp", "serialNumber", "@id"})


def without_varying(value: Any) -> Any:
    """``value`` (a JSON answer) without the ``VARYING`` keys, at any depth."""
    if isinstance(value, dict):
        return {k: without_varying(v) for k, v in value.items() if k not in VARYING}
    if isinstance(value, list):
        return [without_varying(v) for v in value]
    return value


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    operation: dict[str, Any]

    @property
    def public(self) -> bool:
        return "public" in self.operation.get("tags", ())

    @property
    def params(self) -> list[str]:
        return re.findall(r"\{([^}:]+)(?::path)?\}", self.path)

    @property
    def is_list(self) -> bool:
        """A GET whose answer is a list (a page, or a bare array that should be one)."""
        if self.method != "GET":
            return False
        schema = _ok_schema(self.operation)
        return schema.get("type") == "array" or {"items", "next"} <= set(
            schema.get("properties", {})
        )

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _ok_schema(operation: dict[str, Any]) -> dict[str, Any]:
    ok = operation.get("responses", {}).get("200", {})
    schema: dict[str, Any] = ok.get("content", {}).get("application/json", {}).get("schema", {})
    return schema


def openapi(api: ApiServer) -> dict[str, Any]:
    app = create_app(ApiSettings(database_url=api.store.url), store=api.store)
    return app.openapi()


def routes(api: ApiServer) -> list[Route]:
    """Every operation of the app's OpenAPI document (every route, however nested)."""
    spec = openapi(api)
    found = [
        Route(method.upper(), path, operation)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    ]
    resolved = [Route(r.method, r.path, _resolve(spec, r.operation)) for r in found]
    assert any(str(r) == "GET /api/v1/me" for r in resolved)  # the enumeration is real
    return resolved


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    """``node`` with every local ``$ref`` replaced by what it points to."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = spec
            for part in ref[2:].split("/"):
                target = target[part]
            return _resolve(spec, target)
        return {key: _resolve(spec, value) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(spec, item) for item in node]
    return node


#: Parameter values a path needs instead of the common ones (a purl with its version).
PATH_VALUES: dict[str, dict[str, str]] = {
    "/api/v1/packages/{purl}:dependencies": {"purl": "pkg:pypi/web@0.3"},
}


def concrete(path: str, values: dict[str, str]) -> str:
    """The request path for a template, each parameter taken from ``values`` (or, for one
    ``values`` names, from ``PATH_VALUES``)."""
    chosen = {**values, **{k: v for k, v in PATH_VALUES.get(path, {}).items() if k in values}}
    return re.sub(r"\{([^}:]+)(?::path)?\}", lambda m: chosen[m.group(1)], path)


def example(schema: dict[str, Any]) -> Any:
    """A small value that fits ``schema`` (required fields only, first choices)."""
    for key in ("examples", "enum"):
        if schema.get(key):
            return schema[key][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return example(options[0]) if options else None
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {name: example(properties[name]) for name in schema.get("required", ())}
    if kind == "array":
        return [example(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "string":
        if schema.get("format") == "date-time":
            return "2030-01-01T00:00:00Z"
        if schema.get("format") == "uri":
            return "http://127.0.0.1:9/hook"
        return "x" * max(1, int(schema.get("minLength", 1)))
    return None


def query(route: Route) -> dict[str, Any]:
    """Query parameters the operation needs: its required ones and those of ``QUERIES``."""
    found: dict[str, Any] = {
        p["name"]: example(p.get("schema", {}))
        for p in route.operation.get("parameters", ())
        if p.get("in") == "query" and p.get("required")
    }
    found.update(QUERIES.get((route.method, route.path), {}))
    return found


def request_body(route: Route) -> dict[str, Any]:
    """httpx keyword arguments with the query and a body the operation accepts."""
    raw = RAW_BODIES.get((route.method, route.path))
    if raw is not None:
        return {"content": raw[0], "params": {**query(route), **raw[1]}}
    params = query(route)
    body = route.operation.get("requestBody")
    if body is None:
        return {"params": params}
    schema = body.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return {"content": b"x", "params": params}
    return {"json": example(schema), "params": params}


@contextmanager
def serve_process(url: str, log: Path, *options: str) -> Iterator[str]:
    """The real ``ossmeta serve --port 0 OPTIONS --db URL`` in its own process, its output
    in ``log``; its base URL."""
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-m", "ossmeta", "serve", "--port", "0", *options, "--db", url]
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=out, env=env)
    try:
        found = None
        for _ in range(3000):
            found = re.search(r"listening on (http://127\.0\.0\.1:[0-9]+)", log.read_text())
            if found or server.poll() is not None:
                break
            time.sleep(0.01)
        assert found, log.read_text()
        yield found.group(1)
    finally:
        server.terminate()
        server.wait(timeout=30)


# ------------------------------------------------------------------ the populated center


def public_package(name: str, versions: dict[str, tuple[str, ...]]) -> PackageRecord:
    """A PyPI package ``name``: its versions, each with the packages it depends on."""
    return pypi_record(
        name,
        tuple(
            PackageVersion(
                version,
                datetime(2025, 1, i + 1, tzinfo=UTC),
                False,
                None,
                MIT,
                tuple(Dependency(f"pkg:pypi/{d}", ">=1", "runtime") for d in deps),
            )
            for i, (version, deps) in enumerate(versions.items())
        ),
        license=MIT,
        repository=f"github.com/example/{name}",
    )


def save_public_packages(api: ApiServer) -> None:
    """``web`` (three versions) depends on ``core``; so do ``cli`` and ``tool``."""
    with api.store.engine.begin() as connection:
        save_package(connection, public_package("core", {"1.0": (), "1.1": (), "2.0": ()}), T0)
        save_package(
            connection,
            public_package("web", {"0.1": (), "0.2": ("core",), "0.3": ("core", "six")}),
            T0,
        )
        save_package(connection, public_package("cli", {"1.0": ("core",)}), T0)
        save_package(connection, public_package("tool", {"1.0": ("core",)}), T0)


def seed_public(api: ApiServer, tmp_path: Path) -> dict[str, str]:
    """Packages (``core`` with three versions and three dependents, ``web@0.3`` with two
    dependencies), the recorded advisories and repository metrics; the path parameter
    values that name them."""
    save_public_packages(api)
    load_advisories(api.store, tmp_path)
    Metrics(api.store).replace(
        [
            ("github.com/example/core", "activity", "2024-01", 12.5, None),
            ("github.com/example/core", "openrank", "2024-01", 3.0, None),
        ],
        engine="duckdb",
        computed_at=T0,
        since=None,
    )
    return {
        "purl": "pkg:pypi/core",
        "advisory_id": JINJA,
        "host": "github.com",
        "owner": "example",
        "name": "core",
    }


@dataclass
class Tenant:
    """A tenant of the populated center: its admin's token, the path parameter values that
    name its objects, and the strings that only its data contains."""

    name: str
    token: str
    values: dict[str, str] = field(default_factory=dict)
    markers: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)


def _tenant_policy(api: ApiServer, name: str) -> None:
    """A strict policy of the tenant's own, so its inventory has violations to list."""
    from ossmeta.service.policy import apply_policy

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "strict.toml"
        path.write_text(
            f'name = "{name}-strict"\n[security]\ndeny_at_or_above = "low"\n'
            '[licenses]\nunknown = "deny"\n',
            encoding="utf-8",
        )
        apply_policy(api.store, path, name, "test")


def populate(api: ApiServer, name: str) -> Tenant:
    """Tenant ``name`` with an admin, three projects, two versions of the first (the second
    holding jinja2 2.10, which an advisory affects), a decision on it, and two more tokens.
    Advisories must be loaded (``seed_public``)."""
    admin = f"{name}-admin"
    token = api.account(name, admin, role="admin", scopes=("read", "write", "admin"))
    project = f"{name}-shop"
    tenant = Tenant(name, token, secrets=[token])
    with api.client(token) as http:
        for suffix in ("shop", "tools", "web"):
            created = http.post("/api/v1/projects", json={"name": f"{name}-{suffix}"})
            assert created.status_code == 201, created.text
        for version in (f"{name}-0.9", f"{name}-1.0"):
            uploaded = http.put(
                f"/api/v1/projects/{project}/versions/{version}/inventory",
                params={"filename": "uv.lock"},
                content=UV_LOCK,
            )
            assert uploaded.status_code == 201, uploaded.text
        for state in ("in_triage", "exploitable"):
            decided = http.put(
                f"/api/v1/projects/{project}/versions/{name}-1.0/decisions",
                json={
                    "purl": "pkg:pypi/jinja2@2.10",
                    "advisory": JINJA,
                    "state": state,
                    "comment": f"{name}-comment",
                },
            )
            assert decided.status_code == 201, decided.text
        for label in ("ci", "laptop"):
            issued = http.post("/api/v1/tokens", json={"name": f"{name}-{label}"})
            assert issued.status_code == 201, issued.text
            tenant.secrets.append(issued.json()["token"])
            tenant.values["token_id"] = str(issued.json()["id"])
        routes_now = {str(r) for r in routes(api)}
        for port in (9, 10) if "POST /api/v1/webhooks" in routes_now else ():
            hook = http.post(
                "/api/v1/webhooks",
                json={"url": f"http://127.0.0.1:{port}/hook", "events": ["finding.new"]},
            )
            assert hook.status_code == 201, hook.text
            for value in hook.json().values():
                if isinstance(value, str) and value.startswith("whsec_"):
                    tenant.secrets.append(value)
            hook_id = str(hook.json().get("id"))
            tenant.values.update(webhook_id=hook_id, webhook=hook_id)
        if "POST /api/v1/email-recipients" in routes_now:
            for who in ("ops", "sec"):
                mail = http.post(
                    "/api/v1/email-recipients",
                    json={"address": f"{who}@{name}.example", "events": ["finding.new"]},
                )
                assert mail.status_code == 201, mail.text
                tenant.values["recipient_id"] = str(mail.json()["id"])
            tenant.markers.append(f"ops@{name}.example")
        if "POST /api/v1/private/advisories" in routes_now:
            _private_data(http, tenant)
    _tenant_policy(api, name)
    tenant.values.update(project=project, version=f"{name}-1.0")
    world_program.seed_program(api.store, name, tenant.values)
    world_program_admin.seed_program_admin(api.store, name, tenant.values)
    tenant.markers += [project, f"{name}-tools", f"{name}-0.9", f"{name}-1.0", admin]
    tenant.markers += [f"{name}-comment", f"{name}-ci", f"{name}-laptop"]
    if "GET /api/v1/deliveries" in routes_now:
        # The private advisories' findings become events, and deliveries to the webhooks.
        from ossmeta.service.reevaluate import reevaluate

        reevaluate(api.store, None)
    return tenant


def _private_data(http: Any, tenant: Tenant) -> None:
    """Two private advisories (for jinja2 2.10, which the inventories hold), two private
    packages and two private curations of tenant ``tenant``."""
    name = tenant.name
    records = [
        {
            "id": f"{name.upper()}-PRIV-{n}",
            "modified": "2026-03-01T00:00:00Z",
            "summary": f"{name}-private-advisory-{n}",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "jinja2"},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                }
            ],
        }
        for n in (1, 2)
    ]
    imported = http.post("/api/v1/private/advisories", json=records)
    assert imported.status_code == 201, imported.text
    tenant.values["private_id"] = records[0]["id"]
    tenant.markers += [f"{name}-private-advisory-1"]
    for n in (1, 2):
        own = http.post("/api/v1/private/packages", json={"purl": f"pkg:pypi/{name}-internal-{n}"})
        assert own.status_code == 201, own.text
        fixed = http.post(
            "/api/v1/private/curations",
            json={
                "purl": "pkg:pypi/jinja2",
                "field": ("license", "repository")[n - 1],
                "value": ("BSD-3-Clause", f"github.com/{name}/jinja")[n - 1],
                "reason": f"{name}-curation-{n}",
            },
        )
        assert fixed.status_code == 201, fixed.text
        tenant.values["curation_id"] = str(fixed.json()["id"])
    tenant.markers += [f"{name}-internal-1", f"{name}-curation-1"]


#: Path parameter values that name nothing in any tenant.
MISSING = {
    "project": "no-such-project",
    "version": "no-such-version",
    "token_id": "987654",
    "webhook_id": "987654",
    "webhook": "987654",
    "recipient_id": "987654",
    "private_id": "NO-SUCH-PRIVATE-1",
    "curation_id": "987654",
}
