"""The county's side of the proxy-agent records (代办): agents, commissions, handover sheets.

A device pushes them like case changes (``entity`` = ``agent`` | ``commission`` |
``handover``; key = the agent's key, the commission number, the sheet number), in the same
batches, with the same guarantees: each record is applied at most once (its record id is the
primary key of ``cc_agent_changes``; a resend answers "duplicate" with the stored result), a
record is judged on its own, and a device writes only records of its own service point.

Unlike a case, these records need no order: each carries the whole object, and the county
merges what it holds with what arrives -- an agent by its version (newer wins), a
commission by uniting its steps and taking the furthest state, a sheet by "received wins".
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

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from clerk_app.domain.agents import CommissionState, furthest
from county_center import protocol as P
from county_center.db import lock_feed
from county_center.models import Base, FeedEntry

ENTITIES = ("agent", "commission", "handover")
OPS = {
    "agent": ("registered", "updated", "status", "provisioned"),
    "commission": tuple(s.value for s in CommissionState) + ("materials",),
    "handover": ("issued", "delivered", "received"),
}
RECORD_ID_RE = re.compile(r"^[0-9A-Za-z-]{8,36}$")


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
        return _rejected(rid, "bad_key", f"记录的键「{key}」缺失或与内容不一致。")
    if payload.get("service_point") != c.sp.division_code:
        return _rejected(rid, "not_your_service_point",
                         f"{key} 属于服务点 {payload.get('service_point')}，不是本机注册的「{c.sp.name}」，县级中心不接收。")
    if entity == "agent" and not str(payload.get("agent_no") or "").isdigit():
        return _rejected(rid, "bad_record", "代办员记录缺少编号。")
    return None


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
    # the materials of whoever got further (the collection, then the township's check)
    if CommissionState(new.get("state") or "commissioned").rank >= CommissionState(
            old.get("state") or "commissioned").rank:
        merged["materials"] = new.get("materials") or old.get("materials")
    return merged


def _merge_handover(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    if old is None:
        return new
    if old.get("state") == "received":
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
    except IntegrityError:  # the same record from another connection at the same moment
        savepoint.rollback()
        done = s.get(AgentChange, rid)
        if done is not None:
            return {"record_id": rid, "status": P.DUPLICATE, "result": done.result}
        return {"record_id": rid, "status": P.DEFERRED, "code": "busy",
                "message": "同一记录正由另一连接上传，请稍后重试。"}
    return {"record_id": rid, "status": P.APPLIED, "result": result}


def list_objects(s: Session, entity: str, service_point_id: int | None = None) -> list[CountyAgentObject]:
    from sqlalchemy import select

    q = select(CountyAgentObject).where(CountyAgentObject.entity == entity).order_by(CountyAgentObject.key)
    if service_point_id is not None:
        q = q.where(CountyAgentObject.service_point_id == service_point_id)
    return list(s.scalars(q))
