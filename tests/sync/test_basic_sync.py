"""Enrolment, push and pull against the real server, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from clerk_app.domain.status import CaseStatus
from clerk_app.services import cases, sync_admin
from clerk_app.services.common import ServiceError
from clerk_app.store.models import Case, OutboxRecord
from county_center import service
from county_center.models import Case as CCase
from county_center.models import CaseChange
from tests.sync.conftest import DEMO_DIVISION, enrol, make_device
from tests.sync.invariants import check_county_matches

# an exception in a sender thread fails the test
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")


def test_enrol_keeps_the_token_only_in_the_keyring(device, county):
    ov = sync_admin.overview(device.ctx)
    assert ov.enrolled and ov.device_id and "龙舟坪镇" in ov.service_point_name
    token = device.creds.get_token(ov.device_id)
    assert token and len(token) >= 40
    # never in the database file, the settings or a log
    raw = device.ctx.db.path.read_bytes()
    for wal in device.ctx.db.path.parent.glob("*"):
        assert token.encode() not in wal.read_bytes()
    assert token.encode() not in raw


def test_push_applies_once_and_marks_cases_submitted(device, county):
    nos = [device.new_case() for _ in range(3)] + [device.new_case("notice")]
    report = device.sync()
    assert report.ok, report.error
    assert report.applied == 4 and report.rejected == 0
    assert all(r.state == "applied" and r.result["case_no"] == r.entity_key for r in device.outbox())
    with device.ctx.tx() as s:
        statuses = {c.case_no: c.status for c in s.scalars(select(Case))}
    assert [statuses[n] for n in nos[:3]] == [CaseStatus.SUBMITTED.value] * 3
    assert statuses[nos[3]] == CaseStatus.AWAITING_SUPPLEMENT.value
    assert sync_admin.case_sync_state(device.ctx, nos[0]).state == "sent"
    assert sync_admin.overview(device.ctx).pending == 0
    # a second run sends nothing
    again = device.sync()
    assert again.ok and again.pushed == 0
    check_county_matches(county, [device])


def test_resend_of_an_applied_record_answers_duplicate_with_the_same_result(device, county):
    device.new_case()
    device.sync()
    rec = device.outbox()[0]
    from clerk_app.sync.engine import record_json

    with device.ctx.tx() as s:
        row = s.execute(select(OutboxRecord.id, OutboxRecord.record_id, OutboxRecord.entity,
                               OutboxRecord.entity_key, OutboxRecord.entity_seq, OutboxRecord.op,
                               OutboxRecord.created_at, OutboxRecord.payload)).first()
    token = device.creds.get_token(sync_admin.overview(device.ctx).device_id)
    from clerk_app.sync.client import CountyClient

    with CountyClient(county.url, token) as client:
        answer = client.push([record_json(row)])
    assert answer[0]["status"] == "duplicate"
    assert answer[0]["result"] == rec.result
    with county.admin() as s:
        assert len(list(s.scalars(select(CaseChange)))) == 1


def test_pull_brings_status_official_number_and_result(device, county):
    no = device.new_case()
    device.sync()
    with county.admin() as s:
        service.set_case_status(s, no, "in_review", official_no="长民低保〔2026〕88号")
    assert device.sync().ok
    info = sync_admin.case_sync_state(device.ctx, no)
    assert info.county_status == "in_review" and info.official_no == "长民低保〔2026〕88号"
    with county.admin() as s:
        service.set_case_status(s, no, "completed", result_text="同意纳入最低生活保障")
    report = device.sync()
    assert report.pulled >= 1
    case = cases.case_detail(device.ctx, cases.find_case_id(device.ctx, no))
    assert case.status == CaseStatus.COMPLETED.value and case.completed_at is not None
    assert [e.action for e in case.events][-2:] == ["county_decision", "county_decision"]
    assert sync_admin.case_sync_state(device.ctx, no).result_text == "同意纳入最低生活保障"
    # pulling again changes nothing (the cursor moved; re-applied entries are recognised)
    assert device.sync().pulled == 0
    # what the county decided is not sent back to it: nothing waits to be sent
    assert sync_admin.overview(device.ctx).pending == 0


def test_reference_data_comes_down(device, county):
    import datetime as dt

    from clerk_app.services import calendar as cal
    from clerk_app.store.models import Operator

    with county.admin() as s:
        service.set_calendar_day(s, dt.date(2027, 2, 6), True, "2027 年春节调休上班")
        service.upsert_operator(s, DEMO_DIVISION, "wangwu", "王五", "agent", phone="13900000000",
                                password="county123")
    assert device.sync().ok
    assert cal.calendar(device.ctx).is_workday(dt.date(2027, 2, 6))[0]
    with device.ctx.tx() as s:
        op = s.scalar(select(Operator).where(Operator.username == "wangwu"))
        assert op.role == "agent" and op.display_name == "王五"
    from clerk_app.services import auth

    assert auth.login(device.ctx, "wangwu", "county123").name == "王五"


def test_a_complete_year_from_the_county_clears_estimates(device, county, clock):
    import datetime as dt

    from clerk_app.services import calendar as cal
    from clerk_app.store.models import CalendarYear, CaseEvent
    from county_center.service import CountyError

    clock.advance(days=21)  # Thursday 2026-12-24: 10 working days reach into 2027
    no = device.new_case()
    case = cases.case_detail(device.ctx, cases.find_case_id(device.ctx, no))
    assert case.due_date == dt.date(2027, 1, 7) and case.due_estimated
    assert device.sync().ok
    with county.admin() as s:
        with pytest.raises(CountyError, match="还没有发布任何节假日"):
            service.set_calendar_year(s, 2027, True)
    with county.admin() as s:
        service.set_calendar_day(s, dt.date(2027, 1, 1), False, "2027 年元旦")
        service.set_calendar_year(s, 2027, True, "据国务院办公厅通知")
    report = device.sync()
    assert report.ok, report.error
    calendar = cal.calendar(device.ctx)
    assert calendar.is_workday(dt.date(2027, 3, 1)) == (True, False)
    assert cal.calendar_state(device.ctx) == ("日历至 2027-12-31", "")
    assert [(y.year, y.source) for y in cal.list_complete_years(device.ctx)] == [(2027, "county")]
    case = cases.case_detail(device.ctx, cases.find_case_id(device.ctx, no))
    assert case.due_date == dt.date(2027, 1, 8) and case.due_estimated is False
    moved = [e for e in case.events if e.action == "due_recalculated"]
    assert len(moved) == 1 and moved[0].detail["by"] == "sync" and moved[0].operator_id is None
    # the new date reaches the county as an update of the case, on the next run
    assert [r.op for r in device.outbox()] == ["accept", "update"]
    assert device.sync().ok
    assert all(r.state == "applied" for r in device.outbox())
    with county.admin() as s:
        snapshot = s.scalar(select(CCase).where(CCase.case_no == no)).snapshot
    assert snapshot["due_date"] == "2027-01-08" and snapshot["due_estimated"] is False
    check_county_matches(county, [device])

    # the county takes the mark back: the year is estimated again, the day stays
    with county.admin() as s:
        service.set_calendar_year(s, 2027, False)
    assert device.sync().ok
    with device.ctx.tx() as s:
        assert s.scalars(select(CalendarYear)).all() == []
        assert s.scalar(select(Case.due_estimated).where(Case.case_no == no)) is True
        assert len(s.scalars(select(CaseEvent).where(CaseEvent.action == "due_recalculated")).all()) == 2
    assert cal.calendar(device.ctx).is_workday(dt.date(2027, 1, 1)) == (False, False)


def test_a_device_writes_only_its_own_service_point(device, county, tmp_path, clock):
    with county.admin() as s:
        service.add_service_point(s, "420528102000")
    no = device.new_case()
    # forge a record claiming another service point: the server checks, per record
    with device.ctx.tx() as s:
        rec = s.scalar(select(OutboxRecord).where(OutboxRecord.entity_key == no))
        rec.payload = dict(rec.payload) | {"service_point": "420528102000"}
    other = device.new_case()
    report = device.sync()
    assert report.rejected == 1 and report.applied == 1
    by_key = {r.entity_key: r for r in device.outbox()}
    assert by_key[no].state == "rejected" and by_key[no].reason_code == "not_your_service_point"
    assert "不属于本机注册的服务点" in by_key[no].reason
    assert by_key[other].state == "applied"  # a rejected record never blocks the others
    with county.admin() as s:
        assert {c.case_no for c in s.scalars(select(CCase))} == {other}


def test_revoked_token_stops_sync_with_a_clear_message(device, county):
    device.new_case()
    with county.admin() as s:
        service.revoke_device(s, sync_admin.overview(device.ctx).device_id)
    report = device.sync()
    assert report.error_code == "token_revoked"
    assert "注销" in report.error and "重新注册" in report.error
    ov = sync_admin.overview(device.ctx)
    assert ov.blocked == "auth" and ov.pending == 1 and ov.next_attempt_at is None
    # no retries: further runs do not touch the network until the device re-enrols
    hits = []
    transport = httpx.HTTPTransport()

    class Counting(httpx.BaseTransport):
        def handle_request(self, request):
            hits.append(request.url.path)
            return transport.handle_request(request)

    for _ in range(5):
        assert device.engine(transport=Counting()).run().error_code == "token_revoked"
    assert hits == []
    assert not sync_admin.is_due(ST_read(device), device.ctx.clock())
    enrol(device, county)  # a new code: sync resumes, the outbox was kept intact
    assert device.sync().applied == 1


def ST_read(device):
    from clerk_app.sync import state

    with device.ctx.tx() as s:
        return state.read(s)


def test_expired_token_and_wrong_code(device, county):
    with county.admin() as s:
        service.expire_device_token(s, sync_admin.overview(device.ctx).device_id)
    assert device.sync().error_code == "token_expired"
    with pytest.raises(ServiceError) as err:
        sync_admin.enrol(device.ctx, device.supervisor, county.url, "AAAA-BBBB-CCCC",
                         credentials=device.creds)
    assert "注册码不正确" in err.value.message


def test_two_devices_of_one_township_never_collide(county, tmp_path, clock, make_enrolled):
    a = make_enrolled(1)
    b = make_enrolled(2)
    made = [a.new_case() for _ in range(3)] + [b.new_case() for _ in range(3)]
    assert len(set(made)) == 6  # same township, same day: the device number tells them apart
    assert a.sync().applied == 3 and b.sync().applied == 3
    # a third computer cannot take a number already in use
    c = make_device(tmp_path, clock, 2, name="device2-again")
    with pytest.raises(ServiceError) as err:
        enrol(c, county)
    assert "2 号电脑已经注册" in err.value.message
    c.ctx.db.dispose()
    check_county_matches(county, [a, b])
