"""The package-metadata half of ``make demo``: sync from a stand-in registry, curate, ask why,
report on quality, all with the real ``ossmeta`` command on the embedded store.

There is no network here, so the registry is the synthetic one the tests use
(``tests/registry_server.py``: PyPI JSON API and simple pages, npm packuments, the crates.io
sparse index and API, a Maven repository), served on a free loopback port for the length
of the demo. Against a real registry or mirror, pass its address with ``--registry-url``
or put it in the config file (see the README). Run again, the stand-in listens on another
port, so its documents are fetched again (conditional requests are per URL); being the
same, they are stored once, and the curation import finds its curation already there.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.loopback import serve  # noqa: E402  (the repository root is on the path now)
from tests.registry_server import Universe  # noqa: E402

OSSMETA = str(Path(sys.executable).with_name("ossmeta"))


def ossmeta(*args: str, ok: tuple[int, ...] = (0,)) -> None:
    print(f"\n$ ossmeta {' '.join(args)}", flush=True)
    code = subprocess.run([OSSMETA, *args], check=False).returncode
    if code not in ok:
        raise SystemExit(f"ossmeta {args[0]} exited with {code}")


def main() -> None:
    universe = Universe.make(pypi=6, npm=6, crates=3, maven=3, versions=4)
    with serve(quiet=True) as registry:
        registry.handler = universe.handler(registry.origin)
        origin = registry.origin
        ossmeta("sync", "pypi", *universe.pypi_names, "--registry-url", origin)
        ossmeta("sync", "npm", *universe.npm_names, "--registry-url", origin + "/npm")
        ossmeta("sync", "crates", *universe.crate_names, "--registry-url", origin + "/crates-index")
        ossmeta("sync", "maven", *universe.maven_names, "--registry-url", origin + "/maven")
    ossmeta("curate", "import", str(ROOT / "examples" / "curations"))
    ossmeta("packages", "show", "pkg:pypi/cache-1")
    ossmeta("packages", "show", "pkg:pypi/cache-1", "--format", "json")
    ossmeta("why", "pkg:pypi/cache-1", "license")
    ossmeta("packages", "dependents", "pkg:pypi/pytest", "--limit", "3")
    ossmeta("quality")


if __name__ == "__main__":
    main()
