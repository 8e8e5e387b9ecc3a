"""Handover sheets (交接单): the agent brings collected materials to the township.

The agent's laptop prints a sheet listing each commission and its materials, with a QR code
that carries what the township needs, signed with the agent's Ed25519 key (made when the
laptop was provisioned; the township holds the public key). At the township a USB scanner
types the QR text into the receive dialog -- or the clerk types the sheet number, when the
sheet's data reached this computer through sync. The commissions appear, the clerk checks
the materials received, both sign, and the township records the sheet number so the same
sheet is never received twice. Nothing needs the agent's laptop to have been online.

The QR text: ``DBJJ:`` and the Base32 (RFC 4648, no padding) of a compact binary record and
its 64-byte signature. Base32 uses only A–Z and 2–7, which QR codes store in their
alphanumeric mode (5.5 bits a character), and it survives a scanner that types with Caps
Lock on (decoding ignores case). The binary layout is in ``docs/agents.md``:

* header: mode (3 = full, 1 = full as printed before places were carried, 2 = digest),
  agent number, key serial, sheet day and number,
  time of printing, number of commissions;
* full mode, each commission: number, item reference (6 bytes of SHA-256 over the item
  code and its materials), principal (ID type and number, name in GB 18030, phone,
  village), validity, collection day, scope, and the state of each material (4 bits);
  mode 3 also the villages where the commission was taken and the materials collected, and
  the handover limit in force at collection;
* digest mode (more commissions than fit, laptop that syncs): number, item reference and an
  8-byte digest of principal and item; the details then come through sync and the
  materials list is on the paper.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from clerk_app.domain import ids
from clerk_app.domain.agents import (
    AgentStatus,
    CommissionState,
    SheetNo,
    commission_digest,
    commission_no_code,
    commission_no_from_code,
    handover_due,
    make_sheet_no,
    parse_sheet_no,
    scope_mask,
    scopes_from_mask,
)
from clerk_app.domain.ids import iso7064_mod11_2
from clerk_app.domain.status import MaterialState, Role
from clerk_app.i18n import _
from clerk_app.services import agents as agent_service
from clerk_app.services import commissions as cm
from clerk_app.services.calendar import load_calendar
from clerk_app.services.common import (
    Actor,
    Context,
    PermissionDenied,
    ServiceError,
    audit,
    enqueue,
    get_setting,
)
from clerk_app.store.agent_models import Agent, Commission, CommissionMaterial, CommissionStep, Handover
from clerk_app.store.models import ServiceItem, ServicePoint

S = CommissionState
PREFIX = "DBJJ:"
#: layout versions (the first byte): 1 = full (sheets printed before places were carried),
#: 2 = digest, 3 = full with the places of commissioning and collection and the handover limit
#: in force at collection. New full sheets are 3; 1 stays decodable for sheets already printed.
MODE_FULL = 1
MODE_DIGEST = 2
MODE_FULL_PLACES = 3
FULL_MODES = (MODE_FULL, MODE_FULL_PLACES)
#: the 10-bit village field of layout 3: 0-999 the village part of the division code (000 =
#: the township itself, its service point), NO_PLACE = not recorded or outside the township
NO_PLACE = 1023
#: commissions per sheet with everything in the QR code (it then stays under ~600 characters,
#: a version 15 code that a phone or a USB scanner reads from paper at 50 mm)
MAX_FULL = 6
MAX_DIGEST = 20
EPOCH = dt.date(2000, 1, 1)
EPOCH_TIME = dt.datetime(2000, 1, 1)
SIGNATURE_BYTES = 64
ID_TYPES = [t.value for t in ids.IdType] + ["uscc"]
MATERIAL_STATES = list(MaterialState)
_DIGITS = re.compile(r"^[0-9]{1,40}$")


# --------------------------------------------------------------------------- binary codec


class _Writer:
    def __init__(self) -> None:
        self.buf = bytearray()

    def u8(self, n: int) -> None:
        self.buf += int(n).to_bytes(1, "big")

    def u16(self, n: int) -> None:
        self.buf += int(n).to_bytes(2, "big")

    def u32(self, n: int) -> None:
        self.buf += int(n).to_bytes(4, "big")

    def raw(self, b: bytes) -> None:
        self.buf += b

    def day(self, d: dt.date) -> None:
        self.u16((d - EPOCH).days)

    def text(self, s: str) -> None:
        """Digits as a number (7 digits in 3 bytes); anything else as GB 18030."""
        if _DIGITS.match(s):
            n = len(s)
            self.u8(0x80 | n)
            self.raw(int(s).to_bytes(_digit_bytes(n), "big"))
            return
        b = s.encode("gb18030")
        if len(b) > 0x7F:
            raise ValueError(s)
        self.u8(len(b))
        self.raw(b)


def _digit_bytes(n: int) -> int:
    return max(1, (int("9" * n).bit_length() + 7) // 8)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError("short")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return int.from_bytes(self.take(2), "big")

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "big")

    def day(self) -> dt.date:
        return EPOCH + dt.timedelta(days=self.u16())

    def text(self) -> str:
        head = self.u8()
        if head & 0x80:
            n = head & 0x7F
            return str(int.from_bytes(self.take(_digit_bytes(n)), "big")).zfill(n)
        return self.take(head).decode("gb18030")


def item_ref(item: ServiceItem) -> bytes:
    """6 bytes naming an item version by its code and its materials (their order is what the
    4-bit material states refer to)."""
    raw = item.code + "\n" + "\n".join(f"{m.seq}:{m.name}" for m in sorted(item.materials, key=lambda m: m.seq))
    return hashlib.sha256(raw.encode("utf-8")).digest()[:6]


@dataclass
class QrCommission:
    commission_no: str
    item_ref: bytes
    digest: bytes = b""  # digest mode
    id_type: str = ""
    id_number: str = ""
    name: str = ""
    phone: str = ""
    village: int = 0  # last 3 digits of the village code, 0 = none
    valid_until: dt.date | None = None
    collected_on: dt.date | None = None
    # layout 3 only: where the commission was taken and the materials collected (village part
    # of the division code, 0 = the township, None = not recorded), and the handover limit
    # (working days) in force at collection (None = not recorded)
    commissioned_place: int | None = None
    collected_place: int | None = None
    handover_limit: int | None = None
    scope: list[str] = field(default_factory=list)
    subdelegation: bool = False
    materials: list[MaterialState] = field(default_factory=list)


@dataclass
class SheetPayload:
    mode: int
    agent_no: str
    key_serial: int
    sheet: SheetNo
    created_at: dt.datetime
    commissions: list[QrCommission]
    signed: bytes = b""
    signature: bytes = b""

    @property
    def sheet_no(self) -> str:
        return self.sheet.canonical


def _number_parts(no: str) -> tuple[dt.date, int]:
    _agent, day, code = commission_no_code(no)
    return day, code


class NoRoom(ValueError):
    """A value does not fit layout 3's packed fields (the sheet is made in layout 1 instead)."""


