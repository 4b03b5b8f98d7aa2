"""E-mail deliveries over SMTP (the standard library's client).

The server comes from the environment: ``OSSMETA_SMTP_HOST`` (no e-mail without it),
``OSSMETA_SMTP_PORT`` (25), ``OSSMETA_SMTP_FROM``, ``OSSMETA_SMTP_STARTTLS`` (``1`` to
upgrade the connection) and ``OSSMETA_SMTP_USER`` / ``OSSMETA_SMTP_PASSWORD`` to log in.
Each message carries the event's id in its ``Message-ID``, so a message sent twice (at
least once) is recognisable as one.
"""

from __future__ import annotations

import json
import os
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage

from ossmeta.errors import UsageError
from ossmeta.service.notify import Attempt
from ossmeta.store.outbox import OutboxEvent

__all__ = ["SmtpSettings", "email_message", "send_email"]

_DEFAULT_SENDER = "ossmeta@localhost"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = _DEFAULT_SENDER
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout_s: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
        env = os.environ if environ is None else environ
        host = env.get("OSSMETA_SMTP_HOST", "").strip()
        if not host:
            return None
        raw_port = env.get("OSSMETA_SMTP_PORT", "25").strip() or "25"
        try:
            port = int(raw_port)
        except ValueError:
            raise UsageError(f"OSSMETA_SMTP_PORT must be a port number, not {raw_port!r}") from None
        if not 0 < port < 65536:
            raise UsageError(f"OSSMETA_SMTP_PORT must be a port number, not {raw_port!r}")
        return cls(
            host=host,
            port=port,
            sender=env.get("OSSMETA_SMTP_FROM", "").strip() or _DEFAULT_SENDER,
            starttls=env.get("OSSMETA_SMTP_STARTTLS", "") == "1",
            username=env.get("OSSMETA_SMTP_USER") or None,
            password=env.get("OSSMETA_SMTP_PASSWORD") or None,
        )


def _subject(event: OutboxEvent) -> str:
    data = event.data
    what = " ".join(str(data[key]) for key in ("purl", "id") if data.get(key))
    where = "/".join(str(data[key]) for key in ("project", "version") if data.get(key))
    parts = [f"[ossmeta] {event.event_type}", what, f"in {where}" if where else ""]
    return " ".join(part for part in parts if part)


def email_message(event: OutboxEvent, sender: str, address: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = address
    message["Subject"] = _subject(event)
    message["Message-ID"] = f"<{event.id}@ossmeta>"
    message["X-Ossmeta-Event"] = event.event_type
    lines = [f"{key}: {value}" for key, value in sorted(event.data.items())]
    details = json.dumps(event.data, indent=2, sort_keys=True, ensure_ascii=False)
    message.set_content("\n".join([*lines, "", details, ""]))
    return message


def send_email(settings: SmtpSettings | None, event: OutboxEvent, address: str) -> Attempt:
    """One attempt to mail ``event`` to ``address``; a permanent refusal (5xx) is ``gone``."""
    if settings is None:
        return Attempt(False, None, "no SMTP server configured (OSSMETA_SMTP_HOST)")
    message = email_message(event, settings.sender, address)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.username and settings.password:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        permanent = all(code >= 500 for code in codes)
        return Attempt(False, codes[0] if codes else None, "recipient refused", gone=permanent)
    except smtplib.SMTPResponseException as error:
        return Attempt(
            False, error.smtp_code, f"SMTP {error.smtp_code}", gone=error.smtp_code >= 500
        )
    except (smtplib.SMTPException, OSError) as error:
        return Attempt(False, None, f"{type(error).__name__}: {error}".strip())
    return Attempt(True, 250, "")
