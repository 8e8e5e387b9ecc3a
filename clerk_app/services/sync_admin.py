"""Use cases of sync that the UI and the command line call.

Enrol the device, change the sync settings, run a sync, see what waits and what the county
refused (and why), fix and resend, resolve conflicts, and move records by USB file.
Everything here is plain Python; the UI runs it off the UI thread.
"""

from __future__ import annotations

import datetime as dt
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clerk_app import settings as SETTINGS
from clerk_app.credentials import Credentials, CredentialsUnavailable
from clerk_app.i18n import _
from clerk_app.services.common import Actor, Context, ServiceError, audit, require_supervisor
from clerk_app.store.models import (
    OutboxRecord,
    ServiceItem,
    ServicePoint,
    SyncCaseState,
    SyncConflict,
)
from clerk_app.sync import apply as A
from clerk_app.sync import protocol as P
from clerk_app.sync import state as ST
from clerk_app.sync import usb
from clerk_app.sync.client import (AuthError, CertificateError, CountyClient, NetworkError, ServerError,
                                   SyncError, base_url_of, tls_verify)
from clerk_app.sync.engine import SyncEngine, SyncReport, is_due

__all__ = [
    "SyncOverview", "RejectedRecord", "CaseSyncInfo", "ConflictView", "SyncReport",
    "make_engine", "overview", "enrol", "save_settings", "settings_values", "sync_now",
    "rejected_records", "resend", "discard", "case_sync_state", "case_sync_states", "conflicts",
    "resolve_conflict", "export_outbox", "import_acks", "is_due", "AuthError", "SyncError",
]

FIXABLE_FIELDS = {
    "item_code": _("事项（实施编码）"),
    "applicant.name": _("申请人姓名"),
    "applicant.id_number": _("证件号码"),
    "applicant.phone": _("联系电话"),
}

REASON_TEXT = {
    "unknown_item": _("县级事项清单中没有这个事项"),
    "not_your_service_point": _("办件不属于本机注册的服务点"),
    "wrong_device_no": _("办件编号中的设备号与本机注册的不符"),
    "applicant_incomplete": _("申请人信息不全"),
    "county_decided": _("县级已作出决定"),
    "record_too_large": _("记录过大"),
    "seq_conflict": _("顺序号冲突"),
    "field_too_long": _("内容超过县级中心允许的长度"),
    "unknown_status": _("办件状态县级中心不认识"),
    "bad_record": _("记录内容有误"),
}


def make_engine(ctx: Context, credentials: Credentials | None = None,
                transport: httpx.BaseTransport | None = None, **kwargs: Any) -> SyncEngine:
    return SyncEngine(ctx, credentials=credentials, transport=transport, **kwargs)


# --- overview ---------------------------------------------------------------------------


@dataclass
class SyncOverview:
    enrolled: bool
    url: str
    service_point_name: str
    device_id: str
    pending: int  # waiting to be sent (including those held behind a refused one)
    rejected: int  # set aside with a reason
    conflicts: int  # open conflicts
    last_success_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    last_error: str
    blocked: str  # "" | auth | version
    next_attempt_at: dt.datetime | None
    tls_verify: bool
    interval_seconds: int

    @property
    def tls_warning(self) -> str:
        if self.tls_verify:
            return ""
        return _("已关闭 TLS 证书校验：数据可能被冒充的服务器截获，仅限测试使用。")


def _counts(s) -> dict[str, int]:  # noqa: ANN001
    rows = s.execute(select(OutboxRecord.state, func.count()).group_by(OutboxRecord.state)).all()
    return {state: n for state, n in rows}


def overview(ctx: Context) -> SyncOverview:
    with ctx.tx() as s:
        st = ST.read(s)
        counts = _counts(s)
        open_conflicts = s.scalar(select(func.count(SyncConflict.id))
                                  .where(SyncConflict.resolved_at.is_(None))) or 0
        return SyncOverview(
            enrolled=st.enrolled, url=SETTINGS.SYNC_URL.get(s),
            service_point_name=st.service_point_name, device_id=st.device_id,
            pending=counts.get(P.PENDING, 0), rejected=counts.get(P.SET_ASIDE, 0),
            conflicts=open_conflicts, last_success_at=st.last_success_at,
            last_attempt_at=st.last_attempt_at, last_error=st.last_error, blocked=st.blocked,
            next_attempt_at=st.next_attempt_at, tls_verify=SETTINGS.SYNC_TLS_VERIFY.get(s),
            interval_seconds=SETTINGS.SYNC_INTERVAL.get(s))


# --- settings and enrolment -------------------------------------------------------------