def _place_bits(place: int | None) -> int:
    if place is None:
        return NO_PLACE
    if not 0 <= place <= 999:
        raise NoRoom("place")
    return place


def _pack_places(c: QrCommission, commissioned_on: dt.date) -> bytes:
    """Layout 3's 7 bytes (56 bits, high to low): principal's village 10, valid until 10 and
    collected on 10 (days after the commission's day, from its number), commissioned at 10,
    collected at 10 (village part, 0 = township, 1023 = not recorded), handover limit 5
    (0 = not recorded), 1 spare."""
    valid = (c.valid_until - commissioned_on).days
    collected = (c.collected_on - commissioned_on).days
    limit = c.handover_limit or 0
    if not (0 <= valid < 1024 and 0 <= collected < 1024 and 0 <= limit < 32 and 0 <= c.village <= 999):
        raise NoRoom("dates")
    bits = c.village
    for part in (valid, collected, _place_bits(c.commissioned_place), _place_bits(c.collected_place)):
        bits = bits << 10 | part
    bits = (bits << 5 | limit) << 1
    return bits.to_bytes(7, "big")


def _unpack_places(raw: bytes, commissioned_on: dt.date) -> dict[str, Any]:
    bits = int.from_bytes(raw, "big") >> 1
    limit = bits & 0x1F
    bits >>= 5
    parts = []
    for _i in range(5):
        parts.append(bits & 0x3FF)
        bits >>= 10
    village, valid, collected, at_commission, at_collection = reversed(parts)
    return {"village": village, "valid_until": commissioned_on + dt.timedelta(days=valid),
            "collected_on": commissioned_on + dt.timedelta(days=collected),
            "commissioned_place": None if at_commission == NO_PLACE else at_commission,
            "collected_place": None if at_collection == NO_PLACE else at_collection,
            "handover_limit": limit or None}


