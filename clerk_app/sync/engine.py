"""One sync run: check versions, push the outbox oldest first in batches, pull after the cursor.

Crash safety: a record is marked only after the county's answer arrives, in one transaction
per batch; pulled entries and the cursor are written in one transaction per page. A run
killed anywhere leaves records pending (resent later, answered "duplicate") and the cursor at
the last applied page (re-pulled entries are recognised by their versions).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clerk_app import settings as SETTINGS
from clerk_app.credentials import Credentials, CredentialsUnavailable
from clerk_app.domain.status import CaseStatus
from clerk_app.i18n import _
from clerk_app.services.common import Context
from clerk_app.store.models import Case, CaseEvent, OutboxRecord
from clerk_app.sync import apply as A
from clerk_app.sync import protocol as P
from clerk_app.sync import state as ST
from clerk_app.sync.client import (
    AuthError,
    CountyClient,
    KeyringUnavailable,
    NotEnrolled,
    SyncError,
    TooLarge,
    VersionError,
    tls_verify,
)

log = logging.getLogger(__name__)

BACKOFF_BASE = 10.0  # seconds
BACKOFF_CAP = 15 * 60.0
VERSION_RETRY = dt.timedelta(hours=6)
MAX_PULL_PAGES = 10_000


def backoff_delay(failures: int, rng: random.Random, base: float = BACKOFF_BASE,
                  cap: float = BACKOFF_CAP) -> float:
    """Exponential backoff with full jitter (never less than a second)."""
    ceiling = min(cap, base * (2 ** max(0, failures - 1)))
    return max(1.0, rng.uniform(0, ceiling))


@dataclass
class SyncReport:
    applied: int = 0
    duplicates: int = 0
    rejected: int = 0
    deferred: int = 0
    pulled: int = 0
    held: int = 0
    resolved: int = 0
    error: str = ""
    error_code: str = ""
    skipped: bool = False  # another run was in progress in this process
    stale: int = 0  # USB answers to an earlier attempt of a record (it changed since): ignored
    batches: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def pushed(self) -> int:
        return self.applied + self.duplicates

    @property
    def ok(self) -> bool:
        return not self.error and not self.skipped


def record_json(row: Any) -> dict[str, Any]:
    return {"record_id": row.record_id, "entity": row.entity, "key": row.entity_key,
            "seq": row.entity_seq, "op": row.op, "created_at": row.created_at.isoformat(),
            "payload": row.payload}


def sendable(s: Session, after_id: int, limit: int) -> list[Any]:
    """Pending records after ``after_id``, oldest first, skipping those held behind a
    record of the same case that the county refused (they must wait for it)."""
    held = select(OutboxRecord.entity_key).where(OutboxRecord.state == P.SET_ASIDE)
    return list(s.execute(
        select(OutboxRecord.id, OutboxRecord.record_id, OutboxRecord.entity,
               OutboxRecord.entity_key, OutboxRecord.entity_seq, OutboxRecord.op,
               OutboxRecord.created_at, OutboxRecord.payload, OutboxRecord.attempts)
        .where(OutboxRecord.state == P.PENDING, OutboxRecord.id > after_id,
               OutboxRecord.entity_key.not_in(held))
        .order_by(OutboxRecord.id).limit(limit)
    ).all())


def record_answers(s: Session, now: dt.datetime, rows: list[Any], results: list[dict[str, Any]],
                   report: SyncReport) -> list[str]:
    """Write the county's answers for one batch; returns the case numbers acknowledged."""
    by_id = {r.record_id: r for r in rows}
    current = {rid: st for rid, st in s.execute(
        select(OutboxRecord.record_id, OutboxRecord.state)
        .where(OutboxRecord.record_id.in_(list(by_id))))}
    updates: list[dict[str, Any]] = []
    submitted: list[str] = []
    acked: list[str] = []
    for res in results:
        rid = str(res.get("record_id") or "")
        row = by_id.get(rid)
        if row is None or current.get(rid) in (P.SENT, P.DISCARDED):
            continue  # not ours, or already settled by another run or a USB acknowledgement
        status = res.get("status")
        base = {"id": row.id, "last_attempt_at": now}
        if status in (P.APPLIED, P.DUPLICATE):
            report.applied += status == P.APPLIED
            report.duplicates += status == P.DUPLICATE
            updates.append(base | {"state": P.SENT, "sent_at": now, "reason": None,
                                   "reason_code": None, "result": res.get("result") or {}})
            acked.append(row.entity_key)
            if row.op == "accept":
                submitted.append(row.entity_key)
        elif status == P.REJECTED:
            report.rejected += 1
            updates.append(base | {"state": P.SET_ASIDE, "reason_code": str(res.get("code") or "")[:40],
                                   "reason": str(res.get("message") or _("县级中心未说明原因")),
                                   "result": None})
        else:  # deferred or unknown: stays waiting, sent again later
            report.deferred += 1
            updates.append(base | {"reason_code": str(res.get("code") or "deferred")[:40],
                                   "reason": str(res.get("message") or "")})
    if updates:
        s.execute(update(OutboxRecord), updates)
        ids = [u["id"] for u in updates]
        for chunk in A._chunks(ids):
            s.execute(update(OutboxRecord).where(OutboxRecord.id.in_(chunk))
                      .values(attempts=OutboxRecord.attempts + 1))
    if submitted:
        _mark_submitted(s, now, submitted)
    return acked


