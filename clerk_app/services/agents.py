"""The agent registry (代办员): registration, status, roster, and the laptop's provisioning.

The township supervisor registers an agent: name, ID number, phone, the villages (or grid)
served, start date. The agent gets an operator login with the agent role. Status changes
(暂停, 离任) carry a reason and a date and are kept as history.

Agents, their villages and status reach every device of the township through sync (an
``agent`` outbox record in the same transaction as each change; see
:func:`apply_agent_data` for the pull side).

For a laptop that is never online the supervisor exports a *provisioning file* (代办员配置
文件): the township, the agent, the agent's login, the catalog items that allow a proxy, the
working-day calendar -- and a new Ed25519 signing key. The file is encrypted with a one-time
extraction code (提取码) shown on the supervisor's screen; the agent's laptop imports it and is
ready. The township keeps only the public key, which verifies the agent's handover sheets
(:mod:`clerk_app.services.handover`); the private key lives only in the laptop's keyring.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from clerk_app.domain import divisions, ids
from clerk_app.domain.agents import (
    DEFAULT_HANDOVER_LIMIT,
    AgentStatus,
    make_agent_no,
    status_change_problem,
)
from clerk_app.domain.status import Role
from clerk_app.i18n import _
from clerk_app.services import auth
from clerk_app.services.common import (
    Actor,
    Context,
    PermissionDenied,
    ServiceError,
    audit,
    enqueue,
    get_setting,
    require_supervisor,
    set_setting,
)
from clerk_app.settings import SettingVar
from clerk_app.store.agent_models import Agent, AgentStatusChange
from clerk_app.store.models import CalendarOverride, Operator, ServiceItem, ServicePoint

log = logging.getLogger(__name__)

HANDOVER_LIMIT: SettingVar[int] = SettingVar(
    "agents.handover_limit_days", int, DEFAULT_HANDOVER_LIMIT,
    _("代办材料收件后须交到乡镇的期限（工作日，县级规定，默认 3）"),
    lambda n: "" if 1 <= n <= 30 else _("交件期限应在 1 到 30 个工作日之间。"))

#: settings on an agent's laptop (written by the provisioning import)
LAPTOP_AGENT_KEY = "agents.laptop_agent"  # the agent this laptop belongs to
LAPTOP_TERMINAL = "agents.terminal"  # 1..9, part of commission and sheet numbers

PROVISION_FORMAT = "clerk-app-agent-provisioning"
PROVISION_VERSION = 1
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
MAX_PHOTO_BYTES = 200 * 1024
SYNC_PHOTO_BYTES = 48 * 1024  # larger photos stay on the device that took them
LAPTOP_DEVICE_NOS = range(60, 100)  # counters take 1-59 (services.setup.COUNTER_DEVICE_NOS)


# --------------------------------------------------------------------------- signing keys


class KeyStore:
    """The agent's private signing key, kept only in the OS keyring (like the sync token)."""

    SERVICE = "clerk-app/agent-signing"

    def __init__(self, backend=None) -> None:  # noqa: ANN001 - a keyring backend instance
        self._backend = backend

    def _keyring(self):  # noqa: ANN202
        if self._backend is not None:
            return self._backend
        import keyring

        return keyring.get_keyring()

    @staticmethod
    def _name(agent_key: str, serial: int) -> str:
        return f"{agent_key}:{serial}"

    def _unavailable(self, exc: Exception) -> ServiceError:
        log.warning("keyring unavailable for the agent key: %s", type(exc).__name__)
        return ServiceError(_(
            "本机的系统钥匙串（凭据管理器）不可用，无法保存或读取代办员的签名密钥。"
            "请在 Windows 凭据管理器或 Linux 的 Secret Service 可用后重试。"))

    def get(self, agent_key: str, serial: int) -> bytes | None:
        try:
            text = self._keyring().get_password(self.SERVICE, self._name(agent_key, serial))
        except Exception as exc:  # keyring backends raise many kinds
            raise self._unavailable(exc) from None
        return bytes.fromhex(text) if text else None

    def put(self, agent_key: str, serial: int, seed: bytes) -> None:
        name = self._name(agent_key, serial)
        try:
            self._keyring().set_password(self.SERVICE, name, seed.hex())
            stored = self._keyring().get_password(self.SERVICE, name)
        except Exception as exc:
            raise self._unavailable(exc) from None
        if stored != seed.hex():  # the null backend stores nothing
            raise self._unavailable(RuntimeError("key not stored"))


_key_store: KeyStore | None = None


def key_store() -> KeyStore:
    return _key_store or KeyStore()


def use_key_store(store: KeyStore | None) -> None:
    """Replace the key store (tests use an in-memory keyring)."""
    global _key_store
    _key_store = store


