"""Commissions (代办委托): a citizen authorizes an agent to handle one item for them.

The life of a commission and its rules are in :mod:`clerk_app.domain.agents`. Each step is
recorded with who, when, where and on which device (:class:`CommissionStep`), and written to
the outbox in the same transaction (entity ``commission``, keyed by the commission number,
the whole commission with all its steps as payload, so any record alone brings a device or
the county up to date).

Who may do what is checked here, not only in the UI:

* an agent sees and changes only commissions of their own (:func:`_check_access`);
* counter staff (clerk, supervisor) see all commissions of the township; they receive
  handovers, accept (through :mod:`clerk_app.services.intake`, which links the case here
  with :func:`link_case`), and record results handed back.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from clerk_app.domain import ids
from clerk_app.domain.agents import (
    DEFAULT_SCOPES,
    DEFAULT_VALIDITY_DAYS,
    AgentStatus,
    CommissionState,
    furthest,
    handover_due,
    handover_state,
    make_commission_no,
    make_counter_commission_no,
    scope_problem,
    transition_problem,
    validity_problem,
)
from clerk_app.domain.case_numbers import normalize_case_no
from clerk_app.domain.checklist import ChecklistLine, outstanding, received, unanswered_conditions
from clerk_app.domain.status import CaseStatus, MaterialState, Role
from clerk_app.domain.workdays import DEADLINE_NONE, DEADLINE_OVERDUE
from clerk_app.i18n import _
from clerk_app.services import agents as agent_service
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
from clerk_app.store.agent_models import Agent, Commission, CommissionMaterial, CommissionStep
from clerk_app.store.models import Case, ServiceItem, SyncCaseState

S = CommissionState
TOWNSHIP_PLACE = _("乡镇便民服务中心")
CONFIRM_WAYS = (_("委托人签字确认"), _("委托人按手印确认"), _("委托人电话确认"), _("委托人本人到乡镇领取"))


# --------------------------------------------------------------------------- access


def _check_access(s: Session, actor: Actor, c: Commission) -> None:
    """An agent only ever sees or touches their own commissions."""
    if actor.role is Role.AGENT:
        agent = agent_service.agent_of(s, actor)
        if agent is None or c.agent_id != agent.id:
            raise PermissionDenied(_("代办员只能查看和办理自己受托的委托。"))


def _require_staff(actor: Actor) -> None:
    if actor.role is Role.AGENT:
        raise PermissionDenied(_("此操作由乡镇窗口人员办理，代办员不能操作。"))


def _load(s: Session, commission_id: int) -> Commission:
    c = s.scalar(select(Commission).where(Commission.id == commission_id).options(
        selectinload(Commission.materials), selectinload(Commission.steps),
        selectinload(Commission.agent)))
    if c is None:
        raise ServiceError(_("找不到该委托。"))
    return c


def _by_no(s: Session, commission_no: str) -> Commission | None:
    return s.scalar(select(Commission).where(Commission.commission_no == commission_no).options(
        selectinload(Commission.materials), selectinload(Commission.steps),
        selectinload(Commission.agent)))


def get_commission(ctx: Context, actor: Actor, commission_id: int) -> Commission:
    with ctx.tx() as s:
        c = _load(s, commission_id)
        _check_access(s, actor, c)
        return c


def find_by_no(ctx: Context, actor: Actor, commission_no: str) -> Commission:
    with ctx.tx() as s:
        c = _by_no(s, commission_no.strip())
        if c is None:
            raise ServiceError(_("找不到委托 {no}。").format(no=commission_no.strip()))
        _check_access(s, actor, c)
        return c


# --------------------------------------------------------------------------- steps and outbox


def _step(s: Session, now: dt.datetime, actor: Actor | None, c: Commission, new: CommissionState,
          place: str = "", note: str = "", who: str | None = None, **detail: Any) -> CommissionStep:
    old = CommissionState(c.state) if c.state else None
    if old is not None:
        problem = transition_problem(old, new)
        if problem:
            raise ServiceError(problem)
    step = CommissionStep(
        key=uuid.uuid4().hex, state=new.value, from_state=old.value if old else None, at=now,
        operator_id=actor.id if actor else None,
        operator_name=who if who is not None else (actor.name if actor else _("系统")),
        role=actor.role.value if actor else "system", place=place.strip(),
        device=agent_service.device_label(s), note=note.strip(),
        detail={k: v for k, v in detail.items() if not (k == "village" and v is None)})
    c.steps.append(step)
    c.state = new.value
    c.updated_at = now
    return step


def first_step(c: Commission, state: CommissionState) -> CommissionStep | None:
    """The earliest step of a commission in this state (a collection may be corrected later;
    the first one started the handover clock)."""
    found = [st for st in c.steps if st.state == state.value]
    return min(found, key=lambda st: st.at) if found else None


def limit_at_collection(c: Commission) -> int | None:
    """The handover limit (working days) in force when the materials were collected, as the
    collected step records it; None for a step recorded before this was kept."""
    st = first_step(c, S.COLLECTED)
    value = (st.detail or {}).get("handover_limit") if st is not None else None
    return int(value) if value else None


def place_name(code: str | None) -> str:
    """A place's division code in words: the township's own code is its service centre."""
    if not code:
        return ""
    if code.endswith("000"):
        return TOWNSHIP_PLACE
    return agent_service.village_name(code)


def _where(s: Session, actor: Actor, c: Commission, village: str | None) -> str | None:
    """The division code of where a step happens: the one given (a village of this township,
    or the township itself), else the default the dialogs pre-fill -- on a counter the
    township's service point, on the agent's laptop the principal's village when it is one of
    the agent's, else the agent's first village."""
    sp = agent_service.service_point_of(s)
    township = agent_service.township_code(sp)
    if village:
        code = village.strip()
        if not (len(code) == 12 and code.isdigit() and code[:9] == township[:9]):
            raise ServiceError(_("地点所在的村（社区）不在本乡镇，请重新选择。"), field="place")
        return code
    if not get_setting(s, agent_service.LAPTOP_AGENT_KEY):
        return township
    mine = list(c.agent.villages or [])
    if c.village_code and c.village_code in mine:
        return c.village_code
    return mine[0] if mine else None


def _need_place(place: str, what: str) -> None:
    if not place.strip():
        raise ServiceError(_("请选择{what}地点。").format(what=what), field="place")


def _date(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value else None


def commission_payload(c: Commission) -> dict[str, Any]:
    return {
        "commission_no": c.commission_no, "agent_key": c.agent.key, "agent_no": c.agent.agent_no,
        "service_point": c.agent.township_code, "item_code": c.item_code, "item_name": c.item_name,
        "principal": {"name": c.principal_name, "id_type": c.principal_id_type,
                      "id_number": c.principal_id_number, "phone": c.principal_phone,
                      "address": c.principal_address, "village_code": c.village_code},
        "scope": list(c.scope or []), "valid_from": c.valid_from.isoformat(),
        "valid_until": c.valid_until.isoformat(), "subdelegation": c.subdelegation,
        "state": c.state, "created_at": c.created_at.isoformat(),
        "collected_at": _date(c.collected_at), "handed_over_at": _date(c.handed_over_at),
        "sheet_no": c.sheet_no, "case_no": c.case_no, "result_text": c.result_text,
        "note": c.note,
        "materials": [{"seq": m.seq, "name": m.name, "form": m.form, "copies": m.copies_required,
                       "required": m.required, "condition": m.condition,
                       "applies": m.condition_applies, "state": m.state,
                       "received": m.copies_received, "problem": m.problem,
                       "check": m.township_check} for m in c.materials],
        "steps": [{"key": st.key, "state": st.state, "from": st.from_state, "at": st.at.isoformat(),
                   "by": st.operator_name, "role": st.role, "place": st.place,
                   "device": st.device, "note": st.note, "detail": st.detail} for st in c.steps],
    }


def changed(s: Session, now: dt.datetime, actor: Actor | None, c: Commission, op: str,
            **detail: Any) -> None:
    """Queue the commission for the county (and the other devices), and audit the change."""
    s.flush()
    enqueue(s, now, "commission", c.commission_no, op, commission_payload(c))
    audit(s, now, actor, f"commission_{op}", "commission", c.commission_no, **detail)


# --------------------------------------------------------------------------- materials


def lines_of(c: Commission) -> list[ChecklistLine]:
    return [
        ChecklistLine(name=m.name, form=m.form, copies_required=m.copies_required,
                      required=m.required, condition=m.condition,
                      condition_applies=m.condition_applies, state=MaterialState(m.state),
                      copies_received=m.copies_received, problem=m.problem,
                      material_id=m.material_id, seq=m.seq)
        for m in c.materials
    ]


def _set_lines(c: Commission, lines: list[ChecklistLine]) -> None:
    by_seq = {m.seq: m for m in c.materials}
    for i, ln in enumerate(lines, start=1):
        m = by_seq.get(ln.seq or i)
        if m is None:
            m = CommissionMaterial(seq=ln.seq or i, material_id=ln.material_id, name=ln.name,
                                   form=ln.form, copies_required=ln.copies_required,
                                   required=ln.required, condition=ln.condition)
            c.materials.append(m)
        m.condition_applies = ln.condition_applies
        m.state = ln.state.value
        m.copies_received = ln.copies_received
        m.problem = ln.problem


# --------------------------------------------------------------------------- the agent's work


def proxy_items(ctx: Context) -> list[ServiceItem]:
    """Items an agent may be commissioned for (是否可代办 = 是)."""
    with ctx.tx() as s:
        return list(s.scalars(select(ServiceItem).where(ServiceItem.current, ServiceItem.proxy_allowed)
                              .options(selectinload(ServiceItem.materials))
                              .order_by(ServiceItem.seq, ServiceItem.id)))


@dataclass
class CommissionInput:
    item_id: int
    principal: Any  # clerk_app.services.intake.ApplicantInput
    scope: list[str] = field(default_factory=lambda: list(DEFAULT_SCOPES))
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    subdelegation: bool = False
    place: str = ""  # required: where the commission is taken (the dialog pre-fills it)
    note: str = ""
    village: str | None = None  # division code of the place; None: see _where


def _next_commission_no(s: Session, agent: Agent, day: dt.date) -> str:
    """The next number on this device: the agent's laptop numbers by its terminal (1-9), a
    counter by its device number (1-59), so no two devices make the same number."""
    terminal = int(get_setting(s, agent_service.LAPTOP_TERMINAL, "0") or 0)
    if terminal:
        def make(seq: int) -> str:
            return make_commission_no(agent.agent_no, day, terminal, seq)
    else:
        device = int(get_setting(s, "device_no", "1") or 1)

        def make(seq: int) -> str:
            return make_counter_commission_no(agent.agent_no, day, device, seq)
    prefix = make(1)[:-2]
    used = [int(no[-2:]) for no in s.scalars(
        select(Commission.commission_no).where(Commission.commission_no.like(prefix + "%")))
        if len(no) == len(prefix) + 2]
    seq = max(used, default=0) + 1
    if seq > 99:
        raise ServiceError(_("本机今天的委托编号已用完（99 件），请明天再登记。"))
    return make(seq)


def _usable_agent(agent: Agent, today: dt.date) -> None:
    if agent.status == AgentStatus.SUSPENDED.value:
        raise ServiceError(_("代办员{name}的代办资格已暂停（{reason}），不能接受新的委托。").format(
            name=agent.name, reason=agent.status_reason or _("未写原因")))
    if agent.status == AgentStatus.LEFT.value:
        raise ServiceError(_("代办员{name}已离任，不能接受新的委托。").format(name=agent.name))
    if agent.start_date > today:
        raise ServiceError(_("代办员{name}的聘用自 {date} 起，今天还不能接受委托。").format(
            name=agent.name, date=agent.start_date.isoformat()))


def create(ctx: Context, actor: Actor, inp: CommissionInput, agent_id: int | None = None) -> Commission:
    """A citizen commissions an agent for one item (the agent records it, or a supervisor
    records it for an agent)."""
    from clerk_app.services.intake import check_applicant

    _need_place(inp.place, _("委托"))
    now = ctx.clock()
    today = now.date()
    with ctx.tx() as s:
        if actor.role is Role.AGENT:
            agent = agent_service.require_agent(s, actor)
            if agent_id is not None and agent_id != agent.id:
                raise PermissionDenied(_("代办员只能为自己登记委托。"))
        elif actor.is_supervisor and agent_id is not None:
            agent = s.get(Agent, agent_id)
            if agent is None:
                raise ServiceError(_("找不到该代办员。"))
        else:
            raise PermissionDenied(_("代办委托由代办员登记（负责人可代为登记）。"))
        _usable_agent(agent, today)
        item = s.scalar(select(ServiceItem).where(ServiceItem.id == inp.item_id)
                        .options(selectinload(ServiceItem.materials)))
        if item is None or not item.current:
            raise ServiceError(_("找不到该事项，或它已被新版事项清单替换，请重新选择。"), field="item")
        if not item.proxy_allowed:
            raise ServiceError(_("「{name}」不可代办（事项清单中“是否可代办”为否），请告知群众本人到乡镇办理。").format(
                name=item.name), field="item")
        checked = check_applicant(inp.principal, today)
        p = checked.value
        problem = scope_problem(inp.scope)
        if problem:
            raise ServiceError(problem, field="scope")
        valid_from = inp.valid_from or today
        valid_until = inp.valid_until or valid_from + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)
        problem = validity_problem(valid_from, valid_until)
        if problem:
            raise ServiceError(problem, field="valid_until")
        if valid_until < today:
            raise ServiceError(_("委托有效期已过，请重新填写有效期。"), field="valid_until")
        c = Commission(
            commission_no=_next_commission_no(s, agent, today), agent=agent, item_id=item.id,
            item_code=item.code, item_name=item.name, principal_name=p.name,
            principal_id_type=p.id_type, principal_id_number=p.id_number,
            principal_phone=p.phone, principal_address=p.address, village_code=p.village_code,
            scope=[code for code in inp.scope], valid_from=valid_from, valid_until=valid_until,
            subdelegation=inp.subdelegation, state="", created_at=now, updated_at=now,
            note=inp.note.strip(), origin="local", result_text="",
        )
        s.add(c)
        for m in item.materials:
            c.materials.append(CommissionMaterial(
                material_id=m.id, seq=m.seq, name=m.name, form=m.form, copies_required=m.copies,
                required=m.required, condition=m.condition, state=MaterialState.PENDING.value,
                copies_received=0, problem="", township_check=""))
        _step(s, now, actor, c, S.COMMISSIONED, place=inp.place, note=inp.note,
              agent=agent.agent_no, village=_where(s, actor, c, inp.village))
        changed(s, now, actor, c, "commissioned", item=item.name)
        return c


@dataclass
class Collection:
    commission: Commission
    missing: list[tuple[str, str]]  # (material, what is needed and why)

    @property
    def complete(self) -> bool:
        return not self.missing


def collect(ctx: Context, actor: Actor, commission_id: int, lines: list[ChecklistLine],
            place: str, note: str = "", village: str | None = None) -> Collection:
    """The agent checks the materials against the item (at the citizen's home or the village
    room). Complete: the commission is 已收件 and the handover clock starts. Something missing:
    what was collected is kept, the commission waits, and the one-time notice (printed in the
    village) lists the rest."""
    now = ctx.clock()
    open_conditions = unanswered_conditions(lines)
    if open_conditions:
        raise ServiceError(_("请先询问条件必需材料是否适用：{names}").format(
            names="、".join(ln.name for ln in open_conditions)), field="checklist")
    for ln in lines:
        if ln.state is MaterialState.WRONG and not ln.problem.strip():
            raise ServiceError(_("请写明「{name}」有什么问题。").format(name=ln.name), field="checklist")
    if not place.strip():
        raise ServiceError(_("请选择收件地点。"), field="place")
    with ctx.tx() as s:
        c = _load(s, commission_id)
        _check_access(s, actor, c)
        if actor.role is not Role.AGENT and not actor.is_supervisor:
            raise PermissionDenied(_("收件由代办员办理。"))
        state = S(c.state)
        if state not in (S.COMMISSIONED, S.COLLECTED):
            raise ServiceError(transition_problem(state, S.COLLECTED) or
                               _("委托当前为「{state}」，不能再收件。").format(state=state.label))
        if now.date() > c.valid_until:
            raise ServiceError(_("委托已于 {date} 过期，不能再收件；请与委托人重新签订代办委托书。").format(
                date=c.valid_until.isoformat()))
        _set_lines(c, lines)
        missing = [(ln.name, why) for ln, why in outstanding(lines)]
        c.updated_at = now
        if missing:
            audit(s, now, actor, "commission_collect_partial", "commission", c.commission_no,
                  missing=[m for m, _w in missing], place=place.strip())
            changed(s, now, actor, c, "materials", missing=len(missing))
        else:
            first = c.collected_at is None
            extra: dict[str, Any] = {}
            if first:
                # the limit in force now is the one this handover is judged by later, even
                # if the county or the supervisor changes it meanwhile
                c.collected_at = now
                limit = agent_service.handover_limit(s)
                extra = {"handover_limit": limit,
                         "handover_due": handover_due(now.date(), load_calendar(s), limit).date.isoformat()}
            _step(s, now, actor, c, S.COLLECTED, place=place, note=note,
                  received=[ln.name for ln in received(lines)], again=not first,
                  village=_where(s, actor, c, village), **extra)
            changed(s, now, actor, c, "collected", place=place.strip())
        return Collection(c, missing)


def cancel(ctx: Context, actor: Actor, commission_id: int, reason: str, place: str,
           village: str | None = None) -> Commission:
    """The citizen withdraws the commission before the materials reach the township.

    Once the commission is on a handover sheet it may be at the township already (the laptop
    may never hear of it), so it is no longer cancelled here: the township may have accepted
    it, and its case must not be undone by a later sync."""
    if not reason.strip():
        raise ServiceError(_("请写明撤销委托的原因。"), field="reason")
    _need_place(place, _("撤销"))
    now = ctx.clock()
    with ctx.tx() as s:
        c = _load(s, commission_id)
        _check_access(s, actor, c)
        if c.sheet_no and S(c.state) in (S.COMMISSIONED, S.COLLECTED):
            raise ServiceError(_(
                "委托 {no}（{name}）已列入交接单 {sheet}，材料可能已交到乡镇，不能在这里撤销。"
                "如委托人要撤回，请与乡镇便民服务中心联系，由乡镇办理撤回。").format(
                no=c.commission_no, name=c.principal_name, sheet=c.sheet_no))
        _step(s, now, actor, c, S.CANCELLED, place=place, note=reason, village=_where(s, actor, c, village))
        changed(s, now, actor, c, "cancelled", reason=reason.strip())
        return c


OUTCOMES_AGENT_MAY_RECORD = (S.SUPPLEMENT, S.ACCEPTED, S.REFUSED, S.COMPLETED, S.NOT_APPROVED)


def record_outcome(ctx: Context, actor: Actor, commission_id: int, state: CommissionState | str,
                   case_no: str = "", result_text: str = "", note: str = "") -> Commission:
    """On the agent's laptop (which may never be online): what the township told the agent on
    paper -- the case number of its receipt (受理回执), a one-time notice, a refusal, or the
    result the agent picked up. The township records the same itself; both meet in sync."""
    state = S(state)
    if state not in OUTCOMES_AGENT_MAY_RECORD:
        raise ServiceError(_("代办员只能登记乡镇告知的受理、补正、不予受理或办理结果。"))
    now = ctx.clock()
    canonical = None
    if case_no.strip():
        canonical = normalize_case_no(case_no)
        if canonical is None:
            raise ServiceError(_("办件编号「{no}」格式不对或校验位不符，请按受理回执核对。").format(
                no=case_no.strip()), field="case_no")
    with ctx.tx() as s:
        c = _load(s, commission_id)
        _check_access(s, actor, c)
        if actor.role is not Role.AGENT:
            raise PermissionDenied(_("乡镇的受理和结果由受理系统自动登记。"))
        if state is S.ACCEPTED and not (canonical or c.case_no):
            raise ServiceError(_("请填写乡镇受理回执上的办件编号。"), field="case_no")
        if state in (S.COMPLETED, S.NOT_APPROVED) and not result_text.strip():
            raise ServiceError(_("请写明办理结果（例如：已批准，领取了证件）。"), field="result")
        if S(c.state) is S.COLLECTED and c.sheet_no:
            # the sheet reached the township: that is what the township's paper shows
            c.handed_over_at = c.handed_over_at or now
            _step(s, now, actor, c, S.HANDED_OVER, place=TOWNSHIP_PLACE,
                  note=_("据乡镇出具的文书登记"), sheet=c.sheet_no)
        if state in (S.COMPLETED, S.NOT_APPROVED) and S(c.state) in (S.HANDED_OVER, S.SUPPLEMENT):
            _step(s, now, actor, c, S.ACCEPTED, place=TOWNSHIP_PLACE, case_no=canonical or c.case_no)
        if canonical:
            c.case_no = canonical
        if result_text.strip():
            c.result_text = result_text.strip()
        _step(s, now, actor, c, state, place=TOWNSHIP_PLACE, note=note or _("据乡镇出具的文书登记"),
              case_no=c.case_no)
        changed(s, now, actor, c, state.value, by="agent")
        return c


def return_result(ctx: Context, actor: Actor, commission_id: int, place: str, note: str = "",
                  village: str | None = None) -> Commission:
    """回交: the result (or the refusal) is handed to the citizen."""
    if not place.strip():
        raise ServiceError(_("请选择回交地点。"), field="place")
    now = ctx.clock()
    with ctx.tx() as s:
        reconcile(s, now)
        c = _load(s, commission_id)
        _check_access(s, actor, c)
        state = S(c.state)
        if not state.result_ready:
            raise ServiceError(_("委托当前为「{state}」，还没有办理结果可以回交。").format(state=state.label))
        if actor.role is Role.AGENT and state is not S.REFUSED and "collect" not in (c.scope or []):
            raise ServiceError(_("委托书未授权代为领取办理结果，请通知委托人本人到乡镇领取。"))
        _step(s, now, actor, c, S.RETURNED, place=place, note=note, village=_where(s, actor, c, village))
        changed(s, now, actor, c, "returned", place=place.strip())
        return c


def confirm_receipt(ctx: Context, actor: Actor, commission_id: int, how: str, place: str,
                    note: str = "", village: str | None = None) -> Commission:
    """The citizen confirms receipt of the result: the commission is done (办毕)."""
    if not how.strip():
        raise ServiceError(_("请选择委托人确认收到的方式。"), field="how")
    _need_place(place, _("确认"))
    now = ctx.clock()
    with ctx.tx() as s:
        c = _load(s, commission_id)
        _check_access(s, actor, c)
        _step(s, now, actor, c, S.CLOSED, place=place, note=note, confirmed_by=how.strip(),
              village=_where(s, actor, c, village))
        changed(s, now, actor, c, "closed", how=how.strip())
        return c


# --------------------------------------------------------------------------- the township (intake)


def link_case(s: Session, now: dt.datetime, actor: Actor, commission_id: int, case: Case) -> None:
    """Called by intake inside its transaction: the case taken at the township for a
    commission. The principal and the item must be the ones the citizen authorized, and the
    one who accepts is counter staff: an agent never accepts their own commission."""
    if actor.role is Role.AGENT:
        raise PermissionDenied(_("代办委托由乡镇窗口人员受理，代办员不能受理自己受托的委托。"))
    c = _load(s, commission_id)
    _check_access(s, actor, c)
    if S(c.state) is not S.HANDED_OVER:
        raise ServiceError(_("委托 {no} 当前为「{state}」，只有已交件的委托可以受理。").format(
            no=c.commission_no, state=S(c.state).label))
    if (case.applicant.id_type, case.applicant.id_number) != (
            c.principal_id_type, ids.normalize_id(c.principal_id_number)):
        raise ServiceError(_("申请人的证件号码与代办委托书上的委托人（{name}）不一致，不能按这份委托受理。").format(
            name=c.principal_name), field="id_number")
    if case.item.code != c.item_code:
        raise ServiceError(_("受理的事项与代办委托的事项「{item}」不一致。").format(item=c.item_name), field="item")
    if now.date() > c.valid_until:
        raise ServiceError(_("代办委托已于 {date} 过期，请委托人重新签订代办委托书。").format(
            date=c.valid_until.isoformat()))
    c.case_no = case.case_no
    new = {CaseStatus.AWAITING_SUPPLEMENT.value: S.SUPPLEMENT,
           CaseStatus.REFUSED.value: S.REFUSED}.get(case.status, S.ACCEPTED)
    if new is S.REFUSED:
        c.result_text = case.refusal_reason or ""
    _step(s, now, actor, c, new, place=TOWNSHIP_PLACE, case_no=case.case_no)
    changed(s, now, actor, c, new.value, case_no=case.case_no)


def on_case_accepted(s: Session, now: dt.datetime, actor: Actor, case: Case) -> None:
    """Called by intake when a proxy case is accepted (also after a supplement)."""
    c = s.scalar(select(Commission).where(Commission.case_no == case.case_no).options(
        selectinload(Commission.steps), selectinload(Commission.agent), selectinload(Commission.materials)))
    if c is None:
        return
    moved = False
    if S(c.state) is S.SUPPLEMENT:
        _step(s, now, actor, c, S.ACCEPTED, place=TOWNSHIP_PLACE, case_no=case.case_no)
        moved = True
    if case.status == CaseStatus.DONE_ON_SPOT.value and S(c.state) is S.ACCEPTED:
        c.result_text = _("即办件，已当场办结")
        _step(s, now, actor, c, S.COMPLETED, place=TOWNSHIP_PLACE, case_no=case.case_no)
        moved = True
    if moved:
        changed(s, now, actor, c, c.state, case_no=case.case_no)


_CASE_TO_STATE = {
    CaseStatus.COMPLETED.value: S.COMPLETED,
    CaseStatus.NOT_APPROVED.value: S.NOT_APPROVED,
    CaseStatus.DELIVERED.value: S.COMPLETED,
    CaseStatus.ACCEPTED.value: S.ACCEPTED,
    CaseStatus.SUBMITTED.value: S.ACCEPTED,
    CaseStatus.IN_REVIEW.value: S.ACCEPTED,
    CaseStatus.WITHDRAWN.value: S.CANCELLED,
}


def reconcile(s: Session, now: dt.datetime, case_nos: list[str] | None = None) -> int:
    """Bring township commissions up to their cases (the county's decision arrives by sync
    on the case): 已受理 → 已办结 / 不予批准, with the county's result. Returns how many moved."""
    q = (select(Commission, Case).join(Case, Case.case_no == Commission.case_no)
         .where(Commission.state.in_([S.ACCEPTED.value, S.SUPPLEMENT.value, S.REFUSED.value]))
         .options(selectinload(Commission.steps), selectinload(Commission.agent),
                  selectinload(Commission.materials)))
    if case_nos is not None:
        if not case_nos:
            return 0
        q = q.where(Commission.case_no.in_(sorted(set(case_nos))))
    moved = 0
    for c, case in s.execute(q).all():
        if S(c.state) is S.REFUSED:  # the reason is written after the case is linked
            if not c.result_text and case.refusal_reason:
                c.result_text = case.refusal_reason
            continue
        target = _CASE_TO_STATE.get(case.status)
        if target is None or target is S(c.state):
            continue
        old = S(c.state)
        if target in (S.COMPLETED, S.NOT_APPROVED) and old is S.SUPPLEMENT:
            _step(s, now, None, c, S.ACCEPTED, place=TOWNSHIP_PLACE, who=_("乡镇受理"), case_no=case.case_no)
        if transition_problem(S(c.state), target):
            continue
        who = _("县级中心") if target in (S.COMPLETED, S.NOT_APPROVED) else _("乡镇受理")
        county = s.get(SyncCaseState, case.case_no)
        if target in (S.COMPLETED, S.NOT_APPROVED):
            c.result_text = (county.result_text if county else "") or c.result_text or target.label
        _step(s, now, None, c, target, place="", who=who, case_no=case.case_no,
              official_no=county.official_no if county else None)
        changed(s, now, None, c, target.value, case_no=case.case_no, by="case")
        moved += 1
    return moved


