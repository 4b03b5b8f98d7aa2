"""Which registry to talk to: base URLs from the command line or the config file.

The config file is ``OSSMETA_CONFIG`` or ``config.toml`` under ``OSSMETA_HOME``::

    [registries.pypi]
    url = "https://pypi.mirror.example"

    [registries.npm]
    url = "https://npm.mirror.example"
    changes_url = "https://npm-replicate.mirror.example"   # for --changed

    [registries.maven]
    url = "https://maven.mirror.example"

    [registries.crates]
    url = "https://index.crates.mirror.example"            # the sparse index
    api_url = "https://crates.mirror.example"              # else read from config.json

    [http]
    concurrency = 8
    rate_per_host = 10        # requests per second per host; 0 for no limit
    max_retries = 5

    [codehost]                                       # ossmeta events fetch
    api_url = "https://codehost.example/api/v3"      # a GitHub-shaped REST API
    token_env = "CODEHOST_TOKEN"                     # the variable holding the token
    max_wait = 3600          # seconds a spent rate limit may be waited for, at most

There are no built-in addresses: ossmeta works against whatever registry or mirror the
deployment names, and a sync without one says how to give it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ossmeta.errors import UsageError
from ossmeta.pipelines.sync.crates import CratesRegistry
from ossmeta.pipelines.sync.maven import MavenRegistry
from ossmeta.pipelines.sync.npm import NpmRegistry
from ossmeta.pipelines.sync.pypi import PypiRegistry
from ossmeta.pipelines.sync.registry import Endpoints, Registry
from ossmeta.sources.files import InputFile, load_toml
from ossmeta.sources.http import HttpSettings

REGISTRIES = ("pypi", "npm", "maven", "crates")
_EXTRA_KEYS = {"npm": ("changes_url",), "crates": ("api_url",)}
_MAX_CONCURRENCY = 1024


def config_path() -> Path:
    explicit = os.environ.get("OSSMETA_CONFIG")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("OSSMETA_HOME", ".ossmeta")) / "config.toml"


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The config file's contents; an absent default file is an empty config."""
    chosen = path or config_path()
    if path is None and "OSSMETA_CONFIG" not in os.environ and not chosen.exists():
        return {}
    return load_toml(InputFile.of(chosen))


def _section(config: dict[str, Any], *keys: str) -> dict[str, Any]:
    node: Any = config
    for key in keys:
        node = node.get(key, {}) if isinstance(node, dict) else {}
    if not isinstance(node, dict):
        raise _bad(f"[{'.'.join(keys)}] must be a table")
    return node


def _bad(message: str) -> UsageError:
    """A mistake in the config file, named by the file."""
    return UsageError(message, path=str(config_path()))


def _kind(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}.get(
        type(value), f"a {type(value).__name__}"
    )


def http_url(value: object, what: str, *, in_config: bool) -> str:
    """``value`` as an absolute http(s) URL; ``what`` names it (``--registry-url``, or
    ``[registries.pypi] url``) in the one-line error."""
    fail = _bad if in_config else UsageError
    if not isinstance(value, str):
        raise fail(f"{what} must be a string, not {_kind(value)}")
    try:
        parts = urlsplit(value)
        absolute = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unclosed IPv6 bracket, say
        absolute = False
    if not absolute:
        raise fail(f"{what} must be an absolute http(s) URL, not {value!r}")
    return value


def endpoints(
    config: dict[str, Any], registry: str, url: str | None, extra: dict[str, str | None]
) -> Endpoints:
    """``--registry-url`` (and the other URL options) win over the config file."""
    section = _section(config, "registries", registry)
    if url is not None:
        base = http_url(url, "--registry-url", in_config=False)
    elif "url" in section:
        base = http_url(section["url"], f"[registries.{registry}] url", in_config=True)
    else:
        raise UsageError(
            f"no registry URL for {registry}: pass --registry-url or set "
            f"registries.{registry}.url in {config_path()}"
        )
    extras: dict[str, str] = {}
    for key in _EXTRA_KEYS.get(registry, ()):
        option = extra.get(key)
        if option is not None:
            extras[key] = http_url(option, "--" + key.replace("_", "-"), in_config=False)
        elif key in section:
            extras[key] = http_url(section[key], f"[registries.{registry}] {key}", in_config=True)
    return Endpoints(base, extras)


