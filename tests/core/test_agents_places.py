"""Where each step happened, and the per-agent counts of the township's overview.

* the handover sheet (layout 3) carries the village of the commissioning and of the
  collection and the handover limit in force at collection; the township that first learns
  of a commission from the sheet records the steps with those places; a layout 1 sheet
  (printed before) still decodes;
* the place is required for commissioning, cancelling and the citizen's confirmation;
* refusals (不予受理) are counted apart from results, and "on time" is judged by the limit
  in force when the materials were collected.
"""

from __future__ import annotations

import datetime as dt

import pytest

from clerk_app.domain.agents import CommissionState as S
from clerk_app.services import agents, auth, commissions, handover, intake
from clerk_app.services.common import ServiceError
from tests.core.test_agents_rules import _payload
from tests.core.test_agents_support import (
    AGENT_PASSWORD,
    VILLAGE,
    VILLAGE2,
    agent_input,
    all_collected,
    item_named,
    make_laptop,
    make_township,
    principal,
)


def _first(c, state):
    return next(st for st in c.steps if st.state == state.value)


def test_layout_3_round_trip_fits_and_layout_1_still_decodes():
    seed, public = agents.new_signing_key()
    p = _payload(6, handover.MODE_FULL_PLACES)
    for i, q in enumerate(p.commissions):
        q.commissioned_place, q.collected_place, q.handover_limit = 3, (0 if i else None), 30
    text = handover.encode(p, seed)
    assert len(text) <= 742  # still a version 17 code at level M
    back = handover.decode(text)
    assert back.mode == handover.MODE_FULL_PLACES and agents.verify(public, back.signed, back.signature)
    first, second = back.commissions[0], back.commissions[1]
    assert (first.commissioned_place, first.collected_place, first.handover_limit) == (3, None, 30)
    assert second.collected_place == 0  # the township itself
    assert (first.village, first.valid_until, first.collected_on) == (1, dt.date(2027, 3, 3), dt.date(2026, 12, 3))
    old = handover.decode(handover.encode(_payload(2, handover.MODE_FULL), seed))
    assert old.mode == handover.MODE_FULL and old.commissions[0].valid_until == dt.date(2027, 3, 3)
    assert (old.commissions[0].commissioned_place, old.commissions[0].handover_limit) == (None, None)


def test_the_township_records_where_from_the_sheet(tmp_path, clock, keys):
    town = make_township(tmp_path / "t", clock)
    a = agents.register_agent(town.ctx, town.supervisor, agent_input(villages=[VILLAGE, VILLAGE2]))
    laptop = make_laptop(tmp_path / "l", clock)
    prov = agents.export_provisioning(town.ctx, town.supervisor, a.id)
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    me = auth.login(laptop, "lixiuying", AGENT_PASSWORD)
    with laptop.tx() as s:
        agents.HANDOVER_LIMIT.set(s, 5)
    who = principal()
    who.village_code = VILLAGE2
    c = commissions.create(laptop, me, commissions.CommissionInput(item_named(laptop).id, who, place="群众家中"))
    # taken in the citizen's village (the default: the principal's village is one of the agent's)
    assert _first(commissions.get_commission(laptop, me, c.id), S.COMMISSIONED).detail["village"] == VILLAGE2
    commissions.collect(laptop, me, c.id, all_collected(c), "村便民服务室", village=VILLAGE)
    collected = _first(commissions.get_commission(laptop, me, c.id), S.COLLECTED)
    assert collected.detail["village"] == VILLAGE and collected.detail["handover_limit"] == 5
    [sheet] = handover.create_sheets(laptop, me, [c.id])
    q = handover.decode(sheet.payload).commissions[0]
    assert (q.commissioned_place, q.collected_place, q.handover_limit) == (3, 1, 5)

    got = handover.receive(town.ctx, town.clerk, sheet.payload)
    tc = commissions.get_commission(town.ctx, town.clerk, got.commission_ids[0])
    taken, gathered = _first(tc, S.COMMISSIONED), _first(tc, S.COLLECTED)
    assert taken.detail["village"] == VILLAGE2 and taken.place == agents.village_name(VILLAGE2)
    assert gathered.detail["village"] == VILLAGE and gathered.place == agents.village_name(VILLAGE)
    assert gathered.place and gathered.detail["handover_limit"] == 5
    assert gathered.detail["handover_due"] == "2026-12-10"  # Thursday + 5 working days