def intake_form(ctx: Context, actor: Actor, commission_id: int) -> Any:
    """The intake form for accepting a handed-over commission at the counter: the principal
    as applicant, the materials as the agent collected them and the township checked them."""
    from clerk_app.services.intake import ApplicantInput, IntakeForm

    _require_staff(actor)
    with ctx.tx() as s:
        c = _load(s, commission_id)
        if S(c.state) is not S.HANDED_OVER:
            raise ServiceError(_("委托 {no} 当前为「{state}」，只有已交件的委托可以受理。").format(
                no=c.commission_no, state=S(c.state).label))
        item = s.get(ServiceItem, c.item_id) if c.item_id else None
        if item is None or not item.current:
            item = s.scalar(select(ServiceItem).where(ServiceItem.code == c.item_code, ServiceItem.current))
        if item is None:
            raise ServiceError(_("事项「{name}」已不在本机事项清单中，请先更新事项清单。").format(name=c.item_name))
        lines = lines_of(c)
        for ln, m in zip(lines, c.materials):
            if m.township_check == "missing":
                ln.state = MaterialState.MISSING
            elif m.township_check == "wrong":
                ln.state = MaterialState.WRONG
                ln.problem = ln.problem or _("交接时发现有误")
        address = c.principal_address or agent_service.village_name(c.village_code)
        applicant = ApplicantInput(kind="org" if c.principal_id_type == "uscc" else "person",
                                   name=c.principal_name, id_type=c.principal_id_type,
                                   id_number=c.principal_id_number, phone=c.principal_phone,
                                   address=address, village_code=c.village_code)
        return IntakeForm(item_id=item.id, applicant=applicant, lines=lines,
                          note=_("代办委托 {no}，代办员 {agent}").format(no=c.commission_no, agent=c.agent.name),
                          channel="proxy", commission_id=c.id)


