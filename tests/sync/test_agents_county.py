"""The county's side of the 代办 records, on SQLite and PostgreSQL: malformed records are
refused one by one (never a failed batch), a push that carries agent records and a county
decision on one of its cases do not wait for each other, and the admin commands that list
and show agents, commissions and handover sheets."""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid

import pytest
from sqlalchemy import func, select, text

from clerk_app.services import agents, sync_admin
from clerk_app.sync.engine import record_json, sendable
from county_center import agents as cc_agents
from county_center import service
from county_center.cli import main as county_main
from county_center.db import is_postgres, lock_feed
from county_center.models import Case as CCase
from county_center.models import FeedEntry
from tests.core.test_agents_support import agent_input

DIVISION = "420528101000"


def outbox_records(device) -> list[dict]:  # noqa: ANN001
    with device.ctx.tx() as s:
        return [record_json(r) for r in sendable(s, 0, 1000)]


def device_id(device) -> str:  # noqa: ANN001
    return sync_admin.overview(device.ctx).device_id


def fresh(rec: dict, **payload) -> dict:  # noqa: ANN003
    out = copy.deepcopy(rec)
    out["record_id"] = str(uuid.uuid4())
    out["payload"].update(payload)
    return out


def test_malformed_agent_records_are_rejected_one_by_one(device, county):
    agents.register_agent(device.ctx, device.supervisor, agent_input())
    [good] = outbox_records(device)
    assert good["entity"] == "agent"
    long_key = "K" * 61  # longer than the county's key column: PostgreSQL would refuse the row
    bad_key = fresh(good, key=long_key) | {"key": long_key}
    bad_version = fresh(good, version="neu")
    bad_status = fresh(good, status="retired")
    bad_no = fresh(good, agent_no="12")
    commission = {"record_id": str(uuid.uuid4()), "entity": "commission", "key": "W1", "seq": 1,
                  "op": "collected", "created_at": "2026-12-03T10:00:00",
                  "payload": {"commission_no": "W1", "service_point": DIVISION, "agent_no": good["payload"]["agent_no"],
                              "state": "collected", "steps": [{"state": "bogus"}]}}
    sheet = {"record_id": str(uuid.uuid4()), "entity": "handover", "key": "J1", "seq": 1, "op": "issued",
             "created_at": "2026-12-03T10:00:00",
             "payload": {"sheet_no": "J1", "service_point": DIVISION, "agent_no": good["payload"]["agent_no"],
                         "state": "lost"}}
    batch = [bad_key, bad_version, good, bad_status, bad_no, commission, sheet]
    answers = service.push(county.db, device_id(device), batch)
    assert [a["status"] for a in answers] == ["rejected", "rejected", "applied", "rejected", "rejected",
                                              "rejected", "rejected"]
    assert {a["code"] for a in answers if a["status"] == "rejected"} == {"bad_key", "bad_record"}
    assert "超过上限" in answers[0]["message"] and "步骤" in answers[5]["message"]
    with county.admin() as s:
        assert [o.key for o in cc_agents.list_objects(s, "agent")] == [good["key"]]
        assert cc_agents.list_objects(s, "commission") == []
        assert s.scalar(select(func.count()).select_from(cc_agents.AgentChange)) == 1
    # the good one again: a duplicate with the same result
    again = service.push(county.db, device_id(device), [good])
    assert again[0]["status"] == "duplicate" and again[0]["result"] == answers[2]["result"]
    # and the device itself syncs as usual
    assert device.sync().ok


def test_a_replaced_sheet_stays_replaced_until_a_township_receives_it(device, county):
    """A reprint replaces the older sheet (op "replaced"); a stale record about the older
    sheet does not bring it back to life, a township's receipt still wins."""
    agents.register_agent(device.ctx, device.supervisor, agent_input())
    [agent] = outbox_records(device)
    service.push(county.db, device_id(device), [agent])

    def sheet(op: str, **extra) -> dict:  # noqa: ANN003
        return {"record_id": str(uuid.uuid4()), "entity": "handover", "key": "J1", "seq": 1, "op": op,
                "created_at": "2026-12-03T10:00:00",
                "payload": {"sheet_no": "J1", "service_point": DIVISION, "agent_no": agent["payload"]["agent_no"],
                            "agent_key": agent["key"], "state": op, "payload": "DBJJ:AAAA"} | extra}

    def state() -> str:
        with county.admin() as s:
            [obj] = cc_agents.list_objects(s, "handover")
            return obj.state

    answers = service.push(county.db, device_id(device), [sheet("issued"), sheet("replaced"), sheet("delivered")])
    assert [a["status"] for a in answers] == ["applied"] * 3
    assert state() == "replaced" and cc_agents.state_label("handover", "replaced") == "已作废重出"
    service.push(county.db, device_id(device), [sheet("received", received_by="张丽")])
    assert state() == "received"


