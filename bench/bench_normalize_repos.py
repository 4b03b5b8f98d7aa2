"""Repository-URL normalization benchmark: URLs/s of ``canonical_repo_url`` over 100,000
real-shaped strings (every spelling package metadata uses, plus links that are not
repositories; about 20% distinct, as repository links recur across versions), printed next
to the floor of ``urllib.parse.urlsplit`` over the same strings in the same run.

Both are timed as shipped (each has an LRU cache, cleared before every run) and without their
caches (every string parsed, the cost for distinct links).

    .venv/bin/python bench/bench_normalize_repos.py [--count 100000] [--distinct 0.2] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import urllib.parse
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of
from ossmeta.normalizers.repos import canonical_repo_url

_GITHUB = [
    "https://github.com/{o}/{n}",
    "http://github.com/{o}/{n}",
    "https://www.github.com/{o}/{n}",
    "https://github.com/{o}/{n}.git",
    "https://github.com/{o}/{n}/",
    "git+https://github.com/{o}/{n}.git",
    "git+ssh://git@github.com/{o}/{n}.git",
    "ssh://git@github.com:22/{o}/{n}",
    "git@github.com:{o}/{n}.git",
    "git://github.com/{o}/{n}.git",
    "https://github.com/{o}/{n}/tree/main/packages/{n}",
    "https://github.com/{o}/{n}/blob/master/README.md",
    "https://github.com/{o}/{n}/issues",
    "https://github.com/{o}/{n}/pulls",
    "https://github.com/{o}/{n}/wiki",
    "https://github.com/{o}/{n}#readme",
    "https://github.com/{o}/{n}?tab=readme-ov-file",
    "scm:git:git@github.com:{o}/{n}.git",
    "scm:git:https://github.com/{o}/{n}.git",
    "github:{o}/{n}",
]
_OTHER_HOSTS = [
    "https://gitlab.com/{o}/{n}",
    "https://gitlab.com/{o}/sub/{n}/-/tree/main",
    "git@gitlab.com:{o}/{n}.git",
    "https://bitbucket.org/{o}/{n}/src/master/",
    "https://codeberg.org/{o}/{n}",
    "https://git.sr.ht/~{o}/{n}",
    "https://gitee.com/{o}/{n}",
    "https://git.example.org/{o}/{n}",
    "ssh://git@gitlab.example.org:2222/{o}/{n}.git",
]
_NOT_REPOSITORIES = [
    "https://{n}.registry.example/project/",
    "https://{n}.readthedocs.io/en/latest/",
    "https://{o}.github.io/{n}",
    "https://github.com/{o}",
    "https://github.com/{reserved}/{o}",  # a GitHub page that is no repository
    "https://www.{n}.org/",
    "UNKNOWN",
    "",
]
_WORDS = [
    "core",
    "utils",
    "lib",
    "py",
    "js",
    "api",
    "http",
    "client",
    "server",
    "cli",
    "tools",
    "data",
    "fast",
    "json",
    "yaml",
    "async",
]


def generate(count: int, distinct_share: float, seed: int = 5) -> list[str]:
    """``count`` strings of which about ``distinct_share`` are distinct: 70% GitHub in its
    spellings, 15% other code hosts, 15% links that are not repositories."""
    rng = random.Random(seed)
    distinct: set[str] = set()
    target = max(1, int(count * distinct_share))
    while len(distinct) < target:
        owner = rng.choice(_WORDS) + rng.choice(["", "-", "_"]) + str(rng.randrange(5000))
        name = rng.choice(_WORDS) + rng.choice(["", "-", ".", "_"]) + rng.choice(_WORDS)
        if rng.random() < 0.3:
            owner = owner.capitalize()
        if rng.random() < 0.05:
            name += ".js"
        roll = rng.random()
        family = _GITHUB if roll < 0.70 else _OTHER_HOSTS if roll < 0.85 else _NOT_REPOSITORIES
        distinct.add(rng.choice(family).format(o=owner, n=name, reserved="sponsors"))
    pool = sorted(distinct)
    strings = pool + [rng.choice(pool) for _ in range(count - len(pool))]
    rng.shuffle(strings)
    return strings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--distinct", type=float, default=0.2)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    strings = generate(args.count, args.distinct)
    n_distinct = len(set(strings))
    split_cached = urllib.parse.urlsplit
    # urlsplit is an lru_cache (maxsize 128) since Python 3.11; typeshed does not say so.
    split_bare: Callable[[str], object] = split_cached.__wrapped__  # type: ignore[attr-defined]
    split_clear: Callable[[], None] = split_cached.cache_clear  # type: ignore[attr-defined]
    normalize_bare: Callable[[str], object] = canonical_repo_url.__wrapped__

    def timed(fn: Callable[[str], object], clear: Callable[[], None] | None) -> float:
        def run() -> None:
            if clear is not None:
                clear()
            for s in strings:
                fn(s)

        return len(strings) / best_of(args.runs, run)

    figures = {
        "strings": len(strings),
        "distinct": n_distinct,
        "normalize_cached_per_s": timed(canonical_repo_url, canonical_repo_url.cache_clear),
        "urlsplit_cached_per_s": timed(split_cached, split_clear),
        "normalize_uncached_per_s": timed(normalize_bare, None),
        "urlsplit_uncached_per_s": timed(split_bare, None),
    }
    canonical_repo_url.cache_clear()
    accepted = sum(canonical_repo_url(s).canonical is not None for s in strings)
    canonicals = len({canonical_repo_url(s).canonical for s in strings} - {None})

    print(
        f"{len(strings):,} strings, {n_distinct:,} distinct ({n_distinct / len(strings):.0%}); "
        f"{accepted:,} accepted as repositories ({canonicals:,} distinct canonical), "
        f"best of {args.runs} runs"
    )
    for mode in ("cached", "uncached"):
        ours = figures[f"normalize_{mode}_per_s"]
        floor = figures[f"urlsplit_{mode}_per_s"]
        assert isinstance(ours, float) and isinstance(floor, float)
        print(
            f"  {mode:8}  canonical_repo_url {ours:>12,.0f} URLs/s   "
            f"urlsplit floor {floor:>12,.0f} URLs/s   ratio {ours / floor:.2f}"
        )
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
