"""Realistic fake cases, inserted fast: for the case-list benchmark, UI tests and screenshots.

``insert_fake_cases(ctx, n)`` writes ``n`` cases into a database that has been set up (a demo
database is fine) with SQLAlchemy Core in ONE transaction: real catalog items of that database,
random applicants with valid resident ID numbers (a few organizations with valid 统一社会信用代码),
case numbers and document numbers as the device makes them, the materials checklist, the issued
documents with their frozen content and print records, and the history events. Statuses follow
the case's age: recent cases are still running, older ones mostly completed; a share of running
cases is left past its promised date, so the list has 预警 and 超期 rows.

Command line (creates a demo database when the file does not exist)::

    python bench/fake_cases.py DB.sqlite3 200000 [--seed 7] [--days 730]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections import Counter, namedtuple
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, func, select

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clerk_app.domain import divisions, ids  # noqa: E402
from clerk_app.domain.case_numbers import make_case_no  # noqa: E402
from clerk_app.domain.status import CaseStatus, DocKind, MaterialState  # noqa: E402
from clerk_app.services import intake  # noqa: E402
from clerk_app.services.calendar import load_calendar  # noqa: E402
from clerk_app.services.common import Context, get_setting  # noqa: E402
from clerk_app.store.models import (  # noqa: E402
    Applicant,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseSequence,
    Document,
    Operator,
    PrintRecord,
    ServiceItem,
    ServicePoint,
    Setting,
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万覃向"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁"
    "婷雪琳晨辉鹏建国志红文春燕云莲菊金凤德清永福贵生翠秀珍兴旺家富成海"
)
ORG_KINDS = ("种养殖专业合作社", "农机专业合作社", "家庭农场", "茶叶专业合作社", "柑橘专业合作社")
VILLAGE_FALLBACK = ("龙舟坪村", "郑家榜村", "津洋口村", "花坪村", "白氏坪村")
REFUSAL_REASONS = (
    ("申请人户籍不在本镇，不属于本服务中心受理范围", "请到户籍所在地乡镇便民服务中心申请"),
    ("该事项已下放至县政务服务中心办理", "请到县政务服务中心综合窗口申请，电话 0717-5322345"),
)
WITHDRAW_REASONS = ("申请人主动撤回申请", "申请人已在县政务服务中心办理", "家庭情况发生变化，暂不申请")
NOT_APPROVED_REASONS = ("经入户核查，家庭收入超过保障标准", "不符合申请条件")
WRONG_PROBLEMS = ("缺少申请人签字", "复印件模糊不清", "证件已过有效期", "信息与户口簿不一致")
OPEN_STATES = (CaseStatus.ACCEPTED, CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW)
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


_Item = namedtuple(
    "_Item", "id code name body fee legal_limit promised_limit consult_phone complaint_phone"
)


@dataclass
class FakeResult:
    first_id: int
    last_id: int
    seconds: float
    statuses: Counter[str]

    @property
    def count(self) -> int:
        return self.last_id - self.first_id + 1


def uscc(rng: random.Random, area: str = "420528") -> str:
    """A valid 统一社会信用代码 for a farmers' cooperative (登记管理部门 9, 类别 3)."""
    body = "93" + area + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    value = {c: i for i, c in enumerate(USCC_CHARS)}
    total = sum(value[c] * pow(3, i, 31) for i, c in enumerate(body))
    return body + USCC_CHARS[(31 - total % 31) % 31]


