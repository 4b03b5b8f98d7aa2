"""Our Composer ordering against composer/semver itself, run with the PHP CLI.

Needs ``php`` and composer/semver (Debian: ``php-cli`` and ``php-composer-semver``); the
test is skipped with the reason when either is missing. Composer sorts exact versions as
``Semver::sort`` does: ``VersionParser::normalize`` each, then the same normalized text
is equal and otherwise ``Comparator`` decides.

Debian ships composer/semver 3.3, whose date pattern takes one trailing 1-3 digit group
where 3.4 (Packagist's, and ours) takes two; the generated versions keep classical
versions' first part to five digits so that no text falls into that difference."""

from __future__ import annotations

import itertools
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from ossmeta.versions import InvalidVersion
from ossmeta.versions.composer import COMPOSER
from tests.versions.laws import sign

# Reads a JSON list of versions on stdin; prints each one's normalized form (null when
# normalize() refuses it), whether it names a branch, and Composer's comparison of each
# valid neighbour pair.
_PHP = r"""
require $argv[1];
use Composer\Semver\Comparator;
use Composer\Semver\VersionParser;
$parser = new VersionParser();
function normalized($parser, $version) {
    try { return $parser->normalize($version); }
    catch (UnexpectedValueException $e) { return null; }
}
$normalized = [];
$branches = [];
foreach (json_decode(stream_get_contents(STDIN)) as $version) {
    $n = normalized($parser, $version);
    $normalized[] = $n;
    // A branch: "dev-name", "1.x-dev", or "name-dev" whose name is no version by itself.
    $stem = preg_replace('{@(?:stable|rc|beta|alpha|dev)$}i', '', trim($version));
    $stem = preg_replace('{[.-]?dev$}i', '', $stem);
    $branches[] = $n !== null && (str_starts_with($n, 'dev-') || str_contains($n, '9999999')
        || (str_ends_with($n, '-dev') && normalized($parser, $stem) === null));
}
$signs = [];
for ($i = 0; $i + 1 < count($normalized); $i++) {
    [$a, $b] = [$normalized[$i], $normalized[$i + 1]];
    if ($a === null || $b === null) { $signs[] = null; continue; }
    $signs[] = $a === $b ? 0 : (Comparator::lessThan($a, $b) ? -1
        : (Comparator::greaterThan($a, $b) ? 1 : 0));
}
echo json_encode(['normalized' => $normalized, 'branches' => $branches, 'signs' => $signs]);
"""


def _autoload() -> Path:
    if shutil.which("php") is None:
        pytest.skip("php is not installed (Debian: php-cli): cannot run composer/semver")
    if shutil.which("dpkg") is None:
        pytest.skip("no dpkg to locate composer/semver (Debian: php-composer-semver)")
    listed = subprocess.run(
        ["dpkg", "-L", "php-composer-semver"], capture_output=True, text=True, check=False
    ).stdout.split()
    found = [Path(p) for p in listed if p.endswith("/Composer/Semver/autoload.php")]
    if not found:
        pytest.skip("composer/semver is not installed (Debian: php-composer-semver)")
    return found[0]


@pytest.fixture(scope="module")
def composer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    autoload = _autoload()
    script = tmp_path_factory.mktemp("composer") / "compare.php"
    script.write_text("<?php\n" + _PHP)
    return script, autoload


def run_composer(composer: tuple[Path, Path], texts: list[str]) -> dict[str, list[object]]:
    script, autoload = composer
    output = subprocess.run(
        ["php", str(script), str(autoload)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    result: dict[str, list[object]] = json.loads(output)
    return result


def _ours(text: str) -> object:
    try:
        return COMPOSER.key(text)
    except InvalidVersion:
        return None


def generated_versions(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    numbers = ["0", "1", "2", "10", "01", "007", "99999", "123456"]
    stabilities = [
        "alpha",
        "a",
        "beta",
        "b",
        "RC",
        "rc",
        "patch",
        "pl",
        "p",
        "stable",
        "ALPHA",
        "STABLE",
        "Beta",
    ]
    texts = []
    for _ in range(count):
        if rng.random() < 0.1:
            text = rng.choice(["2021", "20210101", "2021-01-01", "2021.01.01", "202101011200"])
        else:
            parts = [
                rng.choice(numbers[:-1]),
                *(rng.choice(numbers) for _ in range(rng.randint(0, 4))),
            ]
            text = ".".join(parts)
        if rng.random() < 0.5:
            text += rng.choice(["", "-", ".", "_"]) + rng.choice(stabilities)
            if rng.random() < 0.6:
                text += rng.choice(["", ".", "-"]) + rng.choice(numbers[:4])
        if rng.random() < 0.15:
            text += rng.choice(["-dev", ".dev", "dev"])
        if rng.random() < 0.1:
            text = rng.choice(["v", "V", " ", "=", "x"]) + text
        if rng.random() < 0.1:
            text += rng.choice(["+build.1", "@beta", "@dev", " ", "+", "#"])
        texts.append(text)
    return texts


def test_validity_and_order_match_composer(composer: tuple[Path, Path]) -> None:
    texts = generated_versions(4000, seed=2026)
    texts += sorted({t for t in texts if _ours(t) is not None}, key=COMPOSER.key)
    result = run_composer(composer, texts)
    normalized, branches, signs = result["normalized"], result["branches"], result["signs"]
    valid = [n is not None and not branch for n, branch in zip(normalized, branches, strict=True)]
    ours = [_ours(text) is not None for text in texts]
    differ = [(t, n) for t, n, v, o in zip(texts, normalized, valid, ours, strict=True) if v != o]
    assert differ == [], differ[:20]
    compared, wrong = 0, []
    for (a, b), expected in zip(itertools.pairwise(texts), signs, strict=True):
        if expected is None or _ours(a) is None or _ours(b) is None:
            continue
        compared += 1
        if sign(COMPOSER.key(a), COMPOSER.key(b)) != expected:
            wrong.append((a, b, expected))
    assert compared > 2000
    assert wrong == [], wrong[:20]
