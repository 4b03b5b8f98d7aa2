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

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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
        raise UsageError(f"config: [{'.'.join(keys)}] must be a table", path=str(config_path()))
    return node


def endpoints(
    config: dict[str, Any], registry: str, url: str | None, extra: dict[str, str | None]
) -> Endpoints:
    """``--registry-url`` (and the other URL options) win over the config file."""
    section = _section(config, "registries", registry)
    base = url or section.get("url")
    if not isinstance(base, str) or not base:
        raise UsageError(
            f"no registry URL for {registry}: pass --registry-url or set "
            f"registries.{registry}.url in {config_path()}"
        )
    extras: dict[str, str] = {}
    for key in _EXTRA_KEYS.get(registry, ()):
        value = extra.get(key) or section.get(key)
        if isinstance(value, str) and value:
            extras[key] = value
    return Endpoints(base, extras)


def http_settings(
    config: dict[str, Any], concurrency: int | None, rate: float | None
) -> HttpSettings:
    section = _section(config, "http")
    settings = HttpSettings()
    try:
        chosen_rate = rate if rate is not None else section.get("rate_per_host")
        settings = replace(
            settings,
            max_concurrency=int(concurrency or section.get("concurrency") or 8),
            rate_per_host=settings.rate_per_host
            if chosen_rate is None
            else (float(chosen_rate) or None),
            max_retries=int(section.get("max_retries", settings.max_retries)),
        )
    except (TypeError, ValueError) as error:
        raise UsageError(f"config: bad [http] value: {error}", path=str(config_path())) from None
    return settings


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
    base = api_url or section.get("api_url")
    if not isinstance(base, str) or not base:
        raise UsageError(
            f"no code-host API URL: pass --api-url or set codehost.api_url in {config_path()}"
        )
    variable = token_env or section.get("token_env")
    if variable is not None and (not isinstance(variable, str) or not variable):
        raise UsageError("config: codehost.token_env must be a name", path=str(config_path()))
    wait = max_wait if max_wait is not None else section.get("max_wait", 3600)
    if isinstance(wait, bool) or not isinstance(wait, int | float) or wait < 0:
        raise UsageError(
            "config: codehost.max_wait must be seconds (0 or more)", path=str(config_path())
        )
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
