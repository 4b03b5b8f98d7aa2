"""schemathesis against the app's own ``/openapi.json``, in process (ASGI), authenticated
with an admin token of a tenant that has data: no operation answers a 5xx, and every answer
is declared by the document (status code, content type, body schema, headers). Generation is
derandomized and bounded, so a run is repeatable and takes well under two minutes."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ossmeta.service import accounts
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings
from tests.api.conftest import OPERATOR, ApiServer
from tests.api.world import populate, seed_public

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _token(api: ApiServer) -> str:
    return accounts.create_token(
        api.store,
        "acme-admin",
        actor=OPERATOR,
        tenant_id=api.tenant("acme").id,
        scopes=("read", "write", "admin"),
    ).secret


def test_every_answer_is_declared_and_none_is_a_5xx(api: ApiServer, tmp_path: Path) -> None:
    seed_public(api, tmp_path)
    populate(api, "acme")
    app = create_app(ApiSettings(database_url=api.store.url), store=api.store)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # the document was read, every route is in it
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            # A token of its own for every case: a case may revoke the one it was given.
            headers = {"Authorization": f"Bearer {_token(api)}"}
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except (
            Exception,
            BaseExceptionGroup,
        ) as error:  # every operation's failure, not the first one's only
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