# --------------------------------------------------------------------------- views


@dataclass
class CommissionRow:
    id: int
    commission_no: str
    agent_id: int
    agent_no: str
    agent_name: str
    item_name: str
    principal_name: str
    village: str
    state: CommissionState
    created_at: dt.datetime
    updated_at: dt.datetime
    collected_at: dt.datetime | None
    handover_due: dt.date | None
    handover_state: str  # none | normal | approaching | overdue (only while waiting)
    case_no: str | None
    sheet_no: str | None
    result_text: str


def _row(c: Commission, today: dt.date, cal, limit: int) -> CommissionRow:  # noqa: ANN001
    state = S(c.state)
    if state is S.COLLECTED:
        hs, due = handover_state(c.collected_at.date() if c.collected_at else None, today, cal, limit)
    else:
        hs, due = DEADLINE_NONE, None
    return CommissionRow(
        id=c.id, commission_no=c.commission_no, agent_id=c.agent_id, agent_no=c.agent.agent_no,
        agent_name=c.agent.name, item_name=c.item_name, principal_name=c.principal_name,
        village=agent_service.village_name(c.village_code), state=state, created_at=c.created_at,
        updated_at=c.updated_at, collected_at=c.collected_at, handover_due=due, handover_state=hs,
        case_no=c.case_no, sheet_no=c.sheet_no, result_text=c.result_text)


