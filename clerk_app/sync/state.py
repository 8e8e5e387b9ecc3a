"""The sync engine's own bookkeeping, kept in the ``settings`` table (never a secret)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from clerk_app.services.common import get_setting
from clerk_app.store.models import Setting

DEVICE_ID = "sync.device_id"
DEVICE_NO = "sync.enrolled_device_no"
SERVICE_POINT_NAME = "sync.service_point_name"
CURSOR = "sync.cursor"
CATALOG_VERSION = "sync.catalog_version"
LAST_SUCCESS = "sync.last_success_at"
LAST_ATTEMPT = "sync.last_attempt_at"
LAST_ERROR = "sync.last_error"
LAST_ERROR_CODE = "sync.last_error_code"
FAILURES = "sync.failures"
NEXT_ATTEMPT = "sync.next_attempt_at"
BLOCKED = "sync.blocked"  # "" | auth | version


def _dt(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


@dataclass
class SyncState:
    device_id: str
    service_point_name: str
    cursor: int
    last_success_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    last_error: str
    last_error_code: str
    failures: int
    next_attempt_at: dt.datetime | None
    blocked: str

    @property
    def enrolled(self) -> bool:
        return bool(self.device_id)


def read(s: Session) -> SyncState:
    blocked = get_setting(s, BLOCKED, "") or ""
    code = get_setting(s, LAST_ERROR_CODE, "") or ""
    if blocked == "auth" and code == "keyring_unavailable":
        # earlier versions stopped sync for good when the keyring was locked; it is transient
        blocked = ""
    return SyncState(
        device_id=get_setting(s, DEVICE_ID, "") or "",
        service_point_name=get_setting(s, SERVICE_POINT_NAME, "") or "",
        cursor=int(get_setting(s, CURSOR, "0") or 0),
        last_success_at=_dt(get_setting(s, LAST_SUCCESS)),
        last_attempt_at=_dt(get_setting(s, LAST_ATTEMPT)),
        last_error=get_setting(s, LAST_ERROR, "") or "",
        last_error_code=code,
        failures=int(get_setting(s, FAILURES, "0") or 0),
        next_attempt_at=_dt(get_setting(s, NEXT_ATTEMPT)),
        blocked=blocked,
    )


def put(s: Session, key: str, value: object) -> None:
    """Write one value; an upsert, as two sync runs (two processes) may write at once."""
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    text = "" if value is None else str(value)
    stmt = sqlite_insert(Setting).values(key=key, value=text)
    s.execute(stmt.on_conflict_do_update(index_elements=[Setting.key], set_={"value": text}))
    row = s.identity_map.get(s.identity_key(Setting, key)) if hasattr(s, "identity_map") else None
    if row is not None:
        s.expire(row)
