"""go.mod, with its sibling go.sum when present.

No Python library parses go.mod (the only parser is Go's own golang.org/x/mod/modfile), and
the grammar is small - line-based directives, ``verb ( ... )`` blocks, ``//`` comments and
Go-quoted strings - so it is read here by hand, the way modfile reads it.

- ``require path version``: one component each; ``// indirect`` marks it transitive
  (``direct=False``), any other requirement is direct.
- ``replace old [version] => new version`` swaps in the module that is actually built: the
  component is ``new@version``, located at the replace line. ``replace old => ../dir``
  (a directory, no version) builds the project's own code: like a local path in any other
  format, it is no component, and the skip is reported with the replace line.
- ``module``, ``go``, ``toolchain``, ``exclude``, ``retract``, ``godebug``, ``tool`` and
  directives newer than this parser name no dependency and are skipped. The toolchain and
  the standard library are not reported as components.
- go.sum adds the module content hash (``h1:``; the ``/go.mod`` hashes are not of the code)
  to each component. Before Go 1.17 (or with no ``go`` directive, which means 1.16) go.mod
  lists only some of the build, so each module that go.sum has a content hash for and go.mod
  does not name is added as transitive at its highest such version (Go's version order from
  ``ossmeta.versions``, never text order), located in go.sum.

Versions are kept as written, ``v`` prefix included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ossmeta.ecosystems import GO
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs.skipped import Skipped
from ossmeta.versions import try_version_key

# Quoted strings, comments, the one-character tokens, then bare words (as modfile lexes).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|//.*|[()\[\]{},]|[^\s()\[\]{},"`]+')
_VERB = re.compile(r"[a-z]+")
# A canonical module version, the only form go.mod accepts in require and replace.
_CANONICAL = re.compile(
    r"v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
# What the go command takes for a directory in a replacement (modfile.IsDirectoryPath).
_DIRECTORY = re.compile(r"^(\.{1,2}([/\\]|$)|/|[A-Za-z]:[/\\]|\\\\)")
_REPLACE_USAGE = "usage: replace module/path [v1.2.3] => other/module v1.4.5 | ../local"


@dataclass(frozen=True, slots=True)
class _Require:
    path: str
    version: str
    line: int
    indirect: bool


@dataclass(frozen=True, slots=True)
class _Replace:
    path: str
    version: str | None
    line: int


def sniff(head: str) -> bool:
    return re.search(r"^module\s+\S+", head, re.M) is not None and (
        re.search(r"^(go\s+\d|require\s)", head, re.M) is not None
    )


def _unquote(token: str) -> str:
    if token.startswith("`"):
        return token[1:-1]
    if token.startswith('"'):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    return token


def _tokens(file: InputFile, text: str, number: int) -> tuple[list[str], str]:
    """The tokens of one line (quotes removed) and its comment text."""
    tokens: list[str] = []
    comment = ""
    position = 0
    for match in _TOKEN.finditer(text):
        if text[position : match.start()].strip():
            file.fail(f"unexpected character {text[position : match.start()].strip()[0]!r}", number)
        position = match.end()
        token = match.group()
        if token.startswith("//"):
            comment = token[2:].strip()
            break
        if token[0] in '"`' and (len(token) < 2 or token[-1] != token[0]):
            file.fail("unterminated quoted string", number)
        tokens.append(_unquote(token))
    else:
        if text[position:].strip():
            file.fail(f"unexpected character {text[position:].strip()[0]!r}", number)
    return tokens, comment


_Replaces = dict[tuple[str, str | None], _Replace]


def _read(file: InputFile) -> tuple[list[_Require], _Replaces, str | None]:
    requires: list[_Require] = []
    replaces: _Replaces = {}
    module: str | None = None
    go_version: str | None = None
    block: str | None = None
    block_line = 0
    for number, raw in enumerate(file.read_text().splitlines(), 1):
        tokens, comment = _tokens(file, raw, number)
        if not tokens:
            continue
        if block is None:
            verb, args = tokens[0], tokens[1:]
            if not _VERB.fullmatch(verb):
                file.fail(f"unexpected {verb!r}; expected a directive", number)
            if args == ["("]:
                block, block_line = verb, number
                continue
            if args == ["(", ")"]:
                continue
        elif tokens == [")"]:
            block = None
            continue
        else:
            verb, args = block, tokens
        if verb == "module":
            if len(args) != 1:
                file.fail("usage: module path", number)
            module = args[0]
        elif verb == "go":
            if len(args) != 1:
                file.fail("usage: go 1.23", number)
            go_version = args[0]
        elif verb == "require":
            if len(args) != 2:
                file.fail("usage: require module/path v1.2.3", number)
            indirect = comment == "indirect" or comment.startswith("indirect;")
            requires.append(_Require(args[0], args[1], number, indirect))
        elif verb == "replace":
            _read_replace(file, args, number, replaces)
        # Any other directive (go toolchain, exclude, retract, godebug, tool, ignore, and
        # directives newer than this parser) names no dependency of the build.
    if block is not None:
        file.fail(f"{block} block is not closed", block_line)
    if module is None:
        file.fail("no module directive; not a go.mod file")
    return requires, replaces, go_version


def _read_replace(
    file: InputFile,
    args: list[str],
    number: int,
    replaces: _Replaces,
) -> None:
    if "=>" not in args:
        file.fail(_REPLACE_USAGE, number)
    arrow = args.index("=>")
    old, new = args[:arrow], args[arrow + 1 :]
    if len(old) not in (1, 2) or len(new) not in (1, 2):
        file.fail(_REPLACE_USAGE, number)
    directory = _DIRECTORY.match(new[0]) is not None
    if len(new) == 1 and not directory:
        file.fail(f"replacement {new[0]} needs a version (or ./, ../ for a directory)", number)
    if len(new) == 2 and directory:
        file.fail(f"replacement directory {new[0]} takes no version", number)
    key = (old[0], old[1] if len(old) == 2 else None)
    replaces[key] = _Replace(new[0], new[1] if len(new) == 2 else None, number)


def _read_sum(file: InputFile) -> tuple[dict[tuple[str, str], tuple[str, int]], InputFile | None]:
    """(module, version) -> (content hash, line) from the sibling go.sum, if any."""
    sum_file = file.sibling("go.sum")
    if not sum_file.path.is_file():
        return {}, None
    hashes: dict[tuple[str, str], tuple[str, int]] = {}
    for number, line in enumerate(sum_file.read_text().splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 3:
            sum_file.fail("malformed go.sum line; expected: module version hash", number)
        path, version, digest = fields
        if not version.endswith("/go.mod"):
            hashes.setdefault((path, version), (digest, number))
    return hashes, sum_file


def _before_117(go_version: str | None) -> bool:
    if go_version is None:
        return True  # no go directive: the go command assumes go 1.16
    parts = re.match(r"([0-9]+)\.([0-9]+)", go_version)
    return parts is not None and (int(parts.group(1)), int(parts.group(2))) < (1, 17)


def parse(file: InputFile) -> Iterator[DeclaredPackage | Skipped]:
    requires, replaces, go_version = _read(file)
    sums, sum_file = _read_sum(file)
    named: set[str] = set()
    for req in requires:
        named.add(req.path)
        replace = replaces.get((req.path, req.version)) or replaces.get((req.path, None))
        direct = not req.indirect
        if replace is not None and replace.version is None:
            reason = f"replaced by the local path {replace.path} (own code)"
            yield Skipped(file.at(line=replace.line), f"skipped {req.path} {req.version}: {reason}")
            continue
        path, version, line = req.path, req.version, req.line
        if replace is not None and replace.version is not None:
            path, version, line = replace.path, replace.version, replace.line
            named.add(path)
        digest = sums.get((path, version))
        # Go accepts only canonical versions here; anything else (`latest`, a branch)
        # is a query the go command would have to resolve: unresolved, kept as written.
        exact = _CANONICAL.fullmatch(version) is not None
        yield DeclaredPackage(
            ecosystem=GO,
            name=path,
            version=version if exact else None,
            location=file.at(line=line),
            requirement=None if exact else version,
            direct=direct,
            hashes=(digest[0],) if digest else (),
        )
    if sum_file is not None and _before_117(go_version):
        yield from _unlisted(sum_file, sums, named)


def _unlisted(
    sum_file: InputFile, sums: dict[tuple[str, str], tuple[str, int]], named: set[str]
) -> Iterator[DeclaredPackage]:
    """Modules go.sum has content hashes for and go.mod does not name, at the highest
    version (SemVer order, never text order)."""
    best: dict[str, tuple[str, tuple[str, int]]] = {}
    for (path, version), entry in sums.items():
        if path in named:
            continue
        current = best.get(path)
        if current is None:
            best[path] = (version, entry)
            continue
        new_key, old_key = try_version_key(GO, version), try_version_key(GO, current[0])
        if new_key is not None and (old_key is None or new_key > old_key):
            best[path] = (version, entry)
    for path, (version, (digest, line)) in sorted(best.items(), key=lambda item: item[1][1][1]):
        yield DeclaredPackage(
            ecosystem=GO,
            name=path,
            version=version,
            location=sum_file.at(line=line),
            direct=False,
            hashes=(digest,),
        )