def new_signing_key() -> tuple[bytes, str]:
    """(private seed, public key hex) of a new Ed25519 key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return seed, public.hex()


def sign(seed: bytes, data: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(seed).sign(data)


def verify(public_hex: str, data: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


# --------------------------------------------------------------------------- helpers


def service_point_of(s: Session) -> ServicePoint:
    sp = s.scalar(select(ServicePoint).limit(1))
    if sp is None:
        raise ServiceError(_("本机还没有设置服务点，请先完成初始设置。"))
    return sp


def township_code(sp: ServicePoint) -> str:
    return sp.division_code[:9] + "000"


def device_label(s: Session) -> str:
    """Where a step was recorded: the service point and device, or the agent's laptop."""
    sp = s.scalar(select(ServicePoint).limit(1))
    agent_key = get_setting(s, LAPTOP_AGENT_KEY)
    if agent_key:
        agent = s.scalar(select(Agent).where(Agent.key == agent_key))
        terminal = get_setting(s, LAPTOP_TERMINAL, "1")
        return f"laptop:{agent.agent_no if agent else '?'}-{terminal}"
    device = int(get_setting(s, "device_no", "1") or 1)
    return f"{sp.division_code if sp else '?'}-{device:02d}"


def handover_limit(s: Session) -> int:
    return HANDOVER_LIMIT.get(s)


#: the county's last value of the handover limit, and the mark of a local value that wins over it
COUNTY_HANDOVER_LIMIT = "county.agents.handover_limit_days"
LOCAL_HANDOVER_LIMIT = "agents.handover_limit_days.local"


def apply_county_setting(s: Session, now: dt.datetime, data: dict[str, Any]) -> str:
    """A county-wide setting from the pull feed (kind ``setting``). The county wins, unless a
    supervisor here marked a local value (:func:`set_handover_limit`); its value is kept either
    way, so removing the local mark returns to it."""
    if data.get("name") != HANDOVER_LIMIT.key:
        log.warning("unknown county setting %r skipped", data.get("name"))
        return "skipped"
    try:
        value = int(data.get("value"))
    except (TypeError, ValueError):
        return "skipped"
    if HANDOVER_LIMIT.check and HANDOVER_LIMIT.check(value):
        return "skipped"
    set_setting(s, COUNTY_HANDOVER_LIMIT, str(value))
    if get_setting(s, LOCAL_HANDOVER_LIMIT):
        return "skipped"
    if HANDOVER_LIMIT.get(s) != value:
        HANDOVER_LIMIT.set(s, value)
        audit(s, now, None, "setting_from_county", "setting", HANDOVER_LIMIT.key, value=value)
    return "applied"


@dataclass(frozen=True)
class HandoverLimitState:
    """What the supervisor's 交件期限 dialog shows: the value in force, the county's last value
    (``None`` before the county sent one) and whether a local value wins over it."""

    days: int
    county_days: int | None
    local: bool


def handover_limit_state(ctx: Context) -> HandoverLimitState:
    with ctx.tx() as s:
        county = get_setting(s, COUNTY_HANDOVER_LIMIT)
        return HandoverLimitState(HANDOVER_LIMIT.get(s), int(county) if county else None,
                                  bool(get_setting(s, LOCAL_HANDOVER_LIMIT)))


def set_handover_limit(ctx: Context, actor: Actor, days: int | None) -> int:
    """A supervisor's local handover limit, marked so the county's value no longer replaces it;
    ``None`` removes the mark and returns to the county's value (or the default)."""
    require_supervisor(actor)
    now = ctx.clock()
    with ctx.tx() as s:
        if days is None:
            set_setting(s, LOCAL_HANDOVER_LIMIT, "")
            county = get_setting(s, COUNTY_HANDOVER_LIMIT)
            HANDOVER_LIMIT.set(s, int(county) if county else DEFAULT_HANDOVER_LIMIT)
        else:
            HANDOVER_LIMIT.set(s, days)
            set_setting(s, LOCAL_HANDOVER_LIMIT, "1")
        value = HANDOVER_LIMIT.get(s)
        audit(s, now, actor, "handover_limit_set", "setting", HANDOVER_LIMIT.key, value=value,
              local=days is not None)
        return value


def is_agent_laptop(ctx: Context) -> bool:
    with ctx.tx() as s:
        return bool(get_setting(s, LAPTOP_AGENT_KEY))


def agent_of(s: Session, actor: Actor) -> Agent | None:
    """The agent record of an operator with the agent role."""
    if actor.role is not Role.AGENT:
        return None
    return s.scalar(select(Agent).where(func.lower(Agent.username) == actor.username.lower())
                    .order_by(Agent.id.desc()).limit(1))


def require_agent(s: Session, actor: Actor) -> Agent:
    agent = agent_of(s, actor)
    if agent is None:
        raise PermissionDenied(_("当前登录的不是已登记的代办员，不能办理代办委托。"))
    return agent


def my_agent(ctx: Context, actor: Actor) -> Agent | None:
    with ctx.tx() as s:
        return agent_of(s, actor)


def villages_here(ctx: Context) -> list[divisions.Division]:
    """The villages of this township, from the real division data."""
    with ctx.tx() as s:
        sp = service_point_of(s)
    return divisions.villages(sp.division_code[:9])