class _Generator:
    def __init__(self, ctx: Context, rng: random.Random, today: dt.date, overdue_share: float) -> None:
        self.ctx = ctx
        self.rng = rng
        self.today = today
        self.overdue_share = overdue_share
        self.now = ctx.clock()
        self._due_cache: dict[tuple[dt.date, int], tuple[dt.date, bool]] = {}

    # ----------------------------------------------------------------- reference data

    def load(self, s) -> None:  # noqa: ANN001 - a Session
        sp = s.scalar(select(ServicePoint).limit(1))
        if sp is None:
            raise SystemExit("the database is not set up: run `clerk-app admin demo` first")
        self.sp = sp
        self.device = int(get_setting(s, "device_no", "1") or 1)
        self.calendar = load_calendar(s)
        rows = list(s.scalars(select(ServiceItem).where(ServiceItem.current)))
        if not rows:
            raise SystemExit("the database has no catalog")
        # plain copies: ORM attribute access would dominate the generation time
        self.items = [_Item(*(getattr(it, f) for f in _Item._fields)) for it in rows]
        self.materials = {
            it.id: [(m.id, m.seq, m.name, m.form, m.copies, m.required, m.condition)
                    for m in it.materials]
            for it in rows
        }
        ops = list(s.scalars(select(Operator).where(Operator.role != "agent")))
        self.operators = [(op.id, op.display_name) for op in ops]
        self.sequences = {row.day: row.last for row in s.scalars(select(CaseSequence))}
        self.known_ids = set(s.scalars(select(Applicant.id_number)))
        township = sp.division_code[:9]
        self.villages = [v.name for v in divisions.villages(township)] or list(VILLAGE_FALLBACK)
        self.session = s
        self._pinned: set[Setting] = set()

    def next_ids(self, s) -> dict[str, int]:  # noqa: ANN001
        return {
            t.__tablename__: (s.scalar(select(func.max(t.id))) or 0) + 1
            for t in (Applicant, Case, CaseMaterial, CaseEvent, Document, PrintRecord)
        }

    # ----------------------------------------------------------------- pieces

    def due(self, start: dt.date, days: int) -> tuple[dt.date, bool]:
        key = (start, days)
        hit = self._due_cache.get(key)
        if hit is None:
            d = self.calendar.add_workdays(start, days)
            hit = self._due_cache[key] = (d.date, d.estimated)
        return hit

    def workday_before(self, day: dt.date) -> dt.date:
        while not self.calendar.is_workday(day)[0]:
            day -= dt.timedelta(days=1)
        return day

    def at_time(self, day: dt.date) -> dt.datetime:
        """A moment in office hours (08:30–17:20) of ``day``, never after now."""
        latest = 17 * 60 + 20
        if day >= self.now.date():
            latest = min(latest, self.now.hour * 60 + self.now.minute - 1)
        minutes = self.rng.randint(min(8 * 60 + 30, max(latest, 0)), max(latest, 0))
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60, self.rng.randint(0, 59)))

    def person_name(self) -> str:
        r = self.rng
        given = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.7 else "")
        return r.choice(SURNAMES) + given

    def phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{int(self.rng.random() * 1e9):09d}"

    def id_number(self) -> tuple[str, str, dt.date]:
        r = self.rng
        while True:
            born = dt.date(1935, 1, 1) + dt.timedelta(days=r.randint(0, 365 * 70))
            area = r.choice(("420528", "420528", "420528", "420502", "420581"))
            first17 = f"{area}{born:%Y%m%d}{r.randint(0, 999):03d}"
            number = first17 + ids.iso7064_mod11_2(first17)
            if number not in self.known_ids:
                self.known_ids.add(number)
                return number, ("男" if int(number[16]) % 2 else "女"), born

    def address(self) -> str:
        r = self.rng
        return f"{self.sp.township_name}{r.choice(self.villages)}{r.randint(1, 12)}组{r.randint(1, 60)}号"

    def case_no(self, day: dt.date) -> str:
        key = day.strftime("%Y%m%d")
        seq = self.sequences.get(key, 0) + 1
        self.sequences[key] = seq
        return make_case_no(self.sp.division_code, self.device, day, seq)

    def doc_no(self, kind: DocKind, year: int) -> str:
        """The next document number exactly as intake makes it (its counter moves on too)."""
        number = intake._doc_no(self.session, self.sp, kind, self.device, year)
        # keep the counter's row alive: the session's identity map holds rows weakly, and a
        # row that drops out of it is read from the database again for every document
        s = self.session
        self._pinned.update(o for o in (*s.new, *s.dirty) if isinstance(o, Setting))
        return number


def _received_state(form: str) -> str:
    """How a material is recorded when it came in as its form asks."""
    if "原件及复印件" in form or ("原件" in form and "复印件" in form):
        return MaterialState.BOTH.value
    return MaterialState.COPY.value if "复印件" in form else MaterialState.ORIGINAL.value


