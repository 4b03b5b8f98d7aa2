"""Award certificates as PDF: one page in Chinese, one in English, for the awarded student
or the pair's teacher, with the award title, the names, the project, the year and the
verification URL ``/program/verify/{code}``.

The Chinese text needs a CJK font. A TrueType one found on the machine is embedded (the
``OSSMETA_CJK_FONT`` path, else the first Chinese font fontconfig lists); without one the
PDF names Adobe's standard ``STSong-Light`` CID font, which PDF viewers supply, and
``Certificate.font`` says so. The file is deterministic: no creation time, no random id,
so the same award gives the same bytes on every run."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ossmeta.errors import ForbiddenError, InputError, NotFoundError
from ossmeta.service.program import year_in
from ossmeta.service.program_access import Access
from ossmeta.store import program_awards as awards_store
from ossmeta.store.engine import Store
from ossmeta.store.tenancy import global_transaction

__all__ = ["FONT_ENV", "PEOPLE", "Certificate", "certificate", "cjk_font", "render", "verify_path"]

FONT_ENV = "OSSMETA_CJK_FONT"
PEOPLE = ("student", "teacher")
_EMBEDDED = "OssmetaCJK"
_CID = "STSong-Light"
_LATIN = "Helvetica"
_LATIN_BOLD = "Helvetica-Bold"
_PAGE = landscape(A4)


@dataclass(frozen=True, slots=True)
class Certificate:
    pdf: bytes
    filename: str
    font: str  # which CJK font the file uses, said to the user


def verify_path(code: str) -> str:
    return f"/program/verify/{code}"


def _fontconfig_cjk() -> str | None:
    """The first Chinese TrueType (or collection) font fontconfig knows, if fontconfig is
    installed."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run(
            [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.strip().rstrip(":") for line in listed.splitlines() if line.strip())
    usable = [f for f in files if f.lower().endswith((".ttf", ".ttc"))]
    return usable[0] if usable else None


@cache
def _register(path: str) -> str:
    """Register the TrueType font once per process; the name to draw with."""
    font = (
        TTFont(_EMBEDDED, path, subfontIndex=0)
        if path.lower().endswith(".ttc")
        else (TTFont(_EMBEDDED, path))
    )
    pdfmetrics.registerFont(font)
    return _EMBEDDED


def cjk_font() -> tuple[str, str]:
    """The font name to draw Chinese with and, in words, what it is."""
    configured = os.environ.get(FONT_ENV, "").strip()
    if configured and not Path(configured).is_file():
        raise InputError(f"{FONT_ENV}={configured}: no such font file")
    path = configured or _fontconfig_cjk()
    if path:
        try:
            return _register(path), f"embedded {Path(path).name}"
        except Exception as error:  # reportlab raises bare errors for fonts it cannot read
            if configured:
                raise InputError(f"{FONT_ENV}={configured}: not a usable TrueType font") from error
    if _CID not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_CID))
    return _CID, f"{_CID} (not embedded: no CJK TrueType font found; the PDF viewer supplies it)"


def _centered(canvas: Canvas, font: str, size: float, y: float, text: str) -> None:
    canvas.setFont(font, size)
    canvas.drawCentredString(_PAGE[0] / 2, y, text)


def _frame(canvas: Canvas) -> None:
    width, height = _PAGE
    canvas.setLineWidth(3)
    canvas.rect(28, 28, width - 56, height - 56)
    canvas.setLineWidth(0.8)
    canvas.rect(36, 36, width - 72, height - 72)


