"""Handing over at the township's counter (已在窗口交件), and one live handover sheet per
commission (a reprint replaces the older sheet)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clerk_app.domain.agents import CommissionState as S
from clerk_app.domain.status import MaterialState, Role
from clerk_app.services import agents, auth, commissions, handover, intake
from clerk_app.services.common import Actor, PermissionDenied, ServiceError
from clerk_app.store.agent_models import Handover
from clerk_app.store.models import AuditLog, OutboxRecord
from tests.core.test_agents_support import (
    AGENT_PASSWORD,
    agent_input,
    all_collected,
    item_named,
    make_laptop,
    make_township,
    principal,
)


def _outbox(ctx, entity: str) -> list[OutboxRecord]:
    with ctx.tx() as s:
        return list(s.scalars(select(OutboxRecord).where(OutboxRecord.entity == entity)
                              .order_by(OutboxRecord.id)))


def _carry(src, dst, entity: str) -> None:
    """What sync would bring: the source's outbox records of one kind, applied at the
    destination as feed entries."""
    for rec in _outbox(src, entity):
        with dst.tx() as s:
            agents.apply_feed_entry(s, dst.clock(), entity, rec.payload)


def _laptop_for(town, tmp_path, clock, keys):
    a = agents.list_agents(town.ctx)[0]
    prov = agents.export_provisioning(town.ctx, town.supervisor, a.id)
    laptop = make_laptop(tmp_path / "laptop", clock)
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    return laptop, auth.login(laptop, "lixiuying", AGENT_PASSWORD)


def _collected(ctx, actor, name: str = "张三", id17: str = "42052819550312001", agent_id=None):
    c = commissions.create(ctx, actor, commissions.CommissionInput(item_named(ctx).id, principal(name, id17), place="群众家中"),
                           agent_id=agent_id)
    commissions.collect(ctx, actor, c.id, all_collected(c), "群众家中")
    return commissions.get_commission(ctx, actor, c.id)


# --------------------------------------------------------------------------- at the counter


def test_a_counter_commission_is_handed_over_at_the_counter_and_accepted(tmp_path, clock, keys):
    town = make_township(tmp_path / "t", clock, device_no=7)
    agent = agents.register_agent(town.ctx, town.supervisor, agent_input())
    me = auth.login(town.ctx, "lixiuying", AGENT_PASSWORD)  # the agent at the township's PC
    late = _collected(town.ctx, me)
    clock.advance(days=6)  # 4 working days: overdue
    view = commissions.township_overview(town.ctx, town.clerk, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert [r.commission_no for r in view.overdue] == [late.commission_no]

    # the counter cannot sign a sheet; the agent is told where to go instead
    with pytest.raises(ServiceError, match="窗口交件"):
        handover.create_sheets(town.ctx, me, [late.id])
    # the agent does not record their own handover
    with pytest.raises(PermissionDenied):
        handover.hand_over_at_counter(town.ctx, me, late.id)

    check = handover.counter_check(town.ctx, town.clerk, late.id)
    assert check.agent_no == agent.agent_no and check.commission.commission_no == late.commission_no
    assert any("超期交件" in w for w in check.warnings)
    brought = [m for m in check.commission.materials if m.brought]
    assert brought and len(brought) == sum(1 for m in late.materials if MaterialState(m.state).received)

    first = brought[0]
    done = handover.hand_over_at_counter(town.ctx, town.clerk, late.id, {first.seq: "missing"}, "本人送来")
    assert done.missing == [first.name] and any("超期交件" in w for w in done.warnings)
    c = commissions.get_commission(town.ctx, town.clerk, late.id)
    assert c.state == S.HANDED_OVER and c.handed_over_at == clock() and c.sheet_no is None
    step = c.steps[-1]
    assert (step.state, step.operator_name, step.role, step.place) == (
        S.HANDED_OVER.value, town.clerk.name, Role.CLERK.value, commissions.TOWNSHIP_PLACE)
    assert step.device.endswith("-07") and not step.device.startswith("laptop:")
    assert step.note == "已在窗口交件：本人送来"
    assert step.detail["counter"] is True and step.detail["missing"] == [first.name]
    assert {m.seq: m.township_check for m in c.materials}[first.seq] == "missing"
    # the county and the other counters hear of it
    assert _outbox(town.ctx, "commission")[-1].op == "handed_over"
    with town.ctx.tx() as s:
        assert s.scalar(select(AuditLog).where(AuditLog.action == "handover_at_counter"))

    # no longer overdue anywhere; counted as handed over, late
    view = commissions.township_overview(town.ctx, town.clerk, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert view.overdue == []
    [counts] = view.per_agent
    assert (counts.handed_over, counts.on_time, counts.overdue) == (1, 0, 0)
    assert commissions.agent_home(town.ctx, me).overdue == []
    # not twice
    with pytest.raises(ServiceError, match="已经交接过"):
        handover.hand_over_at_counter(town.ctx, town.clerk, late.id)

    # accepted through intake like a received sheet's: the missing material -> notice
    form = commissions.intake_form(town.ctx, town.clerk, late.id)
    assert form.channel == "proxy" and form.commission_id == late.id
    assert next(ln for ln in form.lines if ln.seq == first.seq).state is MaterialState.MISSING
    intake.issue_notice(town.ctx, town.clerk, form)
    assert commissions.get_commission(town.ctx, town.clerk, late.id).state == S.SUPPLEMENT

    # a supervisor recording for the agent: handed over complete, then accepted
    other = _collected(town.ctx, town.supervisor, "李四", "42052819600101004", agent_id=agent.id)
    assert handover.hand_over_at_counter(town.ctx, town.supervisor, other.id).missing == []
    out = intake.accept(town.ctx, town.clerk, commissions.intake_form(town.ctx, town.clerk, other.id))
    accepted = commissions.get_commission(town.ctx, town.clerk, other.id)
    assert accepted.state == S.ACCEPTED and accepted.case_no == out.case_no


def test_counter_handover_refusals(tmp_path, clock, keys):
    town = make_township(tmp_path / "t", clock)
    agents.register_agent(town.ctx, town.supervisor, agent_input())
    me = auth.login(town.ctx, "lixiuying", AGENT_PASSWORD)
    waiting = commissions.create(town.ctx, me, commissions.CommissionInput(item_named(town.ctx).id, principal(), place="群众家中"))
    with pytest.raises(ServiceError, match="还没有收齐"):
        handover.counter_check(town.ctx, town.clerk, waiting.id)

    # a commission on the laptop's printed sheet is received by scanning that sheet
    laptop, mine = _laptop_for(town, tmp_path, clock, keys)
    c = _collected(laptop, mine, "王五", "42052819600101012")
    [sheet] = handover.create_sheets(laptop, mine, [c.id])
    commissions.collect(laptop, mine, c.id, all_collected(c), "群众家中")  # a later change carries sheet_no
    _carry(laptop, town.ctx, "commission")
    _carry(laptop, town.ctx, "handover")
    there = commissions.find_by_no(town.ctx, town.clerk, c.commission_no)
    assert there.state == S.COLLECTED and there.sheet_no == sheet.sheet_no
    with pytest.raises(handover.SheetRefused, match="请扫描交接单") as refused:
        handover.hand_over_at_counter(town.ctx, town.clerk, there.id)
    assert refused.value.reason == "on_sheet"
    assert handover.receive(town.ctx, town.clerk, sheet.payload).commission_ids == [there.id]

    # never on an agent's laptop, whoever is logged in
    someone = Actor(id=999, username="x", name="某人", role=Role.CLERK)
    other = _collected(laptop, mine, "赵六", "42052819600101020")
    with pytest.raises(PermissionDenied, match="代办电脑"):
        handover.hand_over_at_counter(laptop, someone, other.id)

    # expired meanwhile
    late = _collected(town.ctx, me, "钱七", "42052819600101039")
    clock.advance(days=400)
    with pytest.raises(handover.SheetRefused, match="过期"):
        handover.hand_over_at_counter(town.ctx, town.clerk, late.id)
    assert commissions.get_commission(town.ctx, town.clerk, late.id).state == S.COLLECTED


# --------------------------------------------------------------------------- one live sheet


def _two_collected(tmp_path, clock, keys):  # noqa: ANN001, ANN202
    """A township, its agent's laptop, and two commissions collected there."""
    town = make_township(tmp_path / "t", clock)
    agents.register_agent(town.ctx, town.supervisor, agent_input())
    laptop, me = _laptop_for(town, tmp_path, clock, keys)
    a = _collected(laptop, me, "张三", "42052819550312001")
    b = _collected(laptop, me, "李四", "42052819600101004")
    return town, laptop, me, a, b


