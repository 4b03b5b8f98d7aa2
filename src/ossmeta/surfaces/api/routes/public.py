"""The public API: what the center knows about open-source packages, advisories and
repositories. No token needed."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["public"])
