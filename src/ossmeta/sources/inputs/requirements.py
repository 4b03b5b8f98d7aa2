"""pip requirements files (``requirements.txt``, pip-compile / ``uv pip compile`` output,
``pip freeze``).

Each requirement is parsed with ``packaging.requirements.Requirement``. Only a single ``==``
(not a ``==1.*`` wildcard) or ``===`` specifier is a version; anything else is unresolved
and keeps the specifier text (``*`` for a bare name). pip's line syntax - comments,
backslash continuations, ``-r``/``-c`` includes, options - has no library, so it is read
here following pip's documented rules.

- ``-r FILE`` includes are read relative to the including file (a missing include or an
  include cycle is an error naming the including line); ``-c FILE`` constraint files
  declare nothing, but a ``==``/``===`` pin there resolves an unpinned requirement of the
  same PEP 503 name anywhere in the tree (as pip would install it).
- Local paths (``.``, ``./pkg``, ``-e ../pkg``, ``file:`` URLs) are the project's own code
  and are skipped (the environment marker is split off first, as pip does, so a ``/`` in a
  marker does not make a path). Remote URLs (``name @ https://...``,
  ``git+https://...#egg=name``, an archive URL) are unresolved with the URL as
  requirement; a URL that names no package (neither ``#egg=`` nor an archive file name)
  cannot be identified and is skipped.
- ``# via`` annotations (pip-compile, ``uv pip compile``; block or line style) decide
  ``direct``: ``-r file`` or ``project (pyproject.toml)`` is direct, package names only is
  transitive. A file without annotations marks every requirement direct.
- Global options (index URLs, ``--pre``, binary policies, ...) are ignored; ``--hash``
  values are kept; ``${VAR}`` references are left as written.
- Nothing is dropped in silence: every line that yields no package (a local path, an
  ignored option, a URL naming no package) is a ``Skipped`` with its file, line and reason.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ossmeta.ecosystems import PYPI
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs._pipsyntax import (
    is_local,
    logical_lines,
    raw_markers,
    split_options,
    strip_options,
    url_name,
    without_marker,
    written_specifier,
)
from ossmeta.sources.inputs.skipped import Skipped

_COMMENT = re.compile(r"(^|\s)#.*$")
_VIA = re.compile(r"^\s*#\s*via(?:\s+(.*))?$")
_VIA_ITEM = re.compile(r"^\s*#\s{2,}(\S.*)$")  # "    #   flask" inside a "# via" block
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_INCLUDE = {"-r": "r", "--requirement": "r", "-c": "c", "--constraint": "c"}
_EDITABLE = ("-e", "--editable")
# Options that take a value and are ignored (global options, per-requirement build options).
_VALUED = frozenset(
    {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host",
     "--use-feature", "--no-binary", "--only-binary", "--global-option", "--install-option",
     "--config-settings", "-C"}
)  # fmt: skip
_FLAGS = frozenset(
    {"--no-index", "--pre", "--prefer-binary", "--require-hashes", "-Z", "--always-unzip",
     "--process-dependency-links"}
)  # fmt: skip
_REQ_START = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*(===?|[<>~!]=?|;|@|$)")


def sniff(head: str) -> bool:
    """Every meaningful line of the head is a requirement or pip option, and one pins."""
    pinned = False
    for raw in head.splitlines()[:200]:
        line = _COMMENT.sub("", raw).strip().rstrip("\\").strip()
        if not line or line.startswith("-"):
            continue
        if not _REQ_START.match(line):
            return False
        pinned = pinned or "==" in line
    return pinned


@dataclass
class _Entry:
    package: DeclaredPackage
    via: list[str] = field(default_factory=list)
    editable: bool = False


@dataclass
class _Tree:
    packages: list[_Entry] = field(default_factory=list)
    pins: dict[str, str] = field(default_factory=dict)  # from constraint files
    done: set[tuple[Path, bool]] = field(default_factory=set)
    chain: list[tuple[Path, str]] = field(default_factory=list)  # files being read
    skipped: list[Skipped] = field(default_factory=list)

    def skip(self, file: InputFile, line: int, reason: str) -> None:
        self.skipped.append(Skipped(file.at(line=line), reason))


def parse(file: InputFile) -> list[DeclaredPackage | Skipped]:
    tree = _Tree()
    _read(file, tree, constraint=False)
    out: list[DeclaredPackage | Skipped] = []
    for entry in tree.packages:
        package = entry.package
        if package.version is None and package.requirement is not None:
            pin = tree.pins.get(canonicalize_name(package.name))
            if pin is not None and "://" not in package.requirement:
                package = replace(package, version=pin, requirement=None)
        out.append(package)
    out.extend(tree.skipped)
    return out


def _read(file: InputFile, tree: _Tree, constraint: bool) -> None:
    text = file.read_text()
    key = _resolved(file.path)
    tree.done.add((key, constraint))
    tree.chain.append((key, file.display))
    entries: list[_Entry] = []
    in_via = False
    for number, line in logical_lines(text):
        found = _COMMENT.search(line)
        comment = found.group(0) if found else ""
        body = line[: found.start()].strip() if found else line.strip()
        via = _VIA.match(comment.lstrip()) if comment else None
        if not body:
            if via and entries:
                entries[-1].via.extend(_via_items(via.group(1)))
                in_via = via.group(1) is None
            elif in_via and entries and (item := _VIA_ITEM.match(line)):
                entries[-1].via.append(item.group(1).strip())
            else:
                in_via = False
            continue
        in_via = False
        if body.startswith("-"):
            _option(file, tree, constraint, body, number, entries)
            continue
        entry = _requirement(file, body, number, constraint, tree)
        if entry is not None:
            if via:
                entry.via.extend(_via_items(via.group(1)))
                in_via = via.group(1) is None
            entries.append(entry)
            tree.packages.append(entry)
    # direct is known only once the whole file shows whether it is annotated
    annotated = any(entry.via for entry in entries)
    for entry in entries:  # the same objects as in tree.packages, in file order there
        direct = _direct(entry.via) if annotated and not entry.editable else True
        entry.package = replace(entry.package, direct=direct)
    tree.chain.pop()


def _via_items(rest: str | None) -> list[str]:
    return [item.strip() for item in (rest or "").split(",") if item.strip()]


def _direct(via: list[str]) -> bool | None:
    if not via:
        return None
    return any(item.startswith("-r ") or item.endswith(")") for item in via)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _option(
    file: InputFile,
    tree: _Tree,
    constraint: bool,
    body: str,
    line: int,
    entries: list[_Entry],
) -> None:
    tokens = split_options(file, body, line)
    if not tokens:
        return
    name, _, value = tokens[0].partition("=")
    if name.startswith("-") and not name.startswith("--") and len(name) > 2:
        name, value = name[:2], name[2:]  # "-rfile.txt"
    if value or name in _FLAGS:
        rest = tokens[1:]
    else:
        value, rest = (tokens[1], tokens[2:]) if len(tokens) > 1 else ("", [])
    if name in _INCLUDE:
        if not value:
            file.fail(f"{name} needs a file name", line)
        _include(file, tree, constraint or _INCLUDE[name] == "c", value, line)
    elif name in _EDITABLE:
        if not value:
            file.fail(f"{name} needs a path or URL", line)
        entry = _requirement(file, value, line, constraint, tree)
        if entry is not None and not constraint:
            entry.editable = True
            entries.append(entry)
            tree.packages.append(entry)
    elif name in _VALUED or name in _FLAGS:
        if not value and name in _VALUED:
            file.fail(f"{name} needs a value", line)
        # pip's business, not a package (nor is anything after it on the line)
        tree.skip(file, line, f"option {name} ignored: it names no package")
    else:
        file.fail(f"unknown pip option {name}", line)
    del rest


def _include(file: InputFile, tree: _Tree, constraint: bool, target: str, line: int) -> None:
    if "://" in target:
        file.fail(f"cannot read the remote include {target}", line)
    path = file.path.parent / target
    parent = posixpath.dirname(file.display.replace("\\", "/"))
    display = posixpath.normpath(posixpath.join(parent, target)) if parent else target
    key = _resolved(path)
    keys = [path for path, _ in tree.chain]
    if key in keys:
        names = [name for _, name in tree.chain[keys.index(key) :]]
        file.fail(f"include cycle: {' -> '.join([*names, display])}", line)
    try:
        exists = path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, say
        exists = False
    if not exists:
        file.fail(f"included file {target} not found", line)
    if (key, constraint) in tree.done:
        return  # already read through another include: same packages, same pins
    included = InputFile(path, display)
    _read(included, tree, constraint)


def _requirement(
    file: InputFile, text: str, line: int, constraint: bool, tree: _Tree
) -> _Entry | None:
    text, hashes = strip_options(file, text, line)
    at = file.at(line=line)
    if is_local(without_marker(text)):
        tree.skip(file, line, f"skipped {without_marker(text)}: a local path (own code)")
        return None
    if constraint and "://" in text:
        tree.skip(file, line, "skipped a URL in a constraint file: it pins no version")
        return None
    if "://" in text and not re.match(r"^[A-Za-z0-9._-]+(\[[^\]]*\])?\s*@", text):
        name = url_name(text)
        if name is None:
            tree.skip(file, line, "skipped a URL naming no package (no #egg=, no archive name)")
            return None
        url = text.split(";", 1)[0].strip() if " ;" in text else text
        package = DeclaredPackage(PYPI, name, None, at, requirement=url, hashes=hashes)
        return _Entry(package)
    try:
        req = Requirement(text)
    except InvalidRequirement as error:
        variable = _NAME.match(text) if "${" in text else None
        if variable and not constraint:  # pip expands ${VAR} at install time; we cannot
            rest = text[variable.end() :].strip()
            return _Entry(DeclaredPackage(PYPI, variable.group(0), None, at, requirement=rest))
        message = str(error).splitlines()[0] if str(error) else "invalid"
        file.fail(f"not a valid requirement: {message}", line)
    markers = raw_markers(text, req.url is not None) if req.marker else None
    if req.url:
        if req.url.startswith("file:"):
            tree.skip(file, line, f"skipped {req.name} @ {req.url}: a local path (own code)")
            return None
        if constraint:
            tree.skip(file, line, "skipped a URL in a constraint file: it pins no version")
            return None
        package = DeclaredPackage(
            PYPI, req.name, None, at, requirement=req.url, markers=markers, hashes=hashes
        )
        return _Entry(package)
    specs = list(req.specifier)
    version = None
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        version = specs[0].version
    if constraint:
        if version is not None:
            tree.pins[canonicalize_name(req.name)] = version
        return None
    requirement = None if version else (written_specifier(text) or str(req.specifier) or "*")
    package = DeclaredPackage(
        PYPI, req.name, version, at, requirement=requirement, markers=markers, hashes=hashes
    )
    return _Entry(package)