def encode_body(p: SheetPayload) -> bytes:
    w = _Writer()
    w.u8(p.mode)
    w.u32(int(p.agent_no))
    w.u8(p.key_serial)
    w.day(p.sheet.day)
    w.u16(p.sheet.terminal * 100 + p.sheet.seq)
    w.u32(int((p.created_at - EPOCH_TIME).total_seconds() // 60))
    w.u8(len(p.commissions))
    for c in p.commissions:
        day, ts = _number_parts(c.commission_no)
        w.day(day)
        w.u16(ts)
        w.raw(c.item_ref)
        if p.mode == MODE_DIGEST:
            w.raw(c.digest)
            continue
        id_index = ID_TYPES.index(c.id_type)
        number = c.id_number
        omit_check = (c.id_type in ("resident_id", "household") and len(number) == 18
                      and number[:17].isdigit() and iso7064_mod11_2(number[:17]) == number[17])
        w.u8(id_index | (0x10 if c.subdelegation else 0) | (0x20 if omit_check else 0))
        w.text(number[:17] if omit_check else number)
        w.text(c.name)
        w.text(c.phone)
        if p.mode == MODE_FULL_PLACES:
            w.raw(_pack_places(c, day))
        else:
            w.u16(c.village)
            w.day(c.valid_until)
            w.day(c.collected_on)
        w.u8(scope_mask(c.scope))
        w.u8(len(c.materials))
        nibbles = [MATERIAL_STATES.index(st) for st in c.materials]
        if len(nibbles) % 2:
            nibbles.append(0)
        for hi, lo in zip(nibbles[::2], nibbles[1::2]):
            w.u8(hi << 4 | lo)
    return bytes(w.buf)


def scan_text(text: str | None) -> str:
    """What a scanner or a clerk typed, as plain ASCII without spaces, upper case.

    A scanner types through the keyboard, so a Chinese input method in full-width or Chinese
    punctuation mode turns ``DBJJ:`` into ``DBJJ：`` and letters and digits into their
    full-width forms (U+FF01–U+FF5E), spaces into U+3000; NFKC maps all of them back."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()


def decode(text: str) -> SheetPayload:
    """Parse the QR text (not yet verified). Raises ValueError when it is not a sheet."""
    plain = scan_text(text)
    if not plain.startswith(PREFIX[:-1]):
        raise ValueError("prefix")
    b32 = plain[len(PREFIX):] if plain.startswith(PREFIX) else plain[len(PREFIX) - 1:]
    data = base64.b32decode(b32 + "=" * (-len(b32) % 8))
    if len(data) < 15 + SIGNATURE_BYTES:
        raise ValueError("short")
    signed, signature = data[:-SIGNATURE_BYTES], data[-SIGNATURE_BYTES:]
    r = _Reader(signed)
    mode = r.u8()
    if mode not in (MODE_FULL, MODE_DIGEST, MODE_FULL_PLACES):
        raise ValueError("mode")
    agent_no = f"{r.u32():08d}"
    serial = r.u8()
    sheet_day = r.day()
    ts = r.u16()
    sheet = SheetNo(agent_no, sheet_day, ts // 100, ts % 100)
    created = EPOCH_TIME + dt.timedelta(minutes=r.u32())
    count = r.u8()
    out: list[QrCommission] = []
    for _i in range(count):
        day = r.day()
        cts = r.u16()
        no = commission_no_from_code(agent_no, day, cts)
        ref = r.take(6)
        if mode == MODE_DIGEST:
            out.append(QrCommission(no, ref, digest=r.take(8)))
            continue
        flags = r.u8()
        id_type = ID_TYPES[flags & 0x0F]
        number = r.text()
        if flags & 0x20:
            number += iso7064_mod11_2(number)
        name = r.text()
        phone = r.text()
        if mode == MODE_FULL_PLACES:
            where = _unpack_places(r.take(7), day)
        else:
            where = {"village": r.u16(), "valid_until": r.day(), "collected_on": r.day()}
        scope = scopes_from_mask(r.u8())
        n = r.u8()
        nibbles: list[int] = []
        for _j in range((n + 1) // 2):
            b = r.u8()
            nibbles += [b >> 4, b & 0x0F]
        states = [MATERIAL_STATES[x] for x in nibbles[:n]]
        out.append(QrCommission(no, ref, id_type=id_type, id_number=number, name=name, phone=phone,
                                scope=scope, subdelegation=bool(flags & 0x10), materials=states, **where))
    if r.pos != len(signed):
        raise ValueError("trailing")
    return SheetPayload(mode, agent_no, serial, sheet, created, out, signed, signature)


def encode(p: SheetPayload, seed: bytes) -> str:
    body = encode_body(p)
    signature = agent_service.sign(seed, body)
    return PREFIX + base64.b32encode(body + signature).decode("ascii").rstrip("=")


# --------------------------------------------------------------------------- the laptop


def _payload_commission(c: Commission, mode: int, refs: dict[int, bytes], sp: ServicePoint) -> QrCommission:
    ref = refs[c.item_id] if c.item_id in refs else b"\0" * 6
    if mode == MODE_DIGEST:
        return QrCommission(c.commission_no, ref, digest=commission_digest(
            c.commission_no, c.principal_id_type, c.principal_id_number, c.item_code))
    village = 0
    if c.village_code and c.village_code[:9] == sp.division_code[:9]:
        village = int(c.village_code[9:])
    commissioned = cm.first_step(c, S.COMMISSIONED)
    collected = cm.first_step(c, S.COLLECTED)
    limit = (collected.detail or {}).get("handover_limit") if collected else None
    return QrCommission(
        c.commission_no, ref, id_type=c.principal_id_type, id_number=c.principal_id_number,
        name=c.principal_name, phone=c.principal_phone, village=village,
        valid_until=c.valid_until, collected_on=(c.collected_at or c.updated_at).date(),
        scope=list(c.scope or []), subdelegation=c.subdelegation,
        materials=[MaterialState(m.state) for m in c.materials],
        commissioned_place=_village_part(commissioned, sp), collected_place=_village_part(collected, sp),
        handover_limit=int(limit) if limit else None)


def _village_part(step: CommissionStep | None, sp: ServicePoint) -> int | None:
    """The village part (3 digits) of where a step happened, if it is in this township."""
    code = str((step.detail or {}).get("village") or "") if step is not None else ""
    if len(code) == 12 and code.isdigit() and code[:9] == sp.division_code[:9]:
        return int(code[9:])
    return None


def _next_sheet(s: Session, agent: Agent, day: dt.date) -> SheetNo:
    terminal = int(get_setting(s, agent_service.LAPTOP_TERMINAL, "0") or 0)
    prefix = make_sheet_no(agent.agent_no, day, terminal, 1)[:-5]
    used = [int(no[-4:-2]) for no in s.scalars(select(Handover.sheet_no).where(Handover.sheet_no.like(prefix + "%")))]
    seq = max(used, default=0) + 1
    if seq > 99:
        raise ServiceError(_("本机今天的交接单编号已用完（99 张）。"))
    return SheetNo(agent.agent_no, day, terminal, seq)


def handover_payload(h: Handover) -> dict[str, Any]:
    return {"sheet_no": h.sheet_no, "agent_key": h.agent.key, "agent_no": h.agent.agent_no,
            "service_point": h.agent.township_code, "created_at": h.created_at.isoformat(),
            "created_by": h.created_by, "payload": h.payload, "mode": h.mode,
            "commission_nos": list(h.commission_nos or []), "state": h.state,
            "received_at": h.received_at.isoformat() if h.received_at else None,
            "received_by": h.received_by, "received_device": h.received_device}


def create_sheets(ctx: Context, actor: Actor, commission_ids: list[int],
                  keys: agent_service.KeyStore | None = None, mode: str = "auto") -> list[Handover]:
    """Make handover sheets for collected commissions, signed with the agent's key.

    ``mode`` "auto": everything in the QR code, up to 6 commissions a sheet (more make more
    sheets), so the township needs nothing but the paper. "digest": up to 20 on one sheet,
    only numbers and digests in the QR code; for a laptop that syncs, whose details reach the
    township before the agent does.
    """
    if not commission_ids:
        raise ServiceError(_("请选择要交接的委托。"))
    keys = keys or agent_service.key_store()
    now = ctx.clock()
    with ctx.tx() as s:
        agent = agent_service.require_agent(s, actor)
        if not get_setting(s, agent_service.LAPTOP_AGENT_KEY):
            raise ServiceError(_("这台是乡镇窗口的电脑，在这里不需要打印交接单：请把收齐的材料当面交给窗口人员，"
                                 "由窗口人员在“代办总览”中选中委托，点“窗口交件…”核对材料后登记。"))
        seed = keys.get(agent.key, agent.key_serial)
        if seed is None:
            raise ServiceError(_("本机没有代办员的签名密钥，不能签发交接单。请在本人的代办电脑上操作，"
                                 "或请乡镇负责人重新导出配置文件并导入。"))
        sp = agent_service.service_point_of(s)
        rows = list(s.scalars(select(Commission).where(Commission.id.in_(commission_ids)).options(
            selectinload(Commission.materials), selectinload(Commission.agent), selectinload(Commission.steps))
            .order_by(Commission.commission_no)))
        if len(rows) != len(set(commission_ids)):
            raise ServiceError(_("找不到所选的部分委托，请刷新后重试。"))
        for c in rows:
            if c.agent_id != agent.id:
                raise PermissionDenied(_("代办员只能交接自己受托的委托。"))
            if S(c.state) is not S.COLLECTED:
                raise ServiceError(_("委托 {no}（{name}）当前为「{state}」，只有已收件的委托可以交接。").format(
                    no=c.commission_no, name=c.principal_name, state=S(c.state).label))
            if now.date() > c.valid_until:
                raise ServiceError(_("委托 {no}（{name}）已于 {date} 过期，不能交接；请与委托人重新签订委托书。").format(
                    no=c.commission_no, name=c.principal_name, date=c.valid_until.isoformat()))
        older = _live_sheets_of(s, rows)
        items = {it.id: it for it in s.scalars(select(ServiceItem).where(
            ServiceItem.id.in_({c.item_id for c in rows if c.item_id}))
            .options(selectinload(ServiceItem.materials)))}
        refs = {iid: item_ref(it) for iid, it in items.items()}
        if mode == "digest":
            size, kind = MAX_DIGEST, MODE_DIGEST
        else:
            size, kind = MAX_FULL, MODE_FULL_PLACES
        sheets: list[Handover] = []
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            sheet = _next_sheet(s, agent, now.date())
            payload = SheetPayload(kind, agent.agent_no, agent.key_serial, sheet, now.replace(second=0),
                                   [_payload_commission(c, kind, refs, sp) for c in chunk])
            try:
                try:
                    text = encode(payload, seed)
                except NoRoom:  # a date too far for layout 3's packed fields: the older layout
                    payload.mode = MODE_FULL
                    text = encode(payload, seed)
            except ValueError:
                raise ServiceError(_("委托人的姓名或电话过长，无法放进二维码，请核对。")) from None
            h = Handover(sheet_no=sheet.canonical, agent=agent, created_at=now, created_by=actor.name,
                         payload=text, mode="digest" if kind == MODE_DIGEST else "full",
                         commission_nos=[c.commission_no for c in chunk], state="issued",
                         received_by="", received_device="", print_count=0, note="", origin="local")
            s.add(h)
            for c in chunk:
                c.sheet_no = h.sheet_no
                c.updated_at = now
            s.flush()
            enqueue(s, now, "handover", h.sheet_no, "issued", handover_payload(h))
            audit(s, now, actor, "handover_issued", "handover", h.sheet_no,
                  commissions=h.commission_nos, mode=h.mode)
            sheets.append(h)
        for old in older:
            # the paper of the older sheet may still be about: the township refuses it once it
            # hears (sync) that it was replaced; its other commissions keep its number, so they
            # are still not cancelled here while that paper may reach the township
            old.state = "replaced"
            newer = [h.sheet_no for h in sheets if set(h.commission_nos or []) & set(old.commission_nos or [])]
            s.flush()
            enqueue(s, now, "handover", old.sheet_no, "replaced", handover_payload(old))
            audit(s, now, actor, "handover_replaced", "handover", old.sheet_no, replaced_by=newer,
                  commissions=list(old.commission_nos or []))
        return sheets


def _live_sheets_of(s: Session, rows: list[Commission]) -> list[Handover]:
    """The sheets these commissions are on that are still live (printed, not received by the
    township): a new sheet for them replaces those. A sheet the township received already
    refuses the new one (the laptop learnt it through sync)."""
    out: dict[str, Handover] = {}
    for c in rows:
        if not c.sheet_no:
            continue
        h = s.scalar(select(Handover).where(Handover.sheet_no == c.sheet_no))
        if h is None or h.state == "replaced":
            continue
        if h.state == "received":
            at = h.received_at.strftime("%Y-%m-%d %H:%M") if h.received_at else ""
            raise ServiceError(_("委托 {no}（{name}）已随交接单 {sheet} 于 {at} 由乡镇接收，不能再列入新的交接单。").format(
                no=c.commission_no, name=c.principal_name, sheet=h.sheet_no, at=at))
        out[h.sheet_no] = h
    return list(out.values())


def newer_sheet_of(s: Session, h: Handover) -> Handover | None:
    """For a replaced sheet: the latest sheet of the same agent with one of its commissions."""
    mine = set(h.commission_nos or [])
    later = s.scalars(select(Handover).where(Handover.agent_id == h.agent_id, Handover.id != h.id,
                                             Handover.created_at >= h.created_at)
                      .order_by(Handover.created_at.desc(), Handover.id.desc()))
    return next((x for x in later if mine & set(x.commission_nos or [])), None)


def mark_delivered(ctx: Context, actor: Actor, handover_id: int, note: str = "") -> Handover:
    """On the laptop: the township received the sheet and both signed (the laptop may never
    hear it from the township)."""
    now = ctx.clock()
    with ctx.tx() as s:
        agent = agent_service.require_agent(s, actor)
        h = s.get(Handover, handover_id)
        if h is None or h.agent_id != agent.id:
            raise ServiceError(_("找不到该交接单。"))
        if h.state == "replaced":
            raise ServiceError(_("该交接单已作废（其中的委托已另开交接单）。"))
        for no in h.commission_nos or []:
            c = cm._by_no(s, no)
            if c is not None and S(c.state) is S.COLLECTED:
                c.handed_over_at = c.handed_over_at or now
                cm._step(s, now, actor, c, S.HANDED_OVER, place=cm.TOWNSHIP_PLACE, note=note,
                         sheet=h.sheet_no)
                cm.changed(s, now, actor, c, "handed_over", sheet=h.sheet_no)
        if h.state == "issued":
            h.state = "delivered"
        s.flush()
        enqueue(s, now, "handover", h.sheet_no, "delivered", handover_payload(h))
        return h


def list_handovers(ctx: Context, actor: Actor, limit: int = 200) -> list[Handover]:
    with ctx.tx() as s:
        q = select(Handover).options(selectinload(Handover.agent)).order_by(Handover.id.desc()).limit(limit)
        if actor.role is Role.AGENT:
            q = q.where(Handover.agent_id == agent_service.require_agent(s, actor).id)
        return list(s.scalars(q))


def get_handover(ctx: Context, actor: Actor, handover_id: int) -> Handover:
    with ctx.tx() as s:
        h = s.scalar(select(Handover).where(Handover.id == handover_id).options(selectinload(Handover.agent)))
        if h is None:
            raise ServiceError(_("找不到该交接单。"))
        if actor.role is Role.AGENT and h.agent_id != agent_service.require_agent(s, actor).id:
            raise PermissionDenied(_("代办员只能查看自己的交接单。"))
        return h


# --------------------------------------------------------------------------- the printed sheet


def sheet_data(ctx: Context, actor: Actor, handover_id: int):  # noqa: ANN201
    """What the handover sheet prints (clerk_app.forms.agent_docs.HandoverSheetData)."""
    from clerk_app.forms.agent_docs import HandoverLine, HandoverMaterial, HandoverSheetData

    now = ctx.clock()
    with ctx.tx() as s:
        h = s.scalar(select(Handover).where(Handover.id == handover_id).options(selectinload(Handover.agent)))
        if h is None:
            raise ServiceError(_("找不到该交接单。"))
        if actor.role is Role.AGENT and h.agent_id != agent_service.require_agent(s, actor).id:
            raise PermissionDenied(_("代办员只能打印自己的交接单。"))
        sp = agent_service.service_point_of(s)
        cal = load_calendar(s)
        limit = agent_service.handover_limit(s)
        lines = []
        for no in h.commission_nos or []:
            c = cm._by_no(s, no)
            if c is None:
                continue
            due = handover_due(c.collected_at.date(), cal, limit).date if c.collected_at else None
            lines.append(HandoverLine(
                commission_no=c.commission_no, principal_name=c.principal_name,
                principal_id=ids.mask_id(c.principal_id_number), item_name=c.item_name,
                collected_on=c.collected_at.date() if c.collected_at else None, due=due,
                materials=[HandoverMaterial(m.name, m.form, max(m.copies_received, m.copies_required),
                                            MaterialState(m.state).label,
                                            MaterialState(m.state).received)
                           for m in c.materials
                           if MaterialState(m.state) is not MaterialState.NOT_APPLICABLE]))
        copy = h.print_count > 0
        return HandoverSheetData(
            sheet_no=h.sheet_no, office_name=sp.office_name, township_name=sp.name,
            agent_name=h.agent.name, agent_no=h.agent.agent_no, agent_phone=h.agent.phone,
            agent_villages=agent_service.villages_text(h.agent), created_at=h.created_at,
            qr_text=h.payload, mode=h.mode, lines=lines, handover_limit=limit,
            is_copy=copy, printed_at=now)


def sheet_pdf(ctx: Context, actor: Actor, handover_id: int) -> bytes:
    """The sheet as it prints now: a copy (补打) once it has been printed."""
    from clerk_app.forms.agent_docs import render_handover_sheet

    return render_handover_sheet(sheet_data(ctx, actor, handover_id))


def record_sheet_print(ctx: Context, actor: Actor, handover_id: int) -> None:
    """After a print or a saved PDF: the next one is a copy."""
    with ctx.tx() as s:
        h = s.get(Handover, handover_id)
        if h is None:
            raise ServiceError(_("找不到该交接单。"))
        if actor.role is Role.AGENT and h.agent_id != agent_service.require_agent(s, actor).id:
            raise PermissionDenied(_("代办员只能打印自己的交接单。"))
        audit(s, ctx.clock(), actor, "handover_reprinted" if h.print_count else "handover_printed",
              "handover", h.sheet_no)
        h.print_count += 1


# --------------------------------------------------------------------------- the township


@dataclass
class ScannedMaterial:
    seq: int
    name: str
    form: str
    copies: int
    state: MaterialState  # as the agent collected it

    @property
    def brought(self) -> bool:
        return self.state.received


@dataclass
class ScannedCommission:
    commission_no: str
    item_id: int | None
    item_name: str
    principal_name: str
    principal_id_type: str
    principal_id_number: str
    principal_phone: str
    village_code: str | None
    valid_until: dt.date | None
    collected_on: dt.date | None
    scope: list[str]
    subdelegation: bool
    materials: list[ScannedMaterial]
    known: bool  # the commission was already on this computer (through sync)
    # where the commission was taken and the materials collected (division codes; the
    # township's own code for its service point), and the handover limit in force at
    # collection; None when the sheet (layout 1) or the record does not say
    commissioned_place: str | None = None
    collected_place: str | None = None
    handover_limit: int | None = None

    @property
    def principal_masked(self) -> str:
        return ids.mask_id(self.principal_id_number)


@dataclass
class ScanResult:
    sheet_no: str
    agent_id: int
    agent_no: str
    agent_name: str
    agent_status: str
    created_at: dt.datetime
    mode: str
    text: str  # the verified QR text (receive() checks it again)
    commissions: list[ScannedCommission]
    warnings: list[str] = field(default_factory=list)


class SheetRefused(ServiceError):
    """A sheet the township must not receive: tampered, reused, unknown, expired."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message, field="sheet")
        self.reason = reason


def _refuse(s: Session, now: dt.datetime, actor: Actor, reason: str, message: str, sheet_no: str = "") -> SheetRefused:
    audit(s, now, actor, "handover_refused", "handover", sheet_no, reason=reason)
    s.commit()  # the refusal is recorded even though nothing else is written
    return SheetRefused(message, reason)


def _resolve_text(s: Session, now: dt.datetime, actor: Actor, text: str) -> str:
    """The QR text for what was scanned or typed: a QR text as it is, a sheet number through
    the sheet's data that reached this computer by sync."""
    plain = scan_text(text)
    if plain.startswith(PREFIX[:-1]):
        return plain
    sheet, problem = parse_sheet_no(plain)
    if sheet is None:
        raise _refuse(s, now, actor, "unreadable", _(
            "扫描或输入的内容既不是交接单二维码，也不是交接单编号。{problem}").format(problem=problem))
    h = s.scalar(select(Handover).where(Handover.sheet_no == sheet.canonical))
    if h is None or not h.payload:
        raise _refuse(s, now, actor, "unknown_sheet", _(
            "本机没有交接单 {no} 的数据（代办员的电脑没有联网同步过）。请扫描交接单上的二维码，"
            "或照二维码下方的字符逐组输入。").format(no=sheet.canonical), sheet.canonical)
    return h.payload


def _items_by_ref(s: Session) -> dict[bytes, list[ServiceItem]]:
    out: dict[bytes, list[ServiceItem]] = {}
    for it in s.scalars(select(ServiceItem).options(selectinload(ServiceItem.materials))
                        .order_by(ServiceItem.current.desc(), ServiceItem.id.desc())):
        out.setdefault(item_ref(it), []).append(it)
    return out


def _verify(s: Session, now: dt.datetime, actor: Actor, text: str) -> tuple[SheetPayload, Agent, list[ScannedCommission], list[str]]:
    text = _resolve_text(s, now, actor, text)
    try:
        p = decode(text)
    except (ValueError, IndexError, UnicodeDecodeError):
        raise _refuse(s, now, actor, "unreadable", _(
            "二维码内容不完整或不是代办交接单，不能接收。请重新扫描；仍扫不出时，请输入交接单编号。")) from None
    sheet_no = p.sheet_no
    agent = s.scalar(select(Agent).where(Agent.agent_no == p.agent_no))
    if agent is None:
        raise _refuse(s, now, actor, "unknown_agent", _(
            "本机没有代办员 {no} 的登记信息，无法核验交接单 {sheet}。请先同步，或导入代办员名册后再扫。").format(
            no=p.agent_no, sheet=sheet_no), sheet_no)
    public = (agent.public_keys or {}).get(str(p.key_serial))
    if not public:
        raise _refuse(s, now, actor, "unknown_key", _(
            "本机没有代办员{name}第 {serial} 号签名密钥（代办电脑在本机登记后又重新配置过），无法核验。"
            "请先同步，或导入代办员名册后再扫。").format(name=agent.name, serial=p.key_serial), sheet_no)
    if not agent_service.verify(public, p.signed, p.signature):
        raise _refuse(s, now, actor, "tampered", _(
            "交接单 {sheet} 的二维码校验失败：内容被改动过，或不是代办员{name}的代办电脑签发的。"
            "不能接收，请代办员重新打印交接单。").format(sheet=sheet_no, name=agent.name), sheet_no)
    used = s.scalar(select(Handover).where(Handover.sheet_no == sheet_no, Handover.state == "received"))
    if used is not None:
        at = used.received_at.strftime("%Y-%m-%d %H:%M") if used.received_at else ""
        raise _refuse(s, now, actor, "reused", _(
            "交接单 {sheet} 已于 {at} 由{who}接收，同一张交接单不能重复接收。"
            "如有补交的材料，请代办员另开交接单。").format(sheet=sheet_no, at=at, who=used.received_by or _("乡镇")),
            sheet_no)
    void = s.scalar(select(Handover).where(Handover.sheet_no == sheet_no, Handover.state == "replaced"))
    if void is not None:
        newer = newer_sheet_of(s, void)
        which = _("交接单 {no}（{at} 打印）").format(no=newer.sheet_no, at=newer.created_at.strftime("%Y-%m-%d %H:%M")) \
            if newer is not None else _("新的交接单")
        raise _refuse(s, now, actor, "replaced", _(
            "交接单 {sheet} 已作废：代办员{name}为其中的委托重新打印了{which}。"
            "请代办员出示新的交接单扫码接收，旧的交接单不能再用。").format(sheet=sheet_no, name=agent.name, which=which),
            sheet_no)
    warnings: list[str] = []
    refs = _items_by_ref(s)
    sp = agent_service.service_point_of(s)
    cal = load_calendar(s)
    limit = agent_service.handover_limit(s)
    out: list[ScannedCommission] = []
    for i, q in enumerate(p.commissions, 1):
        local = cm._by_no(s, q.commission_no)
        candidates = refs.get(q.item_ref, [])
        if p.mode == MODE_DIGEST:
            if local is None:
                raise _refuse(s, now, actor, "details_missing", _(
                    "交接单 {sheet} 的二维码只有摘要，第 {i} 件委托 {no} 的详细信息还没有同步到本机。"
                    "请代办员联网同步后再扫，或重新打印每张不超过 {n} 件的交接单。").format(
                    sheet=sheet_no, i=i, no=q.commission_no, n=MAX_FULL), sheet_no)
            if commission_digest(local.commission_no, local.principal_id_type, local.principal_id_number,
                                 local.item_code) != q.digest:
                raise _refuse(s, now, actor, "mismatch", _(
                    "交接单 {sheet} 的第 {i} 件委托 {no} 与本机收到的委托信息不一致，不能接收。").format(
                    sheet=sheet_no, i=i, no=q.commission_no), sheet_no)
            item = s.get(ServiceItem, local.item_id) if local.item_id else (candidates[0] if candidates else None)
            out.append(_scanned_from_local(local, item))
        else:
            if not candidates:
                raise _refuse(s, now, actor, "unknown_item", _(
                    "交接单 {sheet} 第 {i} 件委托 {no} 的事项不在本机事项清单中（代办电脑的清单可能比本机新），"
                    "请先更新本机的事项清单再扫。").format(sheet=sheet_no, i=i, no=q.commission_no), sheet_no)
            item = candidates[0]
            if local is not None and commission_digest(
                    local.commission_no, local.principal_id_type, local.principal_id_number,
                    local.item_code) != commission_digest(q.commission_no, q.id_type, q.id_number, item.code):
                raise _refuse(s, now, actor, "mismatch", _(
                    "交接单 {sheet} 的第 {i} 件委托 {no} 与本机收到的委托信息不一致，不能接收。").format(
                    sheet=sheet_no, i=i, no=q.commission_no), sheet_no)
            materials = sorted(item.materials, key=lambda m: m.seq)
            village = f"{sp.division_code[:9]}{q.village:03d}" if q.village else None

            def code(part: int | None) -> str | None:
                return None if part is None else f"{sp.division_code[:9]}{part:03d}"

            out.append(ScannedCommission(
                q.commission_no, item.id, item.name, q.name, q.id_type, q.id_number, q.phone, village,
                q.valid_until, q.collected_on, q.scope, q.subdelegation,
                [ScannedMaterial(m.seq, m.name, m.form, m.copies, st)
                 for m, st in zip(materials, q.materials)], local is not None,
                code(q.commissioned_place), code(q.collected_place), q.handover_limit))
        warning = _check_receivable(s, now, actor, agent, out[-1], local, cal, limit,
                                    _("交接单 {sheet} 第 {i} 件委托 {no}").format(sheet=sheet_no, i=i, no=q.commission_no),
                                    _("不能再随交接单 {sheet} 接收").format(sheet=sheet_no), sheet_no)
        if warning:
            warnings.append(warning)
    if _inactive(agent):
        warnings.insert(0, _inactive_warning(agent, _("交接单上的委托")))
    return p, agent, out, warnings


def _scanned_from_local(local: Commission, item: ServiceItem | None) -> ScannedCommission:
    """A commission this computer already holds, as the receive checklist shows it."""
    commissioned = cm.first_step(local, S.COMMISSIONED)
    collected = cm.first_step(local, S.COLLECTED)
    return ScannedCommission(
        local.commission_no, item.id if item else None, local.item_name, local.principal_name,
        local.principal_id_type, local.principal_id_number, local.principal_phone,
        local.village_code, local.valid_until,
        local.collected_at.date() if local.collected_at else None, list(local.scope or []),
        local.subdelegation,
        [ScannedMaterial(m.seq, m.name, m.form, m.copies_required, MaterialState(m.state))
         for m in local.materials], True,
        (commissioned.detail or {}).get("village") if commissioned else None,
        (collected.detail or {}).get("village") if collected else None,
        cm.limit_at_collection(local))


def _check_receivable(s: Session, now: dt.datetime, actor: Actor, agent: Agent, sc: ScannedCommission,
                      local: Commission | None, cal: Any, limit: int, what: str, not_again: str,
                      ref: str) -> str:
    """What the township checks for each commission it takes in, on a sheet or at the counter:
    not handed over already, not taken on after the agent was suspended or left, not expired.
    Refusals raise (audited under ``ref``); a late handover is a warning (returned)."""
    if local is not None and S(local.state).rank >= S.HANDED_OVER.rank:
        raise _refuse(s, now, actor, "already_handed_over", _(
            "委托 {no}（{name}）已经交接过（{state}），{not_again}。").format(
            no=sc.commission_no, name=local.principal_name, state=S(local.state).label, not_again=not_again),
            ref)
    # a suspended or departed agent: what they took on before still reaches the township (the
    # citizen's materials must not be stranded); what they took on after, not
    if _inactive(agent):
        _agent_no, commissioned_on, _code = commission_no_code(sc.commission_no)
        if commissioned_on > agent.status_date:
            reason = f"（{agent.status_reason}）" if agent.status_reason else ""
            raise _refuse(s, now, actor, "agent_inactive", _(
                "代办员{name}自 {date} 起{status}{reason}。{what}（{principal}）"
                "是 {day} 受托的，在{status}之后，不能接收；请告知委托人本人到乡镇办理，或另行委托在岗的代办员。").format(
                name=agent.name, date=agent.status_date.isoformat(), status=AgentStatus(agent.status).label,
                reason=reason, what=what, principal=sc.principal_name, day=commissioned_on.isoformat()), ref)
    if sc.valid_until is not None and now.date() > sc.valid_until:
        raise _refuse(s, now, actor, "expired", _(
            "{what}（{name}）已于 {date} 过期，不能接收；请委托人重新签订代办委托书。").format(
            what=what, name=sc.principal_name, date=sc.valid_until.isoformat()), ref)
    # judged by the limit in force when the materials were collected, if the record says it
    limit = sc.handover_limit or limit
    if sc.collected_on is not None and now.date() > handover_due(sc.collected_on, cal, limit).date:
        return _("委托 {no}（{name}）于 {day} 收件，超过 {n} 个工作日才交件，已记为超期交件。").format(
            no=sc.commission_no, name=sc.principal_name, day=sc.collected_on.isoformat(), n=limit)
    return ""


def _inactive(agent: Agent) -> bool:
    return agent.status in (AgentStatus.SUSPENDED.value, AgentStatus.LEFT.value)


def _inactive_warning(agent: Agent, what: str) -> str:
    reason = f"（{agent.status_reason}）" if agent.status_reason else ""
    return _("代办员{name}自 {date} 起{status}{reason}；{what}是 {date} 及以前受托的，"
             "可以接收，请核实后再接收。").format(name=agent.name, date=agent.status_date.isoformat(),
                                       status=AgentStatus(agent.status).label, reason=reason, what=what)


def scan(ctx: Context, actor: Actor, text: str) -> ScanResult:
    """Check a scanned (or typed) handover sheet; nothing is received yet."""
    cm._require_staff(actor)
    now = ctx.clock()
    with ctx.tx() as s:
        resolved = _resolve_text(s, now, actor, text)
        p, agent, commissions, warnings = _verify(s, now, actor, resolved)
        return ScanResult(p.sheet_no, agent.id, agent.agent_no, agent.name, agent.status, p.created_at,
                          "digest" if p.mode == MODE_DIGEST else "full", resolved, commissions, warnings)


@dataclass
class Received:
    sheet_no: str
    handover_id: int
    commission_ids: list[int]
    missing: dict[str, list[str]]  # commission no -> materials the township did not find


def receive(ctx: Context, actor: Actor, text: str,
            checks: dict[str, dict[int, str]] | None = None, note: str = "") -> Received:
    """The township receives a verified sheet: the commissions are handed over.

    ``checks``: per commission number, per material seq, what the clerk found: "ok",
    "missing" or "wrong" (default: what the agent marked as brought is "ok").
    """
    cm._require_staff(actor)
    checks = checks or {}
    now = ctx.clock()
    try:
        with ctx.tx() as s:
            resolved = _resolve_text(s, now, actor, text)
            p, agent, scanned, _warnings = _verify(s, now, actor, resolved)
            device = agent_service.device_label(s)
            h = s.scalar(select(Handover).where(Handover.sheet_no == p.sheet_no))
            if h is None:
                h = Handover(sheet_no=p.sheet_no, agent=agent, created_at=p.created_at, created_by=agent.name,
                             payload=resolved, mode="digest" if p.mode == MODE_DIGEST else "full",
                             commission_nos=[q.commission_no for q in scanned], print_count=0, note="",
                             origin="sheet")
                s.add(h)
            h.state = "received"
            h.received_at = now
            h.received_by = actor.name
            h.received_device = device
            h.note = note.strip()
            ids_: list[int] = []
            missing: dict[str, list[str]] = {}
            for q in scanned:
                c = cm._by_no(s, q.commission_no)
                if c is None:
                    c = _commission_from_sheet(s, now, agent, q, p)
                c.sheet_no = p.sheet_no
                lacking = _hand_over(s, now, actor, c, checks.get(q.commission_no, {}), note, p.sheet_no)
                if lacking:
                    missing[c.commission_no] = lacking
                ids_.append(c.id)
            s.flush()
            enqueue(s, now, "handover", h.sheet_no, "received", handover_payload(h))
            audit(s, now, actor, "handover_received", "handover", h.sheet_no, agent=agent.agent_no,
                  commissions=[q.commission_no for q in scanned], missing=missing)
            return Received(h.sheet_no, h.id, ids_, missing)
    except IntegrityError:  # received at the same moment by another clerk of this computer
        raise ServiceError(_("交接单已被接收，同一张交接单不能重复接收。")) from None


def _hand_over(s: Session, now: dt.datetime, actor: Actor, c: Commission, found: dict[int, str], note: str,
               sheet_no: str | None = None) -> list[str]:
    """The township takes the materials of one commission (from a sheet or at the counter):
    the clerk's check per material (default: what the agent brought is "ok"), then 已交件 with
    who, when, where and on which device. Returns the materials found missing or wrong."""
    missing: list[str] = []
    for m in c.materials:
        verdict = found.get(m.seq, "ok" if MaterialState(m.state).received else "")
        if verdict not in ("", "ok", "missing", "wrong"):
            raise ServiceError(_("材料核对结果只能是 ok、missing 或 wrong。"))
        m.township_check = verdict
        if verdict in ("missing", "wrong"):
            missing.append(m.name)
    c.handed_over_at = now
    if sheet_no:
        cm._step(s, now, actor, c, S.HANDED_OVER, place=cm.TOWNSHIP_PLACE, note=note, sheet=sheet_no,
                 agent=c.agent.name, missing=missing)
        cm.changed(s, now, actor, c, "handed_over", sheet=sheet_no)
    else:
        cm._step(s, now, actor, c, S.HANDED_OVER, place=cm.TOWNSHIP_PLACE, note=note, counter=True,
                 agent=c.agent.name, missing=missing)
        cm.changed(s, now, actor, c, "handed_over", place=cm.TOWNSHIP_PLACE)
    return missing


# --------------------------------------------------------------------------- at the counter


COUNTER_NOTE = _("已在窗口交件")


@dataclass
class CounterCheck:
    """A collected commission whose materials the agent hands over at the counter."""

    commission_id: int
    agent_name: str
    agent_no: str
    commission: ScannedCommission
    warnings: list[str] = field(default_factory=list)


@dataclass
class CounterHandover:
    commission_id: int
    commission_no: str
    missing: list[str]  # materials the township did not find
    warnings: list[str] = field(default_factory=list)


def _counter_check(s: Session, now: dt.datetime, actor: Actor, commission_id: int) -> tuple[Commission, CounterCheck]:
    cm._require_staff(actor)
    if get_setting(s, agent_service.LAPTOP_AGENT_KEY):
        raise PermissionDenied(_("这是代办员的代办电脑，窗口交件只能在乡镇窗口的电脑上由窗口人员登记。"))
    c = cm._load(s, commission_id)
    ref = c.commission_no
    state = S(c.state)
    if state is S.COMMISSIONED:
        raise ServiceError(_("委托 {no}（{name}）的材料还没有收齐（{state}），代办员收件后才能交件。").format(
            no=c.commission_no, name=c.principal_name, state=state.label))
    if state is S.CANCELLED:
        raise ServiceError(_("委托 {no}（{name}）当前为「{state}」，不能交件。").format(
            no=c.commission_no, name=c.principal_name, state=state.label))
    if state is S.COLLECTED and c.sheet_no:
        sheet = s.scalar(select(Handover).where(Handover.sheet_no == c.sheet_no))
        if sheet is None or sheet.state != "received":
            raise _refuse(s, now, actor, "on_sheet", _(
                "委托 {no}（{name}）已列入代办员打印的交接单 {sheet}，请扫描交接单上的二维码接收，不要在窗口另行交件。"
                "交接单遗失的，请代办员在代办电脑上重新打印。").format(
                no=c.commission_no, name=c.principal_name, sheet=c.sheet_no), ref)
    item = s.get(ServiceItem, c.item_id) if c.item_id else None
    sc = _scanned_from_local(c, item)
    agent = c.agent
    warning = _check_receivable(s, now, actor, agent, sc, c, load_calendar(s), agent_service.handover_limit(s),
                                _("委托 {no}").format(no=c.commission_no), _("不能再在窗口交件"), ref)
    warnings = [w for w in (warning,) if w]
    if _inactive(agent):
        warnings.insert(0, _inactive_warning(agent, _("这件委托")))
    return c, CounterCheck(c.id, agent.name, agent.agent_no, sc, warnings)


def counter_check(ctx: Context, actor: Actor, commission_id: int) -> CounterCheck:
    """Before a handover at the counter: what the agent collected, for the clerk to check
    (the same checklist as a sheet's), and any warning (late, agent suspended)."""
    now = ctx.clock()
    with ctx.tx() as s:
        return _counter_check(s, now, actor, commission_id)[1]


def hand_over_at_counter(ctx: Context, actor: Actor, commission_id: int,
                         checks: dict[int, str] | None = None, note: str = "") -> CounterHandover:
    """已在窗口交件: on a township counter (not an agent's laptop), the agent -- or the
    supervisor who recorded the commission for them -- hands the collected materials over in
    person, and the clerk records it with the materials check. No sheet and no signing key are
    needed; the commission is 已交件 like a received sheet's and is accepted through intake.

    ``checks``: per material seq, "ok", "missing" or "wrong" (default: what the agent marked as
    collected is "ok")."""
    now = ctx.clock()
    with ctx.tx() as s:
        c, check = _counter_check(s, now, actor, commission_id)
        text = COUNTER_NOTE + (f"：{note.strip()}" if note.strip() else "")
        missing = _hand_over(s, now, actor, c, checks or {}, text)
        audit(s, now, actor, "handover_at_counter", "commission", c.commission_no, agent=c.agent.agent_no,
              missing=missing, warnings=check.warnings)
        return CounterHandover(c.id, c.commission_no, missing, check.warnings)


def _commission_from_sheet(s: Session, now: dt.datetime, agent: Agent, q: ScannedCommission,
                           p: SheetPayload) -> Commission:
    """A commission the township first learns of from the sheet itself (laptop offline)."""
    commissioned = dt.datetime.strptime(q.commission_no.split("-")[1], "%y%m%d")
    collected = dt.datetime.combine(q.collected_on, dt.time()) if q.collected_on else commissioned
    item = s.get(ServiceItem, q.item_id) if q.item_id else None
    c = Commission(
        commission_no=q.commission_no, agent=agent, item_id=q.item_id, item_code=item.code if item else "",
        item_name=q.item_name, principal_name=q.principal_name, principal_id_type=q.principal_id_type,
        principal_id_number=q.principal_id_number, principal_phone=q.principal_phone,
        principal_address="", village_code=q.village_code, scope=list(q.scope),
        valid_from=commissioned.date(), valid_until=q.valid_until or commissioned.date(),
        subdelegation=q.subdelegation, state=S.COLLECTED.value, created_at=commissioned, updated_at=now,
        collected_at=collected, result_text="", note="", origin="sheet")
    s.add(c)
    by_seq = {m.seq: m for m in item.materials} if item else {}
    for sm in q.materials:
        m = by_seq.get(sm.seq)
        c.materials.append(CommissionMaterial(
            material_id=m.id if m else None, seq=sm.seq, name=sm.name, form=sm.form,
            copies_required=sm.copies, required=m.required if m else True,
            condition=m.condition if m else "", condition_applies=(
                None if (m is None or m.required) else sm.state is not MaterialState.NOT_APPLICABLE),
            state=sm.state.value, copies_received=sm.copies if sm.state.received else 0,
            problem="", township_check=""))
    device = f"laptop:{agent.agent_no}-{p.sheet.terminal}"
    due = None
    if q.handover_limit and q.collected_on:
        due = handover_due(q.collected_on, load_calendar(s), q.handover_limit).date.isoformat()
    for state, at, where in ((S.COMMISSIONED, commissioned, q.commissioned_place),
                             (S.COLLECTED, collected, q.collected_place)):
        detail: dict[str, Any] = {"date_only": True}
        if where:
            detail["village"] = where
        if state is S.COLLECTED and q.handover_limit:
            detail.update(handover_limit=q.handover_limit, handover_due=due)
        c.steps.append(CommissionStep(
            key=hashlib.sha256(f"{q.commission_no}:{state.value}:sheet".encode()).hexdigest()[:32],
            state=state.value, from_state=None if state is S.COMMISSIONED else S.COMMISSIONED.value,
            at=at, operator_id=None, operator_name=agent.name, role=Role.AGENT.value,
            place=cm.place_name(where) if where else "", device=device,
            note=_("据交接单 {sheet} 登记").format(sheet=p.sheet_no), detail=detail))
    s.flush()
    return c


# --------------------------------------------------------------------------- sync (pull side)


def apply_handover_data(s: Session, now: dt.datetime, data: dict[str, Any]) -> str:
    """A sheet as another device describes it: its QR text (so a typed sheet number works
    here) and, once received anywhere in the township, that it is used."""
    no = str(data.get("sheet_no") or "")
    agent = s.scalar(select(Agent).where(Agent.key == data.get("agent_key"))) or s.scalar(
        select(Agent).where(Agent.agent_no == data.get("agent_no")))
    if not no or agent is None:
        return "skipped"
    h = s.scalar(select(Handover).where(Handover.sheet_no == no))
    result = "skipped"
    if h is None:
        h = Handover(sheet_no=no, agent=agent, created_at=dt.datetime.fromisoformat(data["created_at"]),
                     created_by=str(data.get("created_by") or ""), payload=str(data.get("payload") or ""),
                     mode=str(data.get("mode") or "full"), commission_nos=list(data.get("commission_nos") or []),
                     state="issued", received_by="", received_device="", print_count=0, note="",
                     origin="sync")
        s.add(h)
        result = "applied"
    if not h.payload and data.get("payload"):
        h.payload = str(data["payload"])
        result = "applied"
    if data.get("state") == "received" and h.state != "received":
        h.state = "received"
        h.received_at = dt.datetime.fromisoformat(data["received_at"]) if data.get("received_at") else now
        h.received_by = str(data.get("received_by") or "")
        h.received_device = str(data.get("received_device") or "")
        result = "applied"
    elif data.get("state") == "delivered" and h.state == "issued":
        h.state = "delivered"
        result = "applied"
    elif data.get("state") == "replaced" and h.state in ("issued", "delivered"):
        h.state = "replaced"  # the agent printed a newer sheet: this one is refused from now on
        result = "applied"
    if result == "applied":
        s.flush()
        audit(s, now, None, "handover_from_sync", "handover", no, state=h.state)
    return result


def qr_groups(text: str, size: int = 4) -> list[str]:
    """The QR text in groups of four characters, printed under the code for typing by hand."""
    body = text[len(PREFIX):] if text.startswith(PREFIX) else text
    return [PREFIX.rstrip(":")] + [body[i:i + size] for i in range(0, len(body), size)]
