"""pip's requirements-file syntax below the requirement itself: logical lines,
options on a requirement line, local paths and URL names. No library parses pip's line
format (pip's own parser is internal), so it is done here after pip's documented rules."""

from __future__ import annotations

import re
import shlex

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from ossmeta.sources.files import InputFile

_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_NAME_AND_EXTRAS = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?")
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")
_COMMENT_LINE = re.compile(r"^\s*#")


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first physical line, joined text) pairs, joined as pip joins them: a line ending in
    backslashes loses all of them and is glued to the next with nothing in between; a
    comment line ends a continuation (with a space before it, so it still reads as one)."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        comment_line = _COMMENT_LINE.match(line) is not None
        if line.endswith("\\") and not comment_line:
            if not pending:
                start = number
            pending.append(line.rstrip("\\"))
            continue
        if comment_line:
            line = " " + line
        if pending:
            pending.append(line)
            out.append((start, "".join(pending)))
            pending = []
        else:
            out.append((number, line))
    if pending:
        out.append((start, "".join(pending)))
    return out


def without_marker(text: str) -> str:
    """The requirement before its environment marker, split the way pip splits it: at
    ``;`` for a name, at a ``;`` after whitespace for a URL (a URL may hold a ``;``)."""
    return re.split(r"\s;" if "://" in text else ";", text, maxsplit=1)[0].strip()


def split_options(file: InputFile, text: str, line: int) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as error:
        file.fail(f"cannot split options: {error}", line)


def is_local(text: str) -> bool:
    """A path on the local disk (``.``, ``./pkg``, ``C:\\src``) or a ``file:`` URL."""
    if text.startswith(("file:", ".", "/", "~", "\\")) or _WINDOWS_PATH.match(text):
        return True
    return "://" not in text and ("/" in text or "\\" in text)


def strip_options(file: InputFile, text: str, line: int) -> tuple[str, tuple[str, ...]]:
    """Split ``req --hash=... --config-settings ...`` into the requirement and its hashes."""
    found = re.search(r"(^|\s)--?[A-Za-z]", text)
    if not found:
        return text.strip(), ()
    hashes: list[str] = []
    tokens = split_options(file, text[found.start() :], line)
    index = 0
    while index < len(tokens):
        name, eq, value = tokens[index].partition("=")
        if not eq and index + 1 < len(tokens):
            value = tokens[index + 1]
            index += 1
        index += 1
        if name == "--hash":
            if ":" not in value:
                file.fail(f"--hash needs algorithm:value, not {value!r}", line)
            hashes.append(value)
        elif name not in ("--global-option", "--install-option", "--config-settings", "-C"):
            file.fail(f"unknown option {name} on a requirement line", line)
    return text[: found.start()].strip(), tuple(hashes)


def written_specifier(text: str) -> str:
    """The version specifier as written (packaging reorders ``>=1,<2`` to ``<2,>=1``)."""
    spec = _NAME_AND_EXTRAS.sub("", text.split(";", 1)[0]).strip()
    return spec[1:-1].strip() if spec.startswith("(") and spec.endswith(")") else spec


def raw_markers(text: str, is_url: bool) -> str | None:
    found = re.search(r"\s;" if is_url else ";", text)
    return text[found.end() :].strip() if found else None


def url_name(url: str) -> str | None:
    egg = _EGG.search(url)
    if egg:
        return egg.group(1)
    filename = url.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[0])
        return str(parse_sdist_filename(filename)[0])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