def test_a_change_applied_by_another_sender_while_waiting_is_a_duplicate(device, county):
    """Two senders carry the same change of case X. The first holds X's row and applies the
    change; the second waits for the row. When the first commits, the second must answer
    "duplicate", not refuse the record because X's sequence number moved on while it waited
    (a refused record is set aside on the device, although the county holds it)."""
    if not is_postgres(county.db.engine):
        pytest.skip("SQLite serializes whole transactions (BEGIN IMMEDIATE): no second sender waits")
    case_no = device.new_case()
    assert device.sync().applied == 1
    with county.admin() as s:
        snap = s.scalar(select(CCase.snapshot).where(CCase.case_no == case_no))
    change = {"record_id": str(uuid.uuid4()), "entity": "case", "key": case_no, "seq": 2,
              "op": "update", "created_at": "2026-12-03T10:05:00", "payload": dict(snap)}
    dev = device_id(device)
    first = county.db.session()
    first.begin()
    [mine] = service._apply_batch(first, dev, [change], "http", careful=False)  # holds X's row
    assert mine["status"] == "applied"
    out: dict = {}

    def second() -> None:
        try:
            out["answers"] = service.push(county.db, dev, [change])
        except Exception as exc:  # noqa: BLE001 - reported below
            out["error"] = exc

    t = threading.Thread(target=second)
    t.start()
    deadline = time.monotonic() + 10
    while True:  # until the second sender waits for the row
        with county.db.engine.connect() as c:
            waiting = c.execute(text("SELECT count(*) FROM pg_locks WHERE locktype IN ('transactionid', 'tuple') "
                                     "AND NOT granted")).scalar()
        if waiting or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert waiting, "the second sender never waited for the case row"
    first.commit()
    first.close()
    t.join(30)
    assert "error" not in out, out.get("error")
    assert [a["status"] for a in out["answers"]] == ["duplicate"]
    assert out["answers"][0]["result"]["seq"] == 2
    with county.admin() as s:
        assert s.scalar(select(CCase.last_seq).where(CCase.case_no == case_no)) == 2


def test_decision_and_a_push_with_agent_records_do_not_wait_for_each_other(device, county):
    """A batch carrying a change of case X and an agent record, while the county (holding the
    feed lock, as set-status does) records a decision on X. On PostgreSQL the push must queue
    for the feed lock *before* it locks X, or each waits for the other (a deadlock)."""
    if not is_postgres(county.db.engine):
        pytest.skip("SQLite serializes whole transactions (BEGIN IMMEDIATE): no row locks to order")
    case_no = device.new_case()
    assert device.sync().applied == 1
    agents.register_agent(device.ctx, device.supervisor, agent_input())
    records = outbox_records(device)
    assert any(r["entity"] == "agent" for r in records)
    # a change of the case in the same batch (what matters: the push locks the case's row)
    case_change = {"record_id": str(uuid.uuid4()), "entity": "case", "key": case_no, "seq": 2,
                   "op": "update", "created_at": "2026-12-03T10:05:00"}
    with county.admin() as s:
        snap = s.scalar(select(CCase.snapshot).where(CCase.case_no == case_no))
    case_change["payload"] = dict(snap)
    batch = [case_change] + [r for r in records if r["entity"] == "agent"]

    holder = county.db.session()
    holder.begin()
    lock_feed(holder)  # the county's decision has begun
    out: dict = {}

    def push() -> None:
        try:
            out["answers"] = service.push(county.db, device_id(device), batch)
        except Exception as exc:  # noqa: BLE001 - reported below
            out["error"] = exc

    t = threading.Thread(target=push)
    t.start()
    deadline = time.monotonic() + 10
    while True:  # until the push waits for the feed lock
        with county.db.engine.connect() as c:
            waiting = c.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                     "AND NOT granted")).scalar()
        if waiting or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert waiting, "the push never queued for the feed lock"
    # the decision touches the case row: it must not have to wait for the push
    holder.execute(text("SET LOCAL lock_timeout = '300ms'"))
    service.set_case_status(holder, case_no, "in_review")
    holder.commit()
    holder.close()
    t.join(30)
    assert "error" not in out, out.get("error")
    assert [a["status"] for a in out["answers"]] == ["applied"] * len(batch)
    with county.admin() as s:
        case = s.scalar(select(CCase).where(CCase.case_no == case_no))
        assert case.status == "in_review" and case.last_seq == 2  # the decision stands


# --- county-center admin commands -----------------------------------------------------------


def cli(county, capsys, *args: str) -> tuple[int, str, str]:  # noqa: ANN001
    """Run `county-center --db URL ...` on the test's database (PostgreSQL: its own schema)."""
    url = county.db.url
    if county.schema is not None:
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{county.schema.name}"
    code = county_main(["--db", url, *args])
    got = capsys.readouterr()
    return code, got.out, got.err


