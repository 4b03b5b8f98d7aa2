"""Values the user gives (config.toml, URLs, numbers, metric names) are checked before any
work and named precisely when wrong: one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import EXIT_INPUT, EXIT_UNAVAILABLE, UsageError
from ossmeta.pipelines.config import http_settings, http_url
from ossmeta.surfaces.cli.app import main


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OSSMETA_HOME", str(tmp_path / "home"))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    return url


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ossmeta: error:"), err
    return lines[0].removeprefix("ossmeta: error: ")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("[registries.pypi]\nurl = 12\n", "[registries.pypi] url must be a string, not an integer"),
        (
            '[registries.pypi]\nurl = "pypi.example"\n',
            "[registries.pypi] url must be an absolute http(s) URL, not 'pypi.example'",
        ),
        ("[http]\nconcurrency = 0\n", "[http] concurrency must be from 1 to 1024, not 0"),
        ("[http]\nconcurrency = true\n", "[http] concurrency must be an integer, not a boolean"),
        ("[http]\nrate_per_host = -1\n", "[http] rate_per_host must be from 0 to 1e+06, not -1"),
        ("[http]\nrate_per_host = nan\n", "[http] rate_per_host must be from 0 to 1e+06, not nan"),
        ('[http]\nmax_retries = "5"\n', "[http] max_retries must be an integer, not a string"),
        ("http = 3\n", "[http] must be a table"),
    ],
)
def test_a_bad_config_value_is_named_with_its_file(
    config: str,
    message: str,
    db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(config)
    monkeypatch.setenv("OSSMETA_CONFIG", str(path))
    # The URL comes from the command line unless the URL itself is under test.
    url_args = [] if "registries" in config else ["--registry-url", "http://127.0.0.1:9"]
    capsys.readouterr()
    assert main(["sync", "pypi", "x", *url_args, "--db", db]) == EXIT_INPUT
    assert one_line(capsys.readouterr().err) == f"{path}: {message}"


@pytest.mark.parametrize("url", ["not a url", "ftp://mirror.example", "http://", "/simple", ""])
def test_a_registry_url_that_is_not_absolute_http_is_refused_before_any_request(
    url: str, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["sync", "pypi", "x", "--registry-url", url, "--db", db]) == EXIT_INPUT
    assert "--registry-url must be an absolute http(s) URL" in one_line(capsys.readouterr().err)


@given(st.text(max_size=40))
def test_http_url_accepts_only_absolute_http_urls(text: str) -> None:
    try:
        accepted = http_url(text, "--registry-url", in_config=False)
    except UsageError as error:
        assert str(error).startswith("--registry-url must be")
    else:
        assert accepted == text and accepted.split(":", 1)[0] in ("http", "https")


@given(
    st.dictionaries(
        st.sampled_from(["concurrency", "rate_per_host", "max_retries"]),
        st.one_of(
            st.integers(),
            st.floats(),
            st.booleans(),
            st.text(max_size=3),
            st.none(),
            st.lists(st.integers(), max_size=2),
        ),
    )
)
def test_http_settings_take_valid_values_or_name_the_bad_one(http: dict[str, object]) -> None:
    try:
        settings = http_settings({"http": http}, None, None)
    except UsageError as error:
        assert "[http] " in str(error)
    else:
        assert settings.max_concurrency >= 1 and settings.max_retries >= 0
        assert settings.rate_per_host is None or settings.rate_per_host > 0


def test_a_file_that_is_not_a_database_is_a_damaged_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_db = tmp_path / "store.db"
    not_a_db.write_text("not SQLite\n" * 200)
    assert main(["db", "upgrade", "--db", f"sqlite:///{not_a_db}"]) == EXIT_UNAVAILABLE
    assert "not a database" in one_line(capsys.readouterr().err)


def test_an_unknown_metric_lists_the_known_ones(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    args = ["metrics", "show", "github.com/acme/widget", "--metric", "nonsense", "--db", db]
    assert main(args) == EXIT_INPUT
    line = one_line(capsys.readouterr().err)
    assert line.startswith("unknown metric nonsense: choose from ")
    assert "activity" in line and "openrank" in line


@pytest.mark.parametrize(
    "args",
    [
        ["packages", "dependents", "pkg:pypi/x", "--offset", "99999999999999999999999"],
        ["packages", "dependents", "pkg:pypi/x", "--offset", "-1"],
        ["packages", "dependents", "pkg:pypi/x", "--limit", "0"],
        ["metrics", "export", "{tmp}/a-file"],
        ["metrics", "compute", "--export", "{tmp}/a-file"],
        ["curate", "export", "{tmp}/a-file"],
        ["curate", "review", "99999999999999999999999", "--approve", "--reviewer", "r"],
        ["identities", "remove", "99999999999999999999999"],
        ["quality", "--stale-days", "99999999999999999999999"],
        ["advisories", "import", "{tmp}/empty"],
        [
            "events",
            "fetch",
            "github.com/a/b",
            "--api-url",
            "http://127.0.0.1:9",
            "--max-wait",
            "1e400",
        ],
    ],
)
def test_odd_arguments_are_one_line_exit_2(
    args: list[str], db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-file").write_text("django==3.2\n")
    (tmp_path / "empty").mkdir()
    capsys.readouterr()
    assert main([*(a.format(tmp=tmp_path) for a in args), "--db", db]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()
