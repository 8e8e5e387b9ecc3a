"""What every use case shares: errors, the acting operator, audit and outbox writes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from clerk_app.domain.status import Role
from clerk_app.i18n import _
from clerk_app.store.db import Database
from clerk_app.store.models import AuditLog, OutboxRecord, Setting

Clock = Callable[[], dt.datetime]


class ServiceError(Exception):
    """A refusal with a message in Chinese that tells the user what to fix."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(ServiceError):
    pass


@dataclass(frozen=True)
class Actor:
    """The operator doing something; a plain value that is safe to pass between threads."""

    id: int
    username: str
    name: str
    role: Role

    @property
    def is_supervisor(self) -> bool:
        return self.role is Role.SUPERVISOR


def require_supervisor(actor: Actor) -> None:
    if not actor.is_supervisor:
        raise PermissionDenied(_("此操作需要负责人权限，请由负责人登录后操作。"))


def now_local() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class Context:
    """The database plus the injected clock: what every use case needs."""

    def __init__(self, db: Database, clock: Clock = now_local) -> None:
        self.db = db
        self.clock = clock

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any error."""
        session = self.db.session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def today(self) -> dt.date:
        return self.clock().date()


def audit(
    session: Session,
    at: dt.datetime,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: object = "",
    **detail: Any,
) -> None:
    session.add(
        AuditLog(
            at=at,
            operator_id=actor.id if actor else None,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            detail=detail,
        )
    )


def enqueue(
    session: Session, at: dt.datetime, entity: str, key: str, op: str, payload: dict[str, Any]
) -> None:
    """Queue a change for the county, in the caller's transaction."""
    session.add(
        OutboxRecord(
            record_id=str(uuid.uuid4()),
            created_at=at,
            entity=entity,
            entity_key=key,
            op=op,
            payload=payload,
        )
    )


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else default


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