def list_commissions(ctx: Context, actor: Actor, open_only: bool = False,
                     agent_id: int | None = None) -> list[CommissionRow]:
    """Commissions the actor may see: an agent their own, counter staff all of the township."""
    now = ctx.clock()
    with ctx.tx() as s:
        reconcile(s, now)
        q = select(Commission).options(selectinload(Commission.agent)).order_by(
            Commission.updated_at.desc(), Commission.id.desc())
        if actor.role is Role.AGENT:
            q = q.where(Commission.agent_id == agent_service.require_agent(s, actor).id)
        elif agent_id is not None:
            q = q.where(Commission.agent_id == agent_id)
        if open_only:
            q = q.where(Commission.state.not_in([S.CLOSED.value, S.CANCELLED.value]))
        cal = load_calendar(s)
        limit = agent_service.handover_limit(s)
        return [_row(c, now.date(), cal, limit) for c in s.scalars(q)]


@dataclass
class AgentHome:
    agent_name: str
    agent_no: str
    status: str
    counts: dict[CommissionState, int]
    due: list[CommissionRow]  # collected, waiting for the handover, soonest first
    waiting: list[CommissionRow]  # commissioned, materials not complete yet
    came_back: list[CommissionRow]  # results to return, notices to act on
    open: list[CommissionRow]
    recent_closed: list[CommissionRow]
    handover_limit: int

    @property
    def overdue(self) -> list[CommissionRow]:
        return [r for r in self.due if r.handover_state == DEADLINE_OVERDUE]


