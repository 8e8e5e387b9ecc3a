"""Reading the audit log: every change, with operator and time, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from clerk_app.i18n import _
from clerk_app.services.common import Context
from clerk_app.store.models import AuditLog, Operator


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    operator: str  # "姓名（用户名）", or 系统 for the command line and start-up
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]


def recent(ctx: Context, before_id: int | None, limit: int) -> list[AuditRow]:
    """A page of the audit log, newest first: rows with id < ``before_id`` (all when None)."""
    with ctx.tx() as s:
        q = (select(AuditLog, Operator.display_name, Operator.username)
             .outerjoin(Operator, Operator.id == AuditLog.operator_id)
             .order_by(AuditLog.id.desc()).limit(limit))
        if before_id is not None:
            q = q.where(AuditLog.id < before_id)
        out = []
        for log, name, username in s.execute(q).all():
            who = _("{name}（{username}）").format(name=name, username=username) if name else _("系统")
            out.append(AuditRow(log.id, log.at, who, log.action, log.entity, log.entity_id,
                                dict(log.detail or {})))
        return out