def _page_zh(canvas: Canvas, facts: dict[str, Any], person: str, font: str, url: str) -> None:
    height = _PAGE[1]
    name = facts[f"{person}_name"]
    _frame(canvas)
    _centered(canvas, font, 34, height - 110, "荣誉证书")
    _centered(canvas, font, 15, height - 150, f"开源毕业设计计划 {facts['year']}")
    role = "同学" if person == "student" else "老师"
    _centered(canvas, font, 20, height - 210, f"{name} {role}：")
    lines = [
        f"在{facts['university_name_zh']}学生 {facts['student_name']} 与指导教师 "
        f"{facts['teacher_name']} 组成的团队中，",
        f"完成{facts['community_name_zh']}社区项目 {facts['project']} 的任务"
        f"「{facts['task_title']}」，",
        "成绩优异，特授予",
    ]
    for offset, line in enumerate(lines):
        _centered(canvas, font, 14, height - 250 - 24 * offset, line)
    _centered(canvas, font, 28, height - 350, f"「{facts['title_name_zh']}」")
    _centered(canvas, font, 12, 80, f"验证网址：{url}")


def _page_en(canvas: Canvas, facts: dict[str, Any], person: str, font: str, url: str) -> None:
    height = _PAGE[1]
    name = facts[f"{person}_name"]
    _frame(canvas)
    _centered(canvas, _LATIN_BOLD, 32, height - 110, "Certificate of Award")
    _centered(
        canvas, _LATIN, 15, height - 150, f"Open-Source Graduation Project Program {facts['year']}"
    )
    _centered(canvas, _LATIN, 14, height - 195, "This certifies that")
    # a name may be Chinese: the CJK font draws Latin letters too
    _centered(canvas, font, 22, height - 228, name)
    lines = [
        f"{'student' if person == 'student' else 'supervising teacher'} of the pair of "
        f"{facts['student_name']} and {facts['teacher_name']} ({facts['university_name']}),",
        f"for the task \u201c{facts['task_title']}\u201d of project {facts['project']} "
        f"({facts['community_name']}),",
        "is awarded",
    ]
    for offset, line in enumerate(lines):
        _centered(canvas, font, 13, height - 265 - 22 * offset, line)
    _centered(canvas, _LATIN_BOLD, 26, height - 355, facts["title_name"])
    _centered(canvas, _LATIN, 11, 80, f"Verify this certificate at {url}")


def render(facts: dict[str, Any], code: str, person: str, base_url: str = "") -> Certificate:
    """The certificate of ``person`` (student or teacher) for the award with ``facts``."""
    if person not in PEOPLE:
        raise InputError(f"a certificate is for the student or the teacher, not {person!r}")
    font, about = cjk_font()
    url = base_url.rstrip("/") + verify_path(code)
    buffer = io.BytesIO()
    # invariant: a fixed creation date and document id, so the bytes are reproducible
    canvas = Canvas(buffer, pagesize=_PAGE, invariant=True, pageCompression=1)
    canvas.setTitle(f"{facts['title_name']} / {facts['title_name_zh']} — {facts[f'{person}_name']}")
    canvas.setAuthor("ossmeta")
    canvas.setCreator("ossmeta")
    _page_zh(canvas, facts, person, font, url)
    canvas.showPage()
    _page_en(canvas, facts, person, font, url)
    canvas.showPage()
    canvas.save()
    filename = f"certificate-{facts['year']}-{facts['pair']}-{person}.pdf"
    return Certificate(buffer.getvalue(), filename, about)


def certificate(
    store: Store,
    year_name: str | None,
    access: Access,
    code: str,
    person: str,
    base_url: str = "",
) -> Certificate:
    """The certificate of an award of the year: for an admin, the award's community, or
    the awarded student or teacher. A revoked award has none."""
    if person not in PEOPLE:
        raise InputError(f"a certificate is for the student or the teacher, not {person!r}")
    with global_transaction(store) as connection:
        year = year_in(connection, year_name)
        award = awards_store.find_award(connection, code)
    if award is None or award.year_id != year.id:
        raise NotFoundError(f"no award of program {year.name} has this verification code")
    facts = award.facts
    allowed = (
        access.is_admin
        or access.holds("community", facts["community"])
        or access.holds(person, facts[person])
    )
    if not allowed:
        raise ForbiddenError(f"{access.login} may not download this certificate")
    if award.revoked_at is not None:
        raise InputError(f"the award of pair {award.pair} was revoked: {award.revoked_reason}")
    return render(facts, code, person, base_url)
