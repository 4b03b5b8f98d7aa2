"""The pages over HTTP: what each one shows, its status, its language, and what it never
does (reach another host, break the API's OpenAPI document, leave markup unescaped)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from urllib.parse import quote

import httpx
import pytest

from ossmeta.store import Store
from ossmeta.store.packages import save_package
from ossmeta.surfaces.web.package_page import DEPENDENTS_SHOWN
from tests.web.world import ADVISORY, JINJA_PURL, T0, _package, _version

PAGES = ("/", "/search?q=jinja", f"/search?q={ADVISORY}", "/packages/pkg:pypi/jinja2")


class _Links(HTMLParser):
    """Every URL a page names in an attribute that the browser loads or follows."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src", "action", "srcset", "poster", "data"} and value:
                self.urls.append(value)


def _island(html: str, name: str) -> object:
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))


def test_home_has_one_search_box_with_a_label(web: httpx.Client) -> None:
    page = web.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<label for="q">' in page.text and 'id="q" name="q"' in page.text
    assert '<a class="skip" href="#main">' in page.text
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in page.text


@pytest.mark.parametrize("path", PAGES)
def test_pages_name_no_other_host(web: httpx.Client, path: str) -> None:
    parser = _Links()
    parser.feed(web.get(path).text)
    assert parser.urls
    for url in parser.urls:
        assert url.startswith(("/", "#")) and not url.startswith("//"), url
    assert "https://" not in web.get(path).text.split("<main", 1)[0]


def test_search_finds_packages_advisories_and_repositories(web: httpx.Client) -> None:
    by_name = web.get("/search", params={"q": "JINJA"}).text
    assert 'href="/packages/pkg:pypi/jinja2"' in by_name
    assert "github.com/pallets/jinja2" in by_name
    by_alias = web.get("/search", params={"q": "CVE-2019-10906"}).text
    assert ADVISORY in by_alias and "GHSA-462w-v97r-4m45" in by_alias
    assert ADVISORY in web.get("/search", params={"q": "cve-2019-10906"}).text
    assert "pkg:pypi/jinja2" not in by_alias.split("<main", 1)[1].split("advisories-h")[0]
    nothing = web.get("/search", params={"q": "no-such-thing"}).text
    assert "No package matches." in nothing and "No repository matches." in nothing


