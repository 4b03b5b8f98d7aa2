"""The VEX readers: CycloneDX VEX and OpenVEX statements with our states, problems kept per
line with their JSON path, a document of the wrong shape one InputError naming the JSON
path, and nothing but InputError whatever the bytes (Hypothesis)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossmeta.errors import InputError
from ossmeta.normalizers.vex import (
    CDX_JUSTIFICATION,
    CDX_STATES,
    OPENVEX_JUSTIFICATION,
    OPENVEX_STATES,
    VexDocument,
    parse_vex,
)
from ossmeta.service.decisions import JUSTIFICATIONS, VEX_STATES
from tests.fuzzing import JSON_PIECES, mutated, retyped_json
from tests.helpers import DATA

FOLDER = DATA / "vex"
CDX = (FOLDER / "supplier-cyclonedx.json").read_bytes()
OPENVEX = (FOLDER / "supplier-openvex.json").read_bytes()


def test_mapping_tables_cover_both_vocabularies() -> None:
    assert set(CDX_STATES.values()) <= set(VEX_STATES)
    assert set(OPENVEX_STATES.values()) <= set(VEX_STATES)
    assert set(CDX_JUSTIFICATION) == set(JUSTIFICATIONS) == set(OPENVEX_JUSTIFICATION)


def test_cyclonedx_statements_and_problems() -> None:
    doc = parse_vex(CDX)
    assert doc.format == "cyclonedx"
    assert doc.name == "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
    got = [(s.pointer, s.vulnerability, s.target, s.state, s.justification) for s in doc.statements]
    assert got == [
        ("/vulnerabilities/0/affects/0", "CVE-2019-10906", "pkg:pypi/jinja2@2.10",
         "not_affected", "code_not_reachable"),
        ("/vulnerabilities/1/affects/0", "PYSEC-2018-28", "pkg:pypi/requests@2.19.0",
         "resolved", None),
        ("/vulnerabilities/2/affects/0", "PYSEC-2021-98", "pkg:pypi/django@3.2",
         "exploitable", None),
        ("/vulnerabilities/3/affects/0", "CVE-0000-00001", "pkg:pypi/click@8.1.7",
         "in_triage", None),
        ("/vulnerabilities/4/affects/0", "PYSEC-2018-28", "pkg:pypi/click@8.1.7",
         "in_triage", None),
    ]  # fmt: skip
    assert doc.statements[0].detail == "format_map is never called"
    assert doc.statements[1].detail == "(response: update)"
    problems = {p.pointer: p.reason for p in doc.problems}
    assert "'wont_fix' is not a CycloneDX state" in problems["/vulnerabilities/5/affects/0"]
    assert "without analysis.justification" in problems["/vulnerabilities/6/affects/0"]
    assert (
        "names no component of the document that has a purl"
        in (problems["/vulnerabilities/7/affects/0"])
    )
    assert "'elsewhere'" in problems["/vulnerabilities/7/affects/1"]
    assert len(problems) == 4


def test_cyclonedx_bom_link_and_nested_components() -> None:
    body = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {"type": "application", "bom-ref": "app", "name": "app",
             "components": [{"type": "library", "bom-ref": "inner", "name": "jinja2",
                             "purl": "pkg:pypi/jinja2@2.10"}]}
        ],
        "vulnerabilities": [
            {"id": "X-1", "analysis": {"state": "resolved_with_pedigree"},
             "affects": [{"ref": "inner"},
                         {"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg%3Apypi%2Fsix%401.0"}]}
        ],
    }  # fmt: skip
    doc = parse_vex(json.dumps(body).encode())
    assert [(s.target, s.state) for s in doc.statements] == [
        ("pkg:pypi/jinja2@2.10", "resolved"),
        ("pkg:pypi/six@1.0", "resolved"),
    ]


def test_openvex_statements_and_problems() -> None:
    doc = parse_vex(OPENVEX)
    assert (doc.format, doc.name) == ("openvex", "https://supplier.example/vex/shop-2024-001")
    got = [(s.pointer, s.vulnerability, s.aliases, s.target, s.state) for s in doc.statements]
    assert got == [
        ("/statements/0/products/0/subcomponents/0", "GHSA-462w-v97r-4m45",
         ("CVE-2019-10906",), "pkg:pypi/jinja2@2.10", "resolved"),
        ("/statements/1/products/0", "CVE-2018-18074", (), "pkg:pypi/requests@2.19.0",
         "exploitable"),
    ]  # fmt: skip
    assert doc.statements[0].detail == "backported the sandbox fix"
    assert doc.statements[1].detail == "upgrade requests to 2.20.0"
    problems = {p.pointer: p.reason for p in doc.problems}
    assert "impact statement alone" in problems["/statements/2/products/0"]
    assert "'wontfix' is not an OpenVEX status" in problems["/statements/3/products/0"]
    assert "has no purl" in problems["/statements/4/products/0"]
    assert len(problems) == 3


@pytest.mark.parametrize(
    ("body", "fmt", "words"),
    [
        (b"{not json", None, "not JSON"),
        (b"[]", None, "/: expected a JSON object"),
        (b'{"a": 1}', None, "neither CycloneDX"),
        (b'{"bomFormat": "CycloneDX", "vulnerabilities": {}}', None, "/vulnerabilities: expected"),
        (
            b'{"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "X", "affects": "a"}]}',
            None,
            "/vulnerabilities/0/affects: expected a JSON array",
        ),
        (
            b'{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"status": "fixed"}]}',
            None,
            "/statements/0/vulnerability: expected a JSON object",
        ),
        (
            b'{"@context": "https://openvex.dev/ns/v0.2.0", "statements": '
            b'[{"vulnerability": {"name": ""}}]}',
            None,
            "/statements/0/vulnerability/name: is empty",
        ),
        (b'{"bomFormat": "CycloneDX"}', "openvex", "is cyclonedx, not openvex"),
        (b'{"bomFormat": "CycloneDX"}', "spdx", "not one of cyclonedx, openvex"),
    ],
)
def test_wrong_shape_is_one_input_error_naming_the_path(
    body: bytes, fmt: str | None, words: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_vex(body, fmt, document="doc.json")
    assert words in str(caught.value)
    if fmt is None:
        assert str(caught.value).startswith("doc.json: ")
    assert "\n" not in str(caught.value)


def _parse_or_input_error(body: bytes | str) -> None:
    data = body.encode() if isinstance(body, str) else body
    for fmt in (None, "cyclonedx", "openvex"):
        try:
            result = parse_vex(data, fmt)
        except InputError as error:
            assert str(error)
        else:
            assert isinstance(result, VexDocument)
            for statement in result.statements:
                assert statement.target and statement.vulnerability and statement.state


@given(st.binary(max_size=300))
def test_fuzz_arbitrary_bytes(body: bytes) -> None:
    _parse_or_input_error(body)


@given(mutated(CDX, OPENVEX, pieces=JSON_PIECES))
def test_fuzz_mutated_documents(body: bytes) -> None:
    _parse_or_input_error(body)


@given(st.sampled_from([CDX, OPENVEX]), st.data())
def test_fuzz_retyped_values(original: bytes, data: st.DataObject) -> None:
    _parse_or_input_error(data.draw(retyped_json(original)))


_KEYS = st.sampled_from(
    ["bomFormat", "@context", "vulnerabilities", "statements", "components", "affects", "ref",
     "bom-ref", "purl", "id", "analysis", "state", "justification", "references", "metadata",
     "component", "vulnerability", "name", "aliases", "products", "subcomponents", "@id",
     "identifiers", "status", "response", "detail"]
)  # fmt: skip
_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.sampled_from(["CycloneDX", "https://openvex.dev/ns/v0.2.0", "pkg:pypi/a@1", "not_affected",
                     "fixed", "code_not_present", "urn:cdx:x/1#pkg:pypi/a@1", ""]),
    st.text(max_size=10),
)  # fmt: skip
_TREES = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=30,
)


@given(st.dictionaries(_KEYS, _TREES, max_size=6))
def test_fuzz_structured_documents(document: dict[str, object]) -> None:
    _parse_or_input_error(json.dumps(document))
