"""The audit log records who did what, and reads back newest first, page by page."""

from __future__ import annotations

from clerk_app.services import audit, auth, intake
from tests.core.helpers import all_received, person


def test_actions_are_recorded_with_operator_and_paged_newest_first(demo_ctx, supervisor, clerk):
    from clerk_app.services import catalog

    item = next(it for it in catalog.current_items(demo_ctx) if it.name == "临时救助申请")
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    auth.add_operator(demo_ctx, supervisor, "wangwu", "王五", "clerk", "abc12345")
    first = audit.recent(demo_ctx, None, 2)
    assert [r.action for r in first] == ["operator_created", "case_accepted"]
    assert first[0].operator == "王建华（admin）" and first[0].detail["username"] == "wangwu"
    assert first[1].operator == "张丽（zhangli）" and first[1].entity_id == out.case_no
    older = audit.recent(demo_ctx, first[-1].id, 100)
    assert all(r.id < first[-1].id for r in older)
    assert any(r.action == "service_point_set_up" for r in older)
    assert any(r.action == "login" and "zhangli" in r.operator for r in older)
