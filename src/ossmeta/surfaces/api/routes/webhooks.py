"""A tenant's notification targets over the API: webhooks (signed per Standard Webhooks),
e-mail recipients, and the deliveries made to them.

Readers need the ``read`` scope (every role); changes need ``write`` and the role admin,
curator or member, as for projects. A webhook's signing secret (``whsec_...``) is in the
answer that creates it and in no other answer. Another tenant's target answers 404 exactly
as a missing one does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, status
from pydantic import BaseModel, Field, field_validator

from ossmeta.errors import InputError
from ossmeta.service import webhooks as targets
from ossmeta.service.accounts import Principal
from ossmeta.store import Store
from ossmeta.store.outbox import Delivery
from ossmeta.store.webhooks import EmailRule, Webhook
from ossmeta.surfaces.api.auth import remote_addr, require
from ossmeta.surfaces.api.deps import get_store
from ossmeta.surfaces.api.pagination import Page, PageRequest, page_request
from ossmeta.surfaces.api.problems import ApiProblem

router = APIRouter(prefix="/api/v1", tags=["webhooks"])

StoreDep = Annotated[Store, Depends(get_store)]
Reader = Annotated[Principal, Depends(require("read"))]
Writer = Annotated[Principal, Depends(require("write", roles=("admin", "curator", "member")))]
PageDep = Annotated[PageRequest, Depends(page_request)]
EventType = Literal["finding.new", "finding.changed", "finding.resolved"]
DeliveryState = Literal["pending", "delivered", "dead"]
Id = Annotated[int, Path(ge=1, le=targets.MAX_ID)]

_EVENTS = Field(
    min_length=1,
    max_length=3,
    description="The event types to receive: finding.new, finding.changed, finding.resolved.",
)


def _valid(check: Any, value: str) -> str:
    try:
        checked: str = check(value)
    except InputError as error:
        raise ValueError(str(error)) from None
    return checked


class NewWebhook(BaseModel):
    url: str = Field(min_length=1, max_length=targets.MAX_URL, description="http(s) URL.")
    events: list[EventType] = _EVENTS

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _valid(targets.check_url, value)


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    created_at: datetime
    disabled_at: datetime | None
    disabled_reason: str | None


class CreatedWebhookOut(WebhookOut):
    secret: str = Field(
        description="The signing secret (whsec_...): shown in this answer only, never again."
    )


class NewEmailRecipient(BaseModel):
    address: str = Field(min_length=3, max_length=320)
    events: list[EventType] = _EVENTS

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        return _valid(targets.check_address, value)


class EmailRecipientOut(BaseModel):
    id: int
    address: str
    events: list[str]
    created_at: datetime
    disabled_at: datetime | None


class DeliveryOut(BaseModel):
    id: int
    event_id: str = Field(description="The event's id: the webhook-id header receivers see.")
    event_type: str
    webhook_id: int | None
    email_recipient_id: Id | None
    state: str = Field(description="pending (to be sent or retried), delivered, or dead.")
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


def _after_id(page: PageRequest) -> int:
    """The id the previous page ended on (0 on the first page)."""
    after = page.after(0)
    if not 0 <= after <= targets.MAX_ID:
        raise ApiProblem(400, "the cursor is not one this API gave out")
    return after


def _webhook(hook: Webhook) -> WebhookOut:
    return WebhookOut(
        id=hook.id,
        url=hook.url,
        events=list(hook.events),
        created_at=hook.created_at,
        disabled_at=hook.disabled_at,
        disabled_reason=hook.disabled_reason,
    )


def _recipient(rule: EmailRule) -> EmailRecipientOut:
    return EmailRecipientOut(
        id=rule.id,
        address=rule.address,
        events=list(rule.events),
        created_at=rule.created_at,
        disabled_at=rule.disabled_at,
    )


def _delivery(found: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=found.id,
        event_id=found.outbox_id,
        event_type=found.event_type,
        webhook_id=found.webhook_id,
        email_recipient_id=found.email_id,
        state=found.state,
        attempts=found.attempts,
        next_attempt_at=found.next_attempt_at,
        last_status=found.last_status,
        last_error=found.last_error,
        created_at=found.created_at,
        delivered_at=found.delivered_at,
    )


# ------------------------------------------------------------------ webhooks


@router.post("/webhooks", response_model=CreatedWebhookOut, status_code=status.HTTP_201_CREATED)
def create_webhook(
    request: Request, body: NewWebhook, store: StoreDep, principal: Writer
) -> CreatedWebhookOut:
    """A new webhook; its signing secret is in this answer only."""
    created = targets.create_webhook(
        store,
        principal.tenant_id,
        body.url,
        tuple(body.events),
        principal.actor(remote_addr(request)),
    )
    return CreatedWebhookOut(**_webhook(created.webhook).model_dump(), secret=created.secret)


@router.get("/webhooks", response_model=Page[WebhookOut])
def list_webhooks(store: StoreDep, principal: Reader, page: PageDep) -> dict[str, Any]:
    """The tenant's webhooks by id, disabled ones included (with when and why)."""
    found = targets.webhooks(
        store, principal.tenant_id, after=_after_id(page), limit=page.limit + 1
    )
    return page.page([_webhook(hook) for hook in found], key=lambda hook: hook.id)


