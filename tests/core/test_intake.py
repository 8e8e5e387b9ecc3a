"""Intake: accept, one-time notice and return visit, refusal, 即办, numbering, audit, outbox."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from sqlalchemy import func, select

from clerk_app.domain.case_numbers import parse_case_no
from clerk_app.domain.status import CaseStatus, DocKind, MaterialState
from clerk_app.domain.workdays import WorkCalendar
from clerk_app.services import catalog, documents, intake
from clerk_app.services.common import ServiceError
from clerk_app.store.models import AuditLog, Case, CaseEvent, OutboxRecord
from tests.core.helpers import all_received, person


def item_named(ctx, name):
    return next(it for it in catalog.current_items(ctx) if it.name == name)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text layer with line breaks and spaces removed (table cells wrap)."""
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return "".join(out.stdout.decode("utf-8").split())


def test_accept_gives_case_number_due_date_and_receipt(demo_ctx, clerk, clock):
    item = item_named(demo_ctx, "最低生活保障申请")
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    assert out.status is CaseStatus.ACCEPTED and out.doc_kind is DocKind.RECEIPT
    parsed = parse_case_no(out.case_no)
    assert parsed is not None and parsed.day == clock.now.date()
    expected = WorkCalendar().add_workdays(clock.now.date(), item.promised_limit)
    assert out.due_date == expected.date and out.due_date > clock.now.date()
    pdf, is_copy = documents.render(demo_ctx, out.document_id, "a4")
    assert not is_copy
    text = pdf_text(pdf)
    assert "张三" in text and out.case_no in text
    assert out.due_date.strftime("%Y") in text


def test_incomplete_notice_lists_exactly_the_missing_then_return_visit(demo_ctx, clerk, clock):
    item = item_named(demo_ctx, "最低生活保障申请")
    lines = all_received(item)
    lines[2].state = MaterialState.MISSING  # 户口簿
    lines[4].state = MaterialState.MISSING  # 诚信承诺书
    lines[3].state = MaterialState.WRONG
    lines[3].problem = "缺少家庭成员签字"
    form = intake.IntakeForm(item.id, person(), lines)
    with pytest.raises(ServiceError):
        intake.accept(demo_ctx, clerk, form)
    out = intake.issue_notice(demo_ctx, clerk, form)
    assert out.status is CaseStatus.AWAITING_SUPPLEMENT and out.due_date is None
    text = pdf_text(documents.render(demo_ctx, out.document_id, "a4")[0])
    for ln in (lines[2], lines[3], lines[4]):
        assert ln.name in text
    assert "缺少家庭成员签字" in text
    for ln in (lines[0], lines[1]):
        # received materials are not in the missing list: they appear at most once
        assert text.count(ln.name) <= 1

    # the citizen comes back two days later
    clock.advance(days=2)
    detail_lines = _lines(demo_ctx, out.case_id)
    for ln in detail_lines:
        if ln.state in (MaterialState.MISSING, MaterialState.WRONG):
            ln.state = ln.expected_state()
            ln.problem = ""
    # the same problems again are no reason for a second notice
    still = _lines(demo_ctx, out.case_id)
    with pytest.raises(ServiceError, match="告知过"):
        intake.supplement(demo_ctx, clerk, out.case_id, still, "notice", "again")
    done = intake.supplement(demo_ctx, clerk, out.case_id, detail_lines, "accept")
    assert done.status is CaseStatus.ACCEPTED and done.doc_kind is DocKind.RECEIPT
    assert done.due_date == WorkCalendar().add_workdays(clock.now.date(), item.promised_limit).date
    with demo_ctx.tx() as s:
        actions = [e.action for e in s.scalars(select(CaseEvent).where(CaseEvent.case_id == out.case_id))]
    assert actions == ["notice_issued", "supplemented", "accepted"]


def _lines(ctx, case_id):
    with ctx.tx() as s:
        return intake.lines_of(s.get(Case, case_id))