def test_search_by_purl_goes_to_the_package(web: httpx.Client) -> None:
    answer = web.get("/search", params={"q": "pkg:pypi/Jinja2@2.10"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/packages/pkg:pypi/jinja2"


def test_search_text_is_escaped(web: httpx.Client) -> None:
    page = web.get("/search", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_package_page_shows_versions_licence_advisories_and_health(web: httpx.Client) -> None:
    page = web.get("/packages/pkg:pypi/jinja2")
    assert page.status_code == 200
    html = page.text
    # the licence with where it came from
    assert "BSD-3-Clause" in html and "BSD License" in html and "pypi:classifiers" in html
    # every version with its state, and the advisory on the affected ones with its fix
    data = _island(html, "chart-data")
    assert isinstance(data, dict)
    states = {v["version"]: v["state"] for v in data["versions"]}
    assert states == {
        "2.9": "published",
        "2.10": "published",
        "2.10.1": "yanked",
        "2.10.2": "deprecated",
        "2.11": "published",
    }
    advised = {v["version"]: v["advisories"] for v in data["versions"]}
    assert advised == {"2.9": 1, "2.10": 1, "2.10.1": 0, "2.10.2": 0, "2.11": 0}
    advisories = html.split('id="advisories-h"', 1)[1].split("</section>", 1)[0]
    assert advisories.count(f">{ADVISORY}</a>") == 2 and "2.10.1" in advisories
    # dependencies and dependents link to their pages
    assert 'href="/packages/pkg:pypi/markupsafe"' in html
    assert 'href="/packages/pkg:pypi/flask"' in html
    # the five parts of the health score, in the table and the chart's data
    assert [p["name"] for p in data["parts"]] == [
        "security",
        "license",
        "maintenance",
        "community",
        "adoption",
    ]
    table = html.split('id="health-parts"', 1)[1].split("</table>", 1)[0]
    assert table.count('<th scope="row">') == 5
    assert "community.openrank" in html  # a missing input, named


def test_package_page_matches_the_api(web: httpx.Client) -> None:
    """The page and the API read through the same service: same versions, same score."""
    api = web.get(f"/api/v1/packages/{JINJA_PURL}").json()
    health = web.get(f"/api/v1/health/{JINJA_PURL}").json()
    data = _island(web.get(f"/packages/{JINJA_PURL}").text, "chart-data")
    assert isinstance(data, dict)
    assert [v["version"] for v in data["versions"]] == [v["version"] for v in api["versions"]]
    assert [round(p["score"], 4) for p in data["parts"]] == [p["score"] for p in health["parts"]]


def test_a_scoped_npm_package_round_trips_its_link(web: httpx.Client, store: Store) -> None:
    scoped = replace(
        _package("x", (_version("1.0.0", 1),), "scoped"), purl="pkg:npm/%40scope/x", ecosystem="npm"
    )
    with store.engine.begin() as connection:
        save_package(connection, scoped, T0)
    hits = web.get("/search", params={"q": "scope"}).text
    href = re.search(r'href="(/packages/pkg:npm/[^"]+)"', hits)
    assert href is not None and href.group(1) == "/packages/pkg:npm/" + quote(
        "%40scope/x", safe="/"
    )
    assert web.get(href.group(1)).status_code == 200


def test_unknown_package_is_a_translated_404(web: httpx.Client) -> None:
    english = web.get("/packages/pkg:pypi/no-such-package")
    assert english.status_code == 404
    assert "Not found" in english.text and "pkg:pypi/no-such-package" in english.text
    chinese = web.get("/packages/pkg:pypi/no-such-package", headers={"Cookie": "lang=zh"})
    assert chinese.status_code == 404 and "未找到" in chinese.text


def test_bad_purl_is_a_400_with_a_one_line_reason(web: httpx.Client) -> None:
    answer = web.get("/packages/pkg:nosuchtype")
    assert answer.status_code == 400
    reason = re.search(r'<span class="reason" translate="no">(.*?)</span>', answer.text, re.S)
    assert reason is not None and reason.group(1).strip() and "\n" not in reason.group(1)
    assert web.get("/search", params={"q": "pkg:"}).status_code == 400
    too_long = web.get("/search", params={"q": "x" * 201})
    assert too_long.status_code == 400 and "at most 200 characters" in too_long.text


def test_language_from_cookie_then_header_then_english(web: httpx.Client) -> None:
    assert '<html lang="en">' in web.get("/").text
    zh = web.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}).text
    assert '<html lang="zh-Hans">' in zh and "搜索" in zh
    weighted = web.get("/", headers={"Accept-Language": "fr, en;q=0.5, zh;q=0.4"}).text
    assert '<html lang="en">' in weighted
    cookie_wins = web.get("/", headers={"Accept-Language": "zh-CN", "Cookie": "lang=en"})
    assert '<html lang="en">' in cookie_wins.text


def test_switching_language_sets_a_cookie_and_returns_to_the_page(web: httpx.Client) -> None:
    answer = web.get("/lang/zh", params={"next": "/search?q=jinja"})
    assert answer.status_code == 303 and answer.headers["location"] == "/search?q=jinja"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("lang=zh;") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert '<html lang="zh-Hans">' in web.get("/search?q=jinja").text  # the client kept it
    assert web.get("/lang/en", params={"next": "//evil.example/"}).headers["location"] == "/"


def test_dates_and_numbers_follow_the_language(web: httpx.Client) -> None:
    english = web.get("/packages/pkg:pypi/jinja2", headers={"Cookie": "lang=en"}).text
    chinese = web.get("/packages/pkg:pypi/jinja2", headers={"Cookie": "lang=zh"}).text
    assert "Jan 20, 2019" in english and "2019年1月20日" in chinese


def test_pages_stay_out_of_the_openapi_document(web: httpx.Client) -> None:
    paths = web.get("/openapi.json").json()["paths"]
    assert paths and all(path.startswith("/api/v1/") for path in paths)


def test_pages_answer_head(web: httpx.Client) -> None:
    for path in ("/", "/search?q=jinja", f"/packages/{JINJA_PURL}"):
        answer = web.head(path)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
        assert answer.content == b""


def test_static_files_are_served(web: httpx.Client) -> None:
    assert "skip" in web.get("/static/site.css").text
    assert "echarts" in web.get("/static/package.js").text


def test_the_chart_data_island_cannot_end_its_script(web: httpx.Client, store: Store) -> None:
    hostile = "1.0</script><script>alert(1)</script>"
    record = replace(
        _package("hostile", (_version(hostile, 1),), "</script><b>x</b>"), name="hostile"
    )
    with store.engine.begin() as connection:
        save_package(connection, record, T0)
    html = web.get("/packages/pkg:pypi/hostile").text
    assert "<script>alert(1)" not in html and "<b>x</b>" not in html
    data = _island(html, "chart-data")
    assert isinstance(data, dict) and data["versions"][0]["version"] == hostile


def test_a_long_list_of_dependents_links_to_the_whole_list(web: httpx.Client, store: Store) -> None:
    with store.engine.begin() as connection:
        for n in range(DEPENDENTS_SHOWN):
            record = _package(f"user-{n:02d}", (_version("1.0", 1, ("markupsafe",)),), "uses it")
            save_package(connection, record, T0)
    html = web.get("/packages/pkg:pypi/markupsafe").text
    section = html.split('id="dependents-h"', 1)[1].split("</section>", 1)[0]
    assert section.count("<li>") == DEPENDENTS_SHOWN
    assert f"The first {DEPENDENTS_SHOWN} of {DEPENDENTS_SHOWN + 1} dependents" in section
    assert 'href="/api/v1/packages/pkg:pypi/markupsafe:dependents"' in section
    listed = web.get("/api/v1/packages/pkg:pypi/markupsafe:dependents", params={"limit": 100})
    assert len(listed.json()["items"]) == DEPENDENTS_SHOWN + 1
