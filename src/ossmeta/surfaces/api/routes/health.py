"""The health score over the API: ``GET /api/v1/health/{purl}`` and
``GET /api/v1/compare?purl=...&purl=...`` (2 to 5), public, with the ``ossmeta.health/1``
documents ``ossmeta health`` and ``ossmeta compare`` print (``surfaces.formats.health``).

Scores are computed as of the start of the current UTC day with the shipped weights, so one
package gives the same bytes, and the same ETag, all day long.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from functools import cache
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ossmeta.analyses.health import HealthConfig, HealthScore, default_config, health
from ossmeta.store import Store
from ossmeta.surfaces.api.deps import get_store
from ossmeta.surfaces.api.etags import json_with_etag
from ossmeta.surfaces.formats.health import MAX_COMPARED, compare_document, health_document

# "public": no token needed (tests/api/test_route_security.py holds every other route to one).
router = APIRouter(prefix="/api/v1", tags=["public", "health"])

StoreDep = Annotated[Store, Depends(get_store)]
Part = Literal["security", "license", "maintenance", "community", "adoption"]


class Signal(BaseModel):
    name: str
    scope: Literal["version", "package"]
    value: float | None = Field(description="null when missing")
    unit: str
    weight: float
    threshold: float
    smaller_is_better: bool
    normalized: float | None = Field(description="in [0, 1]; null when missing")
    contribution: float | None = Field(description="its share of the score")
    missing: bool
    detail: str = Field(description="how it was measured, or why it is missing")


class HealthPart(BaseModel):
    name: Part
    weight: float
    score: float | None = Field(description="null: unknown, no signal has a value")
    coverage: float
    signals: list[Signal]


class PackageHealth(BaseModel):
    purl: str
    version: str | None
    as_of: str
    repository: str | None
    score: float | None = Field(description="null when no part has a score")
    coverage: float = Field(description="the share of the whole weight the score rests on")
    config: str
    parts: list[HealthPart]
    missing: list[str] = Field(description="part.signal of every weighted missing signal")
    notes: list[str]


class HealthDocument(PackageHealth):
    schema_: Literal["ossmeta.health/1"] = Field(alias="schema")


class CompareDocument(BaseModel):
    schema_: Literal["ossmeta.health/1"] = Field(alias="schema")
    compare: list[PackageHealth]


@cache
def _config() -> HealthConfig:
    return default_config()


def _scores(store: Store, purls: list[str]) -> list[HealthScore]:
    today = datetime.combine(datetime.now(UTC).date(), time(), tzinfo=UTC)
    return [health(store, purl, _config(), as_of=today) for purl in purls]


@router.get(
    "/health/{purl:path}",
    response_model=HealthDocument,
    summary="The explained health score of a package",
)
def package_health(
    request: Request,
    store: StoreDep,
    purl: Annotated[
        str,
        Path(
            description="A package purl; with @version for that version, else the newest "
            "version that is not yanked.",
            examples=["pkg:pypi/requests"],
        ),
    ],
) -> Response:
    (result,) = _scores(store, [purl])
    return json_with_etag(request, health_document(result))


@router.get(
    "/compare",
    response_model=CompareDocument,
    summary="The health of 2 to 5 packages side by side",
)
def compare_health(
    request: Request,
    store: StoreDep,
    purl: Annotated[
        list[str],
        Query(min_length=2, max_length=MAX_COMPARED, description="Two to five package purls."),
    ],
) -> Response:
    return json_with_etag(request, compare_document(_scores(store, purl)))
