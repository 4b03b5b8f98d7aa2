"""The ignore file (``ossmeta.toml``): advisories a team has decided to accept for now.

[[ignore]]
id = "GHSA-xxxx-xxxx-xxxx"      # any id of the alias group
reason = "not reachable: we never parse untrusted YAML"
expires = 2027-03-31            # a TOML date (or "2027-03-31")
"""

from __future__ import annotations

from datetime import date

from ossmeta.model import IgnoreRule
from ossmeta.sources.files import InputFile, header_lines, load_toml

FILE_NAME = "ossmeta.toml"


def load_ignores(file: InputFile) -> list[IgnoreRule]:
    text = file.read_text()
    document = load_toml(file, text)
    entries = document.get("ignore", [])
    if not isinstance(entries, list):
        file.fail("'ignore' must be an array of tables ([[ignore]])")
    lines = header_lines(text, "[[ignore]]")
    rules: list[IgnoreRule] = []
    for n, entry in enumerate(entries):
        line = lines[n] if n < len(lines) else None
        if not isinstance(entry, dict):
            file.fail("each [[ignore]] entry must be a table", line)
        unknown = sorted(set(entry) - {"id", "reason", "expires"})
        if unknown:
            file.fail(
                f"unknown key {unknown[0]!r} in [[ignore]] (expected id, reason, expires)", line
            )
        advisory_id, reason, expires = entry.get("id"), entry.get("reason"), entry.get("expires")
        if not isinstance(advisory_id, str) or not advisory_id.strip():
            file.fail("[[ignore]] needs an 'id' (a string)", line)
        if not isinstance(reason, str) or not reason.strip():
            file.fail(f"[[ignore]] for {advisory_id} needs a 'reason'", line)
        if isinstance(expires, str):
            try:
                expires = date.fromisoformat(expires)
            except ValueError:
                file.fail(
                    f"'expires' of {advisory_id} is not a date (YYYY-MM-DD): {expires!r}", line
                )
        if not isinstance(expires, date) or hasattr(expires, "hour"):
            file.fail(f"[[ignore]] for {advisory_id} needs an 'expires' date (YYYY-MM-DD)", line)
        rules.append(IgnoreRule(advisory_id.strip(), reason.strip(), expires, file.at(line)))
    return rules
