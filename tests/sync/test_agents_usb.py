"""The 代办 records by USB stick, with the network's guarantees (SQLite and PostgreSQL).

Township counter 1 works with no network: the agent registered there, the commission and the
handover sheet it receives from an offline laptop, the case it accepts -- all leave in an
outbox file (``sync_admin.export_outbox``, what `clerk-app admin export-outbox` runs), the
county imports it with `county-center import-usb`, and the acknowledgements come back. The
same file imported twice is a duplicate, never a double. Counter 2 learns everything through
its own acknowledgement file: the agent, and that the sheet is used.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from clerk_app.credentials import Credentials
from clerk_app.domain.agents import CommissionState as S
from clerk_app.services import agents, auth, commissions, handover, intake, sync_admin
from clerk_app.services.common import set_setting
from clerk_app.store.agent_models import Agent, Commission
from clerk_app.store.agent_models import Handover as LocalHandover
from clerk_app.store.models import OutboxRecord
from county_center import agents as cc_agents
from county_center import service
from county_center.models import FeedEntry
from tests.core.test_agents_support import (
    AGENT_PASSWORD,
    MemoryKeys,
    agent_input,
    all_collected,
    item_named,
    make_laptop,
    make_township,
    principal,
)
from tests.sync.test_agents_county import cli

DIVISION = "420528101000"


class Counter:
    """A township counter enrolled once (that needs the network), then synced by USB only."""

    def __init__(self, town, county, folder) -> None:  # noqa: ANN001
        self.town = town
        self.ctx = town.ctx
        self.creds = Credentials(MemoryKeys())
        self.folder = folder
        self.trips = 0
        with county.admin() as s:
            code = service.issue_code(s, DIVISION)
        sync_admin.enrol(self.ctx, None, county.url, code, credentials=self.creds, device_name="usb")

    def export(self) -> tuple:
        self.trips += 1
        out = self.folder / f"outbox-{self.trips}.json"
        n = sync_admin.export_outbox(self.ctx, None, out, self.creds)
        return out, n

    def outbox(self) -> dict[str, list[str]]:
        by_state: dict[str, list[str]] = {}
        with self.ctx.tx() as s:
            for r in s.scalars(select(OutboxRecord).order_by(OutboxRecord.id)):
                by_state.setdefault(r.state, []).append(f"{r.entity}:{r.op}")
        return by_state


def county_counts(county) -> tuple[int, int, int]:  # noqa: ANN001
    with county.admin() as s:
        return (s.scalar(select(func.count()).select_from(cc_agents.AgentChange)),
                s.scalar(select(func.count()).select_from(cc_agents.CountyAgentObject)),
                s.scalar(select(func.count()).select_from(FeedEntry)))


def import_usb(county, capsys, outbox, acks) -> str:  # noqa: ANN001
    code, out, err = cli(county, capsys, "import-usb", str(outbox), "--acks", str(acks))
    assert code == 0, err
    return out


def test_agent_records_travel_by_usb_once(tmp_path, clock, county, keys, capsys):
    stick = tmp_path / "stick"
    stick.mkdir()
    town1 = make_township(tmp_path / "t1", clock)
    town2 = make_township(tmp_path / "t2", clock, device_no=2)
    with town2.ctx.tx() as s:
        set_setting(s, "device_no", "2")
    c1, c2 = Counter(town1, county, stick), Counter(town2, county, stick)

    # --- counter 1, offline: the agent, their laptop (by file), the paper sheet, the case
    agent = agents.register_agent(town1.ctx, town1.supervisor, agent_input())
    prov = agents.export_provisioning(town1.ctx, town1.supervisor, agent.id)
    laptop = make_laptop(tmp_path / "laptop", clock)
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    me = auth.login(laptop, "lixiuying", AGENT_PASSWORD)
    c = commissions.create(laptop, me, commissions.CommissionInput(item_named(laptop).id, principal(),
                                                                   place="群众家中"))
    commissions.collect(laptop, me, c.id, all_collected(c), "群众家中")
    [sheet] = handover.create_sheets(laptop, me, [c.id])  # full mode: the paper carries all
    clock.advance(days=1)
    got = handover.receive(town1.ctx, town1.clerk, sheet.payload)
    out = intake.accept(town1.ctx, town1.clerk,
                        commissions.intake_form(town1.ctx, town1.clerk, got.commission_ids[0]))
    waiting = c1.outbox()["pending"]
    assert {w.split(":")[0] for w in waiting} == {"agent", "commission", "handover", "case"}

    # --- to the county on the stick
    outbox, n = c1.export()
    assert n == len(waiting)
    doc = json.loads(outbox.read_text(encoding="utf-8"))
    assert {r["entity"] for r in doc["records"]} == {"agent", "commission", "handover", "case"}
    agent_recs = [r for r in doc["records"] if r["entity"] != "case"]
    summary = import_usb(county, capsys, outbox, stick / "acks-1.json")
    assert f"接收 {n}，重复 0，拒收 0" in summary
    before = county_counts(county)
    assert before[0] == len(agent_recs)  # one stored change per record
    with county.admin() as s:
        [obj] = cc_agents.list_objects(s, "commission")
        assert obj.state == "accepted" and obj.data["case_no"] == out.case_no
        [sh] = cc_agents.list_objects(s, "handover")
        assert sh.state == "received" and sh.key == sheet.sheet_no
        assert {ch.via for ch in s.scalars(select(cc_agents.AgentChange))} == {"usb"}

    # --- the same file again (the stick went twice): duplicates, nothing doubled
    summary = import_usb(county, capsys, outbox, stick / "acks-1b.json")
    assert f"接收 0，重复 {n}，拒收 0" in summary
    assert county_counts(county) == before
    first = json.loads((stick / "acks-1.json").read_text(encoding="utf-8"))["results"]
    again = json.loads((stick / "acks-1b.json").read_text(encoding="utf-8"))["results"]
    assert [r["result"] for r in again] == [r["result"] for r in first]  # the same answers

    # --- the acknowledgements back at counter 1 (twice: the second changes nothing)
    report = sync_admin.import_acks(town1.ctx, None, stick / "acks-1.json", c1.creds)
    assert report.pushed == n and report.rejected == 0
    assert set(c1.outbox()) == {"applied"}
    sync_admin.import_acks(town1.ctx, None, stick / "acks-1b.json", c1.creds)
    assert set(c1.outbox()) == {"applied"}

    # --- the county completes the case; the decision comes back by stick, the commission
    # follows it, and that change goes up -- once, although its acknowledgement is lost once
    code, _out, err = cli(county, capsys, "set-status", out.case_no, "completed",
                          "--official-no", "长民低保〔2026〕88号", "--result", "准予享受最低生活保障")
    assert code == 0, err
    outbox2, n2 = c1.export()
    assert n2 == 0  # nothing waiting; the trip brings the decision back
    import_usb(county, capsys, outbox2, stick / "acks-2.json")
    sync_admin.import_acks(town1.ctx, None, stick / "acks-2.json", c1.creds)
    with town1.ctx.tx() as s:
        assert s.scalar(select(Commission.state).where(Commission.commission_no == c.commission_no)) \
            == S.COMPLETED.value
    assert c1.outbox()["pending"] == ["commission:completed"]
    outbox3, n3 = c1.export()
    lost = stick / "acks-3-lost.json"
    import_usb(county, capsys, outbox3, lost)  # applied; its acks never reach the counter
    lost.unlink()
    outbox4, n4 = c1.export()  # so the record is still there, and goes again
    assert n3 == n4 == 1
    summary = import_usb(county, capsys, outbox4, stick / "acks-4.json")
    assert "接收 0，重复 1" in summary
    sync_admin.import_acks(town1.ctx, None, stick / "acks-4.json", c1.creds)
    assert set(c1.outbox()) == {"applied"}
    with county.admin() as s:
        [obj] = cc_agents.list_objects(s, "commission")
        assert obj.state == "completed" and obj.data["result_text"] == "准予享受最低生活保障"
        assert s.scalar(select(func.count()).select_from(cc_agents.AgentChange)) == len(agent_recs) + 1
        # every record of the counter is in the county exactly once
        rids = {r.record_id for r in s.scalars(select(cc_agents.AgentChange))}
    with town1.ctx.tx() as s:
        mine = {r.record_id for r in s.scalars(select(OutboxRecord).where(OutboxRecord.entity != "case"))}
    assert rids == mine

    # --- counter 2, also by stick: learns the agent and that the sheet is used
    outbox5, n5 = c2.export()
    assert n5 == 0
    import_usb(county, capsys, outbox5, stick / "acks-5.json")
    report = sync_admin.import_acks(town2.ctx, None, stick / "acks-5.json", c2.creds)
    assert report.pulled > 0
    with town2.ctx.tx() as s:
        there = s.scalar(select(Agent).where(Agent.agent_no == agent.agent_no))
        assert there is not None and there.public_keys
        assert s.scalar(select(LocalHandover.state).where(LocalHandover.sheet_no == sheet.sheet_no)) \
            == "received"
    with pytest.raises(handover.SheetRefused, match="不能重复接收"):
        handover.scan(town2.ctx, town2.clerk, sheet.payload)

    # --- the county's admin commands see the same
    code, listed, err = cli(county, capsys, "list-commissions", "--agent", agent.agent_no)
    assert code == 0, err
    [line] = listed.strip().splitlines()
    cols = line.split("\t")
    assert cols[:5] == [c.commission_no, "张三", "completed", "已办结", agent.agent_no]
    assert out.case_no in cols
    code, listed, err = cli(county, capsys, "list-handovers", "--service-point", DIVISION)
    assert code == 0 and listed.split("\t")[:5] == [sheet.sheet_no, agent.agent_no, "received", "已接收", "1"]
    code, shown, err = cli(county, capsys, "show-commission", c.commission_no)
    assert code == 0, err
    shown = json.loads(shown)
    assert shown["state"] == "completed" and shown["state_label"] == "已办结"
    assert [ch["via"] for ch in shown["changes"]] == ["usb"] * len(shown["changes"])
    assert [st["state"] for st in shown["data"]["steps"]] == [
        "commissioned", "collected", "handed_over", "accepted", "completed"]
    code, shown, err = cli(county, capsys, "show-handover", sheet.sheet_no)
    assert code == 0 and json.loads(shown)["data"]["commission_nos"] == [c.commission_no]

    # --- the network afterwards sends nothing twice
    report = sync_admin.make_engine(town1.ctx, c1.creds).run()
    assert report.ok and report.pushed == 0
