"""Placeholder: being written."""

from __future__ import annotations

from typing import Any

DEFINITIONS: list[Any] = []
STEPS: list[Any] = []