def agent_home(ctx: Context, actor: Actor) -> AgentHome:
    """The agent's home screen: my commissions by state, what is due, what came back."""
    if actor.role is not Role.AGENT:
        raise PermissionDenied(_("这是代办员的首页，请用代办员账号登录。"))
    rows = list_commissions(ctx, actor)
    with ctx.tx() as s:
        agent = agent_service.require_agent(s, actor)
        limit = agent_service.handover_limit(s)
    counts = Counter(r.state for r in rows)
    due = sorted((r for r in rows if r.state is S.COLLECTED),
                 key=lambda r: (r.handover_due or dt.date.max, r.commission_no))
    came_back = [r for r in rows if r.state.result_ready or r.state in (S.SUPPLEMENT, S.RETURNED)]
    return AgentHome(
        agent_name=agent.name, agent_no=agent.agent_no, status=agent.status,
        counts={st: counts.get(st, 0) for st in S}, due=due,
        waiting=[r for r in rows if r.state is S.COMMISSIONED], came_back=came_back,
        open=[r for r in rows if r.state.open], handover_limit=limit,
        recent_closed=[r for r in rows if not r.state.open][:20])


@dataclass
class AgentPeriodCounts:
    agent_id: int
    agent_no: str
    name: str
    status: str
    villages: str
    commissions: int = 0  # commissioned in the period
    handed_over: int = 0  # handed over in the period
    on_time: int = 0  # of those, within the limit
    completed: int = 0  # decided by the county in the period (办结 / 不予批准), refusals apart
    refused: int = 0  # refused at the township's counter (不予受理) in the period
    returned: int = 0  # results handed back to the citizen in the period
    open: int = 0  # open now
    overdue: int = 0  # waiting past the handover limit now


