"""The repository, compare, quality and hall pages over HTTP: what each one shows, its
status, and the hall file's errors (one line naming the file and the line)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ossmeta.errors import SourceError
from ossmeta.store import Store
from ossmeta.surfaces.api.app import create_app
from ossmeta.surfaces.api.settings import ApiSettings
from ossmeta.surfaces.web.hall_config import PACKAGED, load_hall, parse_hall
from tests.web.conftest import serve
from tests.web.text_nodes import visible_words
from tests.web.world import seed
from tests.web.world_more import FLASK_ACTIVITY, JINJA_ACTIVITY, MONTHS, seed_more


@pytest.fixture
def web(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "home"))
    seed(store, tmp_path)
    seed_more(store, tmp_path / "home")
    for base in serve(store):
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client


def _island(html: str, name: str) -> dict[str, object]:
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', html, re.S)
    assert found is not None
    loaded: dict[str, object] = json.loads(found.group(1))
    return loaded


def _rows(html: str, table: str) -> list[list[str]]:
    body = html.split(f'id="{table}"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_repository_page_charts_and_tables_say_the_stored_months(web: httpx.Client) -> None:
    page = web.get("/repos/github.com/pallets/jinja2")
    assert page.status_code == 200
    activity = _rows(page.text, "activity-table")
    shown = [str(int(v)) if v.is_integer() else f"{v:.2f}" for v in JINJA_ACTIVITY]
    assert activity == [[m, v] for m, v in zip(MONTHS, shown, strict=True)]
    charts = {c["id"]: c for c in _island(page.text, "chart-data")["charts"]}  # type: ignore[attr-defined]
    assert charts["activity-chart"]["labels"] == list(MONTHS)  # the year's row is not a month
    assert charts["activity-chart"]["series"] == [
        {"name": "activity", "values": list(JINJA_ACTIVITY)}
    ]
    assert "openrank-chart" in charts and "bus_factor-chart" in charts
    # Metrics without a row are said to be missing, and get no chart.
    assert "change_request_times-chart" not in charts
    assert page.text.count("Missing: no value of this metric is stored.") == 1
    # A chart drawing some of its metrics names the others as missing.
    assert "Missing, no value stored: Issue resolution time, mean</p>" in page.text
    assert "active" in page.text.split("Maintenance status", 1)[1].split("</dd>", 1)[0]
    assert _rows(page.text, "git-health") == [["Days since the last commit", "2026-02", "3.00"]]


def test_repository_page_without_metrics_says_so(web: httpx.Client) -> None:
    page = web.get("/repos/github.com/nobody/nothing")
    assert page.status_code == 200
    assert "The center holds no metrics for this repository" in page.text
    assert _island(page.text, "chart-data") == {"charts": []}


def test_package_page_and_search_link_the_repository_page(web: httpx.Client) -> None:
    href = 'href="/repos/github.com/pallets/jinja2"'
    assert href in web.get("/packages/pkg:pypi/jinja2").text
    assert href in web.get("/search", params={"q": "pallets/jinja2"}).text


def test_compare_shows_each_part_side_by_side(web: httpx.Client) -> None:
    both = {"purl": ["pkg:pypi/jinja2", "pkg:pypi/flask"]}
    page = web.get("/compare", params=both)
    assert page.status_code == 200
    rows = _rows(page.text, "compare-table")
    assert [row[0] for row in rows][1:6] == [
        "Security",
        "Licence",
        "Maintenance",
        "Community",
        "Adoption",
    ]
    assert all(len(row) == 3 for row in rows)
    health = web.get("/api/v1/compare", params=both).json()["compare"]
    chart = _island(page.text, "chart-data")["charts"][0]  # type: ignore[index]
    assert [s["name"] for s in chart["series"]] == ["pkg:pypi/jinja2", "pkg:pypi/flask"]
    drawn = [None if v is None else round(v, 4) for v in chart["series"][0]["values"]]
    assert drawn == [p["score"] for p in health[0]["parts"]]  # the API rounds to 4 digits
    # The form keeps both and offers a third.
    assert page.text.count('type="hidden" name="purl"') == 2 and 'id="add-purl"' in page.text


@pytest.mark.parametrize("count", [0, 1, 6])
def test_compare_takes_two_to_five(web: httpx.Client, count: int) -> None:
    purls = ["pkg:pypi/jinja2", "pkg:pypi/flask", "pkg:pypi/markupsafe"] * 2
    page = web.get("/compare", params={"purl": purls[:count]}, headers={"Cookie": "lang=zh"})
    assert page.status_code == 400
    assert "每次比较 2 到 5 个软件包。" in page.text


def test_compare_of_an_unknown_or_bad_purl(web: httpx.Client) -> None:
    missing = web.get("/compare", params={"purl": ["pkg:pypi/jinja2", "pkg:pypi/nope"]})
    assert missing.status_code == 404 and "pkg:pypi/nope" in missing.text
    bad = web.get("/compare", params={"purl": ["pkg:pypi/jinja2", "nonsense"]})
    assert bad.status_code == 400


def test_quality_page_summary_first(web: httpx.Client) -> None:
    page = web.get("/quality")
    assert page.status_code == 200
    main = page.text.split("<main", 1)[1]
    assert main.index("quality-summary") < main.index("completeness-h")
    summary = _rows(page.text, "quality-summary")
    assert len(summary) == 8 and summary[-1][1] == "failed fetches"
    charts = _island(page.text, "chart-data")["charts"]
    pypi = charts[0]["series"][0]  # type: ignore[index]
    assert pypi["name"] == "PyPI" or pypi["name"].lower() == "pypi"
    assert len(pypi["values"]) == 5  # the five package fields


def test_hall_cards_and_ranking_for_the_latest_month(web: httpx.Client) -> None:
    page = web.get("/hall")
    assert page.status_code == 200
    assert web.head("/hall").status_code == 200  # as every page, HEAD too
    assert 'href="/repos/github.com/pallets/jinja2"' in page.text  # from the package's record
    assert 'href="/repos/github.com/pallets/flask"' in page.text
    assert '<option value="2026-02" translate="no" selected>' in page.text
    assert [r[1] for r in _rows(page.text, "ranking-openrank")] == [
        "Flask",
        "Jinja",
    ]  # 6 > 6 by name
    assert [r[1] for r in _rows(page.text, "ranking-activity")] == ["Jinja", "Flask"]
    sparks = _island(page.text, "chart-data")["charts"]
    assert [s["series"][0]["values"] for s in sparks] == [
        list(JINJA_ACTIVITY),
        list(FLASK_ACTIVITY),
    ]  # type: ignore[index]


def test_hall_month_is_selectable(web: httpx.Client) -> None:
    page = web.get("/hall", params={"month": "2025-11"})
    assert [r[1] for r in _rows(page.text, "ranking-activity")] == ["Flask", "Jinja"]
    assert web.get("/hall", params={"month": "2025-13"}).status_code == 400
    none = web.get("/hall", params={"month": "2019-01"}).text
    assert "No project has a value for this month." in none


def test_a_wrong_hall_file_is_one_line_naming_file_and_line(
    web: httpx.Client, tmp_path: Path
) -> None:
    path = tmp_path / "home" / "hall.toml"
    path.write_text(
        '[[project]]\nname = "a"\npackage = "pkg:pypi/a"\n\n[[project]]\nname = "b"\n',
        encoding="utf-8",
    )
    page = web.get("/hall")
    assert page.status_code == 503
    assert f"{path}:5: project 2: name a repository, a package or both" in page.text


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[[project]]\nname = "a"\nrepository = \n', 3, "invalid value"),
        ('[[project]]\nname = "a"\nrepo = "x"\n', 1, "unknown key 'repo'"),
        ('[[project]]\nrepository = "github.com/a/b"\n', 1, "a project needs a name"),
        ('[[project]]\nname = "a"\npackage = "nonsense"\n', 1, "project 1"),
        (
            '[[project]]\nname = "a"\nrepository = "x\\u001b[31m"\n',
            1,
            "'x\\x1b[31m' is not a repository",
        ),
        ("project = [1]\n", None, "project 1 must be a table"),
        ('title = "x"\n', None, "unknown key 'title'"),
    ],
)
def test_hall_file_errors(tmp_path: Path, text: str, line: int | None, words: str) -> None:
    with pytest.raises(SourceError) as raised:
        parse_hall(text, "hall.toml")
    assert str(raised.value).startswith(f"hall.toml:{line}: " if line else "hall.toml: ")
    assert words in str(raised.value).lower()
    assert "\n" not in str(raised.value)


def test_the_app_does_not_start_with_a_wrong_hall_file(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path))
    (tmp_path / "hall.toml").write_text("[[project]\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"hall\.toml:1: "):
        create_app(ApiSettings(database_url=store.url), store=store)


def test_the_packaged_hall_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path))
    names = [p.name for p in load_hall()]
    assert names == [p.name for p in load_hall(PACKAGED)] and "widget" in names


@pytest.mark.parametrize(
    "path",
    [
        "/repos/github.com/pallets/jinja2",
        "/repos/github.com/nobody/nothing",
        "/repos/github.com/a%20b/c",
        "/compare?purl=pkg:pypi/jinja2&purl=pkg:pypi/flask",
        "/compare?purl=pkg:pypi/jinja2",
        "/compare?purl=pkg:pypi/jinja2&purl=pkg:pypi/nope",
        "/compare?purl=pkg:pypi/jinja2&purl=nonsense",
        "/quality",
        "/hall",
        "/hall?month=2019-01",
        "/hall?month=x",
    ],
)
def test_every_visible_string_changes_with_the_language(web: httpx.Client, path: str) -> None:
    english = visible_words(web.get(path, headers={"Cookie": "lang=en"}).text)
    chinese = visible_words(web.get(path, headers={"Cookie": "lang=zh"}).text)
    assert english, "the page shows no words"
    assert len(english) == len(chinese), (english, chinese)
    unchanged = [en for en, zh in zip(english, chinese, strict=True) if en == zh]
    assert not unchanged, f"not translated on {path}: {unchanged}"


def test_serve_stops_at_start_on_a_wrong_hall_file(tmp_path: Path) -> None:
    env = {**os.environ, "OSSMETA_HOME": str(tmp_path)}
    env.pop("OSSMETA_DATABASE_URL", None)
    ossmeta = str(Path(sys.executable).with_name("ossmeta"))
    subprocess.run([ossmeta, "db", "upgrade"], env=env, check=True, capture_output=True)
    (tmp_path / "hall.toml").write_text('[[project]]\nname = "a"\n', encoding="utf-8")
    ran = subprocess.run(
        [ossmeta, "serve", "--host", "127.0.0.1", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 2
    assert ran.stderr.strip().splitlines() == [
        f"ossmeta: error: {tmp_path / 'hall.toml'}:1: project 1: name a repository, "
        "a package or both"
    ]
