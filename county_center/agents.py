"""The county's side of the proxy-agent records (代办): agents, commissions, handover sheets.

A device pushes them like case changes (``entity`` = ``agent`` | ``commission`` |
``handover``; key = the agent's key, the commission number, the sheet number), in the same
batches, with the same guarantees: each record is applied at most once (its record id is the
primary key of ``cc_agent_changes``; a resend answers "duplicate" with the stored result), a
record is judged on its own, and a device writes only records of its own service point.

Unlike a case, these records need no order: each carries the whole object, and the county
merges what it holds with what arrives -- an agent by its version (newer wins), a
commission by uniting its steps and taking the furthest state (a cancellation never beats
what the township recorded after the handover: ``domain.agents.furthest``), a sheet by
"received wins" (then "replaced": the agent printed a newer sheet for its commissions).
After each merge the county appends the merged object to the feed for every device of the
service point (kinds ``agent``, ``commission``, ``handover``): so every counter of the
township knows the agents and their keys, a sheet received at one counter is refused as
reused at another, and an agent's laptop that syncs learns what the township did.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from clerk_app.domain.agents import AgentStatus, CommissionState, furthest
from county_center import protocol as P
from county_center.db import lock_feed
from county_center.models import Base, FeedEntry

ENTITIES = ("agent", "commission", "handover")
OPS = {
    "agent": ("registered", "updated", "status", "provisioned"),
    "commission": tuple(s.value for s in CommissionState) + ("materials",),
    "handover": ("issued", "delivered", "received", "replaced"),
}
RECORD_ID_RE = re.compile(r"^[0-9A-Za-z-]{8,36}$")
MAX_KEY = 60  # cc_agent_changes.key, cc_agent_objects.key (PostgreSQL enforces the length)
HANDOVER_STATES = ("issued", "delivered", "received", "replaced")


def state_label(entity: str, state: str) -> str:
    """The Chinese name of an agent's status, a commission's or a sheet's state."""
    try:
        if entity == "agent":
            return AgentStatus(state).label
        if entity == "commission":
            return CommissionState(state).label
    except ValueError:
        return state
    return {"issued": "已签发", "delivered": "已送达", "received": "已接收", "replaced": "已作废重出"}.get(state, state)


