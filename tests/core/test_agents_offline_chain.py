"""The whole agent chain with the agent's laptop never online: two databases, two devices.

register agent (township) → provisioning file → the agent logs in on the laptop → commission
→ collect → handover sheet (PDF, its QR code read back with zbarimg) → the township scans it
→ accept (a case linked to commission and agent) → the county completes (through the
township's pull path: the county's decision applied as the sync client applies it) →
result returned → the citizen confirms. Then the same sheet again (refused: reused) and a
tampered one (refused: signature).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clerk_app.domain.agents import CommissionState as S
from clerk_app.domain.status import MaterialState
from clerk_app.services import agents, auth, catalog, commissions, handover, intake
from clerk_app.services.common import PermissionDenied, ServiceError
from clerk_app.store.agent_models import Commission
from clerk_app.store.models import Case, OutboxRecord
from clerk_app.sync import apply as sync_apply
from tests.core.test_agents_support import (
    AGENT_PASSWORD,
    agent_input,
    all_collected,
    item_named,
    make_laptop,
    make_township,
    pdf_text,
    principal,
    read_qr,
    tools_present,
)

pytestmark = pytest.mark.skipif(not tools_present(), reason="needs poppler-utils and zbar-tools")


def _steps(ctx, actor, cid):
    c = commissions.get_commission(ctx, actor, cid)
    return [(st.state, st.operator_name, st.place, st.device) for st in c.steps]


def test_offline_chain_two_databases(tmp_path, clock, keys):
    town = make_township(tmp_path / "township", clock)
    laptop = make_laptop(tmp_path / "laptop", clock)

    # --- the supervisor registers the agent and exports the laptop's provisioning file
    agent = agents.register_agent(town.ctx, town.supervisor, agent_input())
    assert agent.agent_no.startswith("101")
    prov = agents.export_provisioning(town.ctx, town.supervisor, agent.id)
    assert prov.terminal == 1 and len(prov.code) == 14
    assert b"seed" not in prov.content and "李秀英".encode() in prov.content  # header only in clear
    with pytest.raises(ServiceError, match="提取码不对"):
        agents.import_provisioning(laptop, prov.content, "AAAA-BBBB-CCCC", keys)
    imported = agents.import_provisioning(laptop, prov.content, prov.code.lower(), keys)
    assert imported.username == "lixiuying" and imported.items >= 20

    # --- the agent logs in on the laptop (another database) and sees only their own work
    me = auth.login(laptop, "lixiuying", AGENT_PASSWORD)
    assert me.role.value == "agent"
    assert agents.is_agent_laptop(laptop) and not agents.is_agent_laptop(town.ctx)

    # --- commission (only proxy items), collect with something missing, the village notice
    item = item_named(laptop)
    assert all(it.proxy_allowed for it in catalog.current_items(laptop))  # only what it may commission
    c = commissions.create(laptop, me, commissions.CommissionInput(
        item_id=item.id, principal=principal(), place="群众家中", subdelegation=False))
    assert c.state == S.COMMISSIONED and c.commission_no.startswith(agent.agent_no + "-261203-1")
    lines = all_collected(c)
    lines[0].state = MaterialState.MISSING
    partial = commissions.collect(laptop, me, c.id, lines, "群众家中")
    assert not partial.complete and partial.missing[0][0] == lines[0].name
    notice = commissions.village_notice_pdf(laptop, me, c.id)
    text = pdf_text(notice, tmp_path / "notice")
    assert "一次性告知书" in text and lines[0].name in text and c.commission_no in text
    clock.advance(days=1)  # the citizen finds the paper the next day
    lines[0].state = lines[0].expected_state()
    done = commissions.collect(laptop, me, c.id, lines, "村便民服务室")
    assert done.complete and done.commission.state == S.COLLECTED

    auth_pdf = commissions.authorization_pdf(laptop, me, c.id)
    auth_text = pdf_text(auth_pdf, tmp_path / "auth")
    assert "代办委托书" in auth_text and principal().id_number in auth_text  # full ID on this one

    # --- handover sheet: PDF, QR code read back as a scanner would
    sheets = handover.create_sheets(laptop, me, [c.id])
    assert len(sheets) == 1
    pdf = handover.sheet_pdf(laptop, me, sheets[0].id)
    sheet_text = pdf_text(pdf, tmp_path / "sheet")
    assert sheets[0].sheet_no in sheet_text and "代办材料交接单" in sheet_text
    scanned = read_qr(pdf, tmp_path / "scan")
    assert scanned == sheets[0].payload and len(scanned) < 400

    # --- the township scans, checks the materials, receives
    clock.advance(days=1)
    preview = handover.scan(town.ctx, town.clerk, scanned)
    assert preview.sheet_no == sheets[0].sheet_no and preview.agent_name == "李秀英"
    [sc] = preview.commissions
    assert sc.principal_name == "张三" and sc.item_name == item.name and not sc.known
    assert all(m.brought for m in sc.materials if m.state is not MaterialState.NOT_APPLICABLE)
    got = handover.receive(town.ctx, town.clerk, scanned)
    [tc_id] = got.commission_ids
    town_c = commissions.get_commission(town.ctx, town.clerk, tc_id)
    assert town_c.state == S.HANDED_OVER and town_c.origin == "sheet"
    assert [st.state for st in town_c.steps] == ["commissioned", "collected", "handed_over"]

    # a reused sheet is refused, clearly
    with pytest.raises(handover.SheetRefused, match="不能重复接收") as reused:
        handover.scan(town.ctx, town.clerk, scanned)
    assert reused.value.reason == "reused" and "张丽" in reused.value.message
    # a tampered sheet is refused, clearly
    body = scanned[5:]
    flipped = body[:40] + ("A" if body[40] != "A" else "B") + body[41:]
    with pytest.raises(handover.SheetRefused, match="校验失败") as tampered:
        handover.scan(town.ctx, town.clerk, "DBJJ:" + flipped)
    assert tampered.value.reason == "tampered"

    # --- accept at the township: a case linked to the commission and the agent (intake)
    form = commissions.intake_form(town.ctx, town.clerk, tc_id)
    out = intake.accept(town.ctx, town.clerk, form)
    town_c = commissions.get_commission(town.ctx, town.clerk, tc_id)
    assert town_c.state == S.ACCEPTED and town_c.case_no == out.case_no
    with town.ctx.tx() as s:
        case = s.scalar(select(Case).where(Case.case_no == out.case_no))
        assert case.channel == "proxy" and "李秀英" in case.note

    # --- the county completes: its decision arrives through the township's pull path
    with town.ctx.tx() as s:
        sync_apply.apply_county_decision(s, clock(), {
            "case_no": out.case_no, "status": "completed", "official_no": "长民低保〔2026〕88号",
            "result_text": "准予享受最低生活保障", "county_version": 1}, s.scalar(
                select(Case).where(Case.case_no == out.case_no)))
    rows = commissions.list_commissions(town.ctx, town.clerk)
    assert rows[0].state == S.COMPLETED and rows[0].result_text == "准予享受最低生活保障"

    # --- the laptop learns on paper (receipt, result) -- it was never online
    commissions.record_outcome(laptop, me, c.id, S.ACCEPTED, case_no=out.case_no.replace("-", ""))
    commissions.record_outcome(laptop, me, c.id, S.COMPLETED, result_text="准予享受最低生活保障")
    home = commissions.agent_home(laptop, me)
    assert [r.commission_no for r in home.came_back] == [c.commission_no]

    # --- result returned to the citizen, who confirms receipt
    clock.advance(days=1)
    commissions.return_result(laptop, me, c.id, "群众家中")
    closed = commissions.confirm_receipt(laptop, me, c.id, "委托人签字确认", "群众家中")
    assert closed.state == S.CLOSED
    states = [st for st, *_rest in _steps(laptop, me, c.id)]
    assert states == ["commissioned", "collected", "handed_over", "accepted", "completed",
                      "returned", "closed"]
    # every step: who, when, where, which device
    for state, who, place, device in _steps(laptop, me, c.id):
        assert who and device.startswith("laptop:"), (state, who, device)
    # the township records the signed receipt the agent brings back
    commissions.return_result(town.ctx, town.clerk, tc_id, "乡镇便民服务中心", "代办员交回回交签收单")
    town_closed = commissions.confirm_receipt(town.ctx, town.clerk, tc_id, "委托人签字确认", "乡镇便民服务中心")
    assert town_closed.state == S.CLOSED

    # everything the county must know went to the outbox in the same transactions
    with town.ctx.tx() as s:
        kinds = {(r.entity, r.op) for r in s.scalars(select(OutboxRecord))}
    assert {("agent", "registered"), ("agent", "provisioned"), ("handover", "received"),
            ("commission", "handed_over"), ("commission", "accepted"), ("commission", "completed"),
            ("commission", "closed"), ("case", "accept")} <= kinds
    with laptop.tx() as s:
        kinds = {(r.entity, r.op) for r in s.scalars(select(OutboxRecord))}
    assert {("commission", "commissioned"), ("commission", "collected"), ("handover", "issued"),
            ("commission", "closed")} <= kinds


def test_agents_see_only_their_own_work(tmp_path, clock, keys):
    town = make_township(tmp_path / "township", clock)
    a1 = agents.register_agent(town.ctx, town.supervisor, agent_input())
    agents.register_agent(town.ctx, town.supervisor, agent_input(
        name="王德兵", id17="42052819680505003", username="wangdebing", phone="13907170003"))
    one = auth.login(town.ctx, "lixiuying", AGENT_PASSWORD)
    two = auth.login(town.ctx, "wangdebing", AGENT_PASSWORD)
    item = item_named(town.ctx)
    c = commissions.create(town.ctx, one, commissions.CommissionInput(item.id, principal(), place="群众家中"))
    with pytest.raises(PermissionDenied, match="自己"):
        commissions.get_commission(town.ctx, two, c.id)
    with pytest.raises(PermissionDenied):
        commissions.collect(town.ctx, two, c.id, all_collected(c), "群众家中")
    with pytest.raises(PermissionDenied):
        commissions.create(town.ctx, two, commissions.CommissionInput(item.id, principal(), place="群众家中"), agent_id=a1.id)
    assert commissions.list_commissions(town.ctx, two) == []
    assert [r.id for r in commissions.list_commissions(town.ctx, one)] == [c.id]
    with pytest.raises(PermissionDenied):
        commissions.township_overview(town.ctx, one, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    with pytest.raises(PermissionDenied):
        handover.scan(town.ctx, one, "J10101001-261203-101-0")
    # an agent cannot accept their own commission at the counter
    with pytest.raises(PermissionDenied):
        commissions.intake_form(town.ctx, one, c.id)
    # and no one outside the agent role commissions
    with pytest.raises(PermissionDenied):
        commissions.create(town.ctx, town.clerk, commissions.CommissionInput(item.id, principal(), place="群众家中"))


def test_only_proxy_items_may_be_commissioned(tmp_path, clock, keys):
    town = make_township(tmp_path / "township", clock)
    agents.register_agent(town.ctx, town.supervisor, agent_input())
    me = auth.login(town.ctx, "lixiuying", AGENT_PASSWORD)
    not_proxy = next(it for it in catalog.current_items(town.ctx) if not it.proxy_allowed)
    with pytest.raises(ServiceError, match="不可代办"):
        commissions.create(town.ctx, me, commissions.CommissionInput(not_proxy.id, principal(), place="群众家中"))
    assert all(it.proxy_allowed for it in commissions.proxy_items(town.ctx))
    with town.ctx.tx() as s:
        assert s.scalar(select(Commission.id)) is None
