"""Where devices disagree or meet: a cancellation against the township's acceptance, numbers
made on two counters, a scan typed through a Chinese input method, sheets of suspended or
departed agents, and who may link a case to a commission."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from clerk_app.domain import agents as D
from clerk_app.domain.agents import AgentStatus, CommissionState as S
from clerk_app.services import agents, auth, commissions, handover, intake
from clerk_app.services.common import PermissionDenied, ServiceError
from clerk_app.store.agent_models import Agent, Commission
from clerk_app.store.models import Case
from county_center import agents as county_agents
from tests.core.test_agents_support import (
    AGENT_PASSWORD,
    agent_input,
    all_collected,
    item_named,
    make_laptop,
    make_township,
    principal,
)


def _laptop_with_agent(tmp_path, clock, keys, town=None):  # noqa: ANN001, ANN202
    town = town or make_township(tmp_path / "t", clock)
    a = agents.register_agent(town.ctx, town.supervisor, agent_input())
    laptop = make_laptop(tmp_path / "l", clock)
    prov = agents.export_provisioning(town.ctx, town.supervisor, a.id)
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    return town, a, laptop, auth.login(laptop, "lixiuying", AGENT_PASSWORD)


def _collected(laptop, me, name="张三", id17="42052819550312001"):  # noqa: ANN001, ANN202
    c = commissions.create(laptop, me, commissions.CommissionInput(
        item_named(laptop).id, principal(name=name, id17=id17), place="群众家中"))
    commissions.collect(laptop, me, c.id, all_collected(c), "群众家中")
    return c


# --------------------------------------------------------------------------- 1. cancel vs township


def test_a_cancellation_never_beats_what_the_township_recorded():
    before = [S.COMMISSIONED, S.COLLECTED]
    assert D.furthest(before + [S.CANCELLED]) is S.CANCELLED
    for township in (S.HANDED_OVER, S.ACCEPTED, S.COMPLETED, S.NOT_APPROVED, S.REFUSED,
                     S.RETURNED, S.CLOSED):
        # in any order: the laptop's cancellation arriving first or last
        assert D.furthest(before + [S.CANCELLED, township]) is township, township
        assert D.furthest([township, S.CANCELLED] + before) is township, township
    # the township's own cancellation after a supplement notice stands
    assert D.furthest(before + [S.HANDED_OVER, S.SUPPLEMENT, S.CANCELLED]) is S.CANCELLED
    # ... but not against an acceptance another counter recorded
    assert D.furthest([S.HANDED_OVER, S.SUPPLEMENT, S.CANCELLED, S.ACCEPTED]) is S.ACCEPTED
    assert D.furthest([S.CANCELLED]) is S.CANCELLED
    assert D.furthest([S.COLLECTED, S.ACCEPTED, S.HANDED_OVER]) is S.ACCEPTED


def _step(state: str, frm: str | None, at: str, **detail) -> dict:
    return {"key": uuid.uuid4().hex, "state": state, "from": frm, "at": at, "by": "x", "role": "agent",
            "place": "", "device": "d", "note": "", "detail": detail}


def test_the_county_keeps_the_townships_acceptance_against_a_cancellation():
    collected = [_step("commissioned", None, "2026-12-03T09:00:00"),
                 _step("collected", "commissioned", "2026-12-03T10:00:00")]
    township = {"commission_no": "10101007-261203-101", "state": "accepted", "case_no": "C1",
                "sheet_no": "J1", "materials": [{"seq": 1, "check": "ok"}],
                "steps": collected + [_step("handed_over", "collected", "2026-12-04T09:00:00"),
                                      _step("accepted", "handed_over", "2026-12-04T09:30:00")]}
    laptop = {"commission_no": "10101007-261203-101", "state": "cancelled", "sheet_no": "J1",
              "materials": [{"seq": 1, "check": ""}],
              "steps": collected + [_step("cancelled", "collected", "2026-12-04T11:00:00")]}
    for first, second in ((township, laptop), (laptop, township)):
        merged = county_agents._merge_commission(
            county_agents._merge_commission(None, first), second)
        assert merged["state"] == "accepted"
        assert merged["case_no"] == "C1"
        assert merged["materials"] == [{"seq": 1, "check": "ok"}]  # the township's check
        assert len(merged["steps"]) == 5  # nothing recorded is lost


def test_a_commission_on_a_sheet_cannot_be_cancelled_on_the_laptop(tmp_path, clock, keys):
    town, _a, laptop, me = _laptop_with_agent(tmp_path, clock, keys)
    loose = _collected(laptop, me, "李四", "42052819600101004")
    c = _collected(laptop, me)
    [sheet] = handover.create_sheets(laptop, me, [c.id])
    with pytest.raises(ServiceError, match="交接单") as refused:
        commissions.cancel(laptop, me, c.id, "群众不办了", "群众家中")
    assert sheet.sheet_no in refused.value.message and "乡镇" in refused.value.message
    assert commissions.get_commission(laptop, me, c.id).state == S.COLLECTED
    # one not on a sheet yet is still cancelled
    assert commissions.cancel(laptop, me, loose.id, "群众不办了", "群众家中").state == S.CANCELLED

    # the township accepted it; a cancellation from an older laptop arriving later by sync
    # does not undo the acceptance
    got = handover.receive(town.ctx, town.clerk, sheet.payload)
    out = intake.accept(town.ctx, town.clerk, commissions.intake_form(town.ctx, town.clerk, got.commission_ids[0]))
    with laptop.tx() as s:
        payload = commissions.commission_payload(commissions._load(s, c.id))
    payload["state"] = "cancelled"
    payload["steps"].append(_step("cancelled", "collected", clock().isoformat()))
    with town.ctx.tx() as s:
        commissions.apply_commission_data(s, clock(), payload)
    tc = commissions.get_commission(town.ctx, town.clerk, got.commission_ids[0])
    assert tc.state == S.ACCEPTED and tc.case_no == out.case_no
    # and the laptop learns the acceptance even if it had the cancellation
    with town.ctx.tx() as s:
        accepted = commissions.commission_payload(commissions._load(s, tc.id))
    with laptop.tx() as s:
        row = commissions._load(s, c.id)
        row.state = S.CANCELLED.value
    with laptop.tx() as s:
        commissions.apply_commission_data(s, clock(), accepted)
    assert commissions.get_commission(laptop, me, c.id).state == S.ACCEPTED


# --------------------------------------------------------------------------- 2. numbers per device


def test_two_counters_never_make_the_same_commission_number(tmp_path, clock, keys):
    town1 = make_township(tmp_path / "t1", clock, device_no=1)
    town2 = make_township(tmp_path / "t2", clock, device_no=2)
    a = agents.register_agent(town1.ctx, town1.supervisor, agent_input())
    assert agents.import_roster_file(town2.ctx, town2.supervisor,
                                     agents.export_roster_file(town1.ctx, town1.clerk)) == 1
    with town2.ctx.tx() as s:
        a2 = s.scalar(select(Agent.id).where(Agent.agent_no == a.agent_no))
    # both supervisors record a commission for the same agent on the same day
    one = commissions.create(town1.ctx, town1.supervisor, commissions.CommissionInput(
        item_named(town1.ctx).id, principal(), place="群众家中"), agent_id=a.id)
    two = commissions.create(town2.ctx, town2.supervisor, commissions.CommissionInput(
        item_named(town2.ctx).id, principal(name="李四", id17="42052819600101004"), place="群众家中"), agent_id=a2)
    day = clock().date()
    assert one.commission_no == D.make_counter_commission_no(a.agent_no, day, 1, 1) == f"{a.agent_no}-261203-0101"
    assert two.commission_no == f"{a.agent_no}-261203-0201"
    again = commissions.create(town1.ctx, town1.supervisor, commissions.CommissionInput(
        item_named(town1.ctx).id, principal(name="王五", id17="42052819650101005"), place="群众家中"), agent_id=a.id)
    assert again.commission_no == f"{a.agent_no}-261203-0102"

    # sync brings town2's commission to town1: two commissions, not one merged
    with town2.ctx.tx() as s:
        payload = commissions.commission_payload(commissions._load(s, two.id))
    with town1.ctx.tx() as s:
        assert commissions.apply_commission_data(s, clock(), payload) == "applied"
        rows = {c.commission_no: c.principal_name for c in s.scalars(select(Commission))}
    assert rows == {one.commission_no: "张三", again.commission_no: "王五", two.commission_no: "李四"}


def test_a_counters_commission_number_survives_the_qr_code(tmp_path, clock, keys):
    """A supervisor records at a counter, the commission reaches the laptop by sync, the
    laptop prints the sheet: the QR code brings the four-digit number back unchanged."""
    town, a, laptop, me = _laptop_with_agent(tmp_path, clock, keys)
    c = commissions.create(town.ctx, town.supervisor, commissions.CommissionInput(
        item_named(town.ctx).id, principal(), place="群众家中"), agent_id=a.id)
    with town.ctx.tx() as s:
        payload = commissions.commission_payload(commissions._load(s, c.id))
    with laptop.tx() as s:
        assert commissions.apply_commission_data(s, clock(), payload) == "applied"
        lc = s.scalar(select(Commission.id).where(Commission.commission_no == c.commission_no))
    lc_row = commissions.get_commission(laptop, me, lc)
    commissions.collect(laptop, me, lc, all_collected(lc_row), "群众家中")
    own = _collected(laptop, me, "李四", "42052819600101004")
    assert own.commission_no.endswith("-101")  # the laptop's own: terminal 1, three digits
    [sheet] = handover.create_sheets(laptop, me, [lc, own.id])
    decoded = handover.decode(sheet.payload)
    assert sorted(q.commission_no for q in decoded.commissions) == sorted([c.commission_no, own.commission_no])
    # numbers of older counters (terminal 0, three digits) still read back
    for no in ("10101007-261203-001", "10101007-261203-907", "10101007-261203-5999"):
        _agent, day, code = D.commission_no_code(no)
        assert D.commission_no_from_code("10101007", day, code) == no


# --------------------------------------------------------------------------- 3. input methods


def _full_width(text: str) -> str:
    """What a Chinese input method in full-width mode makes of ASCII typed through it."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def test_a_scan_typed_through_a_chinese_input_method_still_reads(tmp_path, clock, keys):
    town, _a, laptop, me = _laptop_with_agent(tmp_path, clock, keys)
    c = _collected(laptop, me)
    [sheet] = handover.create_sheets(laptop, me, [c.id])
    body = sheet.payload[len(handover.PREFIX):]
    # Chinese punctuation mode: the colon; full-width mode for part of it; ideographic spaces
    mangled = "DBJJ\uff1a" + _full_width(body[:40]) + "\u3000" + body[40:80].lower() + " " + body[80:]
    assert handover.decode(mangled).sheet_no == sheet.sheet_no
    assert handover.decode(_full_width(sheet.payload)).sheet_no == sheet.sheet_no
    preview = handover.scan(town.ctx, town.clerk, mangled)
    assert preview.sheet_no == sheet.sheet_no and preview.text == sheet.payload
    # a sheet number typed in full-width, once the sheet's data came through sync
    with laptop.tx() as s:
        data = handover.handover_payload(s.get(type(sheet), sheet.id))
    with town.ctx.tx() as s:
        handover.apply_handover_data(s, clock(), data)
    typed = _full_width(sheet.sheet_no.lower()).replace("\uff0d", "\u3000")
    assert handover.scan(town.ctx, town.clerk, typed).sheet_no == sheet.sheet_no
    got = handover.receive(town.ctx, town.clerk, mangled)
    assert got.sheet_no == sheet.sheet_no