class AgentChange(Base):
    """One applied agent/commission/handover record from a device."""

    __tablename__ = "cc_agent_changes"
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    entity: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(60), index=True)
    op: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime)
    via: Mapped[str] = mapped_column(String(8), default="http")
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class CountyAgentObject(Base):
    """The county's merged view of one agent, commission or handover sheet."""

    __tablename__ = "cc_agent_objects"
    entity: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    service_point_id: Mapped[int] = mapped_column(Integer, index=True)
    agent_no: Mapped[str] = mapped_column(String(8), index=True)
    state: Mapped[str] = mapped_column(String(20), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


def _rejected(rid: str, code: str, message: str) -> dict[str, Any]:
    return {"record_id": rid, "status": P.REJECTED, "code": code, "message": message}


def _key_of(entity: str, payload: dict[str, Any]) -> str:
    return str(payload.get({"agent": "key", "commission": "commission_no", "handover": "sheet_no"}[entity]) or "")


def _check(c: Any, rec: dict[str, Any]) -> dict[str, Any] | None:
    rid = str(rec.get("record_id") or "")
    entity = rec.get("entity")
    if rec.get("op") not in OPS[entity]:
        return _rejected(rid, "unknown_op", f"县级中心不认识「{entity}」的操作「{rec.get('op')}」。")
    payload = rec.get("payload")
    if not isinstance(payload, dict):
        return _rejected(rid, "bad_record", "记录内容缺失。")
    size = len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    if size > P.MAX_RECORD_BYTES:
        return _rejected(rid, "record_too_large", f"单条记录 {size} 字节，超过上限 {P.MAX_RECORD_BYTES} 字节。")
    key = rec.get("key")
    if not isinstance(key, str) or not key or key != _key_of(entity, payload):
        return _rejected(rid, "bad_key", f"记录的键「{str(key)[:80]}」缺失或与内容不一致。")
    if len(key) > MAX_KEY:
        return _rejected(rid, "bad_key", f"记录的键「{key[:20]}…」长 {len(key)} 个字符，超过上限 {MAX_KEY}。")
    if payload.get("service_point") != c.sp.division_code:
        return _rejected(rid, "not_your_service_point",
                         f"{key} 属于服务点 {payload.get('service_point')}，不是本机注册的「{c.sp.name}」，县级中心不接收。")
    problem = _shape_problem(entity, payload)
    if problem:
        return _rejected(rid, "bad_record", f"{key}：{problem}")
    return None


def _shape_problem(entity: str, payload: dict[str, Any]) -> str:
    """What the merge relies on, checked before anything is stored: a malformed record is
    rejected on its own instead of failing the batch (or every later record of its key)."""
    agent_no = payload.get("agent_no")
    if entity == "agent" or agent_no is not None:
        if not (isinstance(agent_no, str) and agent_no.isdigit() and len(agent_no) == 8):
            return "代办员编号缺失或格式不对（应为 8 位数字）。"
    if entity == "agent":
        version = payload.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            return "代办员记录缺少版本号。"
        if payload.get("status") not in {s.value for s in AgentStatus}:
            return f"代办员状态「{payload.get('status')}」不认识。"
        keys = payload.get("public_keys")
        if keys is not None and not isinstance(keys, dict):
            return "代办员公钥格式不对。"
    elif entity == "commission":
        states = {s.value for s in CommissionState}
        if payload.get("state") not in states:
            return f"委托状态「{payload.get('state')}」不认识。"
        steps = payload.get("steps")
        if not isinstance(steps, list):
            return "委托缺少办理步骤。"
        for st in steps:
            if not (isinstance(st, dict) and isinstance(st.get("key"), str) and st.get("key")
                    and st.get("state") in states and isinstance(st.get("at"), str)):
                return "委托的办理步骤格式不对（每步须有 key、state、at）。"
    elif entity == "handover":
        if payload.get("state") not in HANDOVER_STATES:
            return f"交接单状态「{payload.get('state')}」不认识。"
    return ""


def _merge_agent(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    if old is None:
        return new
    keys = dict(old.get("public_keys") or {}) | dict(new.get("public_keys") or {})
    base = new if int(new.get("version") or 0) > int(old.get("version") or 0) else old
    return base | {"public_keys": keys}


def _merge_commission(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    if old is None:
        return new
    steps = {st["key"]: st for st in old.get("steps") or []}
    for st in new.get("steps") or []:
        steps.setdefault(st["key"], st)
    merged = dict(old)
    for k, v in new.items():
        if k not in ("steps", "state", "materials") and v and not merged.get(k):
            merged[k] = v
    states = [CommissionState(st["state"]) for st in steps.values()]
    states += [CommissionState(x) for x in (old.get("state"), new.get("state")) if x]
    merged["state"] = furthest(states).value
    merged["steps"] = sorted(steps.values(), key=lambda st: st["at"])  # stable: arrival order
    # the materials of whoever got further (the collection, then the township's check); a
    # cancellation that loses to the township's state (see furthest) does not bring its own
    new_state = CommissionState(new.get("state") or "commissioned")
    if furthest([new_state, CommissionState(old.get("state") or "commissioned")]) is new_state:
        merged["materials"] = new.get("materials") or old.get("materials")
    return merged


def _merge_handover(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    if old is None:
        return new
    # received wins over everything; a sheet the agent replaced by a newer one stays replaced
    # whatever an older record about it says (received at a counter still beats it)
    if old.get("state") == "received" or (old.get("state") == "replaced" and new.get("state") != "received"):
        return old | {"payload": old.get("payload") or new.get("payload")}
    return old | new


_MERGE = {"agent": _merge_agent, "commission": _merge_commission, "handover": _merge_handover}
_STATE = {"agent": "status", "commission": "state", "handover": "state"}


def apply_record(s: Session, c: Any, rec: dict[str, Any]) -> dict[str, Any]:
    """Apply one pushed agent/commission/handover record (``c``: the push context of
    :mod:`county_center.service`). Answers like a case change: applied, duplicate, rejected."""
    rid = rec.get("record_id")
    if not isinstance(rid, str) or not RECORD_ID_RE.match(rid):
        return _rejected(str(rid)[:36], "bad_record", "记录编号缺失或格式不对。")
    done = s.get(AgentChange, rid)
    if done is not None:
        return {"record_id": rid, "status": P.DUPLICATE, "result": done.result}
    problem = _check(c, rec)
    if problem is not None:
        return problem
    entity: str = rec["entity"]
    payload: dict[str, Any] = rec["payload"]
    key: str = rec["key"]
    savepoint = s.begin_nested()
    try:
        lock_feed(s)
        obj = s.get(CountyAgentObject, (entity, key))
        if obj is not None and obj.service_point_id != c.sp.id:
            savepoint.rollback()
            return _rejected(rid, "not_your_service_point", f"{key} 属于另一个服务点。")
        merged = _MERGE[entity](obj.data if obj is not None else None, payload)
        if obj is None:
            obj = CountyAgentObject(entity=entity, key=key, service_point_id=c.sp.id,
                                    agent_no=str(payload.get("agent_no") or "")[:8], data=merged,
                                    state="", updated_at=c.now)
            s.add(obj)
        obj.data = merged
        obj.state = str(merged.get(_STATE[entity]) or "")[:20]
        obj.updated_at = c.now
        result = {"entity": entity, "key": key, "op": rec.get("op"), "applied_at": c.now.isoformat(),
                  "county_state": obj.state}
        s.add(AgentChange(record_id=rid, device_id=c.device.id, entity=entity, key=key,
                          op=str(rec.get("op")), payload=payload, applied_at=c.now, via=c.via,
                          result=result))
        s.add(FeedEntry(kind=entity, key=key, service_point_id=c.sp.id, device_no=None, data=merged,
                        created_at=c.now))
        s.flush()
        savepoint.commit()
    except DataError as exc:  # a value the database refuses (PostgreSQL checks lengths, types)
        savepoint.rollback()
        return _rejected(rid, "bad_record", f"{key}：县级数据库拒收该记录的内容（{type(exc.orig).__name__}）。")
    except IntegrityError:  # the same record from another connection at the same moment
        savepoint.rollback()
        done = s.get(AgentChange, rid)
        if done is not None:
            return {"record_id": rid, "status": P.DUPLICATE, "result": done.result}
        return {"record_id": rid, "status": P.DEFERRED, "code": "busy",
                "message": "同一记录正由另一连接上传，请稍后重试。"}
    return {"record_id": rid, "status": P.APPLIED, "result": result}


def list_objects(s: Session, entity: str, service_point_id: int | None = None,
                 agent_no: str | None = None, state: str | None = None) -> list[CountyAgentObject]:
    """The county's merged agents, commissions or sheets, by key; optionally of one service
    point, one agent (by number) or in one state."""
    q = select(CountyAgentObject).where(CountyAgentObject.entity == entity).order_by(CountyAgentObject.key)
    if service_point_id is not None:
        q = q.where(CountyAgentObject.service_point_id == service_point_id)
    if agent_no:
        q = q.where(CountyAgentObject.agent_no == agent_no)
    if state:
        q = q.where(CountyAgentObject.state == state)
    return list(s.scalars(q))


def find_object(s: Session, entity: str, ref: str) -> CountyAgentObject | None:
    """One object by its key; an agent also by its number (代办员编号)."""
    obj = s.get(CountyAgentObject, (entity, ref))
    if obj is None and entity == "agent":
        obj = s.scalars(select(CountyAgentObject).where(
            CountyAgentObject.entity == "agent", CountyAgentObject.agent_no == ref)
            .order_by(CountyAgentObject.updated_at.desc())).first()
    return obj


def changes_of(s: Session, entity: str, key: str) -> list[AgentChange]:
    """Every applied record of one object, in the order the county applied them."""
    return list(s.scalars(select(AgentChange).where(AgentChange.entity == entity, AgentChange.key == key)
                          .order_by(AgentChange.applied_at, AgentChange.record_id)))