def test_a_reprinted_sheet_replaces_the_older_one(tmp_path, clock, keys):
    town, laptop, me, a, b = _two_collected(tmp_path, clock, keys)
    [old] = handover.create_sheets(laptop, me, [a.id, b.id])
    clock.advance(minutes=30)
    [new] = handover.create_sheets(laptop, me, [a.id, b.id])  # the first paper got wet

    with laptop.tx() as s:
        states = {h.sheet_no: h.state for h in s.scalars(select(Handover))}
    assert states == {old.sheet_no: "replaced", new.sheet_no: "issued"}
    assert {commissions.get_commission(laptop, me, x.id).sheet_no for x in (a, b)} == {new.sheet_no}
    assert [(r.entity_key, r.op) for r in _outbox(laptop, "handover")][-1] == (old.sheet_no, "replaced")
    with pytest.raises(ServiceError, match="已作废"):
        handover.mark_delivered(laptop, me, old.id)

    # a township that heard of it refuses the old paper and names the new one
    _carry(laptop, town.ctx, "handover")
    with pytest.raises(handover.SheetRefused, match=f"已作废.*{new.sheet_no}") as refused:
        handover.receive(town.ctx, town.clerk, old.payload)
    assert refused.value.reason == "replaced"
    got = handover.receive(town.ctx, town.clerk, new.payload)
    assert len(got.commission_ids) == 2

    # one offline that gets the new paper first refuses the old one all the same
    offline = make_township(tmp_path / "t2", clock, device_no=2)
    agents.import_roster_file(offline.ctx, offline.supervisor, agents.export_roster_file(town.ctx, town.supervisor))
    handover.receive(offline.ctx, offline.clerk, new.payload)
    with pytest.raises(handover.SheetRefused, match="已经交接过"):
        handover.receive(offline.ctx, offline.clerk, old.payload)

    # the laptop learns the township received the new sheet: no third sheet for them
    _carry(town.ctx, laptop, "handover")
    with pytest.raises(ServiceError, match="由乡镇接收"):
        handover.create_sheets(laptop, me, [a.id])


def test_a_reprint_of_part_of_a_sheet(tmp_path, clock, keys):
    town, laptop, me, a, b = _two_collected(tmp_path, clock, keys)
    [old] = handover.create_sheets(laptop, me, [a.id, b.id])
    [new] = handover.create_sheets(laptop, me, [a.id])
    assert handover.get_handover(laptop, me, old.id).state == "replaced"
    # b stays tied to the old paper (it may still reach the township): not cancelled here,
    # and it can go on a sheet of its own, the old one being replaced already
    assert commissions.get_commission(laptop, me, b.id).sheet_no == old.sheet_no
    with pytest.raises(ServiceError, match="已列入交接单"):
        commissions.cancel(laptop, me, b.id, "不办了", "群众家中")
    [third] = handover.create_sheets(laptop, me, [b.id])
    with laptop.tx() as s:
        states = {h.sheet_no: h.state for h in s.scalars(select(Handover))}
    assert states == {old.sheet_no: "replaced", new.sheet_no: "issued", third.sheet_no: "issued"}
