"""Proxy agents (代办员) and their commissions (代办委托): states, transitions and rules.

Plain Python, no database and no Qt. The services in ``clerk_app.services.agents``,
``commissions`` and ``handover`` apply these rules; the UI only shows their answers.

An agent's life: 在岗 (active) ⇄ 暂停 (suspended) → 离任 (left, final). Every change has a
date and, for a suspension or leaving, a reason.

A commission's life::

    commissioned 已委托 → collected 已收件 → handed_over 已交件 → accepted 已受理
        → completed 已办结 / not_approved 不予批准 → returned 已回交 → closed 已办毕

with the side roads a counter knows: the township may find materials missing (supplement
待补正, a one-time notice; the agent brings them and the case is accepted) or refuse the
application (refused 不予受理, also returned to the citizen); before the materials reach the
township the citizen may cancel (cancelled 已撤销).

The states are ordered: a commission only moves forward. Two devices that recorded steps
independently (the agent's laptop offline, the township's counter) agree by taking the
furthest state and keeping every step; nothing recorded is ever lost.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from clerk_app.domain.ids import iso7064_mod11_2, normalize_id
from clerk_app.domain.workdays import (
    DEADLINE_APPROACHING,
    DEADLINE_NONE,
    DEADLINE_NORMAL,
    DEADLINE_OVERDUE,
    DueDate,
    WorkCalendar,
)
from clerk_app.i18n import _

__all__ = [
    "AgentStatus",
    "CommissionState",
    "Scope",
    "SCOPES",
    "DEFAULT_SCOPES",
    "PLACES",
    "DEFAULT_HANDOVER_LIMIT",
    "DEFAULT_VALIDITY_DAYS",
    "MAX_VALIDITY_DAYS",
    "status_change_problem",
    "can_move",
    "transition_problem",
    "furthest",
    "scope_problem",
    "scope_mask",
    "scopes_from_mask",
    "validity_problem",
    "handover_due",
    "handover_state",
    "make_agent_no",
    "make_commission_no",
    "make_counter_commission_no",
    "commission_no_code",
    "commission_no_from_code",
    "make_sheet_no",
    "parse_sheet_no",
    "SheetNo",
    "commission_digest",
    "AGENT_NO_RE",
    "COMMISSION_NO_RE",
]

#: working days after collection within which the materials must reach the township
DEFAULT_HANDOVER_LIMIT = 3
DEFAULT_VALIDITY_DAYS = 90
MAX_VALIDITY_DAYS = 366


# --------------------------------------------------------------------------- agents


class AgentStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LEFT = "left"

    @property
    def label(self) -> str:
        return {AgentStatus.ACTIVE: _("在岗"), AgentStatus.SUSPENDED: _("暂停"),
                AgentStatus.LEFT: _("离任")}[self]


_AGENT_MOVES: dict[AgentStatus, frozenset[AgentStatus]] = {
    AgentStatus.ACTIVE: frozenset({AgentStatus.SUSPENDED, AgentStatus.LEFT}),
    AgentStatus.SUSPENDED: frozenset({AgentStatus.ACTIVE, AgentStatus.LEFT}),
    AgentStatus.LEFT: frozenset(),
}


def status_change_problem(old: AgentStatus, new: AgentStatus, reason: str,
                          effective: _dt.date, start: _dt.date, today: _dt.date) -> str:
    """Why an agent's status may not change this way (Chinese), or ``""``."""
    if old == new:
        return _("代办员已是「{status}」状态。").format(status=new.label)
    if new not in _AGENT_MOVES[old]:
        if old is AgentStatus.LEFT:
            return _("代办员已离任，不能再改变状态；如再次聘用，请重新登记。")
        return _("不能从「{old}」改为「{new}」。").format(old=old.label, new=new.label)
    if new in (AgentStatus.SUSPENDED, AgentStatus.LEFT) and not reason.strip():
        return _("请写明{status}的原因。").format(status=new.label)
    if effective < start:
        return _("生效日期不能早于代办员的聘用日期 {start}。").format(start=start.isoformat())
    if effective > today + _dt.timedelta(days=31):
        return _("生效日期最多只能在一个月之后。")
    return ""


# --------------------------------------------------------------------------- commissions