def test_the_place_is_required_and_defaults_to_the_township_on_a_counter(tmp_path, clock, keys):
    town = make_township(tmp_path / "t", clock)
    agents.register_agent(town.ctx, town.supervisor, agent_input())
    me = auth.login(town.ctx, "lixiuying", AGENT_PASSWORD)
    item = item_named(town.ctx)
    with pytest.raises(ServiceError, match="地点"):
        commissions.create(town.ctx, me, commissions.CommissionInput(item.id, principal(), place=" "))
    c = commissions.create(town.ctx, me, commissions.CommissionInput(item.id, principal(), place="乡镇便民服务中心"))
    step = _first(commissions.get_commission(town.ctx, me, c.id), S.COMMISSIONED)
    assert step.detail["village"] == "420528101000" and step.place == "乡镇便民服务中心"
    with pytest.raises(ServiceError, match="不在本乡镇"):
        commissions.cancel(town.ctx, me, c.id, "不办了", "其他地点", village="420528102001")
    with pytest.raises(ServiceError, match="地点"):
        commissions.cancel(town.ctx, me, c.id, "不办了", "")
    assert commissions.get_commission(town.ctx, me, c.id).state == S.COMMISSIONED.value
    with pytest.raises(ServiceError, match="地点"):
        commissions.confirm_receipt(town.ctx, me, c.id, "委托人签字确认", "")
    assert commissions.cancel(town.ctx, me, c.id, "不办了", "乡镇便民服务中心").state == S.CANCELLED.value


def test_counts_keep_refusals_apart_and_judge_by_the_limit_at_collection(tmp_path, clock, keys):
    town = make_township(tmp_path / "t", clock)
    agents.register_agent(town.ctx, town.supervisor, agent_input())
    me = auth.login(town.ctx, "lixiuying", AGENT_PASSWORD)  # the agent at the township's PC
    item = item_named(town.ctx)

    def collected(name: str, id17: str) -> int:
        c = commissions.create(town.ctx, me, commissions.CommissionInput(
            item.id, principal(name, id17), place="乡镇便民服务中心"))
        commissions.collect(town.ctx, me, c.id, all_collected(c), "乡镇便民服务中心")
        return c.id

    strict = collected("张三", "42052819550312001")  # collected under the limit of 3 days
    with town.ctx.tx() as s:
        agents.HANDOVER_LIMIT.set(s, 10)
    loose = collected("李四", "42052819600101004")  # collected under 10 days
    with town.ctx.tx() as s:
        agents.HANDOVER_LIMIT.set(s, 3)  # back to 3: the loose one keeps its 10
    clock.advance(days=6)  # Thursday + 6 days: 4 working days later
    assert handover.counter_check(town.ctx, town.clerk, loose).warnings == []
    assert "超期交件" in handover.counter_check(town.ctx, town.clerk, strict).warnings[0]
    with town.ctx.tx() as s:
        agents.HANDOVER_LIMIT.set(s, 10)  # a later change does not excuse the strict one
    handover.hand_over_at_counter(town.ctx, town.clerk, strict)
    handover.hand_over_at_counter(town.ctx, town.clerk, loose)
    form = commissions.intake_form(town.ctx, town.clerk, strict)
    intake.refuse(town.ctx, town.clerk, form, "申请人不符合申请条件", "请向户籍所在地乡镇申请")
    assert commissions.get_commission(town.ctx, town.clerk, strict).state == S.REFUSED.value

    view = commissions.township_overview(town.ctx, town.clerk, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    [counts] = view.per_agent
    assert (counts.handed_over, counts.on_time) == (2, 1)
    assert (counts.refused, counts.completed) == (1, 0)