@dataclass
class TownshipOverview:
    start: dt.date
    end: dt.date
    open: list[CommissionRow]
    overdue: list[CommissionRow]
    per_agent: list[AgentPeriodCounts]
    handover_limit: int


def township_overview(ctx: Context, actor: Actor, start: dt.date, end: dt.date) -> TownshipOverview:
    """All agents' open commissions, overdue handovers, and per-agent counts for a period."""
    _require_staff(actor)
    if end < start:
        raise ServiceError(_("统计区间的结束日期不能早于开始日期。"))
    rows = list_commissions(ctx, actor)
    with ctx.tx() as s:
        cal = load_calendar(s)
        limit = agent_service.handover_limit(s)
        agents = list(s.scalars(select(Agent).order_by(Agent.agent_no)))
        steps = s.execute(select(Commission.agent_id, Commission.id, Commission.collected_at,
                                 CommissionStep.state, CommissionStep.at, CommissionStep.detail)
                          .join(CommissionStep, CommissionStep.commission_id == Commission.id)
                          .order_by(CommissionStep.at, CommissionStep.id)).all()
        created = s.execute(select(Commission.agent_id, Commission.created_at)).all()
    per = {a.id: AgentPeriodCounts(a.id, a.agent_no, a.name, a.status, agent_service.villages_text(a))
           for a in agents}

    def inside(at: dt.datetime) -> bool:
        return start <= at.date() <= end

    for agent_id, at in created:
        if agent_id in per and inside(at):
            per[agent_id].commissions += 1
    # the due date of each handover, as the first collection recorded it (the limit in force
    # then); steps recorded before the due date was kept fall back to today's limit
    due_at: dict[int, dt.date] = {}
    for _agent_id, cid, _collected, state, _at, detail in steps:
        if state == S.COLLECTED.value and cid not in due_at and (detail or {}).get("handover_due"):
            due_at[cid] = dt.date.fromisoformat(detail["handover_due"])
    counted: set[tuple[int, str]] = set()
    for agent_id, cid, collected_at, state, at, _detail in steps:
        if agent_id not in per or not inside(at) or (cid, state) in counted:
            continue
        counted.add((cid, state))  # the same step recorded on two devices counts once
        p = per[agent_id]
        if state == S.HANDED_OVER.value:
            p.handed_over += 1
            due = due_at.get(cid) or (
                handover_due(collected_at.date(), cal, limit).date if collected_at else None)
            if due is None or at.date() <= due:
                p.on_time += 1
        elif state in (S.COMPLETED.value, S.NOT_APPROVED.value):
            p.completed += 1
        elif state == S.REFUSED.value:
            p.refused += 1
        elif state == S.RETURNED.value:
            p.returned += 1
    open_rows = [r for r in rows if r.state.open]
    overdue = [r for r in rows if r.handover_state == DEADLINE_OVERDUE]
    for r in open_rows:
        if r.agent_id in per:
            per[r.agent_id].open += 1
    for r in overdue:
        if r.agent_id in per:
            per[r.agent_id].overdue += 1
    return TownshipOverview(start, end, open_rows, overdue, list(per.values()), limit)


