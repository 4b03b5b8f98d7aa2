"""Frozen dataclasses that the pipeline stages hand each other.

sources  -> ``RawRecord``, ``DeclaredPackage``
normalizers -> ``Advisory`` (with ``Affected``, ``Range``, ``Event``, ``Severity``), ``Component``
analyses -> ``Finding``, ``ComponentReport``, ``ScanReport``
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

# --------------------------------------------------------------------------- provenance


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a raw record came from."""

    source: str  # e.g. "osv"
    locator: str  # file path, "dump.zip!PyPI/PYSEC-1.json" or URL
    content_hash: str  # sha256 of the bytes as fetched
    data_license: str | None = None  # SPDX id of the data's licence, when known


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One upstream record exactly as given (parsed from JSON or YAML, not interpreted)."""

    kind: str  # "advisory"
    external_id: str
    modified: str | None
    payload: dict[str, object]
    provenance: Provenance
    canonical_json: str  # the payload serialized canonically (sorted keys, compact)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Location:
    """A place in an input file: a line where the format has lines we can keep,
    otherwise a JSON path (``$.packages["node_modules/lodash"]``)."""

    path: str
    line: int | None = None
    pointer: str | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.pointer:
            return f"{self.path}:{self.pointer}"
        return self.path


@dataclass(frozen=True, slots=True)
class DeclaredPackage:
    """A package as an input file names it, before normalization.

    ``ecosystem`` is the OSV base ecosystem (``PyPI``, ``npm``, ...) or None when the
    input does not identify the package (an SBOM component without a purl).
    ``version`` is set only when the file pins one exact version; otherwise
    ``requirement`` keeps the constraint text (``>=3.2``) and the package is unresolved.
    """

    ecosystem: str | None
    name: str
    version: str | None
    location: Location
    requirement: str | None = None
    direct: bool | None = None
    scope: str | None = None  # "dev", "optional", "peer", "test", ... where the file says
    purl: str | None = None  # as written in an SBOM
    markers: str | None = None  # PEP 508 environment markers, kept as written
    hashes: tuple[str, ...] = ()


class ComponentStatus(enum.StrEnum):
    OK = "ok"  # exact version, parseable by the ecosystem
    UNRESOLVED = "unresolved"  # no exact version (a constraint, or none at all)
    UNKNOWN = "unknown"  # the ecosystem's ordering cannot parse the version
    UNIDENTIFIED = "unidentified"  # no ecosystem (an SBOM entry without a purl)


@dataclass(frozen=True, slots=True)
class Component:
    """A normalized package version found in the inputs, merged across files."""

    purl: str | None
    ecosystem: str | None
    name: str  # canonical (PEP 503 for PyPI)
    version: str | None
    status: ComponentStatus
    locations: tuple[Location, ...]
    direct: bool | None = None
    requirement: str | None = None
    scopes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- advisories


class SeverityLevel(enum.IntEnum):
    UNKNOWN = -1
    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Severity:
    level: SeverityLevel
    score: float | None = None
    vector: str | None = None  # the CVSS vector as given
    type: str | None = None  # CVSS_V3, CVSS_V4, ... or "database" for a database's own rating
    origin: str | None = None  # advisory id the rating comes from


UNKNOWN_SEVERITY = Severity(SeverityLevel.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Event:
    kind: str  # "introduced" | "fixed" | "last_affected" | "limit"
    version: str


@dataclass(frozen=True, slots=True)
class Range:
    type: str  # "SEMVER" | "ECOSYSTEM" | "GIT"
    events: tuple[Event, ...]
    repo: str | None = None


@dataclass(frozen=True, slots=True)
class Affected:
    ecosystem: str  # as given, with suffix
    name: str  # as given
    purl: str | None
    ranges: tuple[Range, ...]
    versions: tuple[str, ...]
    severity: Severity | None = None  # package-level severity, when the record has one


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    modified: datetime
    published: datetime | None
    withdrawn: datetime | None
    aliases: tuple[str, ...]
    summary: str
    details: str
    severity: Severity  # record-level; UNKNOWN when neither vector nor database rating
    affected: tuple[Affected, ...]
    references: tuple[str, ...] = ()


# --------------------------------------------------------------------------- scan results


class Verdict(enum.StrEnum):
    AFFECTED = "affected"
    NOT_AFFECTED = "not_affected"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    id: str
    reason: str
    expires: date | None
    location: Location


@dataclass(frozen=True, slots=True)
class Finding:
    """One alias group that affects (or may affect) one component."""

    id: str  # the id chosen for the group
    aliases: tuple[str, ...]  # every other id of the group
    verdict: Verdict  # AFFECTED or UNKNOWN
    severity: Severity
    fixed: tuple[str, ...]  # fixed versions for this package, in ecosystem order
    summary: str
    reason: str  # why the verdict (the range or list that matched, or what was unparseable)
    records: tuple[str, ...]  # ids of the records that matched
    ignored_by: IgnoreRule | None = None


@dataclass(frozen=True, slots=True)
class ComponentReport:
    component: Component
    findings: tuple[Finding, ...]  # affected, not ignored
    unknown: tuple[Finding, ...] = ()  # the version could not be placed against a range
    ignored: tuple[Finding, ...] = ()
    upgrade: str | None = None  # smallest version that clears every known advisory
    upgrade_note: str | None = None  # why there is no upgrade, when there is none


@dataclass(frozen=True, slots=True)
class ScanReport:
    components: tuple[ComponentReport, ...]
    inputs: tuple[str, ...]
    expired_ignores: tuple[IgnoreRule, ...] = ()
    unused_ignores: tuple[IgnoreRule, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- package metadata
# What the registry normalizers make of raw registry records (issue 3). Every value that a
# curation may override says where it came from.


class PackageStatus(enum.StrEnum):
    ACTIVE = "active"
    DEPRECATED = "deprecated"
    YANKED_ONLY = "yanked-only"  # every version is yanked
    REMOVED = "removed"  # unpublished or gone from the registry


@dataclass(frozen=True, slots=True)
class LicenseValue:
    """A licence as declared and as normalized: ``spdx`` is None unless the text maps to an
    SPDX expression with confidence ``exact`` or ``mapped``."""

    spdx: str | None
    raw: str
    confidence: str  # exact | mapped | ambiguous | unknown
    source: str  # "pypi:license_expression", "pypi:classifiers", "npm:license", ...


@dataclass(frozen=True, slots=True)
class Dependency:
    purl: str  # the target package, without a version
    requirement: str  # as declared: ">=1.21.1,<3", "^4.17.0"
    scope: str  # runtime | dev | optional | peer | build
    markers: str | None = None  # PEP 508 environment markers
    extra: str | None = None  # the PyPI extra that pulls it in, if any
    # Facts the scope does not carry: "bundled" (npm bundleDependencies: shipped inside the
    # tarball), "optional" (an npm peer marked optional in peerDependenciesMeta),
    # "unparsed" (a PyPI requirement packaging could not parse; requirement is the raw text).
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileDigest:
    filename: str
    hashes: tuple[str, ...]  # "sha256:<hex>", ...
    url: str | None = None


@dataclass(frozen=True, slots=True)
class PackageVersion:
    version: str
    published: datetime | None
    yanked: bool
    yanked_reason: str | None
    license: LicenseValue | None
    dependencies: tuple[Dependency, ...]
    files: tuple[FileDigest, ...] = ()
    deprecated: str | None = None  # npm's deprecation message


@dataclass(frozen=True, slots=True)
class PackageRecord:
    """One package as a registry describes it, normalized."""

    purl: str  # without a version
    ecosystem: str
    name: str  # canonical
    repository: str | None  # canonical host/owner/name
    repository_raw: str | None
    homepage: str | None
    description: str | None
    status: PackageStatus
    license: LicenseValue | None  # the latest version's
    versions: tuple[PackageVersion, ...]  # in ecosystem order, oldest first
    maintainers: tuple[str, ...] = ()
    source: str = ""  # the raw record kind(s) it was made from
