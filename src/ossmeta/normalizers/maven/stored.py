"""Effective POMs from stored ``maven-pom`` records, without a network.

``resolve_stored`` is ``resolve_effective`` over records a sync already
stored: the same ``Resolution`` (parents, BOM imports, interpolation, management, the
same cycle, depth and missing-POM errors), its POMs taken from ``StoredPoms`` instead of
a repository. A POM that is not stored is missing (``MissingPom`` for a parent or BOM,
``NotFound`` for the POM asked for), and every error names the record as
``maven-pom group:artifact:version``.

A stored POM is read again from its XML text (the payload's ``"xml"``), not from the
fields beside it: the text is the record itself, the fields what the parser of the day
made of it, so re-running over stored records picks up every later fix to the parser.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

from ossmeta.errors import SourceError
from ossmeta.model import RawRecord
from ossmeta.normalizers.maven.effective import EffectivePom
from ossmeta.normalizers.maven.resolve import MAX_DEPTH, Resolution
from ossmeta.sources.http import NotFound
from ossmeta.sources.maven.pom import Pom, xml_bytes
from ossmeta.sources.maven.repo import KIND_POM, SOURCE_ID, read_pom_document
from ossmeta.sources.registry_records import canonical, raw_record

__all__ = ["StoredPoms", "resolve_stored"]

T = TypeVar("T")


class StoredPoms:
    """Stored ``maven-pom`` payloads by ``group:artifact:version``, each parsed at most
    once (a failure too is kept and raised again), so one instance serves every version
    of a package and the parents and BOMs they share."""

    def __init__(self, payloads: Mapping[str, object]) -> None:
        self._payloads = payloads
        self._read: dict[str, tuple[Pom, RawRecord] | SourceError] = {}

    def locate(self, group: str, artifact: str, version: str) -> str:
        return f"{KIND_POM} {group}:{artifact}:{version}"

    def read(self, group: str, artifact: str, version: str) -> tuple[Pom, RawRecord]:
        """The stored POM and its record; ``NotFound`` when none is stored, ``SourceError``
        when the record holds no POM text or the text is not a POM for these coordinates."""
        key = f"{group}:{artifact}:{version}"
        if key not in self._read:
            try:
                self._read[key] = self._parse(key, (group, artifact, version))
            except SourceError as error:
                self._read[key] = error
        found = self._read[key]
        if isinstance(found, SourceError):
            raise found.with_traceback(None)  # raised again per version: no growing trace
        return found

    async def load(self, group: str, artifact: str, version: str) -> tuple[Pom, RawRecord]:
        return self.read(group, artifact, version)

    def _parse(self, key: str, coordinates: tuple[str, str, str]) -> tuple[Pom, RawRecord]:
        where = self.locate(*coordinates)
        payload = self._payloads.get(key)
        if payload is None:
            raise NotFound("not among the stored POMs", url=where)
        if not isinstance(payload, Mapping):
            raise SourceError(f"the stored record is {type(payload).__name__}", path=where)
        xml = payload.get("xml")
        if not isinstance(xml, str):
            raise SourceError("the stored record holds no POM text under 'xml'", path=where)
        pom = read_pom_document(xml_bytes(xml), where, coordinates)
        document = {str(key): value for key, value in payload.items()}
        try:
            hashed = canonical(document)
        except TypeError as error:  # orjson.JSONEncodeError: not JSON, so not a stored record
            raise SourceError(f"the stored record is not JSON ({error})", path=where) from None
        return pom, raw_record(SOURCE_ID, KIND_POM, key, None, document, where, hashed=hashed)


def _finished(coroutine: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never waits, got without an event loop.

    ``Resolution`` is written once, for the fetching case; over ``StoredPoms`` no await in
    it ever suspends (``load`` returns at once), so the first step runs it to the end.
    Being synchronous keeps the normalizers pure functions, callable from anywhere,
    inside an event loop or not."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    coroutine.close()
    raise RuntimeError("resolving stored POMs waited on something; it must not")


def resolve_stored(
    poms: StoredPoms, group: str, artifact: str, version: str, *, max_depth: int = MAX_DEPTH
) -> EffectivePom:
    """The effective POM of ``group:artifact:version`` from stored records. Raises what
    ``resolve_effective`` raises (``NotFound``, ``MissingPom``, ``ParentCycle``,
    ``ChainTooDeep``, ``SourceError``), naming stored records instead of URLs;
    ``records`` lists the records used, their locator ``maven-pom group:artifact:version``."""
    return _finished(Resolution(poms, max_depth).effective(group, artifact, version))