def _content(g: _Generator, kind: DocKind, case: dict[str, Any], item: _Item,
             applicant: dict[str, Any], clerk: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    sp = g.sp
    org = applicant["kind"] == "org"
    content: dict[str, Any] = {
        "office_name": sp.office_name, "service_point_name": sp.name,
        "service_point_phone": sp.phone or "", "service_point_address": sp.address or "",
        "case_no": case["case_no"], "item_name": item.name, "item_code": item.code,
        "item_body": item.body, "applicant_name": applicant["name"],
        "applicant_id_label": "统一社会信用代码" if org else ids.IdType.RESIDENT_ID.label,
        "applicant_id_number": ids.mask_id(applicant["id_number"]),
        "applicant_phone": ids.mask_phone(applicant["phone"]),
        "applicant_address": applicant["address"], "clerk_name": clerk,
        "legal_limit": item.legal_limit, "promised_limit": item.promised_limit,
        "due_date": None, "due_estimated": False, "fee": item.fee,
        "consult_phone": item.consult_phone or (sp.phone or ""),
        "complaint_phone": item.complaint_phone or (sp.complaint_phone or "12345"),
        "on_the_spot": item.promised_limit == 0,
    }
    received = [
        {"name": ln["name"], "form": ln["form"], "copies": ln["copies_required"],
         "note": f"收{ln['form']}{ln['copies_required']}份", "problem": ""}
        for ln in lines if ln["state"] in ("original", "copy", "both")
    ]
    if kind is DocKind.NOTICE:
        content["missing"] = [
            {"name": ln["name"], "form": ln["form"], "copies": ln["copies_required"],
             "note": (f"有误：{ln['problem']}" if ln["state"] == "wrong"
                      else f"未提供：需{ln['form']}{ln['copies_required']}份"),
             "problem": "wrong" if ln["state"] == "wrong" else "missing"}
            for ln in lines if ln["state"] in ("missing", "wrong")
        ]
        content["received"] = received
        content["notice_seq"] = 1
        content["notice_seq_reason"] = ""
    elif kind is DocKind.RECEIPT:
        content["received"] = [dict(r, note=f"收{r['form']}{r['copies']}份") for r in received]
        content["due_date"] = case["due_date"].isoformat() if case["due_date"] else None
        content["due_estimated"] = case["due_estimated"]
    else:
        content["refusal_reason"] = case["refusal_reason"]
        content["refusal_redirect"] = case["refusal_redirect"]
    return content


def _bulk_insert(conn: Any, table: Table, rows: list[dict[str, Any]]) -> None:
    """Core insert of many rows, fast: each value goes through its column type's own bind
    processor (so dates, JSON and booleans are stored exactly as SQLAlchemy stores them), then
    straight to the driver's executemany, skipping SQLAlchemy's per-row parameter handling."""
    if not rows:
        return
    names = list(rows[0])
    dialect = conn.dialect
    columns_values = []
    for name in names:
        proc = table.c[name].type._cached_bind_processor(dialect)
        if proc is None:
            columns_values.append([row[name] for row in rows])
        else:
            columns_values.append([None if row[name] is None else proc(row[name]) for row in rows])
    values = list(zip(*columns_values))
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', values)


def insert_fake_cases(
    ctx: Context,
    n: int,
    *,
    seed: int = 20261203,
    days: int = 730,
    overdue_share: float = 0.04,
    awaiting_share: float = 0.06,
    history: bool = True,
) -> FakeResult:
    """Insert ``n`` cases created over the last ``days`` days (up to ``ctx.today()``).

    ``overdue_share``: of the cases whose promised date has passed (within 120 days), the share
    still open, i.e. 超期. ``history=False`` writes only applicants and cases (what the case
    list reads; about ten times faster), without checklists, documents, prints and events.
    Everything goes in one transaction; the day sequences of case numbers move on, so real
    intake afterwards continues the numbering without a clash.
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    today = ctx.today()
    g = _Generator(ctx, rng, today, overdue_share)
    statuses: Counter[str] = Counter()
    with ctx.tx() as s:
        g.load(s)
        next_id = g.next_ids(s)
        first_case_id = next_id["cases"]
        # creation days: working days in the span, in order, so ids follow time
        workdays = [today - dt.timedelta(days=k) for k in range(days, -1, -1)]
        workdays = [d for d in workdays if g.calendar.is_workday(d)[0]] or [today]
        stamps = sorted(g.at_time(rng.choice(workdays)) for _ in range(n))
        now = g.now

        applicants: list[dict[str, Any]] = []
        cases: list[dict[str, Any]] = []
        materials: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        documents: list[dict[str, Any]] = []
        prints: list[dict[str, Any]] = []
        returning: list[dict[str, Any]] = []

        def applicant() -> dict[str, Any]:
            if returning and rng.random() < 0.25:
                return rng.choice(returning)
            created = stamps[0]
            if rng.random() < 0.02:
                name = f"{g.sp.township_name}{rng.choice(g.villages)}{rng.choice(ORG_KINDS)}"
                row = {"kind": "org", "name": name, "id_type": "uscc", "id_number": uscc(rng),
                       "sex": None, "birth_date": None, "legal_rep": g.person_name()}
            else:
                number, sex, born = g.id_number()
                row = {"kind": "person", "name": g.person_name(), "id_type": "resident_id",
                       "id_number": number, "sex": sex, "birth_date": born, "legal_rep": None}
            row.update(id=next_id["applicants"], phone=g.phone(), address=g.address(),
                       village_code=None, contact_name=None, created_at=created, updated_at=created)
            next_id["applicants"] += 1
            applicants.append(row)
            if len(returning) < 5000:
                returning.append(row)
            return row

        def event(case_id: int, at: dt.datetime, op: int | None, action: str, frm: str | None,
                  to: str | None, **detail: Any) -> None:
            if not history:
                return
            events.append({"id": next_id["case_events"], "case_id": case_id, "at": at,
                           "operator_id": op, "action": action, "from_status": frm,
                           "to_status": to, "detail": detail})
            next_id["case_events"] += 1

        def document(case: dict[str, Any], kind: DocKind, at: dt.datetime, op: tuple[int, str],
                     item: _Item, appl: dict[str, Any], lines: list[dict[str, Any]]) -> str:
            if not history:
                return ""
            doc_id = next_id["documents"]
            next_id["documents"] += 1
            doc_no = g.doc_no(kind, at.year)
            documents.append({"id": doc_id, "case_id": case["id"], "kind": kind.value,
                              "doc_no": doc_no, "issued_at": at, "operator_id": op[0], "seq": 1,
                              "content": _content(g, kind, case, item, appl, op[1], lines)})
            prints.append({"id": next_id["print_records"], "document_id": doc_id, "at": at,
                           "operator_id": op[0], "is_copy": False, "paper": "a4",
                           "target": "Counter-Printer"})
            next_id["print_records"] += 1
            if rng.random() < 0.05:
                later = min(at + dt.timedelta(days=rng.randint(1, 20), hours=1), now)
                prints.append({"id": next_id["print_records"], "document_id": doc_id,
                               "at": later, "operator_id": rng.choice(g.operators)[0],
                               "is_copy": True, "paper": rng.choice(("a4", "r80")),
                               "target": "Counter-Printer"})
                next_id["print_records"] += 1
            return doc_no

        for created in stamps:
            case_id = next_id["cases"]
            next_id["cases"] += 1
            item = rng.choice(g.items)
            appl = applicant()
            op = rng.choice(g.operators)
            day = created.date()
            age = (today - day).days
            case: dict[str, Any] = {
                "id": case_id, "case_no": g.case_no(day), "item_id": item.id,
                "applicant_id": appl["id"], "service_point_code": g.sp.division_code,
                "channel": "proxy" if rng.random() < 0.08 else "counter",
                "created_at": created, "updated_at": created, "accepted_at": None,
                "completed_at": None, "due_date": None, "legal_due_date": None,
                "due_estimated": False, "operator_id": op[0], "refusal_reason": None,
                "refusal_redirect": None, "note": "", "applicant_name": appl["name"],
                "item_name": item.name,
            }
            # the checklist as the clerk recorded it
            lines = []
            for m_id, seq, name, form, copies, required, condition in g.materials[item.id]:
                applies = True if required else rng.random() < 0.4
                state = _received_state(form) if applies else MaterialState.NOT_APPLICABLE.value
                lines.append({"case_id": case_id, "material_id": m_id, "seq": seq,
                              "name": name, "form": form, "copies_required": copies,
                              "required": required, "condition": condition,
                              "condition_applies": None if required else applies,
                              "state": state, "copies_received": copies if applies else 0,
                              "problem": ""})
            roll = rng.random()
            waiting = roll < (awaiting_share if age < 60 else awaiting_share / 4)
            via_notice = waiting or rng.random() < 0.25
            if via_notice and lines:
                for ln in rng.sample(lines, k=min(len(lines), rng.randint(1, 2))):
                    if rng.random() < 0.3:
                        ln["state"], ln["problem"] = "wrong", rng.choice(WRONG_PROBLEMS)
                    else:
                        ln["state"], ln["copies_received"] = "missing", 0
            if waiting or (via_notice and lines):
                missing = [ln["name"] for ln in lines if ln["state"] in ("missing", "wrong")]
                if missing:
                    no = document(case, DocKind.NOTICE, created, op, item, appl, lines)
                    event(case_id, created, op[0], "notice_issued", None,
                          CaseStatus.AWAITING_SUPPLEMENT.value, document=no, missing=missing)
                    status = CaseStatus.AWAITING_SUPPLEMENT
                else:
                    waiting = via_notice = False
            else:
                waiting = via_notice = False
            if not waiting and rng.random() < 0.02 and not via_notice:
                status = CaseStatus.REFUSED
                reason, redirect = rng.choice(REFUSAL_REASONS)
                case.update(refusal_reason=reason, refusal_redirect=redirect)
                no = document(case, DocKind.REFUSAL, created, op, item, appl, lines)
                event(case_id, created, op[0], "refused", None, status.value, reason=reason,
                      document=no)
            elif waiting and (age > 30 and rng.random() < 0.3):
                status = CaseStatus.WITHDRAWN
                at = min(created + dt.timedelta(days=rng.randint(5, 30)), now)
                reason = rng.choice(WITHDRAW_REASONS)
                event(case_id, at, op[0], "withdrawn", CaseStatus.AWAITING_SUPPLEMENT.value,
                      status.value, reason=reason)
                case["updated_at"] = at
            elif not waiting or (via_notice and age > 0 and rng.random() < 0.6):
                accepted = created
                if via_notice:  # the citizen came back with the rest
                    back = min(day + dt.timedelta(days=rng.randint(1, 12)), today)
                    accepted = min(g.at_time(back), now)
                    if accepted < created:
                        accepted = created
                    arrived = [ln["name"] for ln in lines if ln["state"] in ("missing", "wrong")]
                    for ln in lines:
                        if ln["state"] in ("missing", "wrong"):
                            ln["state"] = _received_state(ln["form"])
                            ln["copies_received"], ln["problem"] = ln["copies_required"], ""
                    event(case_id, accepted, op[0], "supplemented", status.value, status.value,
                          arrived=arrived)
                case["accepted_at"] = case["updated_at"] = accepted
                start = accepted.date()
                due, est = g.due(start, item.promised_limit)
                legal = g.due(start, item.legal_limit)[0]
                case.update(due_date=due, legal_due_date=legal, due_estimated=est)  # as intake
                before = status.value if via_notice else None
                if item.promised_limit == 0:
                    status = CaseStatus.DONE_ON_SPOT
                    case["completed_at"] = accepted
                    no = document(case, DocKind.RECEIPT, accepted, op, item, appl, lines)
                    event(case_id, accepted, op[0], "done_on_spot", before, status.value, document=no)
                else:
                    no = document(case, DocKind.RECEIPT, accepted, op, item, appl, lines)
                    event(case_id, accepted, op[0], "accepted", before,
                          CaseStatus.ACCEPTED.value, document=no)
                    status = _later_life(g, case, event, op, due, accepted, now)
            else:
                status = CaseStatus.AWAITING_SUPPLEMENT
            case["status"] = status.value
            statuses[status.value] += 1
            cases.append(case)
            if history:
                for i, ln in enumerate(lines):
                    ln["id"] = next_id["case_materials"] + i
                next_id["case_materials"] += len(lines)
                materials.extend(lines)

        tables = [(Applicant, applicants), (Case, cases)]
        if history:
            tables += [(CaseMaterial, materials), (Document, documents), (PrintRecord, prints),
                       (CaseEvent, events)]
        conn = s.connection()
        for model, rows in tables:
            _bulk_insert(conn, model.__table__, rows)
        s.execute(delete(CaseSequence).where(CaseSequence.day.in_(list(g.sequences))))
        _bulk_insert(conn, CaseSequence.__table__,
                     [{"day": key, "last": last} for key, last in g.sequences.items()])
    return FakeResult(first_case_id, first_case_id + n - 1, time.perf_counter() - started, statuses)


def _later_life(g: _Generator, case: dict[str, Any], event: Any, op: tuple[int, str],
                due: dt.date, accepted: dt.datetime, now: dt.datetime) -> CaseStatus:
    """After acceptance: submitted to the county, reviewed, decided, delivered; or still open."""
    rng = g.rng
    today = g.today
    county = None  # events that come back from the county carry no local operator
    if due >= today:
        closing = rng.random() < 0.15
        stop = rng.choice(OPEN_STATES) if not closing else None
    else:
        late = (today - due).days
        stop = rng.choice(OPEN_STATES) if late < 120 and rng.random() < g.overdue_share else None
    if stop is None and rng.random() < 0.02:
        at = min(accepted + dt.timedelta(hours=rng.randint(2, 48)), now)
        event(case["id"], at, op[0], "withdrawn", CaseStatus.ACCEPTED.value,
              CaseStatus.WITHDRAWN.value, reason=rng.choice(WITHDRAW_REASONS))
        case["updated_at"] = at
        return CaseStatus.WITHDRAWN
    steps = [CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW]
    current = CaseStatus.ACCEPTED
    at = accepted
    for step in steps:
        if stop is current:
            return current
        at = min(at + dt.timedelta(hours=rng.randint(1, 40)), now)
        event(case["id"], at, op[0] if step is CaseStatus.SUBMITTED else county, step.value,
              current.value, step.value)
        current = step
        case["updated_at"] = at
    if stop is current:
        return current
    # decided before (mostly) or after the promised date
    span = max((due - accepted.date()).days, 1)
    done_day = accepted.date() + dt.timedelta(days=rng.randint(1, span))
    at = max(at, min(g.at_time(done_day), now))
    if rng.random() < 0.05:
        event(case["id"], at, county, "not_approved", current.value,
              CaseStatus.NOT_APPROVED.value, reason=rng.choice(NOT_APPROVED_REASONS))
        current = CaseStatus.NOT_APPROVED
    else:
        event(case["id"], at, county, "completed", current.value, CaseStatus.COMPLETED.value)
        current = CaseStatus.COMPLETED
    case["completed_at"] = case["updated_at"] = at
    if current is CaseStatus.COMPLETED and rng.random() < 0.6:
        later = min(at + dt.timedelta(days=rng.randint(1, 5)), now)
        event(case["id"], later, op[0], "delivered", current.value, CaseStatus.DELIVERED.value,
              method=rng.choice(("窗口领取", "邮寄送达", "代办员送达")))
        case["updated_at"] = later
        current = CaseStatus.DELIVERED
    return current


def main(argv: list[str] | None = None) -> None:
    from clerk_app.services import setup
    from clerk_app.store.db import Database

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("db", type=Path)
    p.add_argument("n", type=int)
    p.add_argument("--seed", type=int, default=20261203)
    p.add_argument("--days", type=int, default=730)
    a = p.parse_args(argv)
    db = Database(a.db)
    ctx = Context(db)
    if setup.set_up_demo(ctx):
        print("set up the demo service point in", a.db)
    res = insert_fake_cases(ctx, a.n, seed=a.seed, days=a.days)
    print(f"{res.count} cases in {res.seconds:.1f} s: "
          + ", ".join(f"{CaseStatus(k).label} {v}" for k, v in res.statuses.most_common()))
    db.dispose()


if __name__ == "__main__":
    main()