@router.get("/webhooks/{webhook_id}", response_model=WebhookOut)
def get_webhook(webhook_id: Id, store: StoreDep, principal: Reader) -> WebhookOut:
    return _webhook(targets.webhook(store, principal.tenant_id, webhook_id))


@router.delete("/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(request: Request, webhook_id: Id, store: StoreDep, principal: Writer) -> None:
    """Stop sending to the webhook: it stays listed as disabled, with its deliveries."""
    targets.delete_webhook(
        store, principal.tenant_id, webhook_id, principal.actor(remote_addr(request))
    )


# ------------------------------------------------------------------ e-mail recipients


@router.post(
    "/email-recipients", response_model=EmailRecipientOut, status_code=status.HTTP_201_CREATED
)
def create_email_recipient(
    request: Request, body: NewEmailRecipient, store: StoreDep, principal: Writer
) -> EmailRecipientOut:
    """A new e-mail recipient of the tenant's notifications."""
    rule = targets.create_email_recipient(
        store,
        principal.tenant_id,
        body.address,
        tuple(body.events),
        principal.actor(remote_addr(request)),
    )
    return _recipient(rule)


@router.get("/email-recipients", response_model=Page[EmailRecipientOut])
def list_email_recipients(store: StoreDep, principal: Reader, page: PageDep) -> dict[str, Any]:
    found = targets.email_recipients(
        store, principal.tenant_id, after=_after_id(page), limit=page.limit + 1
    )
    return page.page([_recipient(rule) for rule in found], key=lambda rule: rule.id)


@router.get("/email-recipients/{recipient_id}", response_model=EmailRecipientOut)
def get_email_recipient(recipient_id: Id, store: StoreDep, principal: Reader) -> EmailRecipientOut:
    return _recipient(targets.email_recipient(store, principal.tenant_id, recipient_id))


@router.delete("/email-recipients/{recipient_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_email_recipient(
    request: Request, recipient_id: Id, store: StoreDep, principal: Writer
) -> None:
    targets.delete_email_recipient(
        store, principal.tenant_id, recipient_id, principal.actor(remote_addr(request))
    )


# ------------------------------------------------------------------ deliveries


@router.get("/deliveries", response_model=Page[DeliveryOut])
def list_deliveries(
    store: StoreDep,
    principal: Reader,
    page: PageDep,
    state: Annotated[DeliveryState | None, Query(description="Only deliveries in this state.")] = (
        None
    ),
    webhook: Annotated[
        int | None, Query(ge=1, le=targets.MAX_ID, description="Only those to this webhook.")
    ] = None,
) -> dict[str, Any]:
    """The tenant's deliveries, newest first: state, attempts, the last answer or error."""
    before = _after_id(page) or None
    found = targets.deliveries(
        store,
        principal.tenant_id,
        before=before,
        limit=page.limit + 1,
        state=state,
        webhook_id=webhook,
    )
    return page.page([_delivery(item) for item in found], key=lambda item: item.id)