def _number(
    section: dict[str, Any], key: str, *, integer: bool, low: float, high: float
) -> float | None:
    """``[http] key`` when set, checked: a number (an integer when ``integer``) in
    [low, high]; booleans are not numbers here."""
    if key not in section:
        return None
    value = section[key]
    wanted = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, wanted):
        noun = "an integer" if integer else "a number"
        raise _bad(f"[http] {key} must be {noun}, not {_kind(value)}")
    if not (math.isfinite(value) and low <= value <= high):
        raise _bad(f"[http] {key} must be from {low:g} to {high:g}, not {value}")
    return float(value)


def http_settings(
    config: dict[str, Any], concurrency: int | None, rate: float | None
) -> HttpSettings:
    """The fetcher's settings: the command line's ``--concurrency`` and ``--rate`` win over
    ``[http]``; every value is checked (``concurrency`` at least 1, ``rate_per_host`` 0 for no
    limit or more, ``max_retries`` 0 or more)."""
    section = _section(config, "http")
    settings = HttpSettings()
    if concurrency is not None and not 1 <= concurrency <= _MAX_CONCURRENCY:
        raise UsageError(f"--concurrency must be from 1 to {_MAX_CONCURRENCY}, not {concurrency}")
    if rate is not None and not (math.isfinite(rate) and rate >= 0):
        raise UsageError(f"--rate must be 0 (no limit) or more requests per second, not {rate}")
    configured = _number(section, "concurrency", integer=True, low=1, high=_MAX_CONCURRENCY)
    chosen_rate = (
        rate
        if rate is not None
        else _number(section, "rate_per_host", integer=False, low=0, high=1e6)
    )
    retries = _number(section, "max_retries", integer=True, low=0, high=100)
    return replace(
        settings,
        max_concurrency=concurrency or int(configured or 8),
        rate_per_host=settings.rate_per_host if chosen_rate is None else (chosen_rate or None),
        max_retries=settings.max_retries if retries is None else int(retries),
    )


@dataclass(frozen=True, slots=True)
class CodeHostOptions:
    api_url: str
    token_env: str | None  # the name of the variable, never the token
    max_wait: float


def codehost_options(
    config: dict[str, Any],
    api_url: str | None,
    token_env: str | None,
    max_wait: float | None,
) -> CodeHostOptions:
    """The command line's ``--api-url`` / ``--token-env`` / ``--max-wait`` win over
    ``[codehost]`` in the config file."""
    section = _section(config, "codehost")
    if api_url is not None:
        base = http_url(api_url, "--api-url", in_config=False)
    elif "api_url" in section:
        base = http_url(section["api_url"], "[codehost] api_url", in_config=True)
    else:
        raise UsageError(
            f"no code-host API URL: pass --api-url or set codehost.api_url in {config_path()}"
        )
    variable = token_env or section.get("token_env")
    if variable is not None and (not isinstance(variable, str) or not variable):
        raise _bad("[codehost] token_env must be the name of an environment variable")
    wait = max_wait if max_wait is not None else section.get("max_wait", 3600)
    if (
        isinstance(wait, bool)
        or not isinstance(wait, int | float)
        or not (math.isfinite(wait) and wait >= 0)
    ):
        if max_wait is not None:
            raise UsageError(f"--max-wait must be seconds (0 or more), not {max_wait}")
        raise _bad("[codehost] max_wait must be seconds (0 or more)")
    return CodeHostOptions(base, variable, float(wait))


def make_registry(name: str, where: Endpoints) -> Registry:
    if name == "pypi":
        return PypiRegistry(where.url)
    if name == "npm":
        return NpmRegistry(where)
    if name == "maven":
        return MavenRegistry(where.url)
    if name == "crates":
        return CratesRegistry(where)
    raise UsageError(f"unknown registry {name!r}: choose one of {', '.join(REGISTRIES)}")
