"""The fake cases the case-list tests, the benchmark and the screenshots rely on are sound."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from bench.fake_cases import insert_fake_cases
from clerk_app.domain import ids
from clerk_app.domain.case_numbers import parse_case_no
from clerk_app.services import cases, catalog, documents, intake
from clerk_app.services.cases import CaseFilter, CaseList
from clerk_app.store.models import Applicant, Case, CaseEvent, CaseMaterial, Document
from tests.core.helpers import all_received, person


def test_fake_cases_are_valid_and_varied(demo_ctx, clerk, clock):
    res = insert_fake_cases(demo_ctx, 300, days=90, overdue_share=0.3)
    assert res.count == 300
    with demo_ctx.tx() as s:
        rows = s.execute(select(Case.case_no, Case.status, Case.created_at, Case.due_date,
                                Case.accepted_at, Case.item_id)).all()
        applicants = list(s.scalars(select(Applicant)))
        n_events = s.scalar(select(func.count(CaseEvent.id)))
        n_materials = s.scalar(select(func.count(CaseMaterial.id)))
        kinds = Counter(s.scalars(select(Document.kind)))
        current = {it.id for it in catalog.current_items(demo_ctx)}
    assert len({r.case_no for r in rows}) == 300
    for r in rows:
        parsed = parse_case_no(r.case_no)
        assert parsed is not None and parsed.day == r.created_at.date()
        assert r.created_at <= clock.now and r.item_id in current
        if r.status in ("accepted", "submitted", "in_review", "completed", "delivered"):
            assert r.due_date is not None and r.accepted_at >= r.created_at
        if r.status == "awaiting_supplement":
            assert r.due_date is None
    for a in applicants:
        check = ids.check_uscc(a.id_number) if a.kind == "org" else ids.check_id(a.id_type, a.id_number)
        assert check.ok, (a.name, a.id_number, check.message)
    statuses = Counter(r.status for r in rows)
    assert {"awaiting_supplement", "accepted", "completed", "done_on_spot"} <= set(statuses)
    assert n_events >= 300 and n_materials >= 300
    assert kinds["receipt"] > 0 and kinds["notice"] > 0
    assert len(CaseList(demo_ctx, CaseFilter(deadline="overdue"))) > 0
    assert cases.counts(demo_ctx)["open"] > 0

    # the frozen content of a fake document prints like a real one
    with demo_ctx.tx() as s:
        doc_id = s.scalar(select(Document.id).where(Document.kind == "notice").limit(1))
    pdf, _copy = documents.render(demo_ctx, doc_id, "a4")
    assert pdf.startswith(b"%PDF")

    # real intake afterwards continues the numbering: no clash of case or document numbers
    item = next(it for it in catalog.current_items(demo_ctx) if it.name == "临时救助申请")
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    assert out.case_no not in {r.case_no for r in rows}


def test_cases_only_mode_writes_no_history(demo_ctx):
    insert_fake_cases(demo_ctx, 50, days=30, history=False)
    with demo_ctx.tx() as s:
        assert s.scalar(select(func.count(Case.id))) == 50
        assert s.scalar(select(func.count(CaseEvent.id))) == 0
        assert s.scalar(select(func.count(Document.id))) == 0
