"""What every program route shares: the year path value (a name or ``current``), the
caller's program roles, and how the services' refusals become problems: a phase error is a
409 ``wrong-phase``, a refused body a 422 ``bad-input``; unknown objects and missing roles
keep their own kinds (404, 403). A login with no role in the year is told the year does not
exist, as another tenant's object is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ossmeta.errors import ForbiddenError, InputError, NotFoundError
from ossmeta.service.program import PhaseError
from ossmeta.service.program_access import Access
from ossmeta.service.program_views import member_access
from ossmeta.store.engine import Store
from ossmeta.surfaces.api.problems import ApiProblem

__all__ = ["PHASE_RESPONSES", "program_access", "refusal", "service_call", "year_name"]

T = TypeVar("T")

#: The OpenAPI answer every phase-bound program action declares.
PHASE_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"description": "The action is not allowed in the year's current phase."}
}


def year_name(year: str) -> str | None:
    """The service's year name for a path value: ``current`` is the newest year."""
    return None if year == "current" else year


def program_access(store: Store, year: str, login: str) -> Access:
    return member_access(store, year_name(year), login)


def refusal(error: InputError) -> Exception:
    """The problem a service's refusal is answered with."""
    if isinstance(error, PhaseError):
        return ApiProblem(409, str(error), slug="wrong-phase", title="Wrong phase")
    if isinstance(error, (NotFoundError, ForbiddenError)):
        return error
    return ApiProblem(422, str(error), slug="bad-input", title="Bad input")


def service_call(act: Callable[[], T]) -> T:
    try:
        return act()
    except InputError as error:
        raise refusal(error) from None