# --------------------------------------------------------------------------- 4. inactive agents


@pytest.mark.parametrize(("status", "label"), [(AgentStatus.SUSPENDED, "暂停"), (AgentStatus.LEFT, "离任")])
def test_sheets_of_a_suspended_or_departed_agent(tmp_path, clock, keys, status, label):
    town, a, laptop, me = _laptop_with_agent(tmp_path, clock, keys)
    before = _collected(laptop, me)  # taken on the day the status changes
    agents.change_status(town.ctx, town.supervisor, a.id, status, "外出务工")
    clock.advance(days=1)
    after = _collected(laptop, me, "李四", "42052819600101004")  # the laptop never heard of it
    sheets = handover.create_sheets(laptop, me, [before.id, after.id], mode="auto")
    [both] = sheets
    with pytest.raises(handover.SheetRefused) as refused:
        handover.scan(town.ctx, town.clerk, both.payload)
    message = refused.value.message
    assert refused.value.reason == "agent_inactive"
    assert label in message and "2026-12-03" in message and after.commission_no in message
    assert "李四" in message and before.commission_no not in message
    with pytest.raises(handover.SheetRefused):
        handover.receive(town.ctx, town.clerk, both.payload)

    # the one taken on before stays receivable, with a warning that names the status
    [alone] = handover.create_sheets(laptop, me, [before.id])
    preview = handover.scan(town.ctx, town.clerk, alone.payload)
    assert any(label in w and "2026-12-03" in w for w in preview.warnings)
    got = handover.receive(town.ctx, town.clerk, alone.payload)
    assert commissions.get_commission(town.ctx, town.clerk, got.commission_ids[0]).state == S.HANDED_OVER


# --------------------------------------------------------------------------- 5. who links a case


def test_an_agent_cannot_accept_their_own_commission_through_intake(tmp_path, clock, keys):
    town, _a, laptop, me = _laptop_with_agent(tmp_path, clock, keys)
    c = _collected(laptop, me)
    [sheet] = handover.create_sheets(laptop, me, [c.id])
    got = handover.receive(town.ctx, town.clerk, sheet.payload)
    form = commissions.intake_form(town.ctx, town.clerk, got.commission_ids[0])
    agent_here = auth.login(town.ctx, "lixiuying", AGENT_PASSWORD)  # the agent at the counter PC
    with pytest.raises(PermissionDenied, match="代办员不能受理"):
        intake.accept(town.ctx, agent_here, form)
    tc = commissions.get_commission(town.ctx, town.clerk, got.commission_ids[0])
    assert tc.state == S.HANDED_OVER and tc.case_no is None
    with town.ctx.tx() as s:
        assert s.scalar(select(Case.id)) is None  # nothing of the refused intake remains
    # counter staff accept it
    out = intake.accept(town.ctx, town.clerk, form)
    assert commissions.get_commission(town.ctx, town.clerk, tc.id).case_no == out.case_no