def _mark_submitted(s: Session, now: dt.datetime, case_nos: list[str]) -> None:
    """An accepted case the county now holds is 'submitted' (已报送)."""
    for chunk in A._chunks(sorted(set(case_nos))):
        rows = s.execute(select(Case.id).where(Case.case_no.in_(chunk),
                                               Case.status == CaseStatus.ACCEPTED.value)).all()
        if not rows:
            continue
        ids = [r.id for r in rows]
        s.execute(update(Case).where(Case.id.in_(ids))
                  .values(status=CaseStatus.SUBMITTED.value, updated_at=now))
        s.add_all([CaseEvent(case_id=i, at=now, operator_id=None, action="submitted",
                             from_status=CaseStatus.ACCEPTED.value,
                             to_status=CaseStatus.SUBMITTED.value, detail={"by": "sync"})
                   for i in ids])


class SyncEngine:
    """Runs sync for one device database. Thread-safe: one run at a time per engine."""

    def __init__(self, ctx: Context, credentials: Credentials | None = None,
                 transport: httpx.BaseTransport | None = None,
                 rng: random.Random | None = None,
                 crash_hook: Callable[[str], None] | None = None,
                 protocol_version: int = P.PROTOCOL_VERSION,
                 timeout: float = 30.0, pull_limit: int = P.PULL_LIMIT) -> None:
        self.ctx = ctx
        self.credentials = credentials or Credentials()
        self.transport = transport
        self.rng = rng or random.Random()
        self.crash_hook = crash_hook or (lambda _point: None)
        self.protocol_version = protocol_version
        self.timeout = timeout
        self.pull_limit = pull_limit
        self._lock = threading.Lock()

    # --- connection -------------------------------------------------------------------

    def client(self, token: str | None = None, url: str | None = None) -> CountyClient:
        with self.ctx.tx() as s:
            url = url or SETTINGS.SYNC_URL.get(s)
            verify = tls_verify(SETTINGS.SYNC_TLS_VERIFY.get(s), SETTINGS.SYNC_CA_BUNDLE.get(s))
        if not url:
            raise NotEnrolled(_("还没有设置县级中心地址，请在「同步设置」中填写并注册本机。"),
                              code="not_configured")
        return CountyClient(url, token=token, transport=self.transport, verify=verify,
                            timeout=self.timeout, protocol_version=self.protocol_version)

    def _token(self, device_id: str) -> str:
        try:
            token = self.credentials.get_token(device_id)
        except CredentialsUnavailable:
            # a keyring locked at login or not started yet: the token is still in it, so
            # this is retried like a network failure, never a reason to re-enrol
            raise KeyringUnavailable(_("系统密钥环暂不可用（可能尚未解锁），稍后自动重试。"),
                                     code="keyring_unavailable") from None
        if not token:
            raise AuthError(_("系统钥匙串中没有本机的同步凭据（可能换过系统账户或重装过系统），同步已停止。"
                              "请向县级中心索取新的注册码，在「同步设置」中重新注册本机。"),
                            code="token_missing")
        return token

    # --- a run -----------------------------------------------------------------------

    def run(self, push: bool = True, pull: bool = True) -> SyncReport:
        report = SyncReport()
        if not self._lock.acquire(blocking=False):
            report.skipped = True
            return report
        try:
            self._run(report, push, pull)
        finally:
            self._lock.release()
        return report

    def _run(self, report: SyncReport, push: bool, pull: bool) -> None:
        now = self.ctx.clock()
        with self.ctx.tx() as s:
            state = ST.read(s)
            ST.put(s, ST.LAST_ATTEMPT, now)
        client = None
        try:
            if not state.enrolled:
                raise NotEnrolled(_("本机还没有在县级中心注册，请在「同步设置」中输入注册码。"),
                                  code="not_enrolled")
            if state.blocked == "auth":
                raise AuthError(state.last_error or _("同步凭据无效，请重新注册本机。"),
                                code=state.last_error_code or "token_invalid")
            client = self.client(self._token(state.device_id))
            limits = self._check_version(client)
            if push:
                self._push(client, limits, report)
            if pull:
                self._pull(client, report)
        except SyncError as exc:
            report.error = exc.message
            report.error_code = exc.code
            self._record_failure(exc)
            return
        except BaseException as exc:
            report.error = _("同步出错：{error}").format(error=type(exc).__name__)
            report.error_code = "internal"
            self._record_failure(SyncError(report.error, code="internal"))
            raise
        finally:
            if client is not None:
                client.close()
        self._record_success()

    def _check_version(self, client: CountyClient) -> dict[str, Any]:
        info = client.info()
        lo = int(info.get("min_protocol") or 0)
        hi = int(info.get("max_protocol") or 0)
        if not lo <= self.protocol_version <= hi:
            from clerk_app.sync.client import _version_message

            raise VersionError(_version_message(self.protocol_version, {
                "min_protocol": lo, "max_protocol": hi,
                "client_is": "new" if self.protocol_version > hi else "old"}), code="protocol_version")
        return info

    # --- push ------------------------------------------------------------------------

    def _push(self, client: CountyClient, limits: dict[str, Any], report: SyncReport) -> None:
        with self.ctx.tx() as s:
            size = SETTINGS.SYNC_BATCH_SIZE.get(s)
        max_records = max(1, min(size, int(limits.get("max_batch_records") or P.MAX_BATCH_RECORDS),
                                 P.MAX_BATCH_RECORDS))
        max_record_bytes = min(int(limits.get("max_record_bytes") or P.MAX_RECORD_BYTES), P.MAX_RECORD_BYTES)
        budget = int(min(int(limits.get("max_body_bytes") or P.MAX_BODY_BYTES), P.MAX_BODY_BYTES) * 0.9)
        after = 0
        while True:
            with self.ctx.tx() as s:
                rows = sendable(s, after, max_records)
            if not rows:
                break
            batch, records, oversize, used = [], [], [], 0
            for row in rows:
                rec = record_json(row)
                n = len(json.dumps(rec, ensure_ascii=False).encode("utf-8"))
                if n > max_record_bytes or n > budget:
                    oversize.append((row, n))
                    continue
                if batch and used + n > budget:
                    break
                batch.append(row)
                records.append(rec)
                used += n
            last = max([r.id for r in batch] + [r.id for r, _n in oversize])
            if oversize:
                self._set_aside_oversize(oversize, max_record_bytes, report)
            if not batch:
                after = last
                continue
            try:
                results = client.push(records, batch_id=str(uuid.uuid4()))
            except TooLarge:
                if len(batch) == 1:
                    self._set_aside_oversize([(batch[0], used)], max_record_bytes, report)
                    after = last
                else:
                    budget = max(1024, used // 2)
                    max_records = max(1, len(batch) // 2)
                continue
            report.batches += 1
            self.crash_hook("push:answered")
            now = self.ctx.clock()
            with self.ctx.tx() as s:
                acked = record_answers(s, now, batch, results, report)
                report.resolved += A.resolve_held(s, now, acked)
            self.crash_hook("push:recorded")
            after = last

    def _set_aside_oversize(self, rows: list[tuple[Any, int]], limit: int, report: SyncReport) -> None:
        now = self.ctx.clock()
        with self.ctx.tx() as s:
            for row, n in rows:
                report.rejected += 1
                s.execute(update(OutboxRecord).where(OutboxRecord.id == row.id).values(
                    state=P.SET_ASIDE, reason_code="record_too_large", last_attempt_at=now,
                    reason=_("这条记录有 {n} 字节，超过单条上限 {limit} 字节，无法上传。请联系技术支持。")
                    .format(n=n, limit=limit)))

    # --- pull ------------------------------------------------------------------------

    def _pull(self, client: CountyClient, report: SyncReport) -> None:
        with self.ctx.tx() as s:
            cursor = ST.read(s).cursor
        for _page in range(MAX_PULL_PAGES):
            answer = client.pull(cursor, self.pull_limit)
            self.crash_hook("pull:answered")
            entries = answer["entries"]
            now = self.ctx.clock()
            with self.ctx.tx() as s:
                stats = A.apply_entries(s, now, entries)
                new_cursor = max(cursor, int(answer["cursor"]))
                ST.put(s, ST.CURSOR, new_cursor)
            self.crash_hook("pull:applied")
            report.pulled += len(entries)
            report.held += stats["held"]
            cursor = new_cursor
            if not answer.get("more"):
                break

    # --- bookkeeping -----------------------------------------------------------------

    def _record_success(self) -> None:
        now = self.ctx.clock()
        with self.ctx.tx() as s:
            interval = SETTINGS.SYNC_INTERVAL.get(s)
            ST.put(s, ST.LAST_SUCCESS, now)
            ST.put(s, ST.LAST_ERROR, "")
            ST.put(s, ST.LAST_ERROR_CODE, "")
            ST.put(s, ST.FAILURES, 0)
            ST.put(s, ST.BLOCKED, "")
            ST.put(s, ST.NEXT_ATTEMPT, now + dt.timedelta(seconds=interval))

    def _record_failure(self, exc: SyncError) -> None:
        now = self.ctx.clock()
        with self.ctx.tx() as s:
            failures = ST.read(s).failures + 1
            ST.put(s, ST.LAST_ERROR, exc.message)
            ST.put(s, ST.LAST_ERROR_CODE, exc.code)
            ST.put(s, ST.FAILURES, failures)
            if isinstance(exc, AuthError):
                ST.put(s, ST.BLOCKED, "auth")
                ST.put(s, ST.NEXT_ATTEMPT, "")
            elif isinstance(exc, VersionError):
                ST.put(s, ST.BLOCKED, "version")
                ST.put(s, ST.NEXT_ATTEMPT, now + VERSION_RETRY)
            elif isinstance(exc, NotEnrolled):
                ST.put(s, ST.NEXT_ATTEMPT, "")
            else:
                delay = backoff_delay(failures, self.rng)
                ST.put(s, ST.NEXT_ATTEMPT, now + dt.timedelta(seconds=delay))
        log.info("sync failed (%s); consecutive failures: %s", exc.code, failures)


def is_due(state: ST.SyncState, now: dt.datetime) -> bool:
    """Whether the timer should start a run now (a manual "sync now" does not ask)."""
    if not state.enrolled or state.blocked == "auth":
        return False
    return state.next_attempt_at is None or state.next_attempt_at <= now
