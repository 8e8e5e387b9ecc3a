"""Intake (受理): item → applicant → materials checklist → accept, notice, refuse or 即办.

Each outcome is one transaction that writes the case, its checklist, its history event, the
issued document's frozen content, the audit line and the outbox record for the county.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from clerk_app.domain import ids
from clerk_app.domain.case_numbers import make_case_no
from clerk_app.domain.checklist import ChecklistLine, outstanding, received, unanswered_conditions
from clerk_app.domain.status import CaseStatus, DocKind, MaterialState
from clerk_app.i18n import _
from clerk_app.services.calendar import load_calendar
from clerk_app.services.common import (
    Actor,
    Context,
    ServiceError,
    audit,
    enqueue,
    get_setting,
    set_setting,
)
from clerk_app.store.models import (
    Applicant,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseSequence,
    Document,
    ServiceItem,
    ServicePoint,
)

ORG_ID_TYPE = "uscc"
# a 户口簿 carries the holder's resident ID number: one person, whichever was shown
SAME_NUMBER_TYPES = (ids.IdType.RESIDENT_ID.value, ids.IdType.HOUSEHOLD.value)


def _id_types_like(id_type: str) -> tuple[str, ...]:
    return SAME_NUMBER_TYPES if id_type in SAME_NUMBER_TYPES else (id_type,)


# --- applicant -------------------------------------------------------------------------


@dataclass
class ApplicantInput:
    kind: str = "person"  # person | org
    name: str = ""
    id_type: str = ids.IdType.RESIDENT_ID.value  # for an organization: "uscc"
    id_number: str = ""
    phone: str = ""
    address: str = ""
    village_code: str | None = None
    legal_rep: str = ""
    contact_name: str = ""
    sex: str | None = None
    birth_date: dt.date | None = None


@dataclass
class ApplicantCheck:
    value: ApplicantInput
    warnings: list[str] = field(default_factory=list)


def check_applicant(a: ApplicantInput, today: dt.date) -> ApplicantCheck:
    """Validate and normalize; raise ServiceError naming the field to fix."""
    out = ApplicantInput(**asdict(a))
    warnings: list[str] = []
    if a.kind == "org":
        name = " ".join(a.name.split())
        if not name:
            raise ServiceError(_("请填写单位名称。"), field="name")
        out.name = name
        out.id_type = ORG_ID_TYPE
        res = ids.check_uscc(a.id_number)
        if res.severity == "error":
            raise ServiceError(res.message, field="id_number")
        if res.severity == "warning":
            warnings.append(res.message)
        out.id_number = res.normalized
        if not a.legal_rep.strip():
            raise ServiceError(_("请填写法定代表人。"), field="legal_rep")
        out.legal_rep = " ".join(a.legal_rep.split())
        out.sex = None
        out.birth_date = None
    else:
        name = ids.check_name(a.name)
        if not name.ok:
            raise ServiceError(name.message, field="name")
        out.name = name.normalized
        try:
            id_type = ids.IdType(a.id_type)
        except ValueError:
            raise ServiceError(_("请选择证件类型。"), field="id_type") from None
        res = ids.check_id(id_type, a.id_number, today=today)
        if not res.ok:
            raise ServiceError(res.message, field="id_number")
        out.id_number = res.normalized
        out.sex = res.sex or a.sex
        out.birth_date = res.birth_date or a.birth_date
    phone = ids.check_phone(a.phone)
    if not phone.ok:
        raise ServiceError(phone.message or _("请填写联系电话（手机或座机）。"), field="phone")
    out.phone = phone.normalized
    out.address = " ".join(a.address.split())
    return ApplicantCheck(out, warnings)


def find_applicant(ctx: Context, id_type: str, id_number: str) -> Applicant | None:
    """A returning applicant, by ID number (as typed or as a card reader types it)."""
    if id_type == ORG_ID_TYPE:
        number = ids.check_uscc(id_number).normalized
    else:
        number = ids.normalize_id(id_number)
    if not number:
        return None
    with ctx.tx() as s:
        return s.scalar(
            select(Applicant)
            .where(Applicant.id_type.in_(_id_types_like(id_type)), Applicant.id_number == number)
            .order_by(Applicant.updated_at.desc())
            .limit(1)
        )


def _upsert_applicant(s: Session, now: dt.datetime, a: ApplicantInput) -> Applicant:
    row = s.scalar(
        select(Applicant)
        .where(Applicant.id_type.in_(_id_types_like(a.id_type)), Applicant.id_number == a.id_number)
        .order_by(Applicant.updated_at.desc())
        .limit(1)
    )
    if row is None:
        row = _insert_applicant(s, now, a)
    row.kind = a.kind
    row.id_type = a.id_type  # the document shown this time
    row.name = a.name
    row.sex = a.sex
    row.birth_date = a.birth_date
    row.phone = a.phone
    row.address = a.address
    row.village_code = a.village_code
    row.legal_rep = a.legal_rep or None
    row.contact_name = a.contact_name or None
    row.updated_at = now
    s.flush()
    return row


def _insert_applicant(s: Session, now: dt.datetime, a: ApplicantInput) -> Applicant:
    """A new applicant's row, or the one another window wrote a moment ago.

    Two counters (two programs on one data folder) can take the same new citizen at once:
    both find no row, both insert. The second insert must not fail the intake with a
    uniqueness error; it does nothing and the row written first is used (and updated by the
    caller, in this transaction).
    """
    s.execute(
        sqlite_insert(Applicant)
        .values(kind=a.kind, name=a.name, id_type=a.id_type, id_number=a.id_number,
                phone=a.phone, address=a.address, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=[Applicant.id_type, Applicant.id_number])
    )
    return s.scalars(
        select(Applicant).where(Applicant.id_type == a.id_type, Applicant.id_number == a.id_number)
        .execution_options(populate_existing=True)
    ).one()


# --- checklist -------------------------------------------------------------------------


def checklist_for(item: ServiceItem) -> list[ChecklistLine]:
    return [
        ChecklistLine(
            name=m.name, form=m.form, copies_required=m.copies, required=m.required,
            condition=m.condition, material_id=m.id, seq=m.seq,
        )
        for m in item.materials
    ]


@dataclass
class IntakeForm:
    item_id: int
    applicant: ApplicantInput
    lines: list[ChecklistLine]
    note: str = ""
    channel: str = "counter"
    commission_id: int | None = None  # 代办: the commission (and so the agent) the case is for


@dataclass
class Outcome:
    case_id: int
    case_no: str
    status: CaseStatus
    document_id: int | None
    doc_kind: DocKind | None
    due_date: dt.date | None
    due_estimated: bool
    warnings: list[str] = field(default_factory=list)


def _check_lines_answered(lines: list[ChecklistLine]) -> None:
    open_conditions = unanswered_conditions(lines)
    if open_conditions:
        names = "、".join(ln.name for ln in open_conditions)
        raise ServiceError(
            _("请先询问条件必需材料是否适用：{names}").format(names=names), field="checklist"
        )
    for ln in lines:
        if ln.state is MaterialState.WRONG and not ln.problem.strip():
            raise ServiceError(
                _("请写明「{name}」有什么问题，告知书上要写清楚原因。").format(name=ln.name),
                field="checklist",
            )


def _next_case_no(s: Session, sp: ServicePoint, device: int, day: dt.date) -> str:
    key = day.strftime("%Y%m%d")
    seq = s.get(CaseSequence, key)
    if seq is None:
        seq = CaseSequence(day=key, last=0)
        s.add(seq)
    seq.last += 1
    if seq.last > 9999:
        raise ServiceError(_("本机今天的办件编号已用完（9999 件），请换一台电脑受理。"))
    s.flush()
    return make_case_no(sp.division_code, device, day, seq.last)


def _doc_no(s: Session, sp: ServicePoint, kind: DocKind, device: int, year: int) -> str:
    """e.g. 龙舟坪告〔2026〕070012号: place, kind, year, this device, and its yearly count."""
    short = sp.village_name or sp.township_name
    for suffix in ("街道办事处", "街道", "社区居委会", "村委会", "镇", "乡", "村", "社区"):
        if short.endswith(suffix) and len(short) > len(suffix):
            short = short[: -len(suffix)]
            break
    word = {DocKind.NOTICE: "告", DocKind.RECEIPT: "受", DocKind.REFUSAL: "不受"}[kind]
    prefix = f"{short}{word}〔{year}〕{device:02d}"
    # a counter per prefix (kind, year, device), kept in the settings table: constant time
    key = f"doc_seq:{kind.value}:{year}:{device:02d}"
    count = int(get_setting(s, key, "0") or 0) + 1
    set_setting(s, key, str(count))
    return f"{prefix}{count:04d}号"


def _service_point(s: Session) -> ServicePoint:
    sp = s.scalar(select(ServicePoint).limit(1))
    if sp is None:
        raise ServiceError(_("本机还没有设置服务点，请先完成初始设置。"))
    return sp


def _line_dict(ln: ChecklistLine, why: str = "") -> dict[str, Any]:
    return {"name": ln.name, "form": ln.form, "copies": ln.copies_required, "note": why,
            "state": ln.state.value, "copies_received": ln.copies_received,
            "problem": "wrong" if ln.state is MaterialState.WRONG else ("missing" if why else "")}


def _received_note(ln: ChecklistLine) -> str:
    if ln.state is MaterialState.BOTH:
        return _("原件已核验，收复印件{n}份").format(n=max(ln.copies_received, ln.copies_required))
    if ln.state is MaterialState.COPY:
        return _("收复印件{n}份").format(n=max(ln.copies_received, ln.copies_required))
    return _("收原件{n}份").format(n=max(ln.copies_received, ln.copies_required))


def _issue(s: Session, now: dt.datetime, actor: Actor, case: Case, kind: DocKind,
           content: dict[str, Any]) -> Document:
    sp = _service_point(s)
    device = int(get_setting(s, "device_no", "1") or 1)
    seq = 1 + sum(1 for d in case.documents if d.kind == kind.value)
    doc = Document(case_id=case.id, kind=kind.value, doc_no=_doc_no(s, sp, kind, device, now.year),
                   issued_at=now, operator_id=actor.id, seq=seq, content=content)
    case.documents.append(doc)
    s.flush()
    return doc


def _event(case: Case, now: dt.datetime, actor: Actor, action: str, from_status: str | None,
           to_status: str | None, **detail: Any) -> None:
    case.events.append(CaseEvent(at=now, operator_id=actor.id, action=action,
                                 from_status=from_status, to_status=to_status, detail=detail))


def _snapshot(case: Case) -> dict[str, Any]:
    return {
        "case_no": case.case_no, "status": case.status, "item_code": case.item.code,
        "item_name": case.item_name, "item_version": case.item.version_id,
        "applicant": {"name": case.applicant.name, "id_type": case.applicant.id_type,
                      "id_number": case.applicant.id_number, "phone": case.applicant.phone},
        "due_date": case.due_date.isoformat() if case.due_date else None,
        "due_estimated": case.due_estimated, "service_point": case.service_point_code,
        "channel": case.channel, "updated_at": case.updated_at.isoformat(),
    }


def _set_materials(case: Case, lines: list[ChecklistLine]) -> None:
    by_seq = {m.seq: m for m in case.materials}
    for i, ln in enumerate(lines, start=1):
        m = by_seq.get(ln.seq or i)
        if m is None:
            m = CaseMaterial(seq=ln.seq or i, material_id=ln.material_id, name=ln.name,
                             form=ln.form, copies_required=ln.copies_required, required=ln.required,
                             condition=ln.condition)
            case.materials.append(m)
        m.condition_applies = ln.condition_applies
        m.state = ln.state.value
        m.copies_received = ln.copies_received
        m.problem = ln.problem


def lines_of(case: Case) -> list[ChecklistLine]:
    return [
        ChecklistLine(
            name=m.name, form=m.form, copies_required=m.copies_required, required=m.required,
            condition=m.condition, condition_applies=m.condition_applies,
            state=MaterialState(m.state), copies_received=m.copies_received, problem=m.problem,
            material_id=m.material_id, seq=m.seq,
        )
        for m in case.materials
    ]


def _base_content(case: Case, sp: ServicePoint, actor: Actor) -> dict[str, Any]:
    a = case.applicant
    it = case.item
    label = _("统一社会信用代码") if a.id_type == ORG_ID_TYPE else ids.IdType(a.id_type).label
    return {
        "office_name": sp.office_name, "service_point_name": sp.name,
        "service_point_phone": sp.phone or "", "service_point_address": sp.address or "",
        "case_no": case.case_no, "item_name": it.name, "item_code": it.code, "item_body": it.body,
        "applicant_name": a.name, "applicant_id_label": label,
        # a person's number is masked on paper; an organization's credit code is public
        "applicant_id_number": a.id_number if a.id_type == ORG_ID_TYPE else ids.mask_id(a.id_number),
        "applicant_phone": ids.mask_phone(a.phone) if a.phone else "",
        "applicant_address": a.address, "clerk_name": actor.name,
        "legal_limit": it.legal_limit, "promised_limit": it.promised_limit,
        "due_date": case.due_date.isoformat() if case.due_date else None,
        "due_estimated": case.due_estimated, "fee": it.fee,
        "consult_phone": it.consult_phone or (sp.phone or ""),
        "complaint_phone": it.complaint_phone or (sp.complaint_phone or "12345"),
        "on_the_spot": it.promised_limit == 0,
    }


def _new_case(s: Session, ctx: Context, actor: Actor, form: IntakeForm, status: CaseStatus,
              warnings: list[str]) -> tuple[Case, ServicePoint]:
    now = ctx.clock()
    item = s.get(ServiceItem, form.item_id)
    if item is None:
        raise ServiceError(_("找不到该事项，请重新选择。"), field="item")
    if not item.current:
        raise ServiceError(_("「{name}」已被新版事项清单替换或停用，请重新选择事项。").format(name=item.name),
                           field="item")
    checked = check_applicant(form.applicant, now.date())
    warnings.extend(checked.warnings)
    applicant = _upsert_applicant(s, now, checked.value)
    sp = _service_point(s)
    device = int(get_setting(s, "device_no", "1") or 1)
    case = Case(
        case_no=_next_case_no(s, sp, device, now.date()), item=item, applicant=applicant,
        service_point_code=sp.division_code, channel=form.channel, status=status.value,
        created_at=now, updated_at=now, operator_id=actor.id, note=form.note,
        applicant_name=applicant.name, item_name=item.name,
    )
    s.add(case)
    _set_materials(case, form.lines)
    s.flush()
    if form.commission_id is not None:  # 代办: link the case to the commission and its agent
        from clerk_app.services import commissions

        commissions.link_case(s, now, actor, form.commission_id, case)
    return case, sp


def _set_due(s: Session, case: Case, start: dt.date) -> list[str]:
    cal = load_calendar(s)
    due = cal.add_workdays(start, case.item.promised_limit)
    legal = cal.add_workdays(start, case.item.legal_limit)
    case.due_date = due.date
    case.legal_due_date = legal.date
    # the date promised to the citizen is what an estimate would mislead about
    case.due_estimated = due.estimated
    if case.due_estimated:
        return [cal.coverage_warning(start) or _("期限超出节假日数据范围，已按周一至周五估算，请更新日历。")]
    return []


def _accept(s: Session, ctx: Context, actor: Actor, case: Case, sp: ServicePoint,
            lines: list[ChecklistLine], from_status: str | None) -> Document:
    now = ctx.clock()
    on_spot = case.item.promised_limit == 0
    case.accepted_at = now
    case.updated_at = now
    if on_spot:
        case.status = CaseStatus.DONE_ON_SPOT.value
        case.completed_at = now
    else:
        case.status = CaseStatus.ACCEPTED.value
    content = _base_content(case, sp, actor)
    content["received"] = [_line_dict(ln, _received_note(ln)) for ln in received(lines)]
    doc = _issue(s, now, actor, case, DocKind.RECEIPT, content)
    _event(case, now, actor, "done_on_spot" if on_spot else "accepted", from_status, case.status,
           document=doc.doc_no)
    audit(s, now, actor, "case_accepted", "case", case.case_no, status=case.status)
    enqueue(s, now, "case", case.case_no, "accept", _snapshot(case))
    if case.channel == "proxy":  # 代办: the commission follows its case
        from clerk_app.services import commissions

        commissions.on_case_accepted(s, now, actor, case)
    return doc


def _outcome(case: Case, doc: Document | None, warnings: list[str]) -> Outcome:
    return Outcome(case_id=case.id, case_no=case.case_no, status=CaseStatus(case.status),
                   document_id=doc.id if doc else None,
                   doc_kind=DocKind(doc.kind) if doc else None, due_date=case.due_date,
                   due_estimated=case.due_estimated, warnings=warnings)


def accept(ctx: Context, actor: Actor, form: IntakeForm) -> Outcome:
    """All needed materials are in: accept, or complete on the spot (即办)."""
    _check_lines_answered(form.lines)
    missing = outstanding(form.lines)
    if missing:
        raise ServiceError(
            _("还有 {n} 项材料缺少或有误，不能受理；请出具一次性告知书。").format(n=len(missing)),
            field="checklist",
        )
    warnings: list[str] = []
    with ctx.tx() as s:
        case, sp = _new_case(s, ctx, actor, form, CaseStatus.ACCEPTED, warnings)
        warnings += _set_due(s, case, ctx.today())
        doc = _accept(s, ctx, actor, case, sp, form.lines, None)
        return _outcome(case, doc, warnings)


def _notice_content(case: Case, sp: ServicePoint, actor: Actor, lines: list[ChecklistLine],
                    seq: int, reason: str) -> dict[str, Any]:
    content = _base_content(case, sp, actor)
    content["missing"] = [_line_dict(ln, why) for ln, why in outstanding(lines)]
    content["received"] = [_line_dict(ln, _received_note(ln)) for ln in received(lines)]
    content["notice_seq"] = seq
    content["notice_seq_reason"] = reason
    content["due_date"] = None  # the clock starts at acceptance
    return content


def issue_notice(ctx: Context, actor: Actor, form: IntakeForm) -> Outcome:
    """Materials are missing or wrong: the case waits; the one-time notice lists them all."""
    _check_lines_answered(form.lines)
    if not outstanding(form.lines):
        raise ServiceError(_("材料已齐全，无需出具一次性告知书，请直接受理。"), field="checklist")
    warnings: list[str] = []
    with ctx.tx() as s:
        now = ctx.clock()
        case, sp = _new_case(s, ctx, actor, form, CaseStatus.AWAITING_SUPPLEMENT, warnings)
        doc = _issue(s, now, actor, case, DocKind.NOTICE,
                     _notice_content(case, sp, actor, form.lines, 1, ""))
        _event(case, now, actor, "notice_issued", None, case.status, document=doc.doc_no,
               missing=[m["name"] for m in doc.content["missing"]])
        audit(s, now, actor, "notice_issued", "case", case.case_no, document=doc.doc_no)
        enqueue(s, now, "case", case.case_no, "notice", _snapshot(case) | {
            "missing": [m["name"] for m in doc.content["missing"]]})
        return _outcome(case, doc, warnings)


def refuse(ctx: Context, actor: Actor, form: IntakeForm, reason: str, redirect: str) -> Outcome:
    """不予受理: the application does not belong here; say why and where to go."""
    if not reason.strip():
        raise ServiceError(_("请写明不予受理的理由。"), field="refusal_reason")
    if not redirect.strip():
        raise ServiceError(_("请写明申请人应向哪里申请（部门、地址或电话）。"), field="refusal_redirect")
    warnings: list[str] = []
    with ctx.tx() as s:
        now = ctx.clock()
        case, sp = _new_case(s, ctx, actor, form, CaseStatus.REFUSED, warnings)
        case.refusal_reason = reason.strip()
        case.refusal_redirect = redirect.strip()
        content = _base_content(case, sp, actor)
        content.update(refusal_reason=case.refusal_reason, refusal_redirect=case.refusal_redirect,
                       due_date=None)
        doc = _issue(s, now, actor, case, DocKind.REFUSAL, content)
        _event(case, now, actor, "refused", None, case.status, reason=case.refusal_reason,
               document=doc.doc_no)
        audit(s, now, actor, "case_refused", "case", case.case_no, reason=case.refusal_reason)
        enqueue(s, now, "case", case.case_no, "refuse", _snapshot(case) | {
            "reason": case.refusal_reason, "redirect": case.refusal_redirect})
        return _outcome(case, doc, warnings)


def _load_case(s: Session, case_id: int) -> Case:
    case = s.scalar(
        select(Case).where(Case.id == case_id).options(
            selectinload(Case.materials), selectinload(Case.documents), selectinload(Case.events)
        )
    )
    if case is None:
        raise ServiceError(_("找不到该办件。"))
    return case


def _notified_problems(case: Case) -> set[tuple[str, str]]:
    seen = set()
    for d in case.documents:
        if d.kind == DocKind.NOTICE.value:
            for m in d.content.get("missing", []):
                seen.add((m["name"], m.get("note", "")))
    return seen


def supplement(ctx: Context, actor: Actor, case_id: int, lines: list[ChecklistLine],
               action: str, reason: str = "") -> Outcome:
    """The citizen returns with materials asked for in the one-time notice.

    ``action``: "accept" (all in now), "save" (record what arrived, keep waiting), or
    "notice" (a further notice, allowed only for a problem not notified before, with a reason).
    """
    _check_lines_answered(lines)
    with ctx.tx() as s:
        now = ctx.clock()
        case = _load_case(s, case_id)
        if case.status != CaseStatus.AWAITING_SUPPLEMENT.value:
            raise ServiceError(
                _("办件 {no} 当前状态为「{status}」，不是待补正，不能补正材料。").format(
                    no=case.case_no, status=CaseStatus(case.status).label)
            )
        before = {(m.name): m.state for m in case.materials}
        _set_materials(case, lines)
        arrived = [ln.name for ln in lines
                   if ln.state.received and before.get(ln.name) != ln.state.value]
        sp = _service_point(s)
        warnings: list[str] = []
        doc = None
        if action == "accept":
            if outstanding(lines):
                raise ServiceError(
                    _("还有 {n} 项材料缺少或有误，不能受理。").format(n=len(outstanding(lines))),
                    field="checklist",
                )
            _event(case, now, actor, "supplemented", case.status, case.status, arrived=arrived)
            warnings += _set_due(s, case, now.date())
            doc = _accept(s, ctx, actor, case, sp, lines, CaseStatus.AWAITING_SUPPLEMENT.value)
        elif action == "notice":
            problems = outstanding(lines)
            new = [(ln, why) for ln, why in problems if (ln.name, why) not in _notified_problems(case)]
            if not new:
                raise ServiceError(
                    _("一次性告知书已经告知过这些材料，不能因同样的问题再次告知；请收齐后受理。"),
                    field="checklist",
                )
            if not reason.strip():
                raise ServiceError(
                    _("再次告知只适用于新发现的问题，请写明原因（例如补交的材料有误）。"),
                    field="notice_reason",
                )
            seq = 1 + sum(1 for d in case.documents if d.kind == DocKind.NOTICE.value)
            doc = _issue(s, now, actor, case, DocKind.NOTICE,
                         _notice_content(case, sp, actor, lines, seq, reason.strip()))
            case.updated_at = now
            _event(case, now, actor, "notice_reissued", case.status, case.status,
                   document=doc.doc_no, reason=reason.strip(), new=[ln.name for ln, _w in new])
            audit(s, now, actor, "notice_reissued", "case", case.case_no, reason=reason.strip())
            enqueue(s, now, "case", case.case_no, "notice", _snapshot(case) | {
                "missing": [ln.name for ln, _w in problems], "reason": reason.strip()})
        elif action == "save":
            case.updated_at = now
            _event(case, now, actor, "supplemented", case.status, case.status, arrived=arrived)
            audit(s, now, actor, "case_supplemented", "case", case.case_no, arrived=arrived)
        else:
            raise ValueError(action)
        return _outcome(case, doc, warnings)


def withdraw(ctx: Context, actor: Actor, case_id: int, reason: str) -> None:
    if not reason.strip():
        raise ServiceError(_("请写明撤回的原因。"), field="reason")
    with ctx.tx() as s:
        now = ctx.clock()
        case = _load_case(s, case_id)
        if case.status not in (CaseStatus.AWAITING_SUPPLEMENT.value, CaseStatus.ACCEPTED.value):
            raise ServiceError(_("只有待补正或已受理未报送的办件可以撤回。"))
        old = case.status
        case.status = CaseStatus.WITHDRAWN.value
        case.updated_at = now
        _event(case, now, actor, "withdrawn", old, case.status, reason=reason.strip())
        audit(s, now, actor, "case_withdrawn", "case", case.case_no, reason=reason.strip())
        enqueue(s, now, "case", case.case_no, "withdraw", _snapshot(case) | {"reason": reason.strip()})
