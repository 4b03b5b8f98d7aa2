"""PyPI's serial: the primitives of an incremental sync.

PyPI numbers every change with one increasing serial. ``last_serial`` reads the current
one (the ``X-PyPI-Last-Serial`` header of the simple index, or the PEP 691 JSON root's
``meta._last-serial``); ``changed_since`` asks the XML-RPC ``changelog_since_serial``
which projects changed after a serial. A sync stores the serial it reached and starts
from it next time. Both take the base URL as a parameter, like the rest of the source.
"""

from __future__ import annotations

import xmlrpc.client
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

import defusedxml.ElementTree
import orjson
from defusedxml import DefusedXmlException
from packaging.utils import canonicalize_name

from ossmeta.errors import SourceError
from ossmeta.sources.http import Fetched, Fetcher

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
SERIAL_HEADER = "x-pypi-last-serial"


def base_of(base_url: str) -> str:
    """The base URL without its trailing slash (paths are appended with one)."""
    base = base_url.strip().rstrip("/")
    if not base:
        raise SourceError("the PyPI base URL is empty")
    return base


def serial_header(got: Fetched) -> int | None:
    """The ``X-PyPI-Last-Serial`` header as a number; None when absent or garbled (on a
    document it is a hint, and a bad hint must not lose a good document)."""
    value = got.headers.get(SERIAL_HEADER, "").strip()
    return int(value) if value.isdigit() else None


async def last_serial(fetcher: Fetcher, base_url: str) -> int:
    """The index's current serial, read from the simple index root.

    The header is preferred; a mirror that does not send it may still give the PEP 691
    JSON root, whose ``meta._last-serial`` says the same."""
    got = await fetcher.get(f"{base_of(base_url)}/simple/", accept=SIMPLE_JSON)
    serial = serial_header(got)
    if serial is not None:
        return serial
    if SERIAL_HEADER in got.headers:
        raise SourceError(f"unreadable {SERIAL_HEADER} header", path=got.url)
    content_type = got.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type == SIMPLE_JSON:
        try:
            document = orjson.loads(got.body)
        except orjson.JSONDecodeError as error:
            raise SourceError(f"invalid JSON: {error}", path=got.url) from None
        meta = document.get("meta") if isinstance(document, dict) else None
        value = meta.get("_last-serial") if isinstance(meta, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    raise SourceError(f"no {SERIAL_HEADER} header and no PEP 691 meta._last-serial", path=got.url)


async def changed_since(fetcher: Fetcher, base_url: str, serial: int) -> tuple[list[str], int]:
    """The projects changed after ``serial``, as (distinct PEP 503 names in the order of
    their first change, the highest serial seen — ``serial`` itself when nothing changed).

    PyPI caps one answer, so a caller catching up calls again from the returned serial
    until it stops moving. Removed projects are listed too: fetching them gives the
    ``NotFound`` that tells the sync they are gone. The call is read-only, so the
    fetcher may retry the POST."""
    if isinstance(serial, bool) or not isinstance(serial, int) or serial < 0:
        raise ValueError(f"a serial is a non-negative integer, not {serial!r}")
    body = xmlrpc.client.dumps((serial,), "changelog_since_serial").encode("utf-8")
    got = await fetcher.post(
        f"{base_of(base_url)}/pypi", body, content_type="text/xml", accept="text/xml"
    )
    events = _changelog(got)
    names: dict[str, None] = {}  # a dict keeps first-seen order and drops duplicates
    highest = serial
    for event in events:
        names.setdefault(canonicalize_name(event[0]), None)
        highest = max(highest, event[4])
    return list(names), highest


def _changelog(got: Fetched) -> list[tuple[str, object, object, object, int]]:
    """The ``[name, version, timestamp, action, serial]`` events of an XML-RPC answer."""
    # xmlrpc.client's expat parser expands entities a DTD declares (a "billion laughs"
    # body would eat memory), so the body is checked by defusedxml first: no DTD at all,
    # hence no entities, may reach it.
    try:
        defusedxml.ElementTree.fromstring(got.body, forbid_dtd=True)
    except DefusedXmlException as error:
        raise SourceError(f"XML-RPC answer refused: {error}", path=got.url) from None
    except ParseError as error:
        raise SourceError(f"invalid XML: {error}", path=got.url) from None
    try:
        params, _ = xmlrpc.client.loads(got.body, use_builtin_types=True)
    except xmlrpc.client.Fault as fault:
        message = f"XML-RPC fault {fault.faultCode}: {fault.faultString}"
        raise SourceError(message, path=got.url) from None
    except (ExpatError, xmlrpc.client.ResponseError, ValueError, TypeError) as error:
        raise SourceError(f"invalid XML-RPC answer: {error}", path=got.url) from None
    if len(params) != 1 or not isinstance(params[0], list):
        raise SourceError("XML-RPC answer is not one list of changes", path=got.url)
    events: list[tuple[str, object, object, object, int]] = []
    for index, event in enumerate(params[0]):
        if (
            not isinstance(event, list)
            or len(event) < 5
            or not isinstance(event[0], str)
            or isinstance(event[4], bool)
            or not isinstance(event[4], int)
        ):
            raise SourceError(
                f"change {index} is not [name, version, timestamp, action, serial]",
                path=got.url,
            )
        events.append((event[0], event[1], event[2], event[3], event[4]))
    return events