def test_admin_commands_list_and_show_agent_data(device, county, capsys, tmp_path, clock, make_enrolled):
    agent = agents.register_agent(device.ctx, device.supervisor, agent_input())
    other = agents.register_agent(device.ctx, device.supervisor, agent_input(
        name="王建国", id17="42052819680505003", username="wangjianguo", phone="13907170003"))
    agents.change_status(device.ctx, device.supervisor, other.id, "suspended", "外出务工")
    assert device.sync().ok
    # a second service point with nothing of its own
    with county.admin() as s:
        service.add_service_point(s, "420528102000")

    code, out, err = cli(county, capsys, "list-agents", "--service-point", DIVISION)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 2
    cols = {ln.split("\t")[0]: ln.split("\t") for ln in lines}
    assert cols[agent.agent_no][1:4] == ["李秀英", "active", "在岗"]
    assert cols[other.agent_no][1:4] == ["王建国", "suspended", "暂停"]
    assert any("湖口社区" in c for c in cols[agent.agent_no])
    assert agent.id_number not in out  # the list never shows ID numbers

    code, out, err = cli(county, capsys, "list-agents", "--service-point", "420528102000")
    assert code == 0 and out == "" and "没有" in err
    code, out, err = cli(county, capsys, "list-agents", "--status", "suspended")
    assert code == 0 and out.startswith(other.agent_no)
    code, out, err = cli(county, capsys, "list-agents", "--service-point", "420528199000")
    assert code == 1 and "没有服务点" in err

    code, out, err = cli(county, capsys, "show-agent", agent.agent_no)
    assert code == 0, err
    shown = json.loads(out)
    assert shown["agent_no"] == agent.agent_no and shown["status"] == "active"
    assert shown["status_label"] == "在岗" and shown["service_point"] == DIVISION
    assert shown["data"]["name"] == "李秀英" and "photo" not in shown["data"]
    assert [c["op"] for c in shown["changes"]] == ["registered"]
    assert shown["changes"][0]["via"] == "http" and shown["changes"][0]["device_no"] == 1
    code, out, err = cli(county, capsys, "show-agent", agent.key)  # by key as well
    assert code == 0 and json.loads(out)["key"] == agent.key
    code, out, err = cli(county, capsys, "show-agent", "99999999")
    assert code == 1 and "没有代办员" in err

    code, out, err = cli(county, capsys, "list-commissions")
    assert code == 0 and out == "" and "没有符合条件的委托" in err
    code, out, err = cli(county, capsys, "list-handovers", "--agent", agent.agent_no)
    assert code == 0 and out == "" and "没有符合条件的交接单" in err
    code, out, err = cli(county, capsys, "show-commission", "W-NONE")
    assert code == 1 and "没有委托" in err
    code, out, err = cli(county, capsys, "show-handover", "J-NONE")
    assert code == 1 and "没有交接单" in err


# --- the county's handover limit (pull kind "setting") --------------------------------------


def limit_of(device) -> int:  # noqa: ANN001
    with device.ctx.tx() as s:
        return agents.handover_limit(s)


def test_county_distributes_the_handover_limit_unless_a_local_value_is_marked(
        device, county, capsys, make_enrolled):
    assert limit_of(device) == 3  # the default until the county says
    code, out, err = cli(county, capsys, "set-handover-limit", "5")
    assert code == 0 and "5 个工作日" in out, err
    code, out, err = cli(county, capsys, "set-handover-limit", "0")
    assert code == 1 and "1 到 30" in err
    assert device.sync().ok
    assert limit_of(device) == 5
    other = make_enrolled(2)  # a device enrolled later learns it too
    assert other.sync().ok and limit_of(other) == 5

    # a supervisor marks a local value: the county's next value does not replace it
    with pytest.raises(Exception, match="主任|负责人|权限"):
        agents.set_handover_limit(device.ctx, device.clerk, 2)
    assert agents.set_handover_limit(device.ctx, device.supervisor, 2) == 2
    code, _out, err = cli(county, capsys, "set-handover-limit", "4")
    assert code == 0, err
    assert device.sync().ok and limit_of(device) == 2
    assert other.sync().ok and limit_of(other) == 4
    # the mark removed: back to the county's (latest) value
    assert agents.set_handover_limit(device.ctx, device.supervisor, None) == 4
    assert limit_of(device) == 4
    # pulled again (a re-pull, a USB acknowledgement): nothing changes
    with device.ctx.tx() as s:
        from clerk_app.sync import state as ST

        ST.put(s, ST.CURSOR, 0)
    assert device.sync().ok and limit_of(device) == 4
    with county.admin() as s:
        assert service.county_setting(s, "agents.handover_limit_days") == 4
        kinds = [e.kind for e in s.scalars(select(FeedEntry).order_by(FeedEntry.id))]
        assert kinds.count("setting") == 2
