"""Award certificates: a Chinese page and an English page whose text (read back with pypdf)
holds the names, the award title in both languages and the verification URL; the same award
gives the same bytes twice; without a CJK TrueType font the standard CID font is named
instead; only the awarded people, their community and admins get one; a revoked award has
none."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from ossmeta.errors import ForbiddenError, InputError, NotFoundError
from ossmeta.service.program_access import access_of, operator_access
from ossmeta.service.program_awards import certify, revoke
from ossmeta.service.program_certificates import FONT_ENV, certificate, cjk_font, render
from ossmeta.store import Store
from tests.program.test_awards import ADMIN, NOW, _recommend_all, awards_year

FACTS = {
    "year": "2027",
    "pair": "P1",
    "task": "T1",
    "task_title": "Parser",
    "project": "widget",
    "community": "acme",
    "community_name": "Acme Foundation",
    "community_name_zh": "Acme 基金会",
    "student": "s1",
    "student_name": "李雷",
    "teacher": "t1",
    "teacher_name": "Han Meimei",
    "university": "U1",
    "university_name": "First University",
    "university_name_zh": "第一大学",
    "title": "gold",
    "title_name": "Outstanding Project",
    "title_name_zh": "优秀项目",
}


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_certificate_reads_in_chinese_and_english() -> None:
    made = render(FACTS, "CODE123", "student", "https://center.example")
    assert made.font.startswith("embedded "), made.font  # CI installs a CJK TrueType font
    zh, en = _pages(made.pdf)
    for text in ("荣誉证书", "李雷", "Han Meimei", "优秀项目", "第一大学", "Acme 基金会", "Parser"):
        assert text in zh, (text, zh)
    for text in ("Certificate of Award", "李雷", "Outstanding Project", "First University", "2027"):
        assert text in en, (text, en)
    url = "https://center.example/program/verify/CODE123"
    assert url in zh and url in en
    assert render(FACTS, "CODE123", "student", "https://center.example").pdf == made.pdf
    teacher = render(FACTS, "CODE123", "teacher", "https://center.example")
    assert teacher.pdf != made.pdf and "老师" in _pages(teacher.pdf)[0]
    assert made.filename == "certificate-2027-P1-student.pdf"
    with pytest.raises(InputError, match="student or the teacher"):
        render(FACTS, "CODE123", "mentor")


def test_without_a_cjk_font_the_standard_cid_font_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(FONT_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no fontconfig: nothing to find
    font, about = cjk_font()
    assert font == "STSong-Light" and "not embedded" in about
    made = render(FACTS, "CODE123", "student")
    assert b"/STSong-Light" in made.pdf and "not embedded" in made.font
    en = _pages(made.pdf)[1]
    assert "Outstanding Project" in en and "/program/verify/CODE123" in en
    monkeypatch.setenv(FONT_ENV, str(tmp_path / "missing.ttf"))
    with pytest.raises(InputError, match=f"{FONT_ENV}=.*missing.ttf: no such font file"):
        cjk_font()


def test_who_gets_a_certificate(store: Store, tmp_path: Path) -> None:
    awards_year(store, tmp_path)
    _recommend_all(store)
    made = certify(store, None, operator_access(store, None, ADMIN), NOW)
    pa1 = next(a for a in made if a.pair == "PA1")
    student = certificate(store, None, access_of(store, None, "sPA1"), pa1.code, "student")
    assert "李雷" in _pages(student.pdf)[0] and "韩梅梅" in _pages(student.pdf)[0]
    assert certificate(store, None, access_of(store, None, "tina"), pa1.code, "teacher").pdf
    assert certificate(store, None, access_of(store, None, "ada"), pa1.code, "student").pdf
    with pytest.raises(ForbiddenError):
        certificate(store, None, access_of(store, None, "ben"), pa1.code, "student")
    with pytest.raises(ForbiddenError):  # the teacher is not the student
        certificate(store, None, access_of(store, None, "tina"), pa1.code, "student")
    with pytest.raises(NotFoundError):
        certificate(store, None, access_of(store, None, "sPA1"), "unknown", "student")
    with pytest.raises(InputError, match="student or the teacher, not 'mentor'"):
        certificate(store, None, access_of(store, None, "sPA1"), pa1.code, "mentor")
    revoke(store, None, operator_access(store, None, ADMIN), pa1.code, "withdrawn", NOW)
    with pytest.raises(InputError, match="was revoked: withdrawn"):
        certificate(store, None, access_of(store, None, "sPA1"), pa1.code, "student")
