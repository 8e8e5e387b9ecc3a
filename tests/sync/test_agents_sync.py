"""The agent chain with sync: a real county center (SQLite, and PostgreSQL when
COUNTY_TEST_PG_URL is set -- the ``county`` fixture of tests/sync/conftest.py), two township
counters and the agent's laptop, each its own database, each enrolled.

The county completes the case through its admin API (``county_center.service.set_case_status``,
what ``county-center set-status`` runs); every device learns through its pull.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clerk_app.credentials import Credentials
from clerk_app.domain.agents import CommissionState as S
from clerk_app.services import agents, auth, commissions, handover, intake, sync_admin
from clerk_app.services.common import set_setting
from clerk_app.store.agent_models import Agent, Commission, Handover
from clerk_app.store.models import OutboxRecord
from county_center import agents as cc_agents
from county_center import service
from tests.core.test_agents_support import (
    AGENT_PASSWORD,
    MemoryKeys,
    agent_input,
    all_collected,
    item_named,
    make_laptop,
    make_township,
    principal,
    read_qr,
    tools_present,
)

DIVISION = "420528101000"

pytestmark = pytest.mark.skipif(not tools_present(), reason="needs poppler-utils and zbar-tools")


class Box:
    def __init__(self, ctx, county) -> None:  # noqa: ANN001
        self.ctx = ctx
        self.creds = Credentials(MemoryKeys())
        with county.admin() as s:
            code = service.issue_code(s, DIVISION)
        sync_admin.enrol(ctx, None, county.url, code, credentials=self.creds, device_name="t")

    def sync(self):  # noqa: ANN201
        report = sync_admin.make_engine(self.ctx, self.creds).run()
        assert report.ok, report.error
        assert report.rejected == 0, self.rejected()
        return report

    def rejected(self) -> list:
        with self.ctx.tx() as s:
            return [(r.entity, r.op, r.reason) for r in s.scalars(
                select(OutboxRecord).where(OutboxRecord.state == "rejected"))]


def test_chain_with_sync(tmp_path, clock, county, keys):
    town1 = make_township(tmp_path / "t1", clock)
    town2 = make_township(tmp_path / "t2", clock, device_no=2)
    for town, no in ((town1, "1"), (town2, "2")):  # the demo's random numbers could meet
        with town.ctx.tx() as s:
            set_setting(s, "device_no", no)
    box1, box2 = Box(town1.ctx, county), Box(town2.ctx, county)

    # the supervisor registers the agent on counter 1; every counter learns of it
    agent = agents.register_agent(town1.ctx, town1.supervisor, agent_input())
    prov = agents.export_provisioning(town1.ctx, town1.supervisor, agent.id)
    box1.sync()
    box2.sync()
    with town2.ctx.tx() as s:
        there = s.scalar(select(Agent).where(Agent.agent_no == agent.agent_no))
        assert there is not None and there.public_keys == {"1": agents.get_agent(
            town1.ctx, agent.id).public_keys["1"]}
    with county.admin() as s:
        [obj] = cc_agents.list_objects(s, "agent")
        assert obj.data["name"] == "李秀英" and obj.state == "active"

    # the agent's laptop: provisioned, then enrolled for sync (device number 60)
    laptop = make_laptop(tmp_path / "laptop", clock)
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    box_l = Box(laptop, county)
    me = auth.login(laptop, "lixiuying", AGENT_PASSWORD)

    item = item_named(laptop)
    c = commissions.create(laptop, me, commissions.CommissionInput(item.id, principal(), place="群众家中"))
    commissions.collect(laptop, me, c.id, all_collected(c), "群众家中")
    # a digest sheet: the details travel by sync, the QR code only pins them
    [sheet] = handover.create_sheets(laptop, me, [c.id], mode="digest")
    pdf = handover.sheet_pdf(laptop, me, sheet.id)
    assert read_qr(pdf, tmp_path / "scan") == sheet.payload
    box_l.sync()

    # counter 2 knows the commission and the sheet before the agent arrives: the clerk types
    # the sheet number (lower case, no hyphens) instead of scanning
    box2.sync()
    typed = sheet.sheet_no.replace("-", "").lower()
    preview = handover.scan(town2.ctx, town2.clerk, typed)
    assert preview.mode == "digest" and [x.commission_no for x in preview.commissions] == [c.commission_no]
    assert preview.commissions[0].known
    got = handover.receive(town2.ctx, town2.clerk, typed)
    out = intake.accept(town2.ctx, town2.clerk, commissions.intake_form(town2.ctx, town2.clerk,
                                                                        got.commission_ids[0]))
    box2.sync()

    # counter 1 learns the sheet is used: the same paper is refused there too
    box1.sync()
    with pytest.raises(handover.SheetRefused, match="不能重复接收"):
        handover.scan(town1.ctx, town1.clerk, sheet.payload)

    # the county completes the case (its admin API); counter 2 pulls; the commission follows
    with county.admin() as s:
        service.set_case_status(s, out.case_no, "completed", "长民低保〔2026〕88号", "准予享受最低生活保障")
    box2.sync()
    with town2.ctx.tx() as s:
        town_c = s.scalar(select(Commission).where(Commission.commission_no == c.commission_no))
        assert town_c.state == S.COMPLETED and town_c.result_text == "准予享受最低生活保障"
    box2.sync()  # the commission's new state goes up

    # the laptop learns all of it by sync: handed over, accepted with its case, completed
    box_l.sync()
    mine = commissions.get_commission(laptop, me, c.id)
    assert mine.state == S.COMPLETED and mine.case_no == out.case_no
    assert [st.state for st in mine.steps] == ["commissioned", "collected", "handed_over", "accepted",
                                               "completed"]
    with laptop.tx() as s:
        assert s.scalar(select(Handover.state).where(Handover.sheet_no == sheet.sheet_no)) == "received"

    # returned and confirmed in the village; the township hears it through sync
    commissions.return_result(laptop, me, c.id, "群众家中")
    commissions.confirm_receipt(laptop, me, c.id, "委托人签字确认", "群众家中")
    box_l.sync()
    box2.sync()
    with town2.ctx.tx() as s:
        assert s.scalar(select(Commission.state).where(Commission.commission_no == c.commission_no)) == "closed"
    with county.admin() as s:
        [obj] = cc_agents.list_objects(s, "commission")
        assert obj.state == "closed" and obj.data["case_no"] == out.case_no
        assert [st["state"] for st in obj.data["steps"]] == [
            "commissioned", "collected", "handed_over", "accepted", "completed", "returned", "closed"]


def test_county_refuses_agent_records_of_another_service_point(tmp_path, clock, county, keys):
    town = make_township(tmp_path / "t1", clock)
    box = Box(town.ctx, county)
    agents.register_agent(town.ctx, town.supervisor, agent_input())
    with town.ctx.tx() as s:
        rec = s.scalar(select(OutboxRecord).where(OutboxRecord.entity == "agent"))
        rec.payload = dict(rec.payload) | {"service_point": "420528102000"}
    report = sync_admin.make_engine(town.ctx, box.creds).run()
    assert report.rejected == 1
    [(entity, _op, reason)] = box.rejected()
    assert entity == "agent" and "不是本机注册" in reason