def settings_values(ctx: Context) -> dict[str, Any]:
    with ctx.tx() as s:
        return {var.key: var.get(s) for var in SETTINGS.ALL}


def save_settings(ctx: Context, actor: Actor | None, url: str | None = None,
                  interval_seconds: int | None = None, verify: bool | None = None,
                  ca_bundle: str | None = None) -> None:
    """Change sync settings (a supervisor's job). Turning TLS verification off is recorded."""
    if actor is not None:
        require_supervisor(actor)
    if url:
        url = base_url_of(url)
    with ctx.tx() as s:
        SETTINGS.migrate(s)
        changed: dict[str, Any] = {}
        for var, value in ((SETTINGS.SYNC_URL, url), (SETTINGS.SYNC_INTERVAL, interval_seconds),
                           (SETTINGS.SYNC_TLS_VERIFY, verify), (SETTINGS.SYNC_CA_BUNDLE, ca_bundle)):
            if value is None:
                continue
            if isinstance(value, str):
                value = value.strip()
            if var.get(s) != value:
                var.set(s, value)
                changed[var.key] = value
        if changed:
            audit(s, ctx.clock(), actor, "sync_settings_changed", "settings", "sync", **changed)


@dataclass
class EnrolResult:
    device_id: str
    service_point_name: str
    token_expires_at: str


def enrol(ctx: Context, actor: Actor | None, url: str, code: str, *, verify: bool = True,
          ca_bundle: str = "", credentials: Credentials | None = None,
          transport: httpx.BaseTransport | None = None, device_name: str | None = None,
          protocol_version: int = P.PROTOCOL_VERSION) -> EnrolResult:
    """Enrol this device with a one-time code; the token goes to the OS keyring only.

    A supervisor enrols a counter; on an agent's own laptop (set up from a provisioning
    file) the agent is the only operator and enrols it.
    """
    if actor is not None and not actor.is_supervisor:
        from clerk_app.domain.status import Role
        from clerk_app.services import agents

        if not (actor.role is Role.AGENT and agents.is_agent_laptop(ctx)):
            require_supervisor(actor)
    if not code.strip():
        raise ServiceError(_("请输入县级中心给的注册码。"), field="code")
    url = base_url_of(url)
    creds = credentials or Credentials()
    with ctx.tx() as s:
        problem = SETTINGS.SYNC_URL.check(url.strip()) if SETTINGS.SYNC_URL.check else ""
        if problem or not url.strip():
            raise ServiceError(problem or _("请填写县级中心地址。"), field="url")
        sp = s.scalar(select(ServicePoint).limit(1))
        if sp is None:
            raise ServiceError(_("本机还没有设置服务点，请先完成初始设置。"))
        from clerk_app.services.common import get_setting

        device_no = int(get_setting(s, "device_no", "1") or 1)
        old_device = ST.read(s).device_id
        division = sp.division_code
    try:  # before the one-time code is spent: can this machine keep the token at all?
        creds.check()
    except CredentialsUnavailable as exc:
        raise ServiceError(exc.message + _("注册码尚未使用，可在钥匙串可用后再注册。")) from None
    if ca_bundle:
        problem = SETTINGS.SYNC_CA_BUNDLE.check(ca_bundle) if SETTINGS.SYNC_CA_BUNDLE.check else ""
        if problem:
            raise ServiceError(problem, field="ca_bundle")
    try:
        with CountyClient(url.strip(), transport=transport, verify=tls_verify(verify, ca_bundle),
                          protocol_version=protocol_version) as client:
            answer = client.enrol(code.strip(), division, device_no,
                                  device_name if device_name is not None else socket.gethostname())
    except (NetworkError, ServerError) as exc:
        if isinstance(exc, CertificateError):
            raise
        # nothing retries an enrolment by itself: not 稍后自动重试, but what to do
        raise type(exc)(exc.reason + _("请检查网络和县级中心地址后重新执行注册。"), code=exc.code,
                        reason=exc.reason, **exc.extra) from None
    device_id = str(answer["device_id"])
    try:
        creds.set_token(device_id, str(answer["token"]))
    except CredentialsUnavailable as exc:
        raise ServiceError(exc.message + _("本次注册码已用掉，请向县级中心索取新的注册码。")) from None
    if old_device and old_device != device_id:
        creds.delete_token(old_device)
    now = ctx.clock()
    with ctx.tx() as s:
        SETTINGS.migrate(s)
        SETTINGS.SYNC_URL.set(s, url.strip())
        SETTINGS.SYNC_TLS_VERIFY.set(s, verify)
        SETTINGS.SYNC_CA_BUNDLE.set(s, ca_bundle)
        ST.put(s, ST.DEVICE_ID, device_id)
        ST.put(s, ST.DEVICE_NO, device_no)
        ST.put(s, ST.SERVICE_POINT_NAME, answer.get("service_point_name") or "")
        ST.put(s, ST.BLOCKED, "")
        ST.put(s, ST.LAST_ERROR, "")
        ST.put(s, ST.LAST_ERROR_CODE, "")
        ST.put(s, ST.FAILURES, 0)
        ST.put(s, ST.NEXT_ATTEMPT, "")
        audit(s, now, actor, "device_enrolled", "device", device_id, url=url.strip(),
              previous=old_device or None, tls_verify=verify)
    return EnrolResult(device_id, str(answer.get("service_point_name") or ""),
                       str(answer.get("token_expires_at") or ""))


