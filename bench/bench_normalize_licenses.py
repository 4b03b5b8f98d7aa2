"""Licence normalization benchmark: licence strings/s over a stream of real-shaped declared
licences (PyPI ``License`` / ``License-Expression``, npm ``license``, POM ``<name>`` and
``<url>``, trove classifiers) with about 20% distinct strings.

Prints, side by side:
- table build (first use of the normalizer),
- cold: every distinct string normalized once with an empty cache (the work a first
  ``ossmeta normalize`` does), and the whole stream starting from an empty cache,
- warm: the whole stream again with the cache full,
- the floor: license-expression's own ``parse`` and ``validate`` over only those strings
  that already are valid SPDX expressions (no free-text mapping at all).

    .venv/bin/python bench/bench_normalize_licenses.py [--strings 100000] [--distinct 0.2] [--runs 3]
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of
from ossmeta.normalizers import licenses
from ossmeta.normalizers.licensemap import phrase_key, tables
from ossmeta.normalizers.licenses import (
    LicenseConfidence,
    license_from_classifiers,
    normalize_license,
)

#: Declared licences as they appear in registry metadata, with a rough weight for how
#: common each shape is (SPDX ids dominate npm and crates.io; free text PyPI and Maven).
BASES: list[tuple[str, int]] = [
    ("MIT", 30),
    ("Apache-2.0", 12),
    ("ISC", 6),
    ("BSD-3-Clause", 6),
    ("BSD-2-Clause", 3),
    ("MIT OR Apache-2.0", 4),
    ("Apache-2.0 OR MIT", 2),
    ("GPL-3.0-or-later", 2),
    ("MPL-2.0", 2),
    ("GPL-3.0", 2),
    ("GPL-2.0+", 1),
    ("LGPL-2.1", 1),
    ("(MIT AND Zlib)", 1),
    ("0BSD", 1),
    ("Unlicense", 1),
    ("CC0-1.0", 1),
    ("Apache-2.0 WITH LLVM-exception", 1),
    ("BlueOak-1.0.0", 1),
    ("MIT License", 8),
    ("Apache 2.0", 6),
    ("Apache License, Version 2.0", 6),
    ("The Apache Software License, Version 2.0", 5),
    ("Apache Software License", 3),
    ("Apache License 2.0", 3),
    ("BSD", 4),
    ("BSD License", 3),
    ("new BSD", 1),
    ("BSD 3-Clause", 1),
    ("GPLv3", 2),
    ("GPLv3+", 2),
    ("GPLv2", 1),
    ("GNU General Public License v3 (GPLv3)", 1),
    ("GNU General Public License v2 or later (GPLv2+)", 1),
    ("LGPL", 1),
    ("GPL", 1),
    ("GNU Lesser General Public License v3 or later (LGPLv3+)", 1),
    ("MIT/X11", 1),
    ("ISC License (ISCL)", 1),
    ("MPL 2.0", 1),
    ("Public Domain", 1),
    ("PSF", 1),
    ("Python Software Foundation License", 1),
    ("Dual MIT/Apache-2.0", 1),
    ("UNLICENSED", 3),
    ("SEE LICENSE IN LICENSE", 2),
    ("UNKNOWN", 6),
    ("", 4),
    ("Eclipse Public License 1.0", 1),
    ("Eclipse Public License - v 2.0", 1),
    ("CDDL 1.1", 1),
    ("EDL 1.0", 1),
    ("GPLv2 with Classpath exception", 1),
    ("Proprietary", 1),
    ("Same as Perl", 1),
    # Licence URLs as packages declare them (scheme added below).
    ("https:" + "/" * 2 + "opensource.org/licenses/MIT", 2),
    ("http:" + "/" * 2 + "www.apache.org/licenses/LICENSE-2.0.txt", 3),
    ("https:" + "/" * 2 + "www.gnu.org/licenses/gpl-3.0.html", 1),
    ("http:" + "/" * 2 + "www.eclipse.org/legal/epl-v10.html", 1),
    ("https:" + "/" * 2 + "github.com/owner/project/blob/main/LICENSE", 1),
    ("http:" + "/" * 2 + "www.opensource.org/licenses/bsd-license.php", 1),
    ("Custom license", 1),
]
CLASSIFIERS = [
    "License :: OSI Approved :: MIT License",
    "License :: OSI Approved :: Apache Software License",
    "License :: OSI Approved :: BSD License",
    "License :: OSI Approved :: GNU General Public License v3 (GPLv3)",
    "License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)",
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)",
    "License :: OSI Approved :: ISC License (ISCL)",
    "License :: OSI Approved :: Python Software Foundation License",
    "License :: Public Domain",
    "License :: Other/Proprietary License",
]
_VERSION = re.compile(r"(?<![\w.])v?(\d)(?:\.(\d))?(?![\w.])")
_WRAPPERS = [
    "License: {}",
    "{} License",
    "The {}",
    "{} licence",
    "{} (see LICENSE file)",
    "{}.",
    "Licensed under the {}",
    "{} license (MIT)",
    "{};",
    "Dual {}",
]


def variant(base: str, rng: random.Random) -> str:
    """A realistic respelling, each aspect drawn on its own: URL form, version style,
    separators, case, a prefix or tail."""
    text = base
    if text.startswith("http"):
        if rng.random() < 0.5:
            text = text.replace("https://", "http://", 1)
        if rng.random() < 0.5 and "://www." not in text:
            text = text.replace("://", "://www.", 1)
        if rng.random() < 0.3:
            text = text.rstrip("/") + rng.choice(["/", ".html", ".txt", "/legalcode"])
        return text if rng.random() < 0.8 else text.upper()
    if rng.random() < 0.5:
        style = rng.choice(
            ["{0}", "{0}.{1}", "v{0}", "v{0}.{1}", "version {0}.{1}", "Version {0}", " {0}.{1}"]
        )
        text = _VERSION.sub(lambda m: style.format(m.group(1), m.group(2) or "0"), text, count=1)
    roll = rng.random()
    if roll < 0.15:
        text = text.replace("-", " ")
    elif roll < 0.25:
        text = text.replace(" ", "-")
    elif roll < 0.3:
        text = text.replace(" ", "  ")
    roll = rng.random()
    if roll < 0.2:
        text = text.lower()
    elif roll < 0.3:
        text = text.upper()
    elif roll < 0.35:
        text = text.title()
    if rng.random() < 0.35:
        text = rng.choice(_WRAPPERS).format(text)
    if rng.random() < 0.1:
        text = f" {text} "
    return text


def build_stream(count: int, distinct_share: float, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    names, weights = zip(*BASES, strict=True)
    target = max(1, int(count * distinct_share))
    pool: list[str] = list(dict.fromkeys([*names, *CLASSIFIERS]))
    seen = set(pool)
    attempts = 0
    while len(pool) < target and attempts < target * 50:
        attempts += 1
        if rng.random() < 0.08:
            text = rng.choice(CLASSIFIERS)
            text = text if rng.random() < 0.5 else text.replace(" :: ", "::")
        else:
            text = variant(rng.choices(names, weights)[0], rng)
        if text not in seen:
            seen.add(text)
            pool.append(text)
    # every distinct string once, then repeats drawn from the pool weighted towards the bases
    stream = list(pool)
    head = pool[: len(names) + len(CLASSIFIERS)]
    while len(stream) < count:
        stream.append(rng.choice(head) if rng.random() < 0.6 else rng.choice(pool))
    rng.shuffle(stream)
    return stream[:count]


def normalize_all(stream: Sequence[str]) -> list[licenses.NormalizedLicense]:
    out = []
    for text in stream:
        if text.startswith("License ::"):
            out.extend(normalize_license(v) for v in license_from_classifiers([text]))
        else:
            out.append(normalize_license(text))
    return out


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f}/s  ({seconds * 1000:8.1f} ms for {n:,})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strings", type=int, default=100_000)
    parser.add_argument("--distinct", type=float, default=0.2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    stream = build_stream(args.strings, args.distinct)
    distinct = list(dict.fromkeys(stream))
    print(
        f"stream: {len(stream):,} strings, {len(distinct):,} distinct ({len(distinct) / len(stream):.0%})"
    )

    def clear() -> None:
        # every per-string cache, so "cold" pays for key building and parsing too
        licenses._normalize_cached.cache_clear()
        licenses._render.cache_clear()
        phrase_key.cache_clear()

    def build() -> None:
        tables.cache_clear()
        tables()

    build_s = best_of(args.runs, build)
    gc.collect()
    gc.disable()
    try:
        cold_distinct = min(
            _timed(lambda: normalize_all(distinct), clear) for _ in range(args.runs)
        )
        cold_stream = min(_timed(lambda: normalize_all(stream), clear) for _ in range(args.runs))
        normalize_all(stream)  # fill the cache
        warm = best_of(args.runs, lambda: normalize_all(stream))
    finally:
        gc.enable()

    results = normalize_all(distinct)
    mix = Counter(r.confidence for r in results)
    valid = [
        s
        for s in stream
        if not s.startswith("License ::")
        and normalize_license(s).confidence is LicenseConfidence.EXACT
    ]
    licensing = tables().licensing
    floor_parse = best_of(args.runs, lambda: [licensing.parse(s) for s in valid])
    floor_validate = best_of(args.runs, lambda: [licensing.validate(s) for s in valid])
    floor_parse_distinct = best_of(
        args.runs, lambda: [licensing.parse(s) for s in dict.fromkeys(valid)]
    )

    print(f"table build (first use)           {build_s * 1000:8.1f} ms")
    print("ossmeta normalize_license")
    print(f"  cold, each distinct string once  {rate(len(distinct), cold_distinct)}")
    print(f"  cold, whole stream (empty cache) {rate(len(stream), cold_stream)}")
    print(f"  warm, whole stream (full cache)  {rate(len(stream), warm)}")
    print("floor: license-expression on the already-valid SPDX strings only")
    print(
        f"  parse, distinct valid strings    {rate(len(dict.fromkeys(valid)), floor_parse_distinct)}"
    )
    print(f"  parse, whole stream's valid      {rate(len(valid), floor_parse)}")
    print(f"  validate, whole stream's valid   {rate(len(valid), floor_validate)}")
    shares = ", ".join(f"{c.value} {mix[c] / len(results):.0%}" for c in LicenseConfidence)
    print(f"distinct strings by confidence: {shares}")
    return 0


def _timed(fn: Callable[[], object], before: Callable[[], None]) -> float:
    before()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    raise SystemExit(main())