class CommissionState(StrEnum):
    COMMISSIONED = "commissioned"
    COLLECTED = "collected"
    HANDED_OVER = "handed_over"
    SUPPLEMENT = "supplement"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    NOT_APPROVED = "not_approved"
    REFUSED = "refused"
    RETURNED = "returned"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def open(self) -> bool:
        """Still work for someone (neither closed nor cancelled)."""
        return self not in (CommissionState.CLOSED, CommissionState.CANCELLED)

    @property
    def at_township(self) -> bool:
        """The materials are with the township (or beyond)."""
        return self.rank >= _RANK[CommissionState.HANDED_OVER] and self.open

    @property
    def result_ready(self) -> bool:
        """A result came back and waits to be returned to the citizen."""
        return self in (CommissionState.COMPLETED, CommissionState.NOT_APPROVED,
                        CommissionState.REFUSED)


_STATE_LABELS = {
    CommissionState.COMMISSIONED: _("已委托"),
    CommissionState.COLLECTED: _("已收件"),
    CommissionState.HANDED_OVER: _("已交件"),
    CommissionState.SUPPLEMENT: _("待补正"),
    CommissionState.ACCEPTED: _("已受理"),
    CommissionState.COMPLETED: _("已办结"),
    CommissionState.NOT_APPROVED: _("不予批准"),
    CommissionState.REFUSED: _("不予受理"),
    CommissionState.RETURNED: _("已回交"),
    CommissionState.CLOSED: _("已办毕"),
    CommissionState.CANCELLED: _("已撤销"),
}

_RANK = {
    CommissionState.COMMISSIONED: 0,
    CommissionState.COLLECTED: 1,
    CommissionState.HANDED_OVER: 2,
    CommissionState.SUPPLEMENT: 3,
    CommissionState.ACCEPTED: 4,
    CommissionState.COMPLETED: 5,
    CommissionState.NOT_APPROVED: 5,
    CommissionState.REFUSED: 5,
    CommissionState.RETURNED: 6,
    CommissionState.CLOSED: 7,
    CommissionState.CANCELLED: 8,
}

_C = CommissionState
_MOVES: dict[CommissionState, frozenset[CommissionState]] = {
    _C.COMMISSIONED: frozenset({_C.COLLECTED, _C.CANCELLED}),
    # collected again: the agent corrects what was collected before the handover
    _C.COLLECTED: frozenset({_C.COLLECTED, _C.HANDED_OVER, _C.CANCELLED}),
    _C.HANDED_OVER: frozenset({_C.SUPPLEMENT, _C.ACCEPTED, _C.REFUSED}),
    _C.SUPPLEMENT: frozenset({_C.ACCEPTED, _C.REFUSED, _C.CANCELLED}),
    _C.ACCEPTED: frozenset({_C.COMPLETED, _C.NOT_APPROVED}),
    _C.COMPLETED: frozenset({_C.RETURNED}),
    _C.NOT_APPROVED: frozenset({_C.RETURNED}),
    _C.REFUSED: frozenset({_C.RETURNED}),
    _C.RETURNED: frozenset({_C.CLOSED}),
    _C.CLOSED: frozenset(),
    _C.CANCELLED: frozenset(),
}


def can_move(old: CommissionState, new: CommissionState) -> bool:
    return new in _MOVES[old]


def transition_problem(old: CommissionState, new: CommissionState) -> str:
    """Why a commission may not move from ``old`` to ``new`` (Chinese), or ``""``."""
    if can_move(old, new):
        return ""
    if old is CommissionState.CANCELLED:
        return _("该委托已撤销，不能再办理。")
    if old is CommissionState.CLOSED:
        return _("该委托已办毕，不能再改动。")
    if new is CommissionState.CANCELLED:
        return _("材料已交乡镇（{state}），不能撤销委托；如需撤回，请到乡镇办理撤回申请。").format(
            state=old.label)
    return _("委托当前为「{old}」，不能变为「{new}」。").format(old=old.label, new=new.label)


#: what the township records once it holds the materials; a cancellation recorded elsewhere
#: (the agent's laptop, offline) never outranks them: the citizen's case lives on at the
#: township. A cancellation after a supplement notice (待补正 → 已撤销) is the township's own.
_TOWNSHIP_STATES = frozenset({
    CommissionState.HANDED_OVER, CommissionState.ACCEPTED, CommissionState.COMPLETED,
    CommissionState.NOT_APPROVED, CommissionState.REFUSED, CommissionState.RETURNED,
    CommissionState.CLOSED,
})


def furthest(states: Iterable[CommissionState]) -> CommissionState:
    """The state two devices agree on: the furthest one either recorded.

    "Cancelled" is final, but it wins only over states before the township holds the
    materials (commissioned, collected) or the supplement notice; once any device recorded
    the handover, the acceptance or a later step, the township's state wins.
    """
    seen = list(states)
    if not seen:
        raise ValueError("no states")
    others = [st for st in seen if st is not CommissionState.CANCELLED]
    best = max(others, key=lambda st: st.rank) if others else None
    if CommissionState.CANCELLED in seen and (best is None or best not in _TOWNSHIP_STATES):
        return CommissionState.CANCELLED
    assert best is not None
    return best