def _token(ctx: Context, creds: Credentials) -> str:
    with ctx.tx() as s:
        device_id = ST.read(s).device_id
    if not device_id:
        raise ServiceError(_("本机还没有在县级中心注册，请在「同步设置」中输入注册码。"))
    try:
        token = creds.get_token(device_id)
    except CredentialsUnavailable as exc:
        raise ServiceError(exc.message) from None
    if not token:
        raise ServiceError(_("系统钥匙串中没有本机的同步凭据，请重新注册本机。"))
    return token


# --- running ----------------------------------------------------------------------------


def sync_now(ctx: Context, credentials: Credentials | None = None,
             transport: httpx.BaseTransport | None = None,
             engine: SyncEngine | None = None) -> SyncReport:
    """One run, now (a manual "sync now" ignores the backoff but not a stopped credential)."""
    engine = engine or make_engine(ctx, credentials, transport)
    return engine.run()


# --- rejected records -------------------------------------------------------------------


@dataclass
class RejectedRecord:
    record_id: str
    case_no: str
    op: str
    created_at: dt.datetime
    reason: str
    reason_code: str
    applicant_name: str
    item_name: str
    item_code: str
    held_behind: int  # later changes of the same case waiting for this one
    fixable: dict[str, str] = field(default_factory=dict)  # field -> current value

    @property
    def reason_title(self) -> str:
        return REASON_TEXT.get(self.reason_code, _("县级中心拒收"))


def rejected_records(ctx: Context) -> list[RejectedRecord]:
    with ctx.tx() as s:
        rows = list(s.scalars(select(OutboxRecord).where(OutboxRecord.state == P.SET_ASIDE)
                              .order_by(OutboxRecord.id)))
        out = []
        for r in rows:
            held = s.scalar(select(func.count(OutboxRecord.id)).where(
                OutboxRecord.entity_key == r.entity_key, OutboxRecord.state == P.PENDING,
                OutboxRecord.id > r.id)) or 0
            p = r.payload or {}
            a = p.get("applicant") or {}
            out.append(RejectedRecord(
                record_id=r.record_id, case_no=r.entity_key, op=r.op, created_at=r.created_at,
                reason=r.reason or "", reason_code=r.reason_code or "",
                applicant_name=str(a.get("name") or ""), item_name=str(p.get("item_name") or ""),
                item_code=str(p.get("item_code") or ""), held_behind=held,
                fixable={"item_code": str(p.get("item_code") or ""),
                         "applicant.name": str(a.get("name") or ""),
                         "applicant.id_number": str(a.get("id_number") or ""),
                         "applicant.phone": str(a.get("phone") or "")}))
        return out


def _apply_fixes(payload: dict[str, Any], fixes: dict[str, str], item: ServiceItem | None) -> dict[str, Any]:
    p = dict(payload)
    p["applicant"] = dict(p.get("applicant") or {})
    for key, value in fixes.items():
        if key == "item_code":
            p["item_code"] = value
            if item is not None:
                p["item_name"] = item.name
                p["item_version"] = item.version_id
        elif key.startswith("applicant."):
            p["applicant"][key.split(".", 1)[1]] = value
    return p


