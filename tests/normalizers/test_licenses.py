"""Declared licences -> SPDX expression + confidence: real-shaped strings from PyPI core
metadata, npm packuments and Maven POMs; npm's legacy shapes; trove classifiers; and
properties (never raises, idempotent, combination order does not matter)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ossmeta.normalizers.licensemap import (
    AMBIGUOUS,
    CLASSIFIERS,
    FREE_TEXT,
    phrase_key,
    tables,
)
from ossmeta.normalizers.licenses import (
    LicenseConfidence,
    NormalizedLicense,
    license_from_classifiers,
    license_from_npm,
    normalize_license,
    normalize_licenses,
)

E, M, A, U = (
    LicenseConfidence.EXACT,
    LicenseConfidence.MAPPED,
    LicenseConfidence.AMBIGUOUS,
    LicenseConfidence.UNKNOWN,
)

CASES: list[tuple[str, str | None, LicenseConfidence]] = [
    # valid SPDX ids and expressions (PEP 639 License-Expression, npm `license`, crates.io)
    ("MIT", "MIT", E),
    ("mit", "MIT", E),
    ("Apache-2.0", "Apache-2.0", E),
    ("apache-2.0", "Apache-2.0", E),
    ("BSD-3-Clause", "BSD-3-Clause", E),
    ("ISC", "ISC", E),
    ("MIT OR Apache-2.0", "MIT OR Apache-2.0", E),
    ("MIT or Apache-2.0", "MIT OR Apache-2.0", E),
    ("(MIT OR Apache-2.0)", "MIT OR Apache-2.0", E),
    ("(MIT AND Zlib)", "MIT AND Zlib", E),
    ("Apache-2.0 WITH LLVM-exception", "Apache-2.0 WITH LLVM-exception", E),
    (
        "GPL-2.0-or-later WITH Classpath-exception-2.0",
        "GPL-2.0-or-later WITH Classpath-exception-2.0",
        E,
    ),
    ("Apache-2.0 OR BSD-3-Clause", "Apache-2.0 OR BSD-3-Clause", E),  # cryptography
    ("MIT AND (Apache-2.0 OR BSD-2-Clause)", "MIT AND (Apache-2.0 OR BSD-2-Clause)", E),
    ("Unlicense OR MIT", "Unlicense OR MIT", E),  # ripgrep
    ("LGPL-3.0-or-later", "LGPL-3.0-or-later", E),
    ("MPL-2.0", "MPL-2.0", E),
    ("0BSD", "0BSD", E),
    ("CC0-1.0", "CC0-1.0", E),
    ("BlueOak-1.0.0", "BlueOak-1.0.0", E),
    ("LicenseRef-Proprietary", "LicenseRef-Proprietary", E),
    ("Apache-2.0+", "Apache-2.0+", E),
    # deprecated ids, upgraded
    ("GPL-3.0+", "GPL-3.0-or-later", M),
    ("GPL-2.0", "GPL-2.0-only", M),
    ("LGPL-2.1", "LGPL-2.1-only", M),
    ("LGPL-2.1+", "LGPL-2.1-or-later", M),
    ("AGPL-3.0", "AGPL-3.0-only", M),
    ("GPL-2.0-with-classpath-exception", "GPL-2.0-only WITH Classpath-exception-2.0", M),
    ("MIT OR GPL-3.0", "MIT OR GPL-3.0-only", M),
    # free text from PyPI `License`, POM <name>, old npm
    ("Apache 2.0", "Apache-2.0", M),
    ("Apache License, Version 2.0", "Apache-2.0", M),
    ("The Apache Software License, Version 2.0", "Apache-2.0", M),
    ("Apache Software License 2.0", "Apache-2.0", M),
    ("Apache License 2.0", "Apache-2.0", M),
    ("Apache 2", "Apache-2.0", M),
    ("ASL 2.0", "Apache-2.0", M),
    ("Apache License Version 2.0, January 2004", "Apache-2.0", M),
    ("GPLv3+", "GPL-3.0-or-later", M),
    ("GPLv3", "GPL-3.0-only", M),
    ("GPLv2", "GPL-2.0-only", M),
    ("GNU GPL v3", "GPL-3.0-only", M),
    ("GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later", M),
    ("GNU General Public License, version 2", "GPL-2.0-only", M),
    ("GNU Lesser General Public License v2.1 or later", "LGPL-2.1-or-later", M),
    ("GNU Lesser General Public License, Version 2.1", "LGPL-2.1-only", M),
    ("LGPLv3+", "LGPL-3.0-or-later", M),
    ("GNU Affero General Public License v3", "AGPL-3.0-only", M),
    ("GPLv2 with Classpath exception", "GPL-2.0-only WITH Classpath-exception-2.0", M),
    ("MIT License", "MIT", M),
    ("The MIT License (MIT)", "MIT", M),
    ("The MIT License", "MIT", M),
    ("MIT/X11", "MIT", M),
    ("Expat", "MIT", M),
    ("BSD 3-Clause", "BSD-3-Clause", M),
    ("BSD-3-Clause License", "BSD-3-Clause", M),
    ("new BSD", "BSD-3-Clause", M),
    ("New BSD License", "BSD-3-Clause", M),
    ("Modified BSD License", "BSD-3-Clause", M),
    ("3-clause BSD", "BSD-3-Clause", M),
    ("Simplified BSD", "BSD-2-Clause", M),
    ("BSD 2-Clause License", "BSD-2-Clause", M),
    ("ISC License (ISCL)", "ISC", M),
    ("ISC license", "ISC", M),
    ("MPL 2.0", "MPL-2.0", M),
    ("Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0", M),
    ("Mozilla Public License, Version 2.0", "MPL-2.0", M),
    ("Eclipse Public License - v 1.0", "EPL-1.0", M),
    ("Eclipse Public License v2.0", "EPL-2.0", M),
    ("Eclipse Distribution License - v 1.0", "BSD-3-Clause", M),
    ("CDDL 1.1", "CDDL-1.1", M),
    ("Public Domain", "LicenseRef-scancode-public-domain", M),
    ("PSF", "PSF-2.0", M),
    ("Python Software Foundation License", "PSF-2.0", M),
    ("Boost Software License 1.0", "BSL-1.0", M),
    ("zlib/libpng", "Zlib", M),
    ("The Unlicense", "Unlicense", M),
    ("CC0 1.0 Universal", "CC0-1.0", M),
    ("WTFPL", "WTFPL", E),
    ("Licensed under the Apache License, Version 2.0", "Apache-2.0", M),
    ("License :: MIT", "MIT", M),
    ("MIT (see LICENSE)", "MIT", M),
    ("ISC License (ISCL) ;", "ISC", M),
    (
        "GNU Lesser General Public License v3 or later (LGPLv3+) (see LICENSE file)",
        "LGPL-3.0-or-later",
        M,
    ),
    ("License: https://opensource.org/licenses/MIT", "MIT", M),
    # several licences in free text
    ("Dual MIT/Apache-2.0", "MIT OR Apache-2.0", M),
    ("MIT/Apache-2.0", "MIT OR Apache-2.0", M),
    ("Apache-2.0/MIT", "Apache-2.0 OR MIT", M),
    ("MIT or Apache 2.0", "MIT OR Apache-2.0", M),
    ("Apache License 2.0 and MIT", "Apache-2.0 AND MIT", M),
    ("GPLv2 or later or MIT", "GPL-2.0-or-later OR MIT", M),
    ("Same as Perl", "Artistic-1.0-Perl OR GPL-1.0-or-later", M),
    # URLs of licence texts (POM <url>, npm {"url": ...})
    ("https://opensource.org/licenses/MIT", "MIT", M),
    ("http://www.opensource.org/licenses/mit-license.php", "MIT", M),
    ("http://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0", M),
    ("https://www.apache.org/licenses/LICENSE-2.0.txt", "Apache-2.0", M),
    ("http://www.apache.org/licenses/LICENSE-2.0.html", "Apache-2.0", M),
    ("https://www.gnu.org/licenses/gpl-3.0.html", "GPL-3.0-only", M),
    ("http://www.gnu.org/licenses/old-licenses/lgpl-2.1.html", "LGPL-2.1-only", M),
    ("https://www.mozilla.org/MPL/2.0/", "MPL-2.0", M),
    ("http://www.eclipse.org/legal/epl-v10.html", "EPL-1.0", M),
    ("https://www.eclipse.org/legal/epl-2.0/", "EPL-2.0", M),
    ("http://www.eclipse.org/org/documents/edl-v10.php", "BSD-3-Clause", M),
    ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0", M),
    ("https://spdx.org/licenses/BSD-2-Clause.html", "BSD-2-Clause", M),
    ("opensource.org/licenses/MIT", "MIT", M),
    # families without a version: flagged, not guessed
    ("BSD", None, A),
    ("BSD License", None, A),
    ("BSD-style", None, A),
    ("GPL", None, A),
    ("GNU GPL", None, A),
    ("GNU General Public License (GPL)", None, A),
    ("LGPL", None, A),
    ("GNU Library or Lesser General Public License (LGPL)", None, A),
    ("Apache", None, A),
    ("Apache Software License", None, A),
    ("Apache License", None, A),
    ("MPL", None, A),
    ("Artistic License", None, A),
    ("Zope Public License", None, A),
    ("http://www.opensource.org/licenses/bsd-license.php", None, A),
    ("http://www.gnu.org/copyleft/lesser.html", None, A),
    ("GPL/LGPL", None, A),
    # no licence, or nothing we can read
    ("", None, U),
    ("   ", None, U),
    ("UNKNOWN", None, U),
    ("NONE", None, U),
    ("NOASSERTION", None, U),
    ("UNLICENSED", None, U),
    ("SEE LICENSE IN LICENSE.txt", None, U),
    ("SEE LICENSE IN <filename>", None, U),
    ("LICENSE.txt", None, U),
    ("See LICENSE file", None, U),
    ("Proprietary", None, U),
    ("Other/Proprietary License", None, U),
    (
        "Copyright (c) 2020 Foo Inc.\n\nPermission is hereby granted, free of charge,\nto any person",
        None,
        U,
    ),
    ("https://github.com/psf/requests/blob/main/LICENSE", None, U),
    ("My Custom License", None, U),
    ("Classpath-exception-2.0", None, U),
    ("MIT WITH MIT", None, U),
    ("MIT AND", None, U),
    ("http://[::1", None, U),
]


@pytest.mark.parametrize(
    ("raw", "spdx", "confidence"), CASES, ids=[c[0][:40] or "<empty>" for c in CASES]
)
def test_real_strings(raw: str, spdx: str | None, confidence: LicenseConfidence) -> None:
    result = normalize_license(raw)
    assert (result.spdx, result.confidence) == (spdx, confidence), result.note
    assert result.raw == raw
    if confidence in (A, U):
        assert result.note  # says why nothing was given


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 60


def test_notes_say_why() -> None:
    assert normalize_license("BSD").note == (
        "ambiguous: 'BSD' names the BSD family; could be BSD-2-Clause, BSD-3-Clause or BSD-4-Clause"
    )
    assert (
        normalize_license("GPL-3.0+").note == "deprecated id GPL-3.0+ upgraded to GPL-3.0-or-later"
    )
    assert "X11" in (normalize_license("MIT/X11").note or "")
    assert "UNLICENSED" in (normalize_license("UNLICENSED").note or "")
    assert "file" in (normalize_license("SEE LICENSE IN LICENSE.md").note or "")
    assert "no SPDX id" in (normalize_license("Public Domain").note or "")
    assert normalize_license("MIT").note is None
    assert normalize_license("Dual MIT/Apache-2.0").note == "'/' read as OR (dual licence)"


def test_family_alias_of_the_index_is_not_a_guess() -> None:
    # The bundled index aliases "GPL" to GPL-1.0-or-later; a user's LicenseRef stays theirs.
    assert normalize_license("GPL OR MIT").confidence is A
    assert normalize_license("LicenseRef-GPL").spdx == "LicenseRef-GPL"
    assert normalize_license("licenseref-Apache AND MIT").spdx == "licenseref-Apache AND MIT"


# --- several declared licences ------------------------------------------------------------


def test_several_values_join_with_and_sorted_and_deduplicated() -> None:
    result = normalize_licenses(["MIT", "Apache-2.0", "mit"])
    assert result == NormalizedLicense(
        "Apache-2.0 AND MIT", "MIT | Apache-2.0 | mit", E, "2 declared licences combined with AND"
    )
    assert normalize_licenses(["Apache 2.0", "MIT"]).confidence is M


def test_pom_licenses_are_a_choice() -> None:
    # Maven POM reference: several <license> elements let the user pick one.
    result = normalize_licenses(
        ["Apache License 2.0", "GNU General Public License, version 2"], operator="OR"
    )
    assert (result.spdx, result.confidence) == ("Apache-2.0 OR GPL-2.0-only", M)


def test_compound_parts_keep_their_grouping() -> None:
    result = normalize_licenses(["MIT OR Apache-2.0", "Zlib"])
    assert result.spdx == "(MIT OR Apache-2.0) AND Zlib"
    assert normalize_license(result.spdx).spdx == result.spdx


def test_placeholders_are_skipped_and_other_gaps_block() -> None:
    assert normalize_licenses(["MIT", "", "UNKNOWN"]).spdx == "MIT"
    assert normalize_licenses(["", "UNKNOWN"]).confidence is U
    assert normalize_licenses([]).confidence is U
    blocked = normalize_licenses(["MIT", "SEE LICENSE IN LICENSE"])
    assert (blocked.spdx, blocked.confidence) == (None, U)
    assert normalize_licenses(["MIT", "GPL"]).confidence is A


def test_family_beside_a_member_is_that_member() -> None:
    # PyPI: License-Expression BSD-3-Clause plus the classifier "BSD License"
    result = normalize_licenses(
        ["BSD-3-Clause", *license_from_classifiers(["License :: OSI Approved :: BSD License"])]
    )
    assert (result.spdx, result.confidence) == ("BSD-3-Clause", M)
    assert "BSD License" in (result.note or "")


def test_a_single_string_is_one_value() -> None:
    assert normalize_licenses("MIT") == normalize_license("MIT")


# --- npm ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("MIT", ["MIT"]),
        ("(MIT OR Apache-2.0)", ["(MIT OR Apache-2.0)"]),
        ({"type": "MIT", "url": "https://github.com/x/y/blob/master/LICENSE"}, ["MIT"]),
        (
            {"url": "http://www.opensource.org/licenses/mit-license.php"},
            ["http://www.opensource.org/licenses/mit-license.php"],
        ),
        ({"name": "BSD-3-Clause"}, ["BSD-3-Clause"]),
        (
            [
                {"type": "MIT", "url": "http://www.opensource.org/licenses/mit-license.php"},
                {"type": "Apache-2.0", "url": "http://opensource.org/licenses/apache2.0.php"},
            ],
            ["MIT", "Apache-2.0"],
        ),
        (["MIT", "GPL-2.0"], ["MIT", "GPL-2.0"]),
        ({"license": "ISC", "licenses": [{"type": "ISC"}, {"type": "MIT"}]}, ["ISC", "MIT"]),
        ({"license": {"type": "BSD"}}, ["BSD"]),
        ({"licenses": []}, []),
        (None, []),
        (42, []),
        ({"type": 3}, []),
        ([" ", "", {"type": ""}], []),
        ([[["MIT"]]], ["MIT"]),
    ],
)
def test_npm_legacy_shapes(value: object, expected: list[str]) -> None:
    assert license_from_npm(value) == expected


def test_npm_legacy_array_normalizes() -> None:
    values = license_from_npm(
        [
            {"type": "MIT", "url": "http://www.opensource.org/licenses/mit-license.php"},
            {"type": "GPL", "url": "http://www.gnu.org/licenses/gpl.html"},
        ]
    )
    assert normalize_licenses(values).confidence is A


@given(
    st.recursive(
        st.none() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["type", "url", "name", "license", "licenses", "x"]),
                inner,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_npm_never_raises(value: object) -> None:
    for item in license_from_npm(value):
        assert isinstance(item, str) and item == item.strip() and item


# --- trove classifiers --------------------------------------------------------------------

#: Every ``License ::`` classifier of trove-classifiers 2026.9 (deprecated ones included)
#: -> what ``license_from_classifiers`` returns and how that normalizes.
CLASSIFIER_TABLE: list[tuple[str, str | None, LicenseConfidence | None]] = [
    ("Aladdin Free Public License (AFPL)", "Aladdin", E),
    ("CC0 1.0 Universal (CC0 1.0) Public Domain Dedication", "CC0-1.0", E),
    ("CeCILL-B Free Software License Agreement (CECILL-B)", "CECILL-B", E),
    ("CeCILL-C Free Software License Agreement (CECILL-C)", "CECILL-C", E),
    ("DFSG approved", None, None),
    ("Eiffel Forum License (EFL)", "Eiffel Forum License (EFL)", A),
    ("Free For Educational Use", "Free For Educational Use", U),
    ("Free For Home Use", "Free For Home Use", U),
    ("Free To Use But Restricted", "Free To Use But Restricted", U),
    ("Free for non-commercial use", "Free for non-commercial use", U),
    ("Freely Distributable", "Freely Distributable", U),
    ("Freeware", "Freeware", U),
    ("GUST Font License 1.0", "GUST Font License 1.0", M),  # LicenseRef-scancode-gust-font-1.0
    ("GUST Font License 2006-09-30", "GUST Font License 2006-09-30", M),
    ("Netscape Public License (NPL)", "Netscape Public License (NPL)", A),
    ("Nokia Open Source License (NOKOS)", "Nokia", E),
    ("OSI Approved", None, None),
    ("OSI Approved :: Academic Free License (AFL)", "Academic Free License (AFL)", A),
    ("OSI Approved :: Apache Software License", "Apache Software License", A),
    ("OSI Approved :: Apple Public Source License", "Apple Public Source License", A),
    ("OSI Approved :: Artistic License", "Artistic License", A),
    ("OSI Approved :: Attribution Assurance License", "AAL", E),
    ("OSI Approved :: BSD License", "BSD License", A),
    ("OSI Approved :: Blue Oak Model License (BlueOak-1.0.0)", "BlueOak-1.0.0", E),
    ("OSI Approved :: Boost Software License 1.0 (BSL-1.0)", "BSL-1.0", E),
    (
        "OSI Approved :: CEA CNRS Inria Logiciel Libre License, version 2.1 (CeCILL-2.1)",
        "CECILL-2.1",
        E,
    ),
    ("OSI Approved :: CMU License (MIT-CMU)", "MIT-CMU", E),
    ("OSI Approved :: Common Development and Distribution License 1.0 (CDDL-1.0)", "CDDL-1.0", E),
    ("OSI Approved :: Common Public License", "CPL-1.0", E),
    ("OSI Approved :: Eclipse Public License 1.0 (EPL-1.0)", "EPL-1.0", E),
    ("OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)", "EPL-2.0", E),
    ("OSI Approved :: Educational Community License, Version 2.0 (ECL-2.0)", "ECL-2.0", E),
    ("OSI Approved :: Eiffel Forum License", "Eiffel Forum License", A),
    ("OSI Approved :: European Union Public Licence 1.0 (EUPL 1.0)", "EUPL-1.0", E),
    ("OSI Approved :: European Union Public Licence 1.1 (EUPL 1.1)", "EUPL-1.1", E),
    ("OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)", "EUPL-1.2", E),
    ("OSI Approved :: GNU Affero General Public License v3", "AGPL-3.0-only", E),
    (
        "OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)",
        "AGPL-3.0-or-later",
        E,
    ),
    (
        "OSI Approved :: GNU Free Documentation License (FDL)",
        "GNU Free Documentation License (FDL)",
        A,
    ),
    ("OSI Approved :: GNU General Public License (GPL)", "GNU General Public License (GPL)", A),
    ("OSI Approved :: GNU General Public License v2 (GPLv2)", "GPL-2.0-only", E),
    ("OSI Approved :: GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later", E),
    ("OSI Approved :: GNU General Public License v3 (GPLv3)", "GPL-3.0-only", E),
    ("OSI Approved :: GNU General Public License v3 or later (GPLv3+)", "GPL-3.0-or-later", E),
    ("OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)", "LGPL-2.0-only", E),
    (
        "OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)",
        "LGPL-2.0-or-later",
        E,
    ),
    ("OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)", "LGPL-3.0-only", E),
    (
        "OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)",
        "LGPL-3.0-or-later",
        E,
    ),
    (
        "OSI Approved :: GNU Library or Lesser General Public License (LGPL)",
        "GNU Library or Lesser General Public License (LGPL)",
        A,
    ),
    ("OSI Approved :: Historical Permission Notice and Disclaimer (HPND)", "HPND", E),
    ("OSI Approved :: IBM Public License", "IPL-1.0", E),
    ("OSI Approved :: ISC License (ISCL)", "ISC", E),
    ("OSI Approved :: Intel Open Source License", "Intel", E),
    ("OSI Approved :: Jabber Open Source License", "Jabber Open Source License", U),
    ("OSI Approved :: MIT License", "MIT", E),
    ("OSI Approved :: MIT No Attribution License (MIT-0)", "MIT-0", E),
    (
        "OSI Approved :: MITRE Collaborative Virtual Workspace License (CVW)",
        "MITRE Collaborative Virtual Workspace License (CVW)",
        U,
    ),
    ("OSI Approved :: MirOS License (MirOS)", "MirOS", E),
    ("OSI Approved :: Motosoto License", "Motosoto", E),
    ("OSI Approved :: Mozilla Public License 1.0 (MPL)", "MPL-1.0", E),
    ("OSI Approved :: Mozilla Public License 1.1 (MPL 1.1)", "MPL-1.1", E),
    ("OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0", E),
    ("OSI Approved :: Mulan Permissive Software License v2 (MulanPSL-2.0)", "MulanPSL-2.0", E),
    ("OSI Approved :: NASA Open Source Agreement v1.3 (NASA-1.3)", "NASA-1.3", E),
    ("OSI Approved :: Nethack General Public License", "NGPL", E),
    ("OSI Approved :: Nokia Open Source License", "Nokia", E),
    ("OSI Approved :: Open Group Test Suite License", "OGTSL", E),
    ("OSI Approved :: Open Software License 3.0 (OSL-3.0)", "OSL-3.0", E),
    ("OSI Approved :: PostgreSQL License", "PostgreSQL", E),
    ("OSI Approved :: Python License (CNRI Python License)", "CNRI-Python", E),
    ("OSI Approved :: Python Software Foundation License", "PSF-2.0", E),
    ("OSI Approved :: Qt Public License (QPL)", "QPL-1.0", E),
    ("OSI Approved :: Ricoh Source Code Public License", "RSCPL", E),
    ("OSI Approved :: SIL Open Font License 1.1 (OFL-1.1)", "OFL-1.1", E),
    ("OSI Approved :: Sleepycat License", "Sleepycat", E),
    ("OSI Approved :: Sun Industry Standards Source License (SISSL)", "SISSL", E),
    ("OSI Approved :: Sun Public License", "SPL-1.0", E),
    ("OSI Approved :: The Unlicense (Unlicense)", "Unlicense", E),
    ("OSI Approved :: Universal Permissive License (UPL)", "UPL-1.0", E),
    ("OSI Approved :: University of Illinois/NCSA Open Source License", "NCSA", E),
    ("OSI Approved :: Vovida Software License 1.0", "VSL-1.0", E),
    ("OSI Approved :: W3C License", "W3C", E),
    ("OSI Approved :: X.Net License", "Xnet", E),
    ("OSI Approved :: Zero-Clause BSD (0BSD)", "0BSD", E),
    ("OSI Approved :: Zope Public License", "Zope Public License", A),
    ("OSI Approved :: zlib/libpng License", "Zlib", E),
    ("Other/Proprietary License", "Other/Proprietary License", U),
    ("Public Domain", "Public Domain", M),
    ("Repoze Public License", "Repoze Public License", U),
]


@pytest.mark.parametrize(
    ("classifier", "value", "confidence"),
    CLASSIFIER_TABLE,
    ids=[c[0][-40:] for c in CLASSIFIER_TABLE],
)
def test_classifiers(
    classifier: str, value: str | None, confidence: LicenseConfidence | None
) -> None:
    found = license_from_classifiers([f"License :: {classifier}"])
    assert found == ([] if value is None else [value])
    if value is not None:
        assert normalize_license(value).confidence is confidence


def test_classifier_table_is_complete_and_exact() -> None:
    named = {
        c for c, v, _ in CLASSIFIER_TABLE if v is not None and normalize_license(v).confidence is E
    }
    assert named == set(CLASSIFIERS)


def test_classifiers_skip_other_topics_and_duplicates() -> None:
    assert license_from_classifiers(
        [
            "Programming Language :: Python :: 3",
            "License :: OSI Approved :: MIT License",
            "License :: OSI Approved :: MIT License",
            "License::OSI Approved::Apache Software License",
            "License :: OSI Approved",
            "License ::",
        ]
    ) == ["MIT", "Apache Software License"]


# --- the tables -----------------------------------------------------------------------------


def test_phrase_key_folds_variants() -> None:
    same = [
        "Apache License, Version 2.0",
        "apache licence v2",
        "The Apache Software License 2.0",
        "APACHE-2.0",
        "Apache 2",
    ]
    assert {phrase_key(s) for s in same} == {"apache 2"}
    assert phrase_key("GNU General Public License v3 or later") == phrase_key("GPLv3+") == "gpl 3 +"
    assert phrase_key("LGPL-2.1-or-later") == phrase_key(
        "GNU Lesser General Public License v2.1 or any later version"
    )


def test_hand_tables_point_at_valid_spdx() -> None:
    for text, target in FREE_TEXT.items():
        result = normalize_license(target)
        assert result.confidence is E and result.spdx == target, text
        assert normalize_license(text).spdx == target, text
    ids = tables().ids
    for name, candidates in AMBIGUOUS.items():
        assert normalize_license(name).confidence is A, name
        assert all(c.lower() in ids for c in candidates if c != "…"), name
    keys = [phrase_key(t) for t in FREE_TEXT]
    assert len(keys) == len(set(keys))  # no two spellings fold onto one entry
    assert not {phrase_key(t) for t in AMBIGUOUS} & set(keys)


def test_derived_table_has_no_collisions() -> None:
    # How fast it builds is bench/bench_normalize_licenses.py's business, not a test's.
    tables.cache_clear()
    built = tables()
    assert not built.collisions
    assert len(built.phrases) > 2000


# --- properties -----------------------------------------------------------------------------

_SAMPLES = [raw for raw, _, _ in CASES] + list(FREE_TEXT) + list(AMBIGUOUS)
_IDS = [
    "MIT",
    "Apache-2.0",
    "BSD-3-Clause",
    "GPL-2.0-only",
    "GPL-3.0+",
    "LGPL-2.1",
    "ISC",
    "Zlib",
    "MPL-2.0",
    "LicenseRef-Foo",
    "Apache-2.0+",
]
_TEXTISH = st.one_of(
    st.text(max_size=60),
    st.sampled_from(_SAMPLES),
    st.builds(
        lambda a, b, op: f"{a} {op} {b}",
        st.sampled_from(_SAMPLES),
        st.sampled_from(_SAMPLES),
        st.sampled_from(["AND", "OR", "or", "and", "/", "WITH", ",", "(", ")"]),
    ),
    st.text(alphabet="()+-. ANDORWITHmitMITapche2.0GPL3/,", max_size=40),
)
_EXPR = st.recursive(
    st.sampled_from(_IDS),
    lambda inner: st.builds(
        lambda a, b, op: f"({a} {op} {b})", inner, inner, st.sampled_from(["AND", "OR"])
    ),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None)
@given(_TEXTISH)
def test_never_raises_and_is_idempotent(raw: str) -> None:
    result = normalize_license(raw)
    assert result.raw == raw
    assert isinstance(result.confidence, LicenseConfidence)
    if result.spdx is None:
        assert result.confidence in (A, U) and result.note
    else:
        again = normalize_license(result.spdx)
        assert (again.spdx, again.confidence) == (result.spdx, E)


@settings(max_examples=200, deadline=None)
@given(_EXPR)
def test_generated_expressions_round_trip(expression: str) -> None:
    result = normalize_license(expression)
    assert result.spdx is not None and result.confidence in (E, M)
    assert normalize_license(result.spdx) == NormalizedLicense(result.spdx, result.spdx, E)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(_SAMPLES + _IDS), min_size=1, max_size=5),
    st.randoms(use_true_random=False),
)
def test_combination_does_not_depend_on_order(values: list[str], rng: object) -> None:
    shuffled = list(values)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    first, second = normalize_licenses(values), normalize_licenses(shuffled)
    assert (first.spdx, first.confidence) == (second.spdx, second.confidence)
    if first.spdx is not None:
        again = normalize_license(first.spdx)
        assert (again.spdx, again.confidence) == (first.spdx, E)