def test_second_notice_only_for_something_new(demo_ctx, clerk):
    item = item_named(demo_ctx, "临时救助申请")
    lines = all_received(item)
    lines[0].state = MaterialState.MISSING
    out = intake.issue_notice(demo_ctx, clerk, intake.IntakeForm(item.id, person(), lines))
    back = _lines(demo_ctx, out.case_id)
    back[0].state = back[0].expected_state()
    back[3].state = MaterialState.WRONG
    back[3].problem = "证明材料未盖章"
    with pytest.raises(ServiceError, match="原因"):
        intake.supplement(demo_ctx, clerk, out.case_id, back, "notice", "")
    second = intake.supplement(demo_ctx, clerk, out.case_id, back, "notice", "补交的证明未盖章")
    assert second.doc_kind is DocKind.NOTICE
    doc = documents.get_document(demo_ctx, second.document_id)
    assert doc.seq == 2 and doc.content["notice_seq_reason"] == "补交的证明未盖章"
    assert [m["name"] for m in doc.content["missing"]] == [back[3].name]


def test_refusal_and_on_the_spot(demo_ctx, clerk):
    item = item_named(demo_ctx, "农村宅基地申请")
    form = intake.IntakeForm(item.id, person(), all_received(item))
    with pytest.raises(ServiceError, match="理由"):
        intake.refuse(demo_ctx, clerk, form, "", "")
    out = intake.refuse(demo_ctx, clerk, form, "申请人非本集体经济组织成员",
                        "请向户籍所在地乡镇人民政府申请")
    assert out.status is CaseStatus.REFUSED
    text = pdf_text(documents.render(demo_ctx, out.document_id, "a4")[0])
    assert "非本集体经济组织成员" in text and "户籍所在地" in text

    spot = item_named(demo_ctx, "老年人优待证申领")
    assert spot.promised_limit == 0
    done = intake.accept(demo_ctx, clerk, intake.IntakeForm(spot.id, person(), all_received(spot)))
    assert done.status is CaseStatus.DONE_ON_SPOT
    assert done.due_date == dt.date(2026, 12, 3)


def test_conditional_materials_must_be_asked(demo_ctx, clerk):
    item = item_named(demo_ctx, "最低生活保障申请")
    lines = all_received(item)
    lines[-1].condition_applies = None
    with pytest.raises(ServiceError, match="条件"):
        intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), lines))


def test_applicant_validation_and_returning_applicant(demo_ctx, clerk):
    item = item_named(demo_ctx, "临时救助申请")
    bad = person()
    bad.id_number = bad.id_number[:-1] + ("0" if bad.id_number[-1] != "0" else "1")
    with pytest.raises(ServiceError) as info:
        intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, bad, all_received(item)))
    assert info.value.field == "id_number"
    nophone = person(phone="12345")
    with pytest.raises(ServiceError) as info:
        intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, nophone, all_received(item)))
    assert info.value.field == "phone"

    rare = person(name="𠮷䶮·阿依古丽", id17="42052819900101002")
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, rare, all_received(item)))
    found = intake.find_applicant(demo_ctx, rare.id_type, rare.id_number.lower())
    assert found is not None and found.name == "𠮷䶮·阿依古丽"
    assert found.sex == "女" and found.birth_date == dt.date(1990, 1, 1)  # 17th digit 2: even
    text = pdf_text(documents.render(demo_ctx, out.document_id, "r80")[0])
    assert "𠮷䶮·阿依古丽" in text
    # the full ID number is not printed; a masked one is
    assert rare.id_number not in text


def test_case_numbers_unique_and_sequential(demo_ctx, clerk):
    item = item_named(demo_ctx, "临时救助申请")
    numbers = []
    for i in range(5):
        p = person(id17=f"42052819600101{i:02d}1")
        numbers.append(intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, p, all_received(item))).case_no)
    assert len(set(numbers)) == 5
    seqs = [parse_case_no(n).seq for n in numbers]
    assert seqs == sorted(seqs) == list(range(seqs[0], seqs[0] + 5))


def test_every_outcome_is_audited_and_queued_for_the_county(demo_ctx, clerk):
    item = item_named(demo_ctx, "临时救助申请")
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    with demo_ctx.tx() as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.entity_id == out.case_no)).all()
        outbox = s.scalars(select(OutboxRecord).where(OutboxRecord.entity_key == out.case_no)).all()
    assert [a.action for a in audit] == ["case_accepted"] and audit[0].operator_id == clerk.id
    assert len(outbox) == 1 and outbox[0].payload["case_no"] == out.case_no


def test_failed_outcome_writes_nothing(demo_ctx, clerk):
    item = item_named(demo_ctx, "临时救助申请")
    bad = person(phone="abc")
    with demo_ctx.tx() as s:
        before = s.scalar(select(func.count(Case.id)))
    with pytest.raises(ServiceError):
        intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, bad, all_received(item)))
    with demo_ctx.tx() as s:
        assert s.scalar(select(func.count(Case.id))) == before