def resend(ctx: Context, actor: Actor | None, record_id: str,
           fixes: dict[str, str] | None = None) -> int:
    """Put a refused record back in the queue, after the clerk's fixes (applied to it and to
    every later unsent change of the same case). Returns how many records were requeued."""
    fixes = {k: v.strip() for k, v in (fixes or {}).items() if v is not None}
    unknown = set(fixes) - set(FIXABLE_FIELDS)
    if unknown:
        raise ServiceError(_("不能修改这些内容：{fields}").format(fields="、".join(sorted(unknown))))
    for key, value in fixes.items():
        if not value:
            raise ServiceError(_("「{field}」不能为空。").format(field=FIXABLE_FIELDS[key]), field=key)
    with ctx.tx() as s:
        rec = _refused_record(s, record_id, _("这条记录不是被拒收的记录，无需重新上传。"))
        item = None
        if "item_code" in fixes:
            item = s.scalar(select(ServiceItem).where(ServiceItem.code == fixes["item_code"],
                                                      ServiceItem.current))
            if item is None:
                raise ServiceError(_("当前事项清单中没有实施编码「{code}」，请从清单中选择。").format(
                    code=fixes["item_code"]), field="item_code")
        rows = list(s.scalars(select(OutboxRecord).where(
            OutboxRecord.entity_key == rec.entity_key, OutboxRecord.id >= rec.id,
            OutboxRecord.state.in_((P.PENDING, P.SET_ASIDE))).order_by(OutboxRecord.id)))
        for r in rows:
            if fixes:
                r.payload = _apply_fixes(r.payload, fixes, item)
            if r.state == P.SET_ASIDE:
                r.state = P.PENDING
                r.reason = None
                r.reason_code = None
        audit(s, ctx.clock(), actor, "sync_record_resent", "case", rec.entity_key,
              record_id=record_id, fixed=sorted(fixes))
        return len(rows)


def _refused_record(s: Session, record_id: str, not_refused: str) -> OutboxRecord:
    """The refused (set-aside) outbox record ``record_id``; ``not_refused`` says why another
    state cannot be acted on."""
    rec = s.scalar(select(OutboxRecord).where(OutboxRecord.record_id == record_id))
    if rec is None:
        raise ServiceError(_("找不到这条记录，可能已经处理过。"))
    if rec.state != P.SET_ASIDE:
        raise ServiceError(not_refused)
    return rec


def discard(ctx: Context, actor: Actor | None, record_id: str) -> int:
    """Give up a refused record (放弃上报): a supervisor's decision, audited.

    The county never receives this change; the case stays on this computer as it is. The
    record stays in the outbox, marked discarded, and no longer counts as refused or waiting.

    The county applies a case's changes in their ``seq`` order and defers a change whose
    predecessor it never got, so a discarded change must not leave a gap: its place is given
    up (its ``seq`` is cleared, kept in ``result``) and every later unsent change of the case
    moves up one place (same record ids: the county never stored any of them, since it stores
    none past a change it lacks). The next change of the case is numbered after them. A
    ``seq_conflict`` record is the exception: the county already holds that place (from
    another record), so nothing is renumbered.

    Returns how many later changes of the case moved up.
    """
    if actor is not None:
        require_supervisor(actor)
    now = ctx.clock()
    with ctx.tx() as s:
        rec = _refused_record(s, record_id, _("这条记录不是被拒收的记录，不能放弃上报。"))
        seq = rec.entity_seq
        release = rec.entity == "case" and seq is not None and rec.reason_code != "seq_conflict"
        rec.state = P.DISCARDED
        rec.result = {"discarded_at": now.isoformat(),
                      "discarded_by": actor.username if actor else None, "seq": seq,
                      "seq_released": release}
        moved = 0
        if release:
            rec.entity_seq = None
            later = list(s.scalars(select(OutboxRecord).where(
                OutboxRecord.entity == rec.entity, OutboxRecord.entity_key == rec.entity_key,
                OutboxRecord.id > rec.id, OutboxRecord.state.in_(A.UNSENT),
                OutboxRecord.entity_seq > seq).order_by(OutboxRecord.id)))
            for r in later:
                r.entity_seq -= 1
            moved = len(later)
        audit(s, now, actor, "sync_record_discarded", rec.entity, rec.entity_key, record_id=record_id,
              reason=REASON_TEXT.get(rec.reason_code or "", rec.reason_code or ""), renumbered=moved)
        s.flush()
        A.resolve_held(s, now, [rec.entity_key])  # held county data may apply now
        return moved


# --- per-case state ---------------------------------------------------------------------


@dataclass
class CaseSyncInfo:
    state: str  # none | waiting | sent | rejected
    reason: str = ""
    county_status: str | None = None
    official_no: str | None = None
    result_text: str | None = None

    @property
    def label(self) -> str:
        return {"none": _("无需上传"), "waiting": _("待上传"), "sent": _("已上传"),
                "rejected": _("被拒收")}[self.state]