# --------------------------------------------------------------------------- the village notice


def village_notice(ctx: Context, actor: Actor, commission_id: int):  # noqa: ANN201 - DocumentData
    """The one-time notice (一次性告知书) the agent prints or shows in the village: what is
    still missing for this commission, on the same form the counter uses."""
    from clerk_app.forms.model import DocumentData, MaterialLine

    now = ctx.clock()
    with ctx.tx() as s:
        c = _load(s, commission_id)
        _check_access(s, actor, c)
        sp = agent_service.service_point_of(s)
        item = s.get(ServiceItem, c.item_id) if c.item_id else None
        lines = lines_of(c)
        missing = outstanding(lines)
        if not missing:
            raise ServiceError(_("材料已齐全，不需要一次性告知书。"))
        label = _("统一社会信用代码") if c.principal_id_type == "uscc" else ids.IdType(c.principal_id_type).label
        village = agent_service.village_name(c.village_code)
        data = DocumentData(
            kind="notice", doc_no=_("代办告〔{year}〕{no}号").format(year=now.year, no=c.commission_no),
            office_name=sp.office_name,
            service_point_name=_("{village}代办点（代办员 {name}）").format(
                village=village or sp.township_name, name=c.agent.name),
            service_point_phone=c.agent.phone, service_point_address="",
            case_no=c.commission_no, item_name=c.item_name, item_code=c.item_code,
            item_body=item.body if item else "", applicant_name=c.principal_name,
            applicant_id_label=label, applicant_id_number=ids.mask_id(c.principal_id_number),
            applicant_phone=ids.mask_phone(c.principal_phone),
            applicant_address=c.principal_address or village, issued_at=now,
            clerk_name=_("{name}（代办员 {no}）").format(name=c.agent.name, no=c.agent.agent_no),
            legal_limit=item.legal_limit if item else 0,
            promised_limit=item.promised_limit if item else 0, due_date=None,
            fee=item.fee if item else "",
            missing=[MaterialLine(name=ln.name, form=ln.form, copies=ln.copies_required, note=why,
                                  problem="wrong" if ln.state is MaterialState.WRONG else "missing")
                     for ln, why in missing],
            received=[MaterialLine(name=ln.name, form=ln.form, copies=ln.copies_required)
                      for ln in received(lines)],
            consult_phone=(item.consult_phone if item else "") or (sp.phone or ""),
            complaint_phone=(item.complaint_phone if item else "") or (sp.complaint_phone or "12345"),
        )
        audit(s, now, actor, "commission_notice_printed", "commission", c.commission_no,
              missing=[ln.name for ln, _w in missing])
        return data


def village_notice_pdf(ctx: Context, actor: Actor, commission_id: int, paper: str = "a4") -> bytes:
    from clerk_app.forms import render_pdf

    return render_pdf(village_notice(ctx, actor, commission_id), paper)


# --------------------------------------------------------------------------- sync (pull side)


