"""What the county center does, as plain functions over a database: the API and the admin
command line both call these.

Push guarantees (see docs/sync.md):

* each record is applied at most once: its client-made id is the primary key of
  ``cc_case_changes``; a resend is answered "duplicate" with the stored result;
* changes to one case are applied in the device's order: each record carries the case's
  sequence number, and a record whose predecessor is missing is answered "deferred";
* a record is judged on its own: a rejected one never stops the rest of the batch; values
  the county's columns cannot hold are rejected by the checks, and should the database still
  refuse one (PostgreSQL enforces lengths, refuses NUL characters), the batch is redone with a
  savepoint per record and only that record is rejected;
* a device writes only cases of its own service point, numbered with its own device number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from clerk_app.domain.case_numbers import parse_case_no
from county_center import agents as agent_records
from county_center import protocol as P
from county_center.db import CountyDB, is_postgres, lock_feed
from county_center.models import (
    CalendarDay,
    CalendarYear,
    Case,
    CaseChange,
    CatalogItem,
    CatalogVersion,
    Device,
    EnrolmentCode,
    FeedEntry,
    Meta,
    Operator,
    Rejection,
    ServicePoint,
)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
DEFAULT_CODE_HOURS = 72
DEFAULT_TOKEN_DAYS = 365
RECORD_ID_RE = re.compile(r"^[0-9A-Za-z-]{8,36}$")


class CountyError(Exception):
    """A refusal the caller can act on: a machine code, a Chinese message, an HTTP status."""

    def __init__(self, code: str, message: str, http_status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.extra}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


# --- service points, codes, devices -----------------------------------------------------


def division_name(code: str) -> str:
    try:
        from clerk_app.domain import divisions

        return divisions.full_name(code) or code
    except Exception:  # the division table is a convenience, never a requirement
        return code


def add_service_point(s: Session, division_code: str, name: str | None = None) -> ServicePoint:
    code = division_code.strip()
    if len(code) == 9 and code.isdigit():
        code += "000"
    if not (len(code) == 12 and code.isdigit()):
        raise CountyError("bad_division", f"区划代码应为 12 位数字，现为「{division_code}」。")
    sp = s.scalar(select(ServicePoint).where(ServicePoint.division_code == code))
    if sp is None:
        sp = ServicePoint(division_code=code, name=name or division_name(code), created_at=utcnow())
        s.add(sp)
        s.flush()
    elif name:
        sp.name = name
    return sp


def service_point(s: Session, division_code: str) -> ServicePoint:
    sp = s.scalar(select(ServicePoint).where(ServicePoint.division_code == division_code.strip()))
    if sp is None:
        raise CountyError("unknown_service_point",
                          f"县级中心没有服务点 {division_code}，请先用 add-service-point 登记。", 404)
    return sp


def issue_code(s: Session, division_code: str, device_no: int | None = None,
               hours: int = DEFAULT_CODE_HOURS, now: dt.datetime | None = None) -> str:
    """A one-time enrolment code for one device of the service point; shown once."""
    sp = service_point(s, division_code)
    if device_no is not None and not 1 <= device_no <= 99:
        raise CountyError("bad_device_no", "设备号应在 1 到 99 之间。")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    now = now or utcnow()
    s.add(EnrolmentCode(code_hash=sha256(raw), service_point_id=sp.id, device_no=device_no,
                        created_at=now, expires_at=now + dt.timedelta(hours=hours)))
    s.flush()
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@dataclass
class Enrolment:
    device_id: str
    token: str
    token_expires_at: dt.datetime
    division_code: str
    service_point_name: str
    device_no: int


def enrol(s: Session, code: str, division_code: str, device_no: int, device_name: str = "",
          protocol_version: int | None = None, token_days: int = DEFAULT_TOKEN_DAYS,
          now: dt.datetime | None = None) -> Enrolment:
    now = now or utcnow()
    row = s.scalar(select(EnrolmentCode).where(EnrolmentCode.code_hash == sha256(normalize_code(code)))
                   .with_for_update())
    if row is None:
        raise CountyError("code_invalid", "注册码不正确，请核对后重新输入（字母不区分大小写）。", 403)
    if row.used_at is not None:
        raise CountyError("code_used", "该注册码已经用过；每个注册码只能注册一台电脑，请向县级中心索取新的注册码。", 403)
    if row.expires_at < now:
        raise CountyError("code_expired", "该注册码已过期，请向县级中心索取新的注册码。", 403)
    sp = s.get(ServicePoint, row.service_point_id)
    assert sp is not None
    if division_code != sp.division_code:
        raise CountyError(
            "code_wrong_point",
            f"该注册码是为「{sp.name}」（{sp.division_code}）签发的，本机设置的服务点是 {division_code}。"
            "请核对本机的服务点设置，或索取本服务点的注册码。", 403)
    if row.device_no is not None and row.device_no != device_no:
        raise CountyError(
            "code_wrong_device",
            f"该注册码是为本服务点 {row.device_no} 号电脑签发的，本机是 {device_no} 号。", 403)
    if not 1 <= device_no <= 99:
        raise CountyError("bad_device_no", "设备号应在 1 到 99 之间。")
    holder = s.scalar(select(Device).where(Device.service_point_id == sp.id,
                                           Device.device_no == device_no,
                                           Device.active_slot == 1).with_for_update())
    if holder is not None:
        if holder.revoked_at is None and holder.token_expires_at > now:
            raise CountyError(
                "device_no_taken",
                f"「{sp.name}」的 {device_no} 号电脑已经注册。同一服务点每台电脑的编号必须不同"
                "（办件编号由它区分）；若这是更换的电脑，请县级管理员先注销原设备"
                f"（county-center revoke-device {holder.id}）。", 409, device_id=holder.id)
        holder.active_slot = None  # an expired or revoked device gives its number up
        if holder.revoked_at is None:
            holder.revoked_at = now
        s.flush()
    token = secrets.token_urlsafe(32)
    device = Device(id=str(uuid.uuid4()), service_point_id=sp.id, device_no=device_no,
                    active_slot=1, name=device_name[:100], token_hash=sha256(token),
                    token_expires_at=now + dt.timedelta(days=token_days), enrolled_at=now,
                    protocol_version=protocol_version)
    s.add(device)
    row.used_at = now
    row.device_id = device.id
    s.flush()
    return Enrolment(device.id, token, device.token_expires_at, sp.division_code, sp.name, device_no)


def authenticate(s: Session, token: str | None, now: dt.datetime | None = None) -> Device:
    if not token:
        raise CountyError("token_missing", "请求缺少设备凭据，请先注册本机。", 401)
    device = s.scalar(select(Device).where(Device.token_hash == sha256(token)))
    if device is None:
        raise CountyError("token_invalid", "县级中心不认识本机的凭据，请重新注册本机。", 401)
    return authenticate_device(device, now)


def authenticate_device(device: Device, now: dt.datetime | None = None) -> Device:
    if device.revoked_at is not None:
        raise CountyError("token_revoked", "本机的凭据已被县级中心注销，请索取新的注册码重新注册。", 401)
    if device.token_expires_at < (now or utcnow()):
        raise CountyError("token_expired", "本机的凭据已过期，请索取新的注册码重新注册。", 401)
    return device


def revoke_device(s: Session, device_id: str) -> Device:
    device = s.get(Device, device_id)
    if device is None:
        raise CountyError("unknown_device", f"没有设备 {device_id}。", 404)
    if device.revoked_at is None:
        device.revoked_at = utcnow()
    device.active_slot = None
    return device


def expire_device_token(s: Session, device_id: str) -> None:
    device = s.get(Device, device_id)
    if device is None:
        raise CountyError("unknown_device", f"没有设备 {device_id}。", 404)
    device.token_expires_at = utcnow() - dt.timedelta(seconds=1)


# --- push -------------------------------------------------------------------------------


# what a case record stores in a column of cc_cases: its Chinese name and the column's length
# (PostgreSQL refuses a longer value, so it is checked before anything is written)
CASE_FIELD_LIMITS: dict[str, tuple[str, int]] = {
    column: (label, Case.__table__.c[column].type.length)
    for column, label in (("item_code", "事项编码"), ("item_name", "事项名称"),
                          ("applicant_name", "申请人姓名"))
}
CATALOG_NOTE_MAX = Case.__table__.c["catalog_note"].type.length


def _rejected(rec_id: str, code: str, message: str) -> dict[str, Any]:
    return {"record_id": rec_id, "status": P.REJECTED, "code": code, "message": message}


def _deferred(rec_id: str, message: str) -> dict[str, Any]:
    return {"record_id": rec_id, "status": P.DEFERRED, "code": "predecessor_missing",
            "message": message}


@dataclass
class _Ctx:
    device: Device
    sp: ServicePoint
    now: dt.datetime
    via: str
    catalog: dict[str, CatalogItem]
    catalog_empty: bool


def _check_record(c: _Ctx, rec: dict[str, Any]) -> tuple[dict[str, Any] | None, Any]:
    """(rejection, parsed case number)."""
    rid = rec.get("record_id")
    if not isinstance(rid, str) or not RECORD_ID_RE.match(rid):
        return _rejected(str(rid)[:36], "bad_record", "记录编号缺失或格式不对。"), None
    if rec.get("entity") != "case":
        return _rejected(rid, "unknown_entity", f"县级中心不接收「{rec.get('entity')}」类记录。"), None
    op = rec.get("op")
    if op not in P.CASE_OPS:
        return _rejected(rid, "unknown_op", f"县级中心不认识操作「{op}」。"), None
    seq = rec.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return _rejected(rid, "bad_record", "记录缺少办件内的顺序号。"), None
    payload = rec.get("payload")
    if not isinstance(payload, dict):
        return _rejected(rid, "bad_record", "记录内容缺失。"), None
    size = len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    if size > P.MAX_RECORD_BYTES:
        return _rejected(rid, "record_too_large",
                         f"单条记录 {size} 字节，超过上限 {P.MAX_RECORD_BYTES} 字节。"), None
    key = rec.get("key")
    parsed = parse_case_no(key) if isinstance(key, str) else None
    if parsed is None or parsed.canonical != key or payload.get("case_no") != key:
        return _rejected(rid, "bad_case_no", f"办件编号「{key}」格式不对或与内容不一致。"), None
    if payload.get("service_point") != c.sp.division_code or parsed.local_code != c.sp.division_code[6:]:
        return _rejected(
            rid, "not_your_service_point",
            f"办件 {key} 不属于本机注册的服务点「{c.sp.name}」（{c.sp.division_code}），县级中心不接收。"), None
    if parsed.device != c.device.device_no:
        return _rejected(
            rid, "wrong_device_no",
            f"办件 {key} 的设备号是 {parsed.device:02d}，本机在县级中心注册的是 {c.device.device_no:02d} 号。"), None
    applicant = payload.get("applicant") or {}
    if not isinstance(applicant, dict):
        return _rejected(rid, "bad_record", f"办件 {key} 的申请人信息格式不对。"), None
    if not str(applicant.get("name") or "").strip() or not str(applicant.get("id_number") or "").strip():
        return _rejected(rid, "applicant_incomplete", f"办件 {key} 缺少申请人姓名或证件号码。"), None
    status = payload.get("status")
    if not isinstance(status, str) or not status:
        return _rejected(rid, "bad_record", f"办件 {key} 缺少状态。"), None
    if status not in P.CASE_STATUSES:
        return _rejected(rid, "unknown_status",
                         f"办件 {key} 的状态「{status[:30]}」县级中心不认识。"), None
    values = {"item_code": payload.get("item_code"), "item_name": payload.get("item_name"),
              "applicant_name": applicant.get("name")}
    for column, (label, limit) in CASE_FIELD_LIMITS.items():
        n = len(str(values[column] or ""))
        if n > limit:
            return _rejected(
                rid, "field_too_long",
                f"办件 {key} 的{label}有 {n} 个字符，超过县级中心的上限 {limit} 个字符，"
                "请更正后重新上传。"), None
    item_code = str(payload.get("item_code") or "")
    if not c.catalog_empty and item_code not in c.catalog:
        return _rejected(
            rid, "unknown_item",
            f"事项编码「{item_code}」不在县级事项清单中（从未发布过），请核对并改选正确的事项后重新上传。"), None
    return None, parsed


def _catalog_note(c: _Ctx, code: str, name: str) -> str:
    if c.catalog_empty:
        return ""
    item = c.catalog.get(code)
    if item is None:
        return ""
    if not item.current:
        return "该事项已在县级清单中停用"
    if item.name != name:
        note = f"该事项在县级清单中已更名为「{item.name}」"
        if len(note) > CATALOG_NOTE_MAX:  # a long new name: the note must fit its column
            note = note[:CATALOG_NOTE_MAX - 2] + "…」"
        return note
    return ""


def _apply_one(s: Session, c: _Ctx, rec: dict[str, Any], cases: dict[str, Any],
               applied: dict[str, Any]) -> dict[str, Any]:
    rid = rec.get("record_id")
    if isinstance(rid, str) and rid in applied:
        return _answer_applied(s, c, rid, applied[rid])
    problem, _parsed = _check_record(c, rec)
    if problem is not None:
        return problem
    key: str = rec["key"]
    seq: int = rec["seq"]
    payload: dict[str, Any] = rec["payload"]
    case = cases.get(key)
    if case is None:
        if seq != 1:
            return _deferred(rid, f"办件 {key} 的第 {seq - 1} 条改动还没到，请按顺序上传。")
        # a plain object, written with one multi-row INSERT at the end (see _flush_changes)
        case = _New(id=None, case_no=key, service_point_id=c.sp.id, device_id=c.device.id,
                    item_code="", item_name="", catalog_note="", applicant_name="", status="",
                    snapshot={}, last_seq=0, change_count=0, created_at=c.now,
                    updated_at=c.now, county_version=0, official_no=None, result_text=None,
                    decided_at=None)
        cases[key] = case
    else:
        if case.service_point_id != c.sp.id:
            return _rejected(rid, "not_your_service_point", f"办件 {key} 不属于本机的服务点。")
        if seq <= case.last_seq:
            done = s.scalar(select(CaseChange).where(CaseChange.record_id == rid))
            if done is not None:  # applied by a sender that committed after this batch began
                applied[rid] = done
                return _answer_applied(s, c, rid, done)
            return _rejected(rid, "seq_conflict",
                             f"办件 {key} 的第 {seq} 条改动已由另一条记录上传过，本条不能再用这个顺序号。")
        if seq > case.last_seq + 1:
            return _deferred(rid, f"办件 {key} 的第 {case.last_seq + 1} 条改动还没到，请按顺序上传。")
        if rec["op"] == "withdraw" and case.status in P.COUNTY_STATUSES:
            return _rejected(
                rid, "county_decided",
                f"办件 {key} 已由县级处理为「{county_status_label(case.status)}」，不能再撤回。")
    item_code = str(payload.get("item_code") or "")
    item_name = str(payload.get("item_name") or "")
    case.item_code = item_code
    case.item_name = item_name
    case.catalog_note = _catalog_note(c, item_code, item_name)
    case.applicant_name = str((payload.get("applicant") or {}).get("name") or "")
    case.snapshot = payload
    if case.status not in P.COUNTY_STATUSES:  # after the county decides, its status stands
        case.status = str(payload["status"])
    case.last_seq = seq
    case.change_count = (case.change_count or 0) + 1
    case.updated_at = c.now
    result = {"case_no": key, "seq": seq, "op": rec["op"], "applied_at": c.now.isoformat(),
              "county_status": case.status}
    if case.catalog_note:
        result["catalog_note"] = case.catalog_note
    applied[rid] = _New(record_id=rid, case_obj=case, device_id=c.device.id, seq=seq,
                        op=rec["op"], payload=payload,
                        client_created_at=str(rec.get("created_at") or "")[:32],
                        applied_at=c.now, via=c.via, result=result)
    return {"record_id": rid, "status": P.APPLIED, "result": result}


def _answer_applied(s: Session, c: _Ctx, rid: str, done: Any) -> dict[str, Any]:
    """A record the county holds already: "duplicate" with its first result, unless the id was
    used by a device of another service point."""
    if done.device_id != c.device.id and s.get(Device, done.device_id).service_point_id != c.sp.id:
        return _rejected(rid, "record_id_conflict", "记录编号已被其他服务点使用。")
    return {"record_id": rid, "status": P.DUPLICATE, "result": done.result}


class _New:
    """A case or change not written yet: plain attributes, inserted in bulk with Core
    (the ORM's per-object cost was most of the ingest time)."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


_CASE_COLUMNS = [c.key for c in Case.__table__.columns if c.key != "id"]
_CHANGE_COLUMNS = [c.key for c in CaseChange.__table__.columns if c.key != "case_id"]


def county_status_label(status: str) -> str:
    return {"in_review": "审核中", "completed": "已办结", "not_approved": "不予批准"}.get(status, status)


def _context(s: Session, device: Device, via: str, now: dt.datetime) -> _Ctx:
    sp = s.get(ServicePoint, device.service_point_id)
    assert sp is not None
    catalog_empty = s.scalar(select(CatalogItem.code).limit(1)) is None
    return _Ctx(device, sp, now, via, {}, catalog_empty)


def _load_catalog(s: Session, c: _Ctx, records: list[dict[str, Any]]) -> None:
    codes = {str((r.get("payload") or {}).get("item_code") or "") for r in records
             if isinstance(r.get("payload"), dict)}
    codes.discard("")
    if codes and not c.catalog_empty:
        for item in s.scalars(select(CatalogItem).where(CatalogItem.code.in_(codes))):
            c.catalog[item.code] = item


def _apply_batch(s: Session, device_id: str, records: list[dict[str, Any]], via: str,
                 careful: bool) -> list[dict[str, Any]]:
    now = utcnow()
    device = s.get(Device, device_id)
    assert device is not None
    c = _context(s, device, via, now)
    _load_catalog(s, c, records)
    ids = [r.get("record_id") for r in records if isinstance(r.get("record_id"), str)]
    keys = [r.get("key") for r in records if isinstance(r.get("key"), str)]
    if any(isinstance(r, dict) and r.get("entity") in agent_records.ENTITIES for r in records):
        # 代办 records append to the feed under its lock; take it before the case rows, in the
        # order the county's own feed writers (set_case_statuses) take them, or a push and a
        # decision on one of its cases wait for each other (PostgreSQL: a deadlock)
        lock_feed(s)
    cases: dict[str, Case | None] = {}
    for chunk in _chunks(sorted(set(keys)), 500):
        q = select(Case).where(Case.case_no.in_(chunk))
        if is_postgres(s):
            q = q.with_for_update()  # changes to one case are applied one writer at a time
        for case in s.scalars(q):
            cases[case.case_no] = case
    # read what was applied only now that the cases are locked: a writer that committed changes
    # to them while we waited is visible to this statement (READ COMMITTED), so its records are
    # recognised as duplicates instead of clashing with the sequence numbers it advanced
    applied: dict[str, Any] = {}
    for chunk in _chunks(ids, 500):
        for ch in s.scalars(select(CaseChange).where(CaseChange.record_id.in_(chunk))):
            applied[ch.record_id] = ch
    results: list[dict[str, Any]] = []
    new_changes: list[_New] = []
    for rec in records:
        if not isinstance(rec, dict):
            results.append(_rejected("", "bad_record", "记录不是一个对象。"))
            continue
        before = set(applied)
        if rec.get("entity") in agent_records.ENTITIES:  # 代办 records: county_center/agents.py
            res = agent_records.apply_record(s, c, rec)
        elif careful:
            sp = s.begin_nested()
            try:
                res = _apply_one(s, c, rec, cases, applied)
                if res["status"] == P.APPLIED:
                    _flush_changes(s, [applied[res["record_id"]]], cases, reload=True)
                sp.commit()
            except DataError as exc:  # a value the database refuses (PostgreSQL: lengths, NUL)
                sp.rollback()
                res = _rejected(str(rec.get("record_id")), "bad_record",
                                f"办件 {str(rec.get('key'))[:40]}：县级数据库拒收该记录的内容"
                                f"（{type(exc.orig).__name__}）。")
                if isinstance(cases.get(str(rec.get("key"))), _New):  # its row was rolled back
                    cases.pop(str(rec.get("key")), None)
                applied = {k: v for k, v in applied.items() if k in before}
            except IntegrityError:
                sp.rollback()
                res = _deferred(str(rec.get("record_id")),
                                "同一办件的改动正由另一连接上传，请稍后重试。")
                cases.pop(str(rec.get("key")), None)
                applied = {k: v for k, v in applied.items() if k in before}
                again = s.scalar(select(CaseChange).where(CaseChange.record_id == rec.get("record_id")))
                if again is not None:
                    applied[again.record_id] = again
                    res = {"record_id": again.record_id, "status": P.DUPLICATE, "result": again.result}
        else:
            res = _apply_one(s, c, rec, cases, applied)
            if res["status"] == P.APPLIED:
                new_changes.append(applied[res["record_id"]])
        if res["status"] == P.REJECTED:
            s.add(Rejection(record_id=res["record_id"] or "?", device_id=device.id,
                            case_no=str(rec.get("key") or "")[:60], code=res["code"],
                            message=res["message"], at=now))
        results.append(res)
    if not careful:
        _flush_changes(s, new_changes, cases)
    device.last_seen_at = now
    return results


def _flush_changes(s: Session, changes: list[_New], cases: dict[str, Any],
                   reload: bool = False) -> None:
    """Insert the new cases (ids back in order), update the known ones, insert the changes."""
    new_cases: list[_New] = []
    seen: set[int] = set()
    for ch in changes:
        case = ch.case_obj
        if isinstance(case, _New) and case.id is None and id(case) not in seen:
            seen.add(id(case))
            new_cases.append(case)
    if new_cases:
        ids = s.execute(insert(Case).returning(Case.id, sort_by_parameter_order=True),
                        [{k: getattr(c, k) for k in _CASE_COLUMNS} for c in new_cases]).scalars().all()
        for case, new_id in zip(new_cases, ids):
            case.id = new_id
    s.flush()  # changed rows of cases that existed
    if changes:
        s.execute(insert(CaseChange), [{**{k: getattr(ch, k) for k in _CHANGE_COLUMNS},
                                        "case_id": ch.case_obj.id} for ch in changes])
    if reload:  # careful mode: later records of these cases update real rows
        for case in new_cases:
            cases[case.case_no] = s.get(Case, case.id)


def _chunks(seq: list[Any], n: int) -> Iterable[list[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def push(db: CountyDB, device_id: str, records: list[dict[str, Any]],
         via: str = "http") -> list[dict[str, Any]]:
    """Apply a batch; one answer per record, in order. Safe to call concurrently."""
    if len(records) > P.MAX_BATCH_RECORDS:
        raise CountyError("too_many_records",
                          f"一批最多 {P.MAX_BATCH_RECORDS} 条记录，本批 {len(records)} 条。", 413,
                          max_records=P.MAX_BATCH_RECORDS)
    last_error: Exception | None = None
    for careful in (False, True, True):
        try:
            with db.tx() as s:
                results = _apply_batch(s, device_id, records, via, careful)
            return results
        except (IntegrityError, OperationalError) as exc:  # a concurrent writer: redo carefully
            last_error = exc
            continue
        except DataError as exc:  # a value the database refuses: redo carefully, where each
            last_error = exc      # record has its own savepoint and only that one is rejected
            if careful:
                raise
            continue
    raise CountyError("busy", "县级中心正忙，请稍后重试。", 503) from last_error


# --- pull -------------------------------------------------------------------------------


def pull(s: Session, device: Device, after: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
    limit = max(1, min(limit, P.MAX_PULL_LIMIT))
    q = (
        select(FeedEntry)
        .where(FeedEntry.id > after)
        .where(or_(FeedEntry.service_point_id.is_(None),
                   and_(FeedEntry.service_point_id == device.service_point_id,
                        or_(FeedEntry.device_no.is_(None), FeedEntry.device_no == device.device_no))))
        .order_by(FeedEntry.id)
        .limit(limit + 1)
    )
    rows = list(s.scalars(q))
    more = len(rows) > limit
    rows = rows[:limit]
    entries = [{"seq": r.id, "kind": r.kind, "key": r.key, "data": r.data,
                "at": r.created_at.isoformat()} for r in rows]
    cursor = rows[-1].id if rows else after
    if not more:
        # nothing more for this device: skip to the newest id so the next pull starts there
        newest = s.scalar(select(func.max(FeedEntry.id))) or 0
        cursor = max(cursor, newest)
    device.last_cursor = max(device.last_cursor or 0, after)
    device.last_seen_at = utcnow()
    return entries, cursor, more


def _feed(s: Session, kind: str, key: str, data: dict[str, Any], sp_id: int | None = None,
          device_no: int | None = None) -> None:
    s.add(FeedEntry(kind=kind, key=key, service_point_id=sp_id, device_no=device_no, data=data,
                    created_at=utcnow()))


# --- the county's decisions -------------------------------------------------------------


def set_case_status(s: Session, case_no: str, status: str, official_no: str | None = None,
                    result_text: str | None = None) -> Case:
    return set_case_statuses(s, [(case_no, status, official_no, result_text)])[0]


def set_case_statuses(s: Session, changes: list[tuple[str, str, str | None, str | None]]) -> list[Case]:
    """Record the approval system's decisions and tell the devices (one feed entry each)."""
    lock_feed(s)
    out = []
    now = utcnow()
    wanted = [c[0] for c in changes]
    by_no: dict[str, Case] = {}
    for chunk in _chunks(wanted, 500):
        for case in s.scalars(select(Case).where(Case.case_no.in_(chunk))):
            by_no[case.case_no] = case
    devices = {}
    for case_no, status, official_no, result_text in changes:
        if status not in P.COUNTY_STATUSES:
            raise CountyError("bad_status", f"状态只能是 {', '.join(P.COUNTY_STATUSES)}，现为「{status}」。")
        case = by_no.get(case_no)
        if case is None:
            raise CountyError("unknown_case", f"县级中心没有办件 {case_no}。", 404)
        if case.status in ("withdrawn", "refused", "done_on_spot"):
            raise CountyError("case_closed",
                              f"办件 {case_no} 在服务点已是「{case.status}」，不能再设置县级状态。", 409)
        if status in ("completed", "not_approved") and not (result_text or "").strip():
            raise CountyError("result_required", "办结或不予批准时请写明结果（--result）。")
        case.status = status
        if official_no:
            case.official_no = official_no
        if result_text is not None:
            case.result_text = result_text
        case.county_version = (case.county_version or 0) + 1
        case.decided_at = now
        case.updated_at = now
        if case.device_id not in devices:
            devices[case.device_id] = s.get(Device, case.device_id)
        _feed(s, P.KIND_CASE, case_no,
              {"case_no": case_no, "status": status, "official_no": case.official_no,
               "result_text": case.result_text, "county_version": case.county_version,
               "decided_at": now.isoformat()},
              sp_id=case.service_point_id, device_no=devices[case.device_id].device_no)
        out.append(case)
    return out


def publish_catalog(s: Session, items: list[dict[str, Any]], source: str) -> CatalogVersion:
    lock_feed(s)
    raw = json.dumps(items, ensure_ascii=False, sort_keys=True)
    checksum = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    version = CatalogVersion(published_at=utcnow(), source=source[:260], checksum=checksum,
                             items=items)
    s.add(version)
    s.flush()
    known = {it.code: it for it in s.scalars(select(CatalogItem))}
    seen = set()
    for it in items:
        code = it["code"]
        seen.add(code)
        row = known.get(code)
        if row is None:
            s.add(CatalogItem(code=code, name=it["name"], current=True, version_id=version.id))
        else:
            row.name = it["name"]
            row.current = True
            row.version_id = version.id
    for code, row in known.items():
        if code not in seen:
            row.current = False
    _feed(s, P.KIND_CATALOG, str(version.id),
          {"version": version.id, "published_at": version.published_at.isoformat(),
           "checksum": checksum, "source": version.source, "items": items})
    return version


def import_catalog_files(s: Session, items_path, materials_path=None) -> CatalogVersion:  # noqa: ANN001
    """Read and check the county's catalog exactly as the counter does, then publish it."""
    from dataclasses import asdict

    from clerk_app.services import catalog as counter_catalog
    from clerk_app.services.common import ServiceError

    try:
        parsed = counter_catalog.load_catalog(items_path, materials_path).items
    except ServiceError as exc:
        raise CountyError("bad_catalog", exc.message) from exc
    items = []
    for row in parsed:
        d = asdict(row)
        d.pop("materials_text", None)
        items.append(d)
    return publish_catalog(s, items, items_path.name)


def set_calendar_day(s: Session, day: dt.date, is_workday: bool, note: str) -> None:
    if not note.strip():
        raise CountyError("note_required", "请写明调整原因，例如「2027 年春节调休」。")
    lock_feed(s)
    row = s.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day)
        s.add(row)
    row.is_workday = is_workday
    row.note = note.strip()
    row.updated_at = utcnow()
    _feed(s, P.KIND_CALENDAR, day.isoformat(),
          {"day": day.isoformat(), "is_workday": is_workday, "note": row.note})


def set_calendar_year(s: Session, year: int, complete: bool, note: str = "") -> None:
    """Tell every device that ``year``'s holidays and make-up workdays are all published as
    calendar days (``complete``), so its other days follow the weekday rule and are no longer
    estimates; or take that back. The days themselves go out first, by ``set_calendar_day``."""
    if not P.FIRST_CALENDAR_YEAR <= year <= P.LAST_CALENDAR_YEAR:
        raise CountyError("bad_year", f"只能标记 {P.FIRST_CALENDAR_YEAR} 年到 "
                                      f"{P.LAST_CALENDAR_YEAR} 年之间的年份。")
    lock_feed(s)
    row = s.get(CalendarYear, year)
    if complete:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if s.scalar(select(CalendarDay.day).where(CalendarDay.day >= first, CalendarDay.day <= last,
                                                  CalendarDay.is_workday.is_(False)).limit(1)) is None:
            raise CountyError("calendar_year_empty",
                              f"{year} 年还没有发布任何节假日。请先逐日发布全年的节假日和调休上班日，"
                              f"再标记为已全部发布。")
        if row is None:
            row = CalendarYear(year=year)
            s.add(row)
        row.note = note.strip()[:200]
        row.updated_at = utcnow()
    else:
        if row is None:
            raise CountyError("calendar_year_unknown", f"{year} 年没有标记为已全部发布。")
        s.delete(row)
    _feed(s, P.KIND_CALENDAR_YEAR, str(year),
          {"year": year, "complete": complete, "note": note.strip()[:200]})


def set_county_setting(s: Session, name: str, value: int) -> None:
    """Distribute a county-wide setting (today: ``agents.handover_limit_days``, the working days
    within which an agent must hand collected materials to the township). Every device applies
    it unless a supervisor there marked a local value."""
    if name not in P.COUNTY_SETTINGS:
        raise CountyError("unknown_setting", f"县级中心不下发设置「{name}」。")
    lo, hi = P.COUNTY_SETTINGS[name]
    if not lo <= value <= hi:
        raise CountyError("bad_setting", f"「{name}」应在 {lo} 到 {hi} 之间，现为 {value}。")
    lock_feed(s)
    row = s.get(Meta, "setting:" + name)
    if row is None:
        row = Meta(key="setting:" + name, value="")
        s.add(row)
    row.value = str(value)
    now = utcnow()
    _feed(s, P.KIND_SETTING, name, {"name": name, "value": value, "at": now.isoformat()})


def county_setting(s: Session, name: str) -> int | None:
    row = s.get(Meta, "setting:" + name)
    return int(row.value) if row is not None else None


def upsert_operator(s: Session, division_code: str, username: str, display_name: str, role: str,
                    phone: str = "", active: bool = True, password: str | None = None) -> Operator:
    if role not in ("clerk", "supervisor", "agent"):
        raise CountyError("bad_role", "角色只能是 clerk（窗口人员）、supervisor（负责人）或 agent（代办员）。")
    sp = service_point(s, division_code)
    lock_feed(s)
    op = s.scalar(select(Operator).where(Operator.service_point_id == sp.id,
                                         Operator.username == username))
    if op is None:
        op = Operator(service_point_id=sp.id, username=username)
        s.add(op)
    op.display_name = display_name
    op.role = role
    op.phone = phone
    op.active = active
    if password:
        from clerk_app.services.auth import hash_password

        op.password_hash = hash_password(password)
    op.updated_at = utcnow()
    s.flush()
    _feed(s, P.KIND_OPERATOR, username,
          {"username": username, "display_name": display_name, "role": role, "phone": phone,
           "active": active, "password_hash": op.password_hash}, sp_id=sp.id)
    return op


# --- reading ----------------------------------------------------------------------------


def list_cases(s: Session, division_code: str | None = None, status: str | None = None,
               limit: int = 100) -> list[Case]:
    q = select(Case).order_by(Case.id.desc()).limit(limit)
    if division_code:
        q = q.where(Case.service_point_id == service_point(s, division_code).id)
    if status:
        q = q.where(Case.status == status)
    return list(s.scalars(q))


def show_case(s: Session, case_no: str) -> tuple[Case, list[CaseChange]]:
    case = s.scalar(select(Case).where(Case.case_no == case_no))
    if case is None:
        raise CountyError("unknown_case", f"县级中心没有办件 {case_no}。", 404)
    changes = list(s.scalars(select(CaseChange).where(CaseChange.case_id == case.id)
                             .order_by(CaseChange.seq)))
    return case, changes
