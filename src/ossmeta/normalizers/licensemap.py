"""Tables behind the licence normalizer (``licenses.py``).

Everything SPDX-shaped comes from the ScanCode LicenseDB index that license-expression ships
(``license_expression/data/scancode-licensedb-index.json``): current SPDX ids, deprecated ids
and ScanCode's aliases (``other_spdx_license_keys``), ScanCode keys such as ``bsd-new``, and
which ids are exceptions. The index has no licence *names*, so the spellings people actually
write ("Apache Software License 2.0", "GPLv3+", "new BSD") come from a short hand-written table
on top, and both are looked up through ``phrase_key`` so variants in case, punctuation,
"licence"/"license", "version"/"v" and "the"/"software" land on the same entry.

The tables are built once, at first use (about 0.1 s, most of it license-expression's own
index loading); nothing here is read again at call time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from license_expression import (
    build_spdx_licensing,
    get_license_index,
)

# --- lookup keys -------------------------------------------------------------------------

#: Rewrites applied in one pass to the lower-cased text before it is cut into tokens: long
#: licence names become the abbreviations the SPDX ids use, and every way of saying "or
#: later" becomes ``+`` (as in ``GPL-3.0+``). At one position the first alternative wins,
#: so "gnu lesser general public" is LGPL before "gnu" alone is dropped.
_REWRITE = re.compile(
    r"(?P<later>\bor[\s-]+(?:any[\s-]+)?(?:later|newer|greater|above)(?:[\s-]+versions?)?\b"
    r"|\band[\s-]+(?:later|newer|above)\b|\bplus\b)"
    r"|(?P<lgpl>\b(?:gnu[\s-]+)?(?:lesser|library)[\s-]+(?:general[\s-]+)?public\b)"
    r"|(?P<agpl>\b(?:gnu[\s-]+)?affero[\s-]+(?:general[\s-]+)?public\b)"
    r"|(?P<gpl>\b(?:gnu[\s-]+)?general[\s-]+public\b)"
    r"|(?P<gfdl>\b(?:gnu[\s-]+)?free[\s-]+documentation\b|\bfdl\b)"
    r"|(?P<mpl>\bmozilla[\s-]+public\b)"
    r"|(?P<epl>\beclipse[\s-]+public\b)"
    r"|(?P<cddl>\bcommon[\s-]+development[\s-]+and[\s-]+distribution\b)"
    r"|(?P<afl>\bacademic[\s-]+free\b)"
    r"|(?P<eupl>\beuropean[\s-]+union[\s-]+public\b)"
    r"|(?P<osl>\bopen[\s-]+software[\s-]+licen[cs]e\b)"
    r"|(?P<drop>\bgnu\b)"
)
_REPLACEMENT = {"later": " + ", "drop": " "}


def _rewrite(match: re.Match[str]) -> str:
    name = match.lastgroup or "drop"
    return _REPLACEMENT.get(name, f" {name} ")


_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)*|\+")
_TRAILING_ZEROS = re.compile(r"(?<=\d)(?:\.0)+$")
#: Words that never tell two licences apart ("MIT License" is "MIT"; "Apache Software
#: License, Version 2.0" is "Apache 2.0"); "only" goes because SPDX reads a bare GNU
#: version as "-only" anyway (deprecated ``GPL-2.0`` is ``GPL-2.0-only``).
_STOPWORDS = frozenset(
    {"the", "license", "licence", "licenses", "licences", "licensed", "version", "ver", "v"}
    | {"only", "software"}
)


@lru_cache(maxsize=65536)
def phrase_key(text: str) -> str:
    """The lookup key of a licence spelling: lower case, long names abbreviated, "or later"
    as ``+``, versions without trailing ``.0`` ("2.0" and "v2" are both "2"), noise words
    and punctuation dropped, a word repeated right after itself said once."""
    raw_tokens = _TOKEN.findall(_REWRITE.sub(_rewrite, text.lower()))
    tokens: list[str] = []
    for n, token in enumerate(raw_tokens):
        following = raw_tokens[n + 1] if n + 1 < len(raw_tokens) else ""
        if token[0].isdigit():
            token = _TRAILING_ZEROS.sub("", token)
        elif len(token) > 2 and token.endswith("v") and following[:1].isdigit():
            token = token[:-1]  # "gplv3", "lgplv2.1"
        if token in _STOPWORDS or (tokens and tokens[-1] == token):
            continue
        tokens.append(token)
    return " ".join(tokens)


# --- hand-written tables -----------------------------------------------------------------

#: Spellings the index cannot supply (it has ids and ScanCode keys, not names), seen in real
#: PyPI, npm and Maven metadata. Keys are spellings, not lookup keys: each is run through
#: ``phrase_key``, so one entry covers its case/punctuation/"licence" variants.
FREE_TEXT: dict[str, str] = {
    # Apache
    "ASL 2.0": "Apache-2.0",
    "ASF 2.0": "Apache-2.0",
    "ALv2": "Apache-2.0",
    "Apache License Version 2.0, January 2004": "Apache-2.0",
    # MIT and friends. "MIT/X11" is Debian's and PyPI's old name for the MIT licence itself
    # (SPDX ``X11`` is the X Consortium variant with its extra advertising clause).
    "MIT/X11": "MIT",
    "Expat": "MIT",
    "MIT Expat": "MIT",
    "ISCL": "ISC",
    # BSD variants by their common names
    "new BSD": "BSD-3-Clause",
    "modified BSD": "BSD-3-Clause",
    "revised BSD": "BSD-3-Clause",
    "3-clause BSD": "BSD-3-Clause",
    "BSD 3": "BSD-3-Clause",
    "BSD three clause": "BSD-3-Clause",
    "simplified BSD": "BSD-2-Clause",
    "2-clause BSD": "BSD-2-Clause",
    "BSD 2": "BSD-2-Clause",
    "FreeBSD": "BSD-2-Clause",
    "original BSD": "BSD-4-Clause",
    "4-clause BSD": "BSD-4-Clause",
    "BSD 4": "BSD-4-Clause",
    "zero-clause BSD": "0BSD",
    "BSD zero clause": "0BSD",
    # Eclipse Distribution License 1.0 is the BSD-3-Clause text (SPDX has no EDL id)
    "Eclipse Distribution License 1.0": "BSD-3-Clause",
    "EDL 1.0": "BSD-3-Clause",
    # GNU with the exception Maven artifacts commonly declare
    "GPLv2 with Classpath exception": "GPL-2.0-only WITH Classpath-exception-2.0",
    "GPL2 w/ CPE": "GPL-2.0-only WITH Classpath-exception-2.0",
    # Python: there is one PSF licence agreement (PSF-2.0); "Python License" is the whole
    # Python stack (Python-2.0, from the index's ScanCode key ``python``).
    "PSF": "PSF-2.0",
    "PSFL": "PSF-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "Python Software Foundation License 2": "PSF-2.0",
    # Perl's "same terms as Perl itself" (CPAN ``perl_5``)
    "Perl 5": "Artistic-1.0-Perl OR GPL-1.0-or-later",
    "same as Perl": "Artistic-1.0-Perl OR GPL-1.0-or-later",
    "same terms as Perl itself": "Artistic-1.0-Perl OR GPL-1.0-or-later",
    # single-version licences named without their version
    "Boost": "BSL-1.0",
    "Boost Software License 1.0": "BSL-1.0",
    "CC0": "CC0-1.0",
    "CC0 1.0 Universal": "CC0-1.0",
    "Creative Commons Zero v1.0 Universal": "CC0-1.0",
    "Universal Permissive License": "UPL-1.0",
    "UPL": "UPL-1.0",
    "zlib/libpng": "Zlib",
    "Common Public License": "CPL-1.0",
    "IBM Public License": "IPL-1.0",
    "Sun Public License": "SPL-1.0",
    "Qt Public License": "QPL-1.0",
    "Nethack General Public License": "NGPL",
    "Open Group Test Suite License": "OGTSL",
    "Ricoh Source Code Public License": "RSCPL",
    "Historical Permission Notice and Disclaimer": "HPND",
    "Attribution Assurance License": "AAL",
    "Vovida Software License 1.0": "VSL-1.0",
    "Intel Open Source License": "Intel",
    "Sun Industry Standards Source License": "SISSL",
    "X.Net License": "Xnet",
    "Nokia Open Source License": "Nokia",
    "Aladdin Free Public License": "Aladdin",
    "University of Illinois/NCSA Open Source License": "NCSA",
    "SIL Open Font License 1.1": "OFL-1.1",
    "Educational Community License 2.0": "ECL-2.0",
    "Blue Oak Model License 1.0.0": "BlueOak-1.0.0",
    "Mulan Permissive Software License v2": "MulanPSL-2.0",
    "Creative Commons Attribution 4.0 International": "CC-BY-4.0",
    "Creative Commons Attribution-ShareAlike 4.0 International": "CC-BY-SA-4.0",
    "Do What The F*ck You Want To Public License": "WTFPL",
}

#: Why a hand entry maps the way it does, where that is not obvious (keyed like FREE_TEXT).
FREE_TEXT_NOTES: dict[str, str] = {
    "MIT/X11": "'MIT/X11' read as the MIT licence (its old Debian/PyPI name), not SPDX X11",
    "PSF": "PSF read as the PSF licence agreement (PSF-2.0), the only PSF licence",
    "EDL 1.0": "the Eclipse Distribution License 1.0 is the BSD-3-Clause text",
}

#: Names of a licence family without a version: flagged with the candidates, never guessed.
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "BSD": ("BSD-2-Clause", "BSD-3-Clause", "BSD-4-Clause"),
    "BSD-style": ("BSD-2-Clause", "BSD-3-Clause", "BSD-4-Clause"),
    "BSD-like": ("BSD-2-Clause", "BSD-3-Clause", "BSD-4-Clause"),
    "GPL": ("GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later"),
    "GPL+": ("GPL-1.0-or-later", "GPL-2.0-or-later", "GPL-3.0-or-later"),
    "LGPL": (
        "LGPL-2.0-only",
        "LGPL-2.1-only",
        "LGPL-3.0-only",
        "LGPL-2.1-or-later",
        "LGPL-3.0-or-later",
    ),
    "LGPL+": ("LGPL-2.0-or-later", "LGPL-2.1-or-later", "LGPL-3.0-or-later"),
    "AGPL": ("AGPL-3.0-only", "AGPL-3.0-or-later"),
    "Apache": ("Apache-1.0", "Apache-1.1", "Apache-2.0"),
    "ASL": ("Apache-1.0", "Apache-1.1", "Apache-2.0"),
    "MPL": ("MPL-1.0", "MPL-1.1", "MPL-2.0"),
    "EPL": ("EPL-1.0", "EPL-2.0"),
    "CDDL": ("CDDL-1.0", "CDDL-1.1"),
    "EUPL": ("EUPL-1.0", "EUPL-1.1", "EUPL-1.2"),
    "AFL": ("AFL-1.1", "AFL-1.2", "AFL-2.0", "AFL-2.1", "AFL-3.0"),
    "OSL": ("OSL-1.0", "OSL-1.1", "OSL-2.0", "OSL-2.1", "OSL-3.0"),
    "Artistic": ("Artistic-1.0", "Artistic-1.0-Perl", "Artistic-2.0"),
    "Zope Public License": ("ZPL-1.1", "ZPL-2.0", "ZPL-2.1"),
    "ZPL": ("ZPL-1.1", "ZPL-2.0", "ZPL-2.1"),
    "GFDL": ("GFDL-1.1-only", "GFDL-1.2-only", "GFDL-1.3-only"),
    "Eiffel Forum License": ("EFL-1.0", "EFL-2.0"),
    "EFL": ("EFL-1.0", "EFL-2.0"),
    "Netscape Public License": ("NPL-1.0", "NPL-1.1"),
    "Apple Public Source License": ("APSL-1.0", "APSL-1.1", "APSL-1.2", "APSL-2.0"),
    "Creative Commons": ("CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "…"),
    "CC-BY": ("CC-BY-1.0", "CC-BY-2.0", "CC-BY-2.5", "CC-BY-3.0", "CC-BY-4.0"),
    "CC-BY-SA": ("CC-BY-SA-1.0", "CC-BY-SA-2.0", "CC-BY-SA-2.5", "CC-BY-SA-3.0", "CC-BY-SA-4.0"),
}

#: Say nothing about the licence; skipped when several declared values are combined.
PLACEHOLDERS = frozenset(
    phrase_key(s)
    for s in (
        "UNKNOWN",
        "NONE",
        "NOASSERTION",
        "N/A",
        "NA",
        "null",
        "undefined",
        "not specified",
        "unspecified",
        "TBD",
        "TODO",
        "-",
        "?",
        "OSI Approved",
        "DFSG approved",
    )
)
#: Declare that there is no open-source licence.
PROPRIETARY = frozenset(
    phrase_key(s)
    for s in (
        "proprietary",
        "Other/Proprietary License",
        "commercial",
        "all rights reserved",
        "closed source",
        "private",
    )
)

#: Deprecated SPDX ids that stood for a licence with an exception (SPDX 2.0 list notes).
DEPRECATED_WITH = {
    "GPL-2.0-with-autoconf-exception": "GPL-2.0-only WITH Autoconf-exception-2.0",
    "GPL-2.0-with-bison-exception": "GPL-2.0-or-later WITH Bison-exception-2.2",
    "GPL-2.0-with-classpath-exception": "GPL-2.0-only WITH Classpath-exception-2.0",
    "GPL-2.0-with-font-exception": "GPL-2.0-only WITH Font-exception-2.0",
    "GPL-2.0-with-GCC-exception": "GPL-2.0-only WITH GCC-exception-2.0",
    "GPL-3.0-with-autoconf-exception": "GPL-3.0-only WITH Autoconf-exception-3.0",
    "GPL-3.0-with-GCC-exception": "GPL-3.0-only WITH GCC-exception-3.1",
}
#: Aliases in the index that name a family, not a licence (ScanCode maps bare "GPL" to
#: GPL-1.0-or-later); they go to the ambiguity table instead.
_FAMILY_ALIASES = frozenset({"gpl"})
#: ScanCode keys that say "unknown"/"some other licence": no better than unmapped.
_VAGUE_SCANCODE = re.compile(r"^(?:unknown|other-|free-unknown|proprietary|commercial-license)")

# --- trove classifiers -------------------------------------------------------------------

#: ``License :: ...`` classifiers (trove-classifiers 2026.9) that name exactly one licence.
#: The others name a family ("BSD License", "Apache Software License", "GNU General Public
#: License (GPL)") or no licence at all ("Freeware"): their last segment is passed on as
#: free text, so the normalizer flags them ambiguous or unknown.
CLASSIFIERS: dict[str, str] = {
    "Aladdin Free Public License (AFPL)": "Aladdin",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
    "CeCILL-B Free Software License Agreement (CECILL-B)": "CECILL-B",
    "CeCILL-C Free Software License Agreement (CECILL-C)": "CECILL-C",
    "Nokia Open Source License (NOKOS)": "Nokia",
    "OSI Approved :: Attribution Assurance License": "AAL",
    "OSI Approved :: Blue Oak Model License (BlueOak-1.0.0)": "BlueOak-1.0.0",
    "OSI Approved :: Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "OSI Approved :: CEA CNRS Inria Logiciel Libre License, version 2.1 (CeCILL-2.1)": "CECILL-2.1",
    "OSI Approved :: CMU License (MIT-CMU)": "MIT-CMU",
    "OSI Approved :: Common Development and Distribution License 1.0 (CDDL-1.0)": "CDDL-1.0",
    "OSI Approved :: Common Public License": "CPL-1.0",
    "OSI Approved :: Eclipse Public License 1.0 (EPL-1.0)": "EPL-1.0",
    "OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "OSI Approved :: Educational Community License, Version 2.0 (ECL-2.0)": "ECL-2.0",
    "OSI Approved :: European Union Public Licence 1.0 (EUPL 1.0)": "EUPL-1.0",
    "OSI Approved :: European Union Public Licence 1.1 (EUPL 1.1)": "EUPL-1.1",
    "OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
    "OSI Approved :: GNU Affero General Public License v3": "AGPL-3.0-only",
    "OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "OSI Approved :: GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "OSI Approved :: GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "OSI Approved :: GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "OSI Approved :: GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    # "Lesser v2" is read as the version it names, 2.0 (SPDX's reading of a bare "LGPL-2.0")
    "OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "OSI Approved :: Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "OSI Approved :: IBM Public License": "IPL-1.0",
    "OSI Approved :: Intel Open Source License": "Intel",
    "OSI Approved :: ISC License (ISCL)": "ISC",
    "OSI Approved :: MIT License": "MIT",
    "OSI Approved :: MIT No Attribution License (MIT-0)": "MIT-0",
    "OSI Approved :: MirOS License (MirOS)": "MirOS",
    "OSI Approved :: Motosoto License": "Motosoto",
    "OSI Approved :: Mozilla Public License 1.0 (MPL)": "MPL-1.0",
    "OSI Approved :: Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "OSI Approved :: Mulan Permissive Software License v2 (MulanPSL-2.0)": "MulanPSL-2.0",
    "OSI Approved :: NASA Open Source Agreement v1.3 (NASA-1.3)": "NASA-1.3",
    "OSI Approved :: Nethack General Public License": "NGPL",
    "OSI Approved :: Nokia Open Source License": "Nokia",
    "OSI Approved :: Open Group Test Suite License": "OGTSL",
    "OSI Approved :: Open Software License 3.0 (OSL-3.0)": "OSL-3.0",
    "OSI Approved :: PostgreSQL License": "PostgreSQL",
    "OSI Approved :: Python License (CNRI Python License)": "CNRI-Python",
    "OSI Approved :: Python Software Foundation License": "PSF-2.0",
    "OSI Approved :: Qt Public License (QPL)": "QPL-1.0",
    "OSI Approved :: Ricoh Source Code Public License": "RSCPL",
    "OSI Approved :: SIL Open Font License 1.1 (OFL-1.1)": "OFL-1.1",
    "OSI Approved :: Sleepycat License": "Sleepycat",
    "OSI Approved :: Sun Industry Standards Source License (SISSL)": "SISSL",
    "OSI Approved :: Sun Public License": "SPL-1.0",
    "OSI Approved :: The Unlicense (Unlicense)": "Unlicense",
    "OSI Approved :: Universal Permissive License (UPL)": "UPL-1.0",
    "OSI Approved :: University of Illinois/NCSA Open Source License": "NCSA",
    "OSI Approved :: Vovida Software License 1.0": "VSL-1.0",
    "OSI Approved :: W3C License": "W3C",
    "OSI Approved :: X.Net License": "Xnet",
    "OSI Approved :: Zero-Clause BSD (0BSD)": "0BSD",
    "OSI Approved :: zlib/libpng License": "Zlib",
}
#: Classifiers that carry no licence at all.
CLASSIFIERS_WITHOUT_LICENSE = frozenset({"OSI Approved", "DFSG approved"})

# --- URLs of licence texts ---------------------------------------------------------------

#: host -> (path pattern, template for the text to look up); the first match wins.
URL_RULES: dict[str, list[tuple[re.Pattern[str], str]]] = {
    "spdx.org": [(re.compile(r"^/licenses/([^/]+)$"), r"\1")],
    "opensource.org": [(re.compile(r"^/licenses?/([^/]+)$"), r"\1")],
    "choosealicense.com": [(re.compile(r"^/licenses/([^/]+)$"), r"\1")],
    "apache.org": [(re.compile(r"^/licenses/license-(\d[\d.]*)$"), r"Apache-\1")],
    "gnu.org": [
        (
            re.compile(
                r"^/licenses/(?:old-licenses/)?((?:a|l)?gpl|fdl)-(\d[\d.]*)(?:-standalone)?$"
            ),
            r"\1-\2",
        ),
        (re.compile(r"^/(?:licenses|copyleft)/((?:a|l)?gpl)$"), r"\1"),
        (re.compile(r"^/(?:licenses|copyleft)/lesser$"), "LGPL"),
    ],
    "mozilla.org": [
        (re.compile(r"^/mpl/(\d[\d.]*)$"), r"MPL-\1"),
        (re.compile(r"^/mpl/mpl-(\d[\d.]*)$"), r"MPL-\1"),
    ],
    "eclipse.org": [
        (re.compile(r"^/legal/epl-v?(\d)(\d)$"), r"EPL-\1.\2"),
        (re.compile(r"^/legal/epl-(\d\.\d)$"), r"EPL-\1"),
        (re.compile(r"^/(?:org/documents|legal)/edl-v?10$"), "BSD-3-Clause"),
    ],
    "creativecommons.org": [
        (re.compile(r"^/publicdomain/zero/1\.0(?:/legalcode)?$"), "CC0-1.0"),
        (re.compile(r"^/licenses/([a-z-]+)/(\d\.\d)(?:/legalcode)?$"), r"CC-\1-\2"),
    ],
    "json.org": [(re.compile(r"^/license$"), "JSON")],
    "unlicense.org": [(re.compile(r"^$"), "Unlicense")],
    "wtfpl.net": [(re.compile(r"^(?:/about|/txt/copying)?$"), "WTFPL")],
}
#: Hosts of repositories: a URL there points at a licence file whose text we do not read.
FILE_HOSTS = frozenset(
    {"github.com", "raw.githubusercontent.com", "gitlab.com", "bitbucket.org", "sourceforge.net"}
)


# --- the built tables --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LicenseTables:
    #: license-expression's SPDX ``Licensing`` (parses and renders expressions)
    licensing: Any
    #: lower-cased current id (SPDX or ScanCode ``LicenseRef-scancode-*``) -> its spelling
    ids: dict[str, str]
    #: canonical ids that are exceptions (only valid after ``WITH``)
    exceptions: frozenset[str]
    #: lower-cased deprecated id or alias -> the expression that replaces it
    deprecated: dict[str, str]
    #: ``phrase_key`` -> SPDX expression (the hand table over the index-derived entries)
    phrases: dict[str, str]
    #: ``phrase_key`` -> why (hand entries whose mapping needs saying)
    phrase_notes: dict[str, str]
    #: ``phrase_key`` -> (spelling, candidates) of licence families
    ambiguous: dict[str, tuple[str, tuple[str, ...]]]
    #: index-derived keys dropped because they led to different ids (for tests)
    collisions: frozenset[str]


@cache
def tables() -> LicenseTables:
    """Build every table once (the first normalization pays for it)."""
    index: list[dict[str, Any]] = get_license_index()
    # The parser gets canonical ids only: aliases are resolved here (with a note), so
    # license-expression never rewrites a user's ``LicenseRef-GPL`` or a bare "GPL".
    licensing = build_spdx_licensing([{**e, "other_spdx_license_keys": []} for e in index])
    ids: dict[str, str] = {}
    exceptions: set[str] = set()
    deprecated = {key.lower(): value for key, value in DEPRECATED_WITH.items()}
    # (priority, target) per key: current ids beat deprecated ids beat ScanCode keys
    derived: dict[str, dict[int, set[str]]] = {}

    def derive(text: str, priority: int, target: str) -> None:
        key = phrase_key(text)
        if key:
            derived.setdefault(key, {}).setdefault(priority, set()).add(target)

    for entry in index:
        spdx = entry.get("spdx_license_key")
        if not spdx or spdx.lower() in deprecated:
            continue
        ids[spdx.lower()] = spdx
        if entry.get("is_exception"):
            exceptions.add(spdx)
        if entry.get("is_exception"):
            continue  # an exception is never a licence on its own
        if not spdx.startswith("LicenseRef-"):
            derive(spdx, 0, spdx)
        for alias in entry.get("other_spdx_license_keys") or []:
            # ScanCode's LicenseRef aliases are its guesses; a LicenseRef in a declared
            # expression is defined by its author and stays as written.
            if alias.lower() in _FAMILY_ALIASES or alias.startswith("LicenseRef-"):
                continue
            deprecated.setdefault(alias.lower(), spdx)
            derive(alias, 1, spdx)
        scancode_key = entry.get("license_key") or ""
        if not _VAGUE_SCANCODE.match(scancode_key):
            derive(scancode_key, 2, spdx)

    phrases: dict[str, str] = {}
    collisions: set[str] = set()
    for key, by_priority in derived.items():
        best = by_priority[min(by_priority)]
        if len(best) == 1:
            phrases[key] = next(iter(best))
        else:
            collisions.add(key)
    ambiguous = {phrase_key(name): (name, candidates) for name, candidates in AMBIGUOUS.items()}
    for key in ambiguous:
        phrases.pop(key, None)  # a family name is never resolved to one member
    phrases.update({phrase_key(text): target for text, target in FREE_TEXT.items()})
    notes = {phrase_key(text): note for text, note in FREE_TEXT_NOTES.items()}
    for key, target in phrases.items():
        if target.startswith("LicenseRef-scancode-"):
            notes.setdefault(key, "no SPDX id exists; ScanCode LicenseDB reference")
    return LicenseTables(
        licensing,
        ids,
        frozenset(exceptions),
        deprecated,
        phrases,
        notes,
        ambiguous,
        frozenset(collisions),
    )