def apply_commission_data(s: Session, now: dt.datetime, data: dict[str, Any], origin: str = "sync") -> str:
    """Merge a commission as another device describes it: steps are united (by key), the state
    is the furthest either side reached (a cancellation never beats the township's handover,
    acceptance or later steps: :func:`clerk_app.domain.agents.furthest`), facts one side lacks
    are taken from the other."""
    no = str(data.get("commission_no") or "")
    if not no:
        return "skipped"
    agent = s.scalar(select(Agent).where(Agent.key == data.get("agent_key"))) or s.scalar(
        select(Agent).where(Agent.agent_no == data.get("agent_no")))
    if agent is None:
        return "skipped"  # the agent's own record comes first; a later resend brings this
    c = _by_no(s, no)
    p = data.get("principal") or {}
    if c is None:
        item = s.scalar(select(ServiceItem).where(ServiceItem.code == data.get("item_code"))
                        .order_by(ServiceItem.current.desc(), ServiceItem.id.desc()).limit(1))
        c = Commission(
            commission_no=no, agent=agent, item_id=item.id if item else None,
            item_code=str(data.get("item_code") or ""), item_name=str(data.get("item_name") or ""),
            principal_name=str(p.get("name") or ""), principal_id_type=str(p.get("id_type") or ""),
            principal_id_number=str(p.get("id_number") or ""), principal_phone=str(p.get("phone") or ""),
            principal_address=str(p.get("address") or ""), village_code=p.get("village_code"),
            scope=list(data.get("scope") or []),
            valid_from=dt.date.fromisoformat(data["valid_from"]),
            valid_until=dt.date.fromisoformat(data["valid_until"]),
            subdelegation=bool(data.get("subdelegation")), state=str(data.get("state")),
            created_at=dt.datetime.fromisoformat(data["created_at"]), updated_at=now,
            note=str(data.get("note") or ""), origin=origin, result_text="")
        s.add(c)
        for m in data.get("materials") or []:
            c.materials.append(CommissionMaterial(
                seq=int(m["seq"]), name=m["name"], form=m["form"], copies_required=int(m["copies"]),
                required=bool(m["required"]), condition=m.get("condition") or "",
                condition_applies=m.get("applies"), state=m.get("state") or "pending",
                copies_received=int(m.get("received") or 0), problem=m.get("problem") or "",
                township_check=m.get("check") or ""))
        result = "applied"
    else:
        result = "skipped"
        local = S(c.state)
        remote = S(str(data.get("state")))
        if (remote is not local and furthest([local, remote]) is remote) or (
                remote is S.COLLECTED and local is S.COMMISSIONED):
            by_seq = {m.seq: m for m in c.materials}
            for m in data.get("materials") or []:
                row = by_seq.get(int(m["seq"]))
                if row is not None and row.state == MaterialState.PENDING.value:
                    row.state = m.get("state") or row.state
                    row.condition_applies = m.get("applies")
                    row.copies_received = int(m.get("received") or 0)
                    row.problem = m.get("problem") or ""
        for m in data.get("materials") or []:
            row = next((x for x in c.materials if x.seq == int(m["seq"])), None)
            if row is not None and m.get("check") and not row.township_check:
                row.township_check = m["check"]
                result = "applied"
    for attr, key in (("case_no", "case_no"), ("sheet_no", "sheet_no"), ("result_text", "result_text")):
        if data.get(key) and not getattr(c, attr):
            setattr(c, attr, data[key])
            result = "applied"
    for attr, key in (("collected_at", "collected_at"), ("handed_over_at", "handed_over_at")):
        if data.get(key) and getattr(c, attr) is None:
            setattr(c, attr, dt.datetime.fromisoformat(data[key]))
            result = "applied"
    known = {st.key for st in c.steps}
    for st in data.get("steps") or []:
        if st["key"] in known:
            continue
        c.steps.append(CommissionStep(
            key=st["key"], state=st["state"], from_state=st.get("from"),
            at=dt.datetime.fromisoformat(st["at"]), operator_id=None, operator_name=st.get("by") or "",
            role=st.get("role") or "", place=st.get("place") or "", device=st.get("device") or "",
            note=st.get("note") or "", detail=st.get("detail") or {}))
        result = "applied"
    states = [S(st.state) for st in c.steps] + [S(str(data.get("state")))]
    if c.state:
        states.append(S(c.state))
    target = furthest(states)
    if c.state != target.value:
        c.state = target.value
        result = "applied"
    if result == "applied":
        c.updated_at = now
        s.flush()
        audit(s, now, None, "commission_from_sync", "commission", no, state=c.state, origin=origin)
    return result


def authorization_data(ctx: Context, actor: Actor, commission_id: int):  # noqa: ANN201
    """The proxy authorization (代办委托书) for the citizen and the agent to sign. Both ID
    numbers are printed in full: the authorization must identify both."""
    from clerk_app.domain.agents import SCOPES
    from clerk_app.forms.agent_docs import AuthorizationData

    now = ctx.clock()
    with ctx.tx() as s:
        c = _load(s, commission_id)
        _check_access(s, actor, c)
        sp = agent_service.service_point_of(s)

        def label(id_type: str) -> str:
            return _("统一社会信用代码") if id_type == "uscc" else ids.IdType(id_type).label

        granted = set(c.scope or [])
        data = AuthorizationData(
            commission_no=c.commission_no, office_name=sp.office_name, township_name=sp.name,
            principal_name=c.principal_name, principal_id_label=label(c.principal_id_type),
            principal_id_number=c.principal_id_number, principal_phone=c.principal_phone,
            principal_address=c.principal_address or agent_service.village_name(c.village_code),
            agent_name=c.agent.name, agent_no=c.agent.agent_no,
            agent_id_label=label(c.agent.id_type), agent_id_number=c.agent.id_number,
            agent_phone=c.agent.phone, item_name=c.item_name, item_code=c.item_code,
            scopes=[(sc.label, sc.code in granted) for sc in SCOPES], valid_from=c.valid_from,
            valid_until=c.valid_until, subdelegation=c.subdelegation, created_at=c.created_at,
            materials=[f"{m.name}（{m.form}）" for m in c.materials
                       if m.required or m.condition_applies],
            hotline=sp.complaint_phone or "12345")
        audit(s, now, actor, "commission_authorization_printed", "commission", c.commission_no)
        return data


def authorization_pdf(ctx: Context, actor: Actor, commission_id: int) -> bytes:
    from clerk_app.forms.agent_docs import render_authorization

    return render_authorization(authorization_data(ctx, actor, commission_id))