def case_sync_states(ctx: Context, case_nos: list[str]) -> dict[str, CaseSyncInfo]:
    out: dict[str, CaseSyncInfo] = {no: CaseSyncInfo("none") for no in case_nos}
    with ctx.tx() as s:
        for chunk in A._chunks(sorted(set(case_nos))):
            rows = s.execute(select(OutboxRecord.entity_key, OutboxRecord.state, OutboxRecord.reason)
                             .where(OutboxRecord.entity_key.in_(chunk))
                             .order_by(OutboxRecord.id)).all()
            for key, state, reason in rows:
                info = out[key]
                if state == P.SET_ASIDE:
                    info.state, info.reason = "rejected", reason or ""
                elif state == P.PENDING and info.state != "rejected":
                    info.state = "waiting"
                elif state == P.SENT and info.state == "none":
                    info.state = "sent"
            for st in s.scalars(select(SyncCaseState).where(SyncCaseState.case_no.in_(chunk))):
                info = out[st.case_no]
                info.county_status = st.county_status
                info.official_no = st.official_no
                info.result_text = st.result_text
    return out


def case_sync_state(ctx: Context, case_no: str) -> CaseSyncInfo:
    return case_sync_states(ctx, [case_no])[case_no]


# --- conflicts --------------------------------------------------------------------------


@dataclass
class ConflictView:
    id: int
    kind: str
    key: str
    detected_at: dt.datetime
    county: dict[str, Any]
    local: dict[str, Any]
    resolved_at: dt.datetime | None
    resolution: str | None
    note: str

    @property
    def summary(self) -> str:
        if self.kind == P.KIND_CASE:
            return _("县级结果：{status}{no}；本机尚有未被接收的改动：{ops}").format(
                status=self.county.get("status"),
                no=("（" + str(self.county.get("official_no")) + "）") if self.county.get("official_no") else "",
                ops="、".join(self.local.get("unsent_ops") or []) or "-")
        return _("{day}：县级定为{county}，本机定为{local}").format(
            day=self.key, county=_("工作日") if self.county.get("is_workday") else _("休息日"),
            local=_("工作日") if self.local.get("is_workday") else _("休息日"))


def conflicts(ctx: Context, include_resolved: bool = False) -> list[ConflictView]:
    with ctx.tx() as s:
        q = select(SyncConflict).order_by(SyncConflict.id)
        if not include_resolved:
            q = q.where(SyncConflict.resolved_at.is_(None))
        return [ConflictView(c.id, c.kind, c.key, c.detected_at, dict(c.county_data),
                             dict(c.local_data or {}), c.resolved_at, c.resolution, c.note)
                for c in s.scalars(q)]


def resolve_conflict(ctx: Context, actor: Actor | None, conflict_id: int, take: str) -> None:
    """``take``: "county" (apply the county's data; for a case this discards the local
    changes the county refused) or "local" (keep the device's; calendar days only)."""
    if take not in ("county", "local"):
        raise ValueError(take)
    now = ctx.clock()
    with ctx.tx() as s:
        c = s.get(SyncConflict, conflict_id)
        if c is None or c.resolved_at is not None:
            raise ServiceError(_("这个冲突已经处理过了。"))
        if take == "local":
            if c.kind == P.KIND_CASE:
                raise ServiceError(_("办件报送后以县级决定为准，只能采用县级结果。"))
            if actor is not None:
                require_supervisor(actor)
            A.keep_local(s, now, c)
        else:
            if c.kind == P.KIND_CALENDAR and actor is not None:
                require_supervisor(actor)
            A.take_county(s, now, c, actor.id if actor else None)
        c.note = _("由 {who} 处理").format(who=actor.name if actor else _("管理命令"))
        audit(s, now, actor, "sync_conflict_resolved", c.kind, c.key, take=take)


# --- USB --------------------------------------------------------------------------------


def export_outbox(ctx: Context, actor: Actor | None, path: Path,
                  credentials: Credentials | None = None) -> int:
    token = _token(ctx, credentials or Credentials())
    n = usb.export_outbox(ctx, token, Path(path))
    with ctx.tx() as s:
        audit(s, ctx.clock(), actor, "outbox_exported", "outbox", str(path), records=n)
    return n


def import_acks(ctx: Context, actor: Actor | None, path: Path,
                credentials: Credentials | None = None) -> SyncReport:
    token = _token(ctx, credentials or Credentials())
    report = usb.import_acks(ctx, token, Path(path))
    with ctx.tx() as s:
        audit(s, ctx.clock(), actor, "acks_imported", "outbox", str(path),
              applied=report.pushed, rejected=report.rejected, pulled=report.pulled)
        if report.pushed or report.pulled:
            ST.put(s, ST.LAST_SUCCESS, ctx.clock())
    return report


def reset_auth_block(ctx: Context) -> None:
    """After the keyring or county problem is fixed without a new enrolment."""
    with ctx.tx() as s:
        ST.put(s, ST.BLOCKED, "")

