"""Shared fixtures. Tests never need the network or ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings


DATA = Path(__file__).parent / "data"

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150
)
settings.load_profile("default")


@pytest.fixture
def data_dir() -> Path:
    return DATA