#: where a step happened
PLACES = (_("群众家中"), _("村便民服务室"), _("乡镇便民服务中心"), _("其他地点"))


# --------------------------------------------------------------------------- scope of authority


@dataclass(frozen=True)
class Scope:
    code: str
    label: str


#: the powers a citizen may give an agent, in the order the authorization lists them (and
#: the bit order of the handover QR code: never reorder, only append)
SCOPES: tuple[Scope, ...] = (
    Scope("fill", _("代为填写申请表格（内容须经委托人核对确认）")),
    Scope("submit", _("代为提交申请材料")),
    Scope("supplement", _("代为接收一次性告知书并补正材料")),
    Scope("query", _("代为查询办理进度")),
    Scope("pay", _("代为缴纳依法应缴的费用")),
    Scope("collect", _("代为领取办理结果（证照、批准文书等）")),
)
SCOPE_CODES = tuple(s.code for s in SCOPES)
SCOPE_LABELS = {s.code: s.label for s in SCOPES}
DEFAULT_SCOPES = ("fill", "submit", "supplement", "query", "collect")


def scope_problem(codes: Iterable[str]) -> str:
    chosen = list(codes)
    unknown = [c for c in chosen if c not in SCOPE_LABELS]
    if unknown:
        return _("不认识的代办权限：{codes}").format(codes="、".join(unknown))
    if "submit" not in chosen:
        return _("代办委托至少要授权「代为提交申请材料」。")
    return ""


def scope_mask(codes: Iterable[str]) -> int:
    chosen = set(codes)
    return sum(1 << i for i, code in enumerate(SCOPE_CODES) if code in chosen)


def scopes_from_mask(mask: int) -> list[str]:
    return [code for i, code in enumerate(SCOPE_CODES) if mask & (1 << i)]


def validity_problem(valid_from: _dt.date, valid_until: _dt.date) -> str:
    if valid_until < valid_from:
        return _("委托有效期的截止日期不能早于开始日期。")
    if (valid_until - valid_from).days > MAX_VALIDITY_DAYS:
        return _("委托有效期最长一年。")
    return ""


# --------------------------------------------------------------------------- handover limit


def handover_due(collected_on: _dt.date, cal: WorkCalendar,
                 limit: int = DEFAULT_HANDOVER_LIMIT) -> DueDate:
    """The last day the collected materials may reach the township."""
    return cal.add_workdays(collected_on, limit)


def handover_state(collected_on: _dt.date | None, today: _dt.date, cal: WorkCalendar,
                   limit: int = DEFAULT_HANDOVER_LIMIT) -> tuple[str, _dt.date | None]:
    """(deadline state, due date) of a commission waiting to be handed over.

    "approaching" on the due day itself (the agent should go today), "overdue" after it.
    """
    if collected_on is None:
        return DEADLINE_NONE, None
    due = handover_due(collected_on, cal, limit).date
    if today > due:
        return DEADLINE_OVERDUE, due
    if today == due:
        return DEADLINE_APPROACHING, due
    return DEADLINE_NORMAL, due


# --------------------------------------------------------------------------- numbers

AGENT_NO_RE = re.compile(r"^\d{8}$")
#: laptop: terminal (1 digit) + sequence; counter: device number (2 digits) + sequence
COMMISSION_NO_RE = re.compile(r"^(\d{8})-(\d{6})-(\d{1,2})(\d{2})$")
#: the QR code carries a commission's last part as one 16-bit number: terminal·100 + sequence
#: for a laptop's (and the older counters') three digits, COUNTER_CODE + device·100 + sequence
#: for a counter's four
COUNTER_CODE = 10000
_SHEET_RE = re.compile(r"^J?(\d{8})(\d{6})(\d)(\d{2})([0-9X])$")


def make_agent_no(service_point_code: str, device: int, seq: int) -> str:
    """代办员编号: township part of the division code (3), the registering device (2) and its
    sequence (3), e.g. ``10101007``. Unique in the county without asking a server."""
    code = (service_point_code or "").strip()
    if not (code.isdigit() and len(code) in (9, 12)):
        raise ValueError("division code must have 9 or 12 digits")
    if not (1 <= device <= 99 and 1 <= seq <= 999):
        raise ValueError("device 1..99 and sequence 1..999")
    return f"{code[6:9]}{device:02d}{seq:03d}"


