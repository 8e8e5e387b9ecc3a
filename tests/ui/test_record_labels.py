"""The case history and the audit log show recorded codes as Chinese words."""

from __future__ import annotations

import re

from sqlalchemy import select

from clerk_app.domain.status import CaseStatus
from clerk_app.services import catalog, documents, intake
from clerk_app.store.models import Case, CaseEvent
from clerk_app.ui.case_detail import CaseDetailDialog
from tests.core.helpers import all_received, person

CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:by|a4|r80|target|paper|status)\b")


def _on_the_spot_case_with_a_reprint(ctx, clerk):
    item = next(it for it in catalog.current_items(ctx) if it.promised_limit == 0)
    out = intake.accept(ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    documents.record_print(ctx, clerk, out.document_id, "a4", "HP LaserJet", False)
    documents.record_print(ctx, clerk, out.document_id, "r80", "小票机", True)
    return out


def test_the_case_history_reads_as_words(qtbot, demo_ctx, clerk, clock, runner, wait_idle):
    item = next(it for it in catalog.current_items(demo_ctx) if it.name == "临时救助申请")
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    with demo_ctx.tx() as s:  # what sync writes: sent to the county, and its decision
        case = s.scalar(select(Case).where(Case.case_no == out.case_no))
        s.add(CaseEvent(case_id=case.id, at=clock.now, operator_id=None, action="submitted",
                        from_status="accepted", to_status="submitted", detail={"by": "sync"}))
        s.add(CaseEvent(case_id=case.id, at=clock.now, operator_id=None, action="county_decision",
                        from_status="submitted", to_status="completed",
                        detail={"county_status": "completed", "official_no": "XZ-1",
                                "result": None, "county_version": 4}))
        case.status = CaseStatus.COMPLETED.value
    dialog = CaseDetailDialog(demo_ctx, runner, clerk, out.case_id)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle()
    table = dialog.history_table
    rows = [[table.item(r, c).text() for c in range(5)] for r in range(table.rowCount())]
    assert rows[-1][1:] == ["县级部门", "县级部门办理结果", "已报送 → 已办结",
                            "县级办理状态：已办结\n县级办件编号：XZ-1\n县级记录版本：4"]
    assert rows[-2][1:] == ["—", "报送县级部门", "已受理 → 已报送", "经由：自动同步"]
    for row in rows:
        assert not CODE.search(" ".join(row)), row


def test_the_audit_log_reads_as_words(demo_ctx, clerk, qtbot):
    from clerk_app.ui.admin_dialogs import AuditLogModel

    _on_the_spot_case_with_a_reprint(demo_ctx, clerk)
    model = AuditLogModel(demo_ctx)
    model.reload()
    rows = [[model.index(r, c).data() for c in (2, 3, 5)] for r in range(model.rowCount())]
    assert rows[0] == ["补打文书", "文书", "纸张：80 毫米小票，打印到：小票机"]
    assert rows[1] == ["打印文书", "文书", "纸张：A4 纸，打印到：HP LaserJet"]
    assert rows[2] == ["受理", "办件", "状态：即办办结"]
    for row in rows:
        assert not CODE.search(" ".join(row)), row
