"""What a parser read but did not turn into a package, and why.

A skip is a value a parser yields next to its packages (never an exception, never silence):
the scan shows each one as a note, so a user sees every line or entry that was left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ossmeta.model import Location


@dataclass(frozen=True, slots=True)
class Skipped:
    location: Location
    reason: str  # a short phrase: "local path (the project's own code)"

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"
