"""The workspace across projects: where-used, the portfolio, and the tenant's API tokens
and webhooks (created and revoked here; a secret is shown once, on the page that answers
its creation, and never again).

The same service calls and rules as the API's routes: tokens within the role's scopes, an
admin-scope token only by an admin, a token revoked by its owner or an admin; webhooks
created and deleted by a role with the ``write`` scope.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ossmeta.errors import ForbiddenError, InputError, NotFoundError
from ossmeta.service import accounts, inventories
from ossmeta.service import webhooks as hooks
from ossmeta.service.inventories_portfolio import portfolio
from ossmeta.store.outbox import EVENT_TYPES
from ossmeta.surfaces.web.render import app_store
from ossmeta.surfaces.web.routes.workspace import PAGE_METHODS, back, form_of, text, workspace_call
from ossmeta.surfaces.web.session import Signed, remote_addr, tenant_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False, prefix="/workspace")
#: Longest purl or advisory id a where-used search takes (as the API's query).
MAX_PURL, MAX_ADVISORY = 1024, 128
LISTED = 1000


@router.api_route("/where-used", methods=PAGE_METHODS, response_class=HTMLResponse)
async def where_used(request: Request, purl: str = "", advisory: str = "") -> Response:
    async def act(signed: Signed) -> Response:
        found = None
        if purl or advisory:
            found = inventories.where_used(
                app_store(request),
                signed.user.tenant_id,
                purl=purl[:MAX_PURL] or None,
                advisory=advisory[:MAX_ADVISORY] or None,
                after=("", ""),
                limit=LISTED,
            )
        return tenant_page(
            request, signed, "ws_where_used.html", purl=purl, advisory=advisory, found=found
        )

    return await workspace_call(request, act)


@router.api_route("/portfolio", methods=PAGE_METHODS, response_class=HTMLResponse)
async def portfolio_page(request: Request) -> Response:
    async def act(signed: Signed) -> Response:
        found = await run_in_threadpool(portfolio, app_store(request), signed.user.tenant_id)
        return tenant_page(request, signed, "ws_portfolio.html", p=found)

    return await workspace_call(request, act)


# ------------------------------------------------------------------ tokens


def _tokens_page(
    request: Request, signed: Signed, created: accounts.IssuedToken | None = None
) -> Response:
    user = signed.user
    found = accounts.tokens_of(
        app_store(request),
        user.tenant_id,
        user_id=None if user.role == "admin" else user.user_id,
        after=0,
        limit=LISTED,
    )
    status = 201 if created is not None else 200
    return tenant_page(
        request, signed, "ws_tokens.html", status, tokens=found, created=created, scopes=user.scopes
    )


@router.api_route("/tokens", methods=PAGE_METHODS, response_class=HTMLResponse)
async def tokens_page(request: Request) -> Response:
    async def act(signed: Signed) -> Response:
        return _tokens_page(request, signed)

    return await workspace_call(request, act)


def _expiry(value: str) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise InputError(f"the expiry {value!r} is not a date (YYYY-MM-DD)") from None
    return datetime.combine(day, time.max, tzinfo=UTC)


@router.post("/tokens")
async def create_token(request: Request) -> Response:
    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        user = signed.user
        scopes = tuple(s for s in accounts.SCOPES if s in form.getlist("scope"))
        if not scopes:
            raise InputError("choose at least one scope")
        if "admin" in scopes and not user.may("admin", ("admin",)):
            raise ForbiddenError("only an administrator creates a token with the admin scope")
        issued = accounts.create_token(
            app_store(request),
            user.login,
            actor=user.actor(remote_addr(request)),
            tenant_id=user.tenant_id,
            scopes=scopes,
            expires_at=_expiry(text(form, "expires", 10)),
            name=text(form, "name", 255),
        )
        return _tokens_page(request, signed, issued)

    return await workspace_call(request, act, write=True)


@router.post("/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: int) -> Response:
    async def act(signed: Signed) -> Response:
        await form_of(request, signed)
        user, store = signed.user, app_store(request)
        record = (
            accounts.token_of(store, user.tenant_id, token_id) if 0 < token_id < 2**31 else None
        )
        mine = record is not None and record.user_id == user.user_id
        if record is None or not (mine or user.may("admin", ("admin",))):
            # Someone else's token is as absent as one that does not exist (as in the API).
            raise NotFoundError(f"no token {token_id}")
        accounts.revoke(store, token_id, user.actor(remote_addr(request)), user.tenant_id)
        return back("/workspace/tokens")

    return await workspace_call(request, act, write=True)


# ------------------------------------------------------------------ webhooks


def _webhooks_page(
    request: Request, signed: Signed, created: hooks.CreatedWebhook | None = None
) -> Response:
    found = hooks.webhooks(app_store(request), signed.user.tenant_id, after=0, limit=LISTED)
    status = 201 if created is not None else 200
    return tenant_page(
        request,
        signed,
        "ws_webhooks.html",
        status,
        hooks=found,
        created=created,
        events=EVENT_TYPES,
    )


@router.api_route("/webhooks", methods=PAGE_METHODS, response_class=HTMLResponse)
async def webhooks_page(request: Request) -> Response:
    async def act(signed: Signed) -> Response:
        return _webhooks_page(request, signed)

    return await workspace_call(request, act)


@router.post("/webhooks")
async def create_webhook(request: Request) -> Response:
    async def act(signed: Signed) -> Response:
        form = await form_of(request, signed)
        events = tuple(e for e in form.getlist("event") if isinstance(e, str))
        created = hooks.create_webhook(
            app_store(request),
            signed.user.tenant_id,
            text(form, "url", hooks.MAX_URL + 1),
            events,
            signed.user.actor(remote_addr(request)),
        )
        return _webhooks_page(request, signed, created)

    return await workspace_call(request, act, write=True)


@router.post("/webhooks/{webhook_id}/delete")
async def delete_webhook(request: Request, webhook_id: int) -> Response:
    async def act(signed: Signed) -> Response:
        await form_of(request, signed)
        if not 0 < webhook_id <= hooks.MAX_ID:
            raise NotFoundError(f"no webhook {webhook_id}")
        hooks.delete_webhook(
            app_store(request),
            signed.user.tenant_id,
            webhook_id,
            signed.user.actor(remote_addr(request)),
        )
        return back("/workspace/webhooks")

    return await workspace_call(request, act, write=True)