def village_name(code: str | None) -> str:
    if not code:
        return ""
    d = divisions.get(code)
    return d.name if d else code


def villages_text(agent: Agent) -> str:
    names = [village_name(c) for c in agent.villages or []]
    if agent.grid:
        names.append(agent.grid)
    return "、".join(names)


# --------------------------------------------------------------------------- registry


@dataclass
class AgentInput:
    name: str = ""
    id_type: str = ids.IdType.RESIDENT_ID.value
    id_number: str = ""
    phone: str = ""
    villages: list[str] = field(default_factory=list)
    grid: str = ""
    start_date: dt.date | None = None
    username: str = ""  # new agents only
    password: str = ""  # new agents only
    photo: bytes | None = None
    keep_photo: bool = True  # editing: None photo keeps the old one unless this is False


def _check_input(sp: ServicePoint, inp: AgentInput, today: dt.date) -> AgentInput:
    name = ids.check_name(inp.name)
    if not name.ok:
        raise ServiceError(name.message, field="name")
    try:
        id_type = ids.IdType(inp.id_type)
    except ValueError:
        raise ServiceError(_("请选择证件类型。"), field="id_type") from None
    number = ids.check_id(id_type, inp.id_number, today=today)
    if not number.ok:
        raise ServiceError(number.message, field="id_number")
    phone = ids.check_phone(inp.phone)
    if not phone.ok:
        raise ServiceError(phone.message or _("请填写代办员的联系电话。"), field="phone")
    villages_: list[str] = []
    for code in inp.villages:
        code = (code or "").strip()
        if not code:
            continue
        d = divisions.get(code)
        if d is None or d.level != divisions.VILLAGE:
            raise ServiceError(_("「{code}」不是湖北省区划数据中的村（社区）。").format(code=code),
                               field="villages")
        if d.code12[:9] != sp.division_code[:9]:
            raise ServiceError(_("{name}不属于本乡镇，代办员只能服务本乡镇的村（社区）。").format(name=d.name),
                               field="villages")
        if d.code12 not in villages_:
            villages_.append(d.code12)
    if not villages_ and not inp.grid.strip():
        raise ServiceError(_("请选择代办员服务的村（社区），或填写所负责的网格。"), field="villages")
    if inp.photo is not None and len(inp.photo) > MAX_PHOTO_BYTES:
        raise ServiceError(_("照片过大（{kb} KB），请选择 200 KB 以内的照片。").format(
            kb=len(inp.photo) // 1024), field="photo")
    start = inp.start_date or today
    if start > today + dt.timedelta(days=31):
        raise ServiceError(_("聘用日期最多只能在一个月之后。"), field="start_date")
    return AgentInput(name=name.normalized, id_type=id_type.value, id_number=number.normalized,
                      phone=phone.normalized, villages=villages_, grid=" ".join(inp.grid.split()),
                      start_date=start, username=inp.username.strip(), password=inp.password,
                      photo=inp.photo, keep_photo=inp.keep_photo)


def _next_agent_no(s: Session, sp: ServicePoint) -> str:
    device = int(get_setting(s, "device_no", "1") or 1)
    prefix = make_agent_no(sp.division_code, device, 1)[:5]
    used = [int(no[5:]) for no in s.scalars(select(Agent.agent_no).where(Agent.agent_no.like(prefix + "%")))]
    seq = max(used, default=0) + 1
    if seq > 999:
        raise ServiceError(_("本机登记的代办员编号已用完（999 个），请换一台电脑登记。"))
    return make_agent_no(sp.division_code, device, seq)


def agent_payload(agent: Agent) -> dict[str, Any]:
    """Everything another device of the township needs to know of an agent."""
    photo = None
    if agent.photo and len(agent.photo) <= SYNC_PHOTO_BYTES:
        photo = base64.b64encode(agent.photo).decode("ascii")
    return {
        "key": agent.key, "agent_no": agent.agent_no, "name": agent.name,
        "id_type": agent.id_type, "id_number": agent.id_number, "phone": agent.phone,
        "sex": agent.sex, "service_point": agent.township_code, "villages": list(agent.villages or []),
        "grid": agent.grid, "start_date": agent.start_date.isoformat(), "status": agent.status,
        "status_reason": agent.status_reason, "status_date": agent.status_date.isoformat(),
        "username": agent.username, "public_keys": dict(agent.public_keys or {}),
        "key_serial": agent.key_serial, "provision_count": agent.provision_count,
        "laptop_device_no": agent.laptop_device_no, "version": agent.version,
        "updated_at": agent.updated_at.isoformat(), "photo": photo,
        "status_changes": [
            {"at": c.at.isoformat(), "old": c.old_status, "status": c.status, "reason": c.reason,
             "effective": c.effective_date.isoformat(), "by": c.operator_name}
            for c in agent.status_changes],
    }


def _changed(s: Session, now: dt.datetime, actor: Actor | None, agent: Agent, op: str,
             **detail: Any) -> None:
    """Bump the version, and tell the county (and so every device of the township)."""
    agent.version = (agent.version or 0) + 1
    agent.updated_at = now
    s.flush()
    enqueue(s, now, "agent", agent.key, op, agent_payload(agent))
    audit(s, now, actor, f"agent_{op}", "agent", agent.agent_no, name=agent.name, **detail)


def register_agent(ctx: Context, actor: Actor, inp: AgentInput) -> Agent:
    require_supervisor(actor)
    now = ctx.clock()
    with ctx.tx() as s:
        sp = service_point_of(s)
        clean = _check_input(sp, inp, now.date())
        same = s.scalar(select(Agent).where(Agent.id_type == clean.id_type,
                                            Agent.id_number == clean.id_number,
                                            Agent.status != AgentStatus.LEFT.value))
        if same is not None:
            raise ServiceError(_("{name}（证件号码相同）已登记为代办员，编号 {no}。").format(
                name=same.name, no=same.agent_no), field="id_number")
        op = auth.create_operator(s, now, actor, clean.username, clean.name, Role.AGENT.value,
                                  clean.password, phone=clean.phone)
        check = ids.check_id(clean.id_type, clean.id_number, today=now.date())
        agent = Agent(
            key=uuid.uuid4().hex, agent_no=_next_agent_no(s, sp), name=clean.name,
            id_type=clean.id_type, id_number=clean.id_number, phone=clean.phone, sex=check.sex,
            township_code=sp.division_code, villages=clean.villages, grid=clean.grid,
            start_date=clean.start_date, status=AgentStatus.ACTIVE.value, status_reason="",
            status_date=clean.start_date, photo=clean.photo, username=op.username,
            public_keys={}, key_serial=0, provision_count=0, version=0, created_at=now,
            updated_at=now,
        )
        s.add(agent)
        agent.status_changes.append(AgentStatusChange(
            at=now, old_status=None, status=AgentStatus.ACTIVE.value, reason=_("登记"),
            effective_date=clean.start_date, operator_name=actor.name))
        _changed(s, now, actor, agent, "registered", username=op.username)
        return agent


def update_agent(ctx: Context, actor: Actor, agent_id: int, inp: AgentInput) -> Agent:
    """Edit the details of an agent (not the login and not the status)."""
    require_supervisor(actor)
    now = ctx.clock()
    with ctx.tx() as s:
        sp = service_point_of(s)
        agent = _load(s, agent_id)
        inp.username = agent.username
        clean = _check_input(sp, inp, now.date())
        agent.name = clean.name
        agent.id_type = clean.id_type
        agent.id_number = clean.id_number
        agent.sex = ids.check_id(clean.id_type, clean.id_number, today=now.date()).sex
        agent.phone = clean.phone
        agent.villages = clean.villages
        agent.grid = clean.grid
        agent.start_date = clean.start_date
        if clean.photo is not None or not clean.keep_photo:
            agent.photo = clean.photo
        op = s.scalar(select(Operator).where(Operator.username == agent.username))
        if op is not None:
            op.display_name = agent.name
            op.phone = agent.phone
        _changed(s, now, actor, agent, "updated")
        return agent


def change_status(ctx: Context, actor: Actor, agent_id: int, status: AgentStatus | str,
                  reason: str, effective: dt.date | None = None) -> Agent:
    """暂停, 恢复 or 离任, with the reason and the date it takes effect.

    A suspended agent keeps the login (to finish and hand over open work) but takes no new
    commissions; an agent who left loses the login on this device.
    """
    require_supervisor(actor)
    status = AgentStatus(status)
    now = ctx.clock()
    effective = effective or now.date()
    with ctx.tx() as s:
        agent = _load(s, agent_id)
        old = AgentStatus(agent.status)
        problem = status_change_problem(old, status, reason, effective, agent.start_date, now.date())
        if problem:
            raise ServiceError(problem, field="status")
        agent.status = status.value
        agent.status_reason = reason.strip()
        agent.status_date = effective
        agent.status_changes.append(AgentStatusChange(
            at=now, old_status=old.value, status=status.value, reason=reason.strip(),
            effective_date=effective, operator_name=actor.name))
        op = s.scalar(select(Operator).where(Operator.username == agent.username))
        if op is not None:
            op.active = status is not AgentStatus.LEFT
        _changed(s, now, actor, agent, "status", old=old.value, new=status.value,
                 reason=reason.strip(), effective=effective.isoformat())
        return agent


def _load(s: Session, agent_id: int) -> Agent:
    agent = s.scalar(select(Agent).where(Agent.id == agent_id)
                     .options(selectinload(Agent.status_changes)))
    if agent is None:
        raise ServiceError(_("找不到该代办员。"))
    return agent


def get_agent(ctx: Context, agent_id: int) -> Agent:
    with ctx.tx() as s:
        return _load(s, agent_id)


def list_agents(ctx: Context, include_left: bool = True) -> list[Agent]:
    with ctx.tx() as s:
        q = select(Agent).options(selectinload(Agent.status_changes)).order_by(Agent.agent_no)
        if not include_left:
            q = q.where(Agent.status != AgentStatus.LEFT.value)
        return list(s.scalars(q))


@dataclass
class RosterVillage:
    code: str
    name: str
    agents: list[Agent]


def roster(ctx: Context, include_left: bool = False) -> list[RosterVillage]:
    """Agents per village of the township (an agent serving two villages is in both); agents
    who serve only a grid come last."""
    agents = list_agents(ctx, include_left=include_left)
    out: list[RosterVillage] = []
    for v in villages_here(ctx):
        serving = [a for a in agents if v.code12 in (a.villages or [])]
        if serving:
            out.append(RosterVillage(v.code12, v.name, serving))
    grid_only = [a for a in agents if not a.villages]
    if grid_only:
        out.append(RosterVillage("", _("网格"), grid_only))
    return out


# --------------------------------------------------------------------------- sync (pull side)


def apply_agent_data(s: Session, now: dt.datetime, data: dict[str, Any]) -> str:
    """Apply an agent as another device (through the county) describes it: newer wins.

    Returns "applied" or "skipped". Never touches logins: an agent logs in on the laptop
    that was provisioned, or on a device where the supervisor registered them.
    """
    key = str(data.get("key") or "")
    if not key:
        return "skipped"
    agent = s.scalar(select(Agent).where(Agent.key == key).options(selectinload(Agent.status_changes)))
    version = int(data.get("version") or 0)
    if agent is not None and version <= (agent.version or 0):
        # an older or equal description; keys are only ever added, so take any new one
        keys = dict(agent.public_keys or {})
        merged = keys | {k: v for k, v in (data.get("public_keys") or {}).items() if k not in keys}
        if merged != keys:
            agent.public_keys = merged
            return "applied"
        return "skipped"
    if agent is None:
        clash = s.scalar(select(Agent).where(Agent.agent_no == str(data.get("agent_no") or "")))
        if clash is not None:
            log.warning("agent %s arrives with the number of another agent; skipped", key)
            return "skipped"
        agent = Agent(key=key, created_at=now)
        s.add(agent)
    agent.agent_no = str(data["agent_no"])
    agent.name = str(data.get("name") or "")
    agent.id_type = str(data.get("id_type") or ids.IdType.RESIDENT_ID.value)
    agent.id_number = str(data.get("id_number") or "")
    agent.phone = str(data.get("phone") or "")
    agent.sex = data.get("sex")
    agent.township_code = str(data.get("service_point") or "")
    agent.villages = list(data.get("villages") or [])
    agent.grid = str(data.get("grid") or "")
    agent.start_date = dt.date.fromisoformat(str(data.get("start_date") or now.date().isoformat()))
    agent.status = str(data.get("status") or AgentStatus.ACTIVE.value)
    agent.status_reason = str(data.get("status_reason") or "")
    agent.status_date = dt.date.fromisoformat(str(data.get("status_date") or agent.start_date.isoformat()))
    agent.username = str(data.get("username") or "")
    agent.public_keys = dict(agent.public_keys or {}) | dict(data.get("public_keys") or {})
    agent.key_serial = max(agent.key_serial or 0, int(data.get("key_serial") or 0))
    agent.provision_count = max(agent.provision_count or 0, int(data.get("provision_count") or 0))
    agent.laptop_device_no = data.get("laptop_device_no")
    agent.version = version
    agent.updated_at = now
    if data.get("photo"):
        agent.photo = base64.b64decode(data["photo"])
    known = {(c.at.isoformat(), c.status) for c in agent.status_changes}
    for c in data.get("status_changes") or []:
        if (c["at"], c["status"]) in known:
            continue
        agent.status_changes.append(AgentStatusChange(
            at=dt.datetime.fromisoformat(c["at"]), old_status=c.get("old"), status=c["status"],
            reason=c.get("reason") or "", effective_date=dt.date.fromisoformat(c["effective"]),
            operator_name=c.get("by") or ""))
    # an agent who left cannot log in on this device either
    op = s.scalar(select(Operator).where(Operator.username == agent.username))
    if op is not None and op.role == Role.AGENT.value:
        op.active = agent.status != AgentStatus.LEFT.value
    s.flush()
    audit(s, now, None, "agent_from_sync", "agent", agent.agent_no, version=version)
    return "applied"


# --------------------------------------------------------------------------- provisioning


@dataclass
class Provisioning:
    """A provisioning file for an agent's laptop, and the code that opens it."""

    code: str  # 提取码, e.g. "K7MQ-2XHP-9TZA": tell the agent, never write it on the file
    content: bytes
    file_name: str
    agent_no: str
    terminal: int


def _format_code(raw: str) -> str:
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _normalize_code(code: str) -> str:
    return "".join(ch for ch in ids.normalize_id(code) if ch.isalnum())


def _file_key(code: str, salt: bytes) -> bytes:
    return hashlib.scrypt(_normalize_code(code).encode("ascii"), salt=salt, n=2**14, r=8, p=1,
                          dklen=32)


def _item_rows(s: Session) -> list[dict[str, Any]]:
    items = s.scalars(select(ServiceItem).where(ServiceItem.current, ServiceItem.proxy_allowed)
                      .options(selectinload(ServiceItem.materials)).order_by(ServiceItem.seq))
    return [{
        "seq": it.seq, "code": it.code, "name": it.name, "body": it.body,
        "item_type": it.item_type, "level": it.level, "legal_limit": it.legal_limit,
        "promised_limit": it.promised_limit, "fee": it.fee, "conditions": it.conditions,
        "legal_basis": it.legal_basis, "proxy_allowed": it.proxy_allowed, "visits": it.visits,
        "consult_phone": it.consult_phone, "complaint_phone": it.complaint_phone,
        "materials_text": "",
        "materials": [{"seq": m.seq, "name": m.name, "form": m.form, "copies": m.copies,
                       "required": m.required, "condition": m.condition} for m in it.materials],
    } for it in items]


def _free_laptop_device_no(s: Session, agent: Agent) -> int:
    if agent.laptop_device_no:
        return agent.laptop_device_no
    used = set(s.scalars(select(Agent.laptop_device_no).where(Agent.laptop_device_no.is_not(None))))
    used.add(int(get_setting(s, "device_no", "1") or 1))
    for n in LAPTOP_DEVICE_NOS:
        if n not in used:
            return n
    raise ServiceError(_("可分配给代办员电脑的设备号（60–99）已用完。"))


def export_provisioning(ctx: Context, actor: Actor, agent_id: int) -> Provisioning:
    """Make the provisioning file for the agent's laptop, with a new signing key.

    Each export makes a new key and a new terminal number (1-9, part of the numbers the
    laptop makes); keys of earlier laptops stay valid for sheets they printed.
    """
    require_supervisor(actor)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    now = ctx.clock()
    with ctx.tx() as s:
        sp = service_point_of(s)
        agent = _load(s, agent_id)
        if agent.status == AgentStatus.LEFT.value:
            raise ServiceError(_("{name}已离任，不能再配置代办电脑。").format(name=agent.name))
        op = s.scalar(select(Operator).where(Operator.username == agent.username))
        if op is None:
            raise ServiceError(_("找不到代办员 {name} 的登录账号，请先在操作员管理中处理。").format(name=agent.name))
        seed, public = new_signing_key()
        agent.key_serial = (agent.key_serial or 0) + 1
        agent.public_keys = dict(agent.public_keys or {}) | {str(agent.key_serial): public}
        agent.provision_count = (agent.provision_count or 0) + 1
        agent.laptop_device_no = _free_laptop_device_no(s, agent)
        terminal = (agent.provision_count - 1) % 9 + 1
        _changed(s, now, actor, agent, "provisioned", terminal=terminal, key_serial=agent.key_serial)
        body = {
            "created_at": now.isoformat(),
            "created_by": actor.name,
            "service_point": {
                "division_code": sp.division_code, "name": sp.name, "kind": sp.kind,
                "county_code": sp.county_code, "county_name": sp.county_name,
                "township_name": sp.township_name, "village_name": sp.village_name,
                "office_name": sp.office_name, "phone": sp.phone,
                "complaint_phone": sp.complaint_phone, "address": sp.address,
            },
            "agent": agent_payload(agent),
            "operator": {"username": op.username, "display_name": op.display_name,
                         "password_hash": op.password_hash, "phone": op.phone},
            "signing_key": {"serial": agent.key_serial, "seed": seed.hex()},
            "terminal": terminal,
            "device_no": agent.laptop_device_no,
            "handover_limit": handover_limit(s),
            "catalog": _item_rows(s),
            "calendar": [{"day": r.day.isoformat(), "is_workday": r.is_workday, "note": r.note,
                          "source": r.source}
                         for r in s.scalars(select(CalendarOverride))],
        }
        raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(12))
        salt, nonce = os.urandom(16), os.urandom(12)
        header = {"format": PROVISION_FORMAT, "version": PROVISION_VERSION,
                  "agent_no": agent.agent_no, "agent_name": agent.name,
                  "service_point": sp.name, "created_at": now.isoformat()}
        aad = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
        sealed = AESGCM(_file_key(raw, salt)).encrypt(
            nonce, json.dumps(body, ensure_ascii=False).encode("utf-8"), aad)
        doc = header | {"salt": salt.hex(), "nonce": nonce.hex(),
                        "data": base64.b64encode(sealed).decode("ascii")}
        content = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
        return Provisioning(code=_format_code(raw), content=content,
                            file_name=f"代办员配置-{agent.agent_no}-{agent.name}.agent",
                            agent_no=agent.agent_no, terminal=terminal)


@dataclass
class ProvisioningHeader:
    agent_no: str
    agent_name: str
    service_point: str
    created_at: str


def read_provisioning_header(content: bytes) -> ProvisioningHeader:
    """What the file says about itself before it is opened (shown for the agent to confirm)."""
    try:
        doc = json.loads(content.decode("utf-8"))
        if doc.get("format") != PROVISION_FORMAT:
            raise ValueError
    except (ValueError, UnicodeDecodeError, AttributeError):
        raise ServiceError(_("这不是代办员配置文件，请选择乡镇负责人导出的 .agent 文件。")) from None
    if int(doc.get("version") or 0) > PROVISION_VERSION:
        raise ServiceError(_("配置文件来自更新版本的程序，请先升级本机程序。"))
    return ProvisioningHeader(str(doc.get("agent_no")), str(doc.get("agent_name")),
                              str(doc.get("service_point")), str(doc.get("created_at")))


def _open(content: bytes, code: str) -> dict[str, Any]:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    read_provisioning_header(content)
    doc = json.loads(content.decode("utf-8"))
    header = {k: doc.get(k) for k in ("format", "version", "agent_no", "agent_name",
                                      "service_point", "created_at")}
    aad = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    if len(_normalize_code(code)) != 12:
        raise ServiceError(_("提取码应为 12 位字母和数字（可带短横线），请向乡镇负责人核对。"), field="code")
    try:
        plain = AESGCM(_file_key(code, bytes.fromhex(doc["salt"]))).decrypt(
            bytes.fromhex(doc["nonce"]), base64.b64decode(doc["data"]), aad)
    except (InvalidTag, KeyError, ValueError):
        raise ServiceError(_("提取码不对，或配置文件已损坏。请向乡镇负责人核对提取码。"), field="code") from None
    return json.loads(plain.decode("utf-8"))


@dataclass
class ImportedAgent:
    username: str
    name: str
    agent_no: str
    service_point: str
    items: int


def import_provisioning(ctx: Context, content: bytes, code: str,
                        keys: KeyStore | None = None) -> ImportedAgent:
    """Set up this computer as the agent's laptop (or bring it up to date).

    Works on a computer that was never set up (no login needed: the file is opened with its
    code) and on a laptop of the same agent (re-provisioning). A counter computer of another
    service point, or of another agent, is refused.
    """
    from clerk_app.services import catalog

    body = _open(content, code)
    keys = keys or key_store()
    now = ctx.clock()
    data = body["agent"]
    point = body["service_point"]
    with ctx.tx() as s:
        sp = s.scalar(select(ServicePoint).limit(1))
        laptop_of = get_setting(s, LAPTOP_AGENT_KEY)
        if sp is not None:
            if sp.division_code != point["division_code"]:
                raise ServiceError(_("本机是「{here}」的电脑，配置文件属于「{there}」，不能导入。").format(
                    here=sp.name, there=point["name"]))
            if not laptop_of:
                raise ServiceError(_("本机是乡镇窗口电脑，不能导入代办员配置文件；请在代办员自己的电脑上导入。"))
            if laptop_of != data["key"]:
                raise ServiceError(_("本机已配置为另一位代办员的电脑，不能导入 {name} 的配置。").format(
                    name=data["name"]))
        else:
            s.add(ServicePoint(
                division_code=point["division_code"], name=point["name"], kind=point["kind"],
                county_code=point["county_code"], county_name=point["county_name"],
                township_name=point["township_name"], village_name=point.get("village_name"),
                office_name=point["office_name"], phone=point.get("phone"),
                complaint_phone=point.get("complaint_phone"), address=point.get("address")))
        # the signing key first: without a keyring nothing else is worth writing
        keys.put(data["key"], int(body["signing_key"]["serial"]), bytes.fromhex(body["signing_key"]["seed"]))
        set_setting(s, "device_no", str(int(body["device_no"])))
        set_setting(s, LAPTOP_AGENT_KEY, data["key"])
        set_setting(s, LAPTOP_TERMINAL, str(int(body["terminal"])))
        HANDOVER_LIMIT.set(s, int(body.get("handover_limit") or DEFAULT_HANDOVER_LIMIT))
        o = body["operator"]
        op = s.scalar(select(Operator).where(func.lower(Operator.username) == o["username"].lower()))
        if op is None:
            op = Operator(username=o["username"], created_at=now, failed_attempts=0)
            s.add(op)
        op.display_name = o["display_name"]
        op.role = Role.AGENT.value
        op.password_hash = o["password_hash"]
        op.active = True
        op.phone = o.get("phone")
        op.locked_until = None
        s.flush()
        apply_agent_data(s, now, data)
        rows = [catalog.ItemRow(**row) for row in body.get("catalog") or []]
        if rows:
            checksum = hashlib.sha256(json.dumps(body["catalog"], ensure_ascii=False,
                                                 sort_keys=True).encode("utf-8")).hexdigest()
            catalog.apply_catalog(s, now, None, rows, _("乡镇代办配置 {date}").format(
                date=str(body["created_at"])[:10]), checksum)
        for row in body.get("calendar") or []:
            day = dt.date.fromisoformat(row["day"])
            override = s.get(CalendarOverride, day)
            if override is None:
                override = CalendarOverride(day=day)
                s.add(override)
            override.is_workday = bool(row["is_workday"])
            override.note = row.get("note") or ""
            override.source = row.get("source") or "county"
            override.updated_at = now
        audit(s, now, None, "agent_provisioned_here", "agent", data["agent_no"],
              terminal=body["terminal"], created_by=body.get("created_by"))
        return ImportedAgent(o["username"], data["name"], data["agent_no"], point["name"], len(rows))


def export_roster_file(ctx: Context, actor: Actor) -> bytes:
    """Every agent of the township (public data and keys) for another counter computer of the
    township that has no sync: imported there with :func:`import_roster_file`."""
    if actor.role is Role.AGENT:
        raise PermissionDenied(_("代办员不能导出代办员名册。"))
    with ctx.tx() as s:
        sp = service_point_of(s)
        agents = list(s.scalars(select(Agent).options(selectinload(Agent.status_changes))))
        doc = {"format": "clerk-app-agent-roster", "version": 1, "service_point": sp.division_code,
               "agents": [agent_payload(a) for a in agents]}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def import_roster_file(ctx: Context, actor: Actor, content: bytes) -> int:
    require_supervisor(actor)
    try:
        doc = json.loads(content.decode("utf-8"))
        assert doc.get("format") == "clerk-app-agent-roster"
    except (ValueError, UnicodeDecodeError, AssertionError, AttributeError):
        raise ServiceError(_("这不是代办员名册文件。")) from None
    now = ctx.clock()
    with ctx.tx() as s:
        sp = service_point_of(s)
        if doc.get("service_point") != sp.division_code:
            raise ServiceError(_("名册属于另一个服务点，不能导入。"))
        applied = sum(apply_agent_data(s, now, a) == "applied" for a in doc.get("agents") or [])
        audit(s, now, actor, "agent_roster_imported", "agent", "", applied=applied)
        return applied


# --------------------------------------------------------------------------- documents


def _may_print_agent(s: Session, actor: Actor, agent: Agent) -> None:
    if actor.role is Role.AGENT:
        own = agent_of(s, actor)
        if own is None or own.id != agent.id:
            raise PermissionDenied(_("代办员只能打印自己的代办员证。"))


def card_pdf(ctx: Context, actor: Actor, agent_id: int) -> bytes:
    """代办员证 (front and back, on A4 with cut marks)."""
    from clerk_app.forms.agent_docs import AgentCardData, render_agent_card

    now = ctx.clock()
    with ctx.tx() as s:
        agent = _load(s, agent_id)
        _may_print_agent(s, actor, agent)
        sp = service_point_of(s)
        data = AgentCardData(
            office_name=sp.office_name, township_name=sp.name, name=agent.name,
            agent_no=agent.agent_no, sex=agent.sex or "", phone=agent.phone,
            villages=villages_text(agent), start_date=agent.start_date,
            status_label=AgentStatus(agent.status).label, photo=agent.photo,
            hotline=sp.complaint_phone or "12345", township_phone=sp.phone or "",
            issued_on=now.date())
        audit(s, now, actor, "agent_card_printed", "agent", agent.agent_no)
    return render_agent_card(data)


def roster_pdf(ctx: Context, actor: Actor, include_left: bool = False) -> bytes:
    """代办员花名册, per village (ID numbers masked)."""
    from clerk_app.forms.agent_docs import RosterData, RosterRow, RosterVillageData, render_roster

    if actor.role is Role.AGENT:
        raise PermissionDenied(_("代办员不能打印代办员花名册。"))
    now = ctx.clock()
    with ctx.tx() as s:
        sp = service_point_of(s)
    groups = roster(ctx, include_left=include_left)
    data = RosterData(
        office_name=sp.office_name, township_name=sp.name, printed_at=now,
        villages=[RosterVillageData(g.name, [
            RosterRow(a.agent_no, a.name, a.sex or "", ids.mask_id(a.id_number), a.phone,
                      villages_text(a), a.start_date, AgentStatus(a.status).label)
            for a in g.agents]) for g in groups])
    return render_roster(data)


def apply_feed_entry(s: Session, now: dt.datetime, kind: str, data: dict[str, Any]) -> str:
    """The sync client's pull hands agent, commission and handover entries here.

    An agent's laptop keeps only its own agent's records: the feed of the service point also
    carries the other agents and the citizens they serve, which that laptop has no business
    holding.
    """
    from clerk_app.services import commissions, handover

    mine = get_setting(s, LAPTOP_AGENT_KEY)
    if mine:
        key = data.get("key") if kind == "agent" else data.get("agent_key")
        if key != mine:
            return "skipped"

    if kind == "agent":
        return apply_agent_data(s, now, data)
    if kind == "commission":
        return commissions.apply_commission_data(s, now, data)
    if kind == "handover":
        return handover.apply_handover_data(s, now, data)
    return "skipped"