def make_commission_no(agent_no: str, day: _dt.date, terminal: int, seq: int) -> str:
    """委托编号 ``10101007-261203-101``, made on the agent's laptop: agent, day, the laptop's
    terminal number (1-9) and the day's sequence on it (01-99)."""
    if not (AGENT_NO_RE.match(agent_no) and 0 <= terminal <= 9 and 1 <= seq <= 99):
        raise ValueError("bad commission number parts")
    return f"{agent_no}-{day:%y%m%d}-{terminal}{seq:02d}"


def make_counter_commission_no(agent_no: str, day: _dt.date, device: int, seq: int) -> str:
    """委托编号 ``10101007-261203-0701``, made on a counter (the agent logged in there, or a
    supervisor recording for the agent): agent, day, the counter's device number (01-99) and
    the day's sequence on it (01-99). Four digits where a laptop's have three, so two
    counters, or a counter and a laptop, never make the same number."""
    if not (AGENT_NO_RE.match(agent_no) and 1 <= device <= 99 and 1 <= seq <= 99):
        raise ValueError("bad commission number parts")
    return f"{agent_no}-{day:%y%m%d}-{device:02d}{seq:02d}"


def commission_no_code(commission_no: str) -> tuple[str, _dt.date, int]:
    """(agent number, day, last part as one number) of a commission number, for the QR code."""
    m = COMMISSION_NO_RE.match(commission_no)
    if not m:
        raise ValueError("bad commission number")
    agent_no, ymd, head, seq = m.groups()
    day = _dt.datetime.strptime(ymd, "%y%m%d").date()
    code = int(head) * 100 + int(seq)
    return agent_no, day, (COUNTER_CODE + code if len(head) == 2 else code)


def commission_no_from_code(agent_no: str, day: _dt.date, code: int) -> str:
    """The commission number back from :func:`commission_no_code`."""
    if code >= COUNTER_CODE:
        return make_counter_commission_no(agent_no, day, (code - COUNTER_CODE) // 100, code % 100)
    return f"{agent_no}-{day:%y%m%d}-{code // 100}{code % 100:02d}"


def _sheet_body(agent_no: str, day: _dt.date, terminal: int, seq: int) -> str:
    return f"{agent_no}{day:%y%m%d}{terminal}{seq:02d}"


def make_sheet_no(agent_no: str, day: _dt.date, terminal: int, seq: int) -> str:
    """交接单编号 ``J10101007-261203-101-5``; the last character is an ISO 7064 MOD 11-2 check
    over the digits, so a clerk's typing slip is caught."""
    if not (AGENT_NO_RE.match(agent_no) and 0 <= terminal <= 9 and 1 <= seq <= 99):
        raise ValueError("bad sheet number parts")
    body = _sheet_body(agent_no, day, terminal, seq)
    return f"J{agent_no}-{day:%y%m%d}-{terminal}{seq:02d}-{iso7064_mod11_2(body)}"


@dataclass(frozen=True)
class SheetNo:
    agent_no: str
    day: _dt.date
    terminal: int
    seq: int

    @property
    def canonical(self) -> str:
        return make_sheet_no(self.agent_no, self.day, self.terminal, self.seq)


def parse_sheet_no(text: str | None) -> tuple[SheetNo | None, str]:
    """(parsed, problem). Accepts what a clerk types: lower case, spaces, full-width digits,
    with or without the leading J and the hyphens."""
    plain = normalize_id(text or "")
    m = _SHEET_RE.match(plain)
    if not m:
        return None, _("交接单编号应为 J 加 18 位数字或 X，例如 J10101007-261203-101-5。")
    agent_no, ymd, terminal, seq, check = m.groups()
    if iso7064_mod11_2(agent_no + ymd + terminal + seq) != check:
        return None, _("交接单编号「{text}」的校验位不对，请逐位核对后重新输入。").format(text=(text or "").strip())
    try:
        day = _dt.date(2000 + int(ymd[:2]), int(ymd[2:4]), int(ymd[4:]))
    except ValueError:
        return None, _("交接单编号中的日期不对，请核对。")
    return SheetNo(agent_no, day, int(terminal), int(seq)), ""


def commission_digest(commission_no: str, id_type: str, id_number: str, item_code: str) -> bytes:
    """8 bytes that pin a commission to its principal and item. The handover sheet signs them;
    the township recomputes them from what it records, so a sheet whose paper was altered
    (another principal, another item) no longer matches its QR code."""
    raw = "\x1f".join((commission_no, id_type, normalize_id(id_number), item_code))
    return hashlib.sha256(raw.encode("utf-8")).digest()[:8]