def test_reprint_is_marked_as_copy(demo_ctx, clerk, tmp_path):
    item = item_named(demo_ctx, "临时救助申请")
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    # a PDF saved for the archive first leaves the original to the citizen's paper
    assert documents.save_pdf(demo_ctx, clerk, out.document_id, "a4", tmp_path / "1.pdf") is False
    assert not documents.has_been_printed(demo_ctx, out.document_id)
    pdf, is_copy = documents.render(demo_ctx, out.document_id, "a4")
    assert not is_copy and "补打" not in pdf_text(pdf)
    documents.record_print(demo_ctx, clerk, out.document_id, "a4", "窗口打印机", is_copy)
    assert documents.has_been_printed(demo_ctx, out.document_id)
    # after the paper original, every output is a copy, on paper or as a PDF
    assert documents.save_pdf(demo_ctx, clerk, out.document_id, "r80", tmp_path / "2.pdf") is True
    assert "补打" in pdf_text((tmp_path / "2.pdf").read_bytes())
    assert "补打" not in pdf_text((tmp_path / "1.pdf").read_bytes())
    assert documents.render(demo_ctx, out.document_id, "a4")[1] is True
    doc_no = documents.get_document(demo_ctx, out.document_id).doc_no
    with demo_ctx.tx() as s:
        actions = s.scalars(select(AuditLog.action).where(AuditLog.entity == "document",
                                                          AuditLog.entity_id == doc_no)
                            .order_by(AuditLog.id)).all()
    assert actions == ["document_saved", "document_printed", "document_saved_copy"]


def test_household_register_finds_the_same_person(demo_ctx, clerk):
    from clerk_app.domain.ids import IdType

    item = item_named(demo_ctx, "临时救助申请")
    first = person(name="王秀英")
    intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, first, all_received(item)))
    found = intake.find_applicant(demo_ctx, IdType.HOUSEHOLD.value, first.id_number)
    assert found is not None and found.name == "王秀英"
    again = person(name="王秀英")
    again.id_type = IdType.HOUSEHOLD.value
    intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, again, all_received(item)))
    with demo_ctx.tx() as s:
        from clerk_app.store.models import Applicant

        rows = s.scalars(select(Applicant).where(Applicant.id_number == first.id_number)).all()
    assert len(rows) == 1


def test_estimate_mark_follows_the_promised_date(demo_ctx, clerk, clock):
    # promised 10 working days: inside the calendar's data; legal 30: beyond it
    item = item_named(demo_ctx, "最低生活保障申请")
    cal = WorkCalendar()
    assert not cal.add_workdays(clock.now.date(), item.promised_limit).estimated
    assert cal.add_workdays(clock.now.date(), item.legal_limit).estimated
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    assert out.due_estimated is False
    clock.advance(days=15)  # from Friday 12-18 the promised date crosses into the next year
    late = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    assert late.due_estimated is True and late.warnings


def test_document_numbers_count_per_kind_and_year(demo_ctx, clerk):
    item = item_named(demo_ctx, "临时救助申请")
    nos = []
    for _i in range(3):
        out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
        nos.append(documents.get_document(demo_ctx, out.document_id).doc_no)
    assert len(set(nos)) == 3
    assert [int(n[-5:-1]) for n in nos] == [1, 2, 3]
    assert all(n.startswith("龙舟坪受〔2026〕") for n in nos)


def test_paper_masks_a_persons_number_but_prints_an_organizations_credit_code(demo_ctx, clerk):
    from tests.core.test_ids import uscc_with_check

    item = item_named(demo_ctx, "最低生活保障申请")
    who = person()
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, who, all_received(item)))
    text = pdf_text(documents.render(demo_ctx, out.document_id, "a4")[0])
    assert who.id_number not in text
    assert who.id_number[:6] + "*" * 8 + who.id_number[-4:] in text

    code = uscc_with_check("93420528MA49ABCD1".replace("I", "1"))
    org = intake.ApplicantInput(kind="org", name="长阳龙舟坪镇某某农业专业合作社", id_type="uscc",
                                id_number=code, phone="0717-5321234", legal_rep="覃大勇")
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, org, all_received(item)))
    text = pdf_text(documents.render(demo_ctx, out.document_id, "a4")[0])
    assert code in text  # a public code: the receipt carries it in full
