"""Versions, limits, refused records and their resend, conflicts, and the USB round trip."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select

from clerk_app.domain.status import CaseStatus
from clerk_app.services import cases, intake, sync_admin
from clerk_app.services.common import ServiceError
from clerk_app.store.models import Case, OutboxRecord
from county_center import service
from county_center.models import Case as CCase
from county_center.models import CaseChange
from tests.sync.conftest import start_county
from tests.sync.invariants import check_county_matches

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")


@pytest.mark.parametrize("version,words", [(2, "比县级中心新"), (0, "已过旧")])
def test_client_too_new_or_too_old_is_told_and_its_outbox_waits(device, county, version, words):
    for _ in range(3):
        device.new_case()
    before = [(r.record_id, r.state, r.payload) for r in device.outbox()]
    report = device.engine(protocol_version=version).run()
    assert report.error_code == "protocol_version" and words in report.error
    assert "保留在本机" in report.error
    assert [(r.record_id, r.state, r.payload) for r in device.outbox()] == before
    assert sync_admin.overview(device.ctx).blocked == "version"
    # the server itself refuses a request that states a version it does not speak
    r = httpx.post(f"{county.url}/api/v1/push", json={"records": []},
                   headers={"X-Sync-Protocol": str(version)})
    assert r.status_code == 426 and r.json()["error"] == "protocol_version"
    assert r.headers["X-Sync-Protocol"] == "1"
    assert device.sync().applied == 3  # the right version: the outbox goes out intact


def test_server_refuses_oversized_bodies_and_batches_clearly(device, county):
    token = device.creds.get_token(sync_admin.overview(device.ctx).device_id)
    headers = {"X-Sync-Protocol": "1", "Authorization": f"Bearer {token}",
               "Content-Type": "application/json"}
    big = b'{"records": [], "pad": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    r = httpx.post(f"{county.url}/api/v1/push", content=big, headers=headers, timeout=30)
    assert r.status_code == 413 and r.json()["error"] == "too_large" and "上限" in r.json()["message"]

    def chunks():  # no Content-Length: the server counts as it reads
        for _ in range(6):
            yield b" " * (1024 * 1024)

    r = httpx.post(f"{county.url}/api/v1/push", content=chunks(), headers=headers, timeout=30)
    assert r.status_code == 413
    many = {"records": [{"record_id": f"r{i:07d}"} for i in range(501)]}
    r = httpx.post(f"{county.url}/api/v1/push", json=many, headers=headers)
    assert r.status_code == 413 and r.json()["error"] == "too_many_records"


def test_client_keeps_under_the_server_limits(backend, tmp_path, clock):
    from tests.sync.conftest import enrol, make_device

    county = start_county(backend, tmp_path, max_body_bytes=12_000, max_batch_records=4)
    try:
        d = make_device(tmp_path, clock, 5)
        enrol(d, county)
        for _ in range(11):
            d.new_case()
        report = d.sync()
        assert report.ok and report.applied == 11 and report.batches >= 3
        check_county_matches(county, [d])
        d.ctx.db.dispose()
    finally:
        county.close()


def test_a_bad_record_is_set_aside_shown_fixed_and_resent(device, county):
    bad = device.new_case()
    later_same_case = None
    with device.ctx.tx() as s:
        rec = s.scalar(select(OutboxRecord).where(OutboxRecord.entity_key == bad))
        rec.payload = dict(rec.payload) | {"item_code": "9999999999-not-in-county-catalog"}
    case_id = cases.find_case_id(device.ctx, bad)
    intake.withdraw(device.ctx, device.clerk, case_id, "申请人主动撤回")
    later_same_case = bad
    good = [device.new_case() for _ in range(2)]
    report = device.sync()
    assert report.rejected == 1 and report.applied == 2  # the others were not blocked
    assert report.deferred == 1  # the later change of the same case waits for the first
    shown = sync_admin.rejected_records(device.ctx)
    assert len(shown) == 1 and shown[0].case_no == bad and shown[0].held_behind == 1
    assert shown[0].reason_code == "unknown_item" and "事项清单" in shown[0].reason
    assert sync_admin.case_sync_state(device.ctx, bad).state == "rejected"
    assert sync_admin.case_sync_state(device.ctx, good[0]).state == "sent"
    # a second run leaves it set aside and does not send the held change
    again = device.sync()
    assert again.ok and again.pushed == 0 and again.deferred == 0
    with pytest.raises(ServiceError):
        sync_admin.resend(device.ctx, device.clerk, shown[0].record_id, {"item_code": "nope"})
    real = device.outbox()[-1].payload["item_code"]
    assert sync_admin.resend(device.ctx, device.clerk, shown[0].record_id, {"item_code": real}) == 2
    report = device.sync()
    assert report.applied == 2 and sync_admin.rejected_records(device.ctx) == []
    with county.admin() as s:
        case = s.scalar(select(CCase).where(CCase.case_no == later_same_case))
        assert case.status == "withdrawn" and case.change_count == 2
    check_county_matches(county, [device])


def test_conflict_county_decided_while_a_local_change_waits(device, county):
    """The answer to the accept was lost; the clerk withdrew; the county put it in review."""
    no = device.new_case()
    county.faults.fail_after = 1
    device.sync()
    case_id = cases.find_case_id(device.ctx, no)
    intake.withdraw(device.ctx, device.clerk, case_id, "申请人要求撤回")  # allowed: still "accepted" here
    with county.admin() as s:
        service.set_case_status(s, no, "in_review")
    pulled_first = device.engine().run(push=False)  # the decision arrives before the push
    assert pulled_first.held == 1
    detail = cases.case_detail(device.ctx, case_id)
    assert detail.status == CaseStatus.WITHDRAWN.value  # pulled data never overwrote it
    report = device.sync()
    assert report.duplicates == 1 and report.rejected == 1
    rejected = sync_admin.rejected_records(device.ctx)
    assert rejected[0].reason_code == "county_decided"
    shown = sync_admin.conflicts(device.ctx)
    assert len(shown) == 1 and shown[0].key == no and "withdraw" in shown[0].summary
    with pytest.raises(ServiceError):
        sync_admin.resolve_conflict(device.ctx, device.clerk, shown[0].id, "local")
    sync_admin.resolve_conflict(device.ctx, device.clerk, shown[0].id, "county")
    detail = cases.case_detail(device.ctx, case_id)
    assert detail.status == CaseStatus.IN_REVIEW.value
    assert sync_admin.conflicts(device.ctx) == [] and sync_admin.rejected_records(device.ctx) == []
    assert {r.state for r in device.outbox()} == {"applied", "discarded"}
    with county.admin() as s:
        assert s.scalar(select(CCase).where(CCase.case_no == no)).status == "in_review"


def test_held_decision_is_applied_once_the_local_change_is_acknowledged(device, county):
    no = device.new_case()
    county.faults.fail_after = 1
    device.sync()  # applied, answer lost: the accept is still "unsent" here
    with county.admin() as s:
        service.set_case_status(s, no, "in_review", official_no="X-9")
    report = device.engine().run(push=False)
    assert report.held == 1 and len(sync_admin.conflicts(device.ctx)) == 1
    report = device.sync()
    assert report.duplicates == 1 and report.resolved == 1
    assert sync_admin.conflicts(device.ctx) == []
    assert cases.case_detail(device.ctx, cases.find_case_id(device.ctx, no)).status == "in_review"
    assert sync_admin.case_sync_state(device.ctx, no).official_no == "X-9"


def test_calendar_conflict_needs_a_supervisor(device, county):
    import datetime as dt

    from clerk_app.services import calendar as cal

    day = dt.date(2027, 2, 6)
    cal.set_override(device.ctx, device.supervisor, day, False, "本地定为休息")
    with county.admin() as s:
        service.set_calendar_day(s, day, True, "调休上班")
    assert device.sync().held == 1
    assert not cal.calendar(device.ctx).is_workday(day)[0]
    c = sync_admin.conflicts(device.ctx)[0]
    with pytest.raises(ServiceError):
        sync_admin.resolve_conflict(device.ctx, device.clerk, c.id, "county")
    sync_admin.resolve_conflict(device.ctx, device.supervisor, c.id, "county")
    assert cal.calendar(device.ctx).is_workday(day)[0]


def test_usb_round_trip_with_the_same_guarantees(device, county, tmp_path):
    from county_center.usb import import_file

    nos = [device.new_case() for _ in range(5)]
    with county.admin() as s:
        service.set_calendar_day(s, __import__("datetime").date(2027, 2, 7), True, "调休")
    stick = tmp_path / "stick"
    stick.mkdir()
    out = stick / "outbox.json"
    assert sync_admin.export_outbox(device.ctx, device.clerk, out, device.creds) == 5
    assert sync_admin.overview(device.ctx).pending == 5  # still waiting until acknowledged
    acks = stick / "acks.json"
    summary = import_file(county.db, out, acks)
    assert "接收 5" in summary
    assert "重复 5" in import_file(county.db, out, stick / "acks2.json")  # imported twice: once
    report = sync_admin.import_acks(device.ctx, device.clerk, acks, device.creds)
    assert report.pushed == 5 and report.pulled >= 1
    assert sync_admin.overview(device.ctx).pending == 0
    with device.ctx.tx() as s:
        assert s.scalar(select(Case.status).where(Case.case_no == nos[0])) == "submitted"
    # the second acknowledgement (all "duplicate") changes nothing
    sync_admin.import_acks(device.ctx, device.clerk, stick / "acks2.json", device.creds)
    # tampering is refused
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["records"][0]["payload"]["applicant"]["name"] = "李四"
    bad = stick / "tampered.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(service.CountyError):
        import_file(county.db, bad, stick / "x.json")
    with county.admin() as s:
        assert len(list(s.scalars(select(CaseChange)))) == 5
        assert {c.via for c in s.scalars(select(CaseChange))} == {"usb"}
    assert device.sync().pushed == 0  # network afterwards: nothing is sent twice
    check_county_matches(county, [device])


def test_county_center_cli_end_to_end(tmp_path, capsys):
    from county_center.cli import main

    db = str(tmp_path / "cc.sqlite3")
    assert main(["--db", db, "add-service-point", "420528101000"]) == 0
    assert main(["--db", db, "issue-code", "420528101000", "--device-no", "3"]) == 0
    code = capsys.readouterr().out.strip().splitlines()[-1]
    assert len(code) == 14
    assert main(["--db", db, "set-status", "101000-01-261203-0001-5", "completed"]) == 1
    assert "没有办件" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["--db", db, "set-status", "x", "approved"])  # not a county status
    assert exit_.value.code == 2
    assert "参数有误" in capsys.readouterr().err
    out = tmp_path / "openapi.json"
    assert main(["--db", db, "openapi", "--out", str(out)]) == 0
    assert "/api/v1/push" in json.loads(out.read_text(encoding="utf-8"))["paths"]
