"""``ossmeta index add|list``: what an operator adds is what is listed, and a bad name,
ecosystem or upstream is a one-line input error (exit 2) that adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossmeta.store import Store
from ossmeta.surfaces.cli.app import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_then_list(store: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = ("--db", store.url)
    policy = tmp_path / "baseline.toml"
    policy.write_text('name = "baseline"\n', encoding="utf-8")
    assert run(capsys, "policy", "apply", str(policy), *db)[0] == 0  # --policy names one
    code, _, err = run(
        capsys, "index", "add", "main", "--ecosystem", "pypi",
        "--upstream", "http://127.0.0.1:9/simple", "--policy", "baseline", *db,
    )  # fmt: skip
    assert code == 0 and "/index/main/simple/" in err
    assert run(capsys, "index", "add", "js", "--ecosystem", "npm", "--upstream",
               "http://127.0.0.1:9/", *db)[0] == 0  # fmt: skip
    code, out, _ = run(capsys, "index", "list", *db)
    assert code == 0
    assert out.splitlines() == [
        "js\tnpm\thttp://127.0.0.1:9/\t-",
        "main\tpypi\thttp://127.0.0.1:9/simple/\tbaseline",  # one base form: trailing slash
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Main", "--ecosystem", "pypi", "--upstream", "http://h/"), "index name 'Main'"),
        (("main", "--ecosystem", "maven", "--upstream", "http://h/"), "--ecosystem 'maven'"),
        (("main", "--ecosystem", "pypi", "--upstream", "ftp://h/"), "--upstream 'ftp://h/'"),
    ],
)
def test_bad_input_is_one_line_and_adds_nothing(
    store: Store, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, "index", "add", *args, "--db", store.url)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert run(capsys, "index", "list", "--db", store.url)[1] == ""


def test_a_name_is_added_once(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    args = ("index", "add", "main", "--ecosystem", "npm", "--upstream", "http://h/")
    assert run(capsys, *args, "--db", store.url)[0] == 0
    code, _, err = run(capsys, *args, "--db", store.url)
    assert code == 2 and "exists already" in err
