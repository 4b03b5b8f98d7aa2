"""How ``ossmeta serve`` logs: uvicorn's loggers and ossmeta's own at one level, to the same
place (stderr), with an access log from ``info`` down. Imported by ``serve`` only."""

from __future__ import annotations

import copy
from typing import Any

from ossmeta.errors import UsageError

__all__ = ["LOG_LEVELS", "uvicorn_logging"]

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def uvicorn_logging(log_level: str) -> dict[str, Any]:
    """``uvicorn.Config`` keyword arguments for ``log_level`` (a bad one is exit 2)."""
    import uvicorn

    if log_level not in LOG_LEVELS:
        raise UsageError(f"--log-level must be one of {', '.join(LOG_LEVELS)}")
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    # Without this, ossmeta's loggers below WARNING would say nothing at all.
    config["loggers"]["ossmeta"] = {
        "handlers": ["default"],
        "level": log_level.upper(),
        "propagate": False,
    }
    return {
        "log_level": log_level,
        "log_config": config,
        "access_log": log_level in ("info", "debug"),
    }
