"""Gemfile.lock / gems.locked, as Bundler writes them.

Bundler's lockfile is its own indentation-based format (no YAML, no TOML), and the only
parser is Bundler's Ruby code, so it is read here by hand, line by line, which also gives
every component its line number. Sections start at column 0:

- ``GEM`` (a gem server: ``remote:``, then ``specs:`` with 4-space ``name (version)`` lines
  and 6-space dependency lines), ``GIT`` (``remote:``/``revision:``, same specs) and
  ``PLUGIN SOURCE``: their specs are the components. A platform suffix
  (``nokogiri (1.13.10-x86_64-linux)``) is not part of the version; a gem locked for several
  platforms is reported once. Git gems are reported as RubyGems components with the version
  their gemspec declares (advisories are keyed by gem name and version; a git checkout is
  usually the upstream code or a fork of it).
- ``PATH`` specs are local gems (the project's own code): skipped, each with a note.
- ``DEPENDENCIES`` lists what the Gemfile asks for: those gems are direct, the rest
  transitive. ``name!`` only says the gem comes from a GIT or PATH source, and
  ``(~> 2.0)`` is a requirement, never a version. Gemfile groups are not in the lockfile,
  so no scope is given.
- ``CHECKSUMS`` (Bundler 2.5+): ``name (version[-platform]) sha256=hex`` adds hashes.
- ``PLATFORMS``, ``RUBY VERSION``, ``BUNDLED WITH`` name no gem; an unknown section is
  skipped as Bundler skips it, with a note at its header saying how many lines it held.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ossmeta.ecosystems import RUBYGEMS
from ossmeta.model import DeclaredPackage
from ossmeta.sources.files import InputFile
from ossmeta.sources.inputs.skipped import Skipped

_SOURCES = frozenset({"GEM", "GIT", "PATH", "PLUGIN SOURCE"})
_OTHER = frozenset({"PLATFORMS", "DEPENDENCIES", "RUBY VERSION", "BUNDLED WITH", "CHECKSUMS"})
_SPEC = re.compile(r"    ([^\s(]+) \(([^\s()]+)\)")
_SPEC_DEP = re.compile(r"      ([^\s(]+)(?: \([^()]*\))?")
_OPTION = re.compile(r"  [a-z_]+: ?.*|  specs:")
_DEPENDENCY = re.compile(r"  ([^\s(!]+)(?: \([^()]*\))?!?")
_CHECKSUM = re.compile(r"  ([^\s(]+) \(([^\s()]+)\)(?: (\S+))?")


def sniff(head: str) -> bool:
    return re.search(r"^(GEM|GIT|PATH)\n  remote: ", head, re.M) is not None and (
        re.search(r"^DEPENDENCIES$", head, re.M) is not None or "  specs:" in head
    )


def _version(text: str) -> str:
    # RubyGems versions never contain "-" (pre-releases use "."), so a "-" starts the
    # platform: "1.13.10-x86_64-linux" -> "1.13.10".
    return text.split("-", 1)[0]


def _path_gem(file: InputFile, number: int, spec: re.Match[str], remote: str | None) -> Skipped:
    shown = f" from {remote}" if remote else ""
    why = f"skipped {spec.group(1)} ({spec.group(2)}){shown}: a PATH gem, the project's own code"
    return Skipped(file.at(line=number), why)


def parse(file: InputFile) -> Iterator[DeclaredPackage | Skipped]:
    # (name, version) -> line of its first spec. A gem locked for several platforms, or
    # found in two sources, is one component: later specs merge into the first, unsaid.
    gems: dict[tuple[str, str], int] = {}
    direct: set[str] | None = None
    checksums: dict[tuple[str, str], list[str]] = {}
    skipped: list[Skipped] = []
    unknown: dict[int, tuple[str, int]] = {}  # header line -> (section, lines in it)
    section: str | None = None
    section_line = 0
    remote: str | None = None  # of the current source section
    known = False
    for number, line in enumerate(file.read_text().splitlines(), 1):
        if not line.strip():
            continue
        if not line[0].isspace():
            section, section_line, remote = line.rstrip(), number, None
            if section == "DEPENDENCIES" and direct is None:
                direct = set()
            if section in _SOURCES or section in _OTHER:
                known = True
            else:
                unknown[number] = (section, 0)
            continue
        if section in _SOURCES:
            spec = _SPEC.fullmatch(line)
            if spec is not None and section == "PATH":
                skipped.append(_path_gem(file, number, spec, remote))
            elif spec is not None:
                gems.setdefault((spec.group(1), _version(spec.group(2))), number)
            elif line.startswith("  remote: "):
                remote = line[len("  remote: ") :].strip() or None
            elif not (_SPEC_DEP.fullmatch(line) or _OPTION.fullmatch(line)):
                file.fail(f"malformed line in the {section} section", number)
        elif section == "DEPENDENCIES":
            dependency = _DEPENDENCY.fullmatch(line)
            if dependency is None:
                file.fail("malformed line in the DEPENDENCIES section", number)
            if direct is not None:  # always, in this section
                direct.add(dependency.group(1))
        elif section == "CHECKSUMS":
            checksum = _CHECKSUM.fullmatch(line)
            if checksum is None:
                file.fail("malformed line in the CHECKSUMS section", number)
            name, version, digests = checksum.groups()
            if digests:
                key = (name, _version(version))
                checksums.setdefault(key, []).extend(
                    digest.replace("=", ":", 1) for digest in digests.split(",")
                )
        elif section_line in unknown:
            name, count = unknown[section_line]
            unknown[section_line] = (name, count + 1)
        # PLATFORMS, RUBY VERSION and BUNDLED WITH name no gem.
    if not known:
        file.fail("no GEM, GIT, PATH or DEPENDENCIES section; not a Gemfile.lock")
    for number, (name, count) in unknown.items():
        held = f"{count} line" if count == 1 else f"{count} lines"
        why = f"skipped the {name[:60]} section ({held}): a section this reader does not know"
        yield Skipped(file.at(line=number), why)
    yield from skipped
    for (name, version), first in gems.items():
        yield DeclaredPackage(
            ecosystem=RUBYGEMS,
            name=name,
            version=version,
            location=file.at(line=first),
            direct=None if direct is None else name in direct,
            hashes=tuple(checksums.get((name, version), ())),
        )
