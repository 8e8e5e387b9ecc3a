"""Faults the sync must survive, each against the real server, with the invariants checked
at the end: the county holds exactly the cases the devices saw accepted, each once, with
every change, in order."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from sqlalchemy import select

from clerk_app.services import sync_admin
from clerk_app.sync.engine import backoff_delay
from county_center.models import Case as CCase
from county_center.models import CaseChange
from tests.sync.invariants import check_county_matches

# an exception in a sender thread fails the test
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")


def states(device) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in device.outbox():
        out[r.state] = out.get(r.state, 0) + 1
    return out


def test_server_down_then_back(device, county):
    for _ in range(5):
        device.new_case()
    county.stop()
    report = device.sync()
    assert report.error_code == "network" and "无法连接县级中心" in report.error
    ov = sync_admin.overview(device.ctx)
    assert ov.pending == 5 and ov.last_error and ov.next_attempt_at is not None
    assert ov.next_attempt_at > device.ctx.clock()
    county.start()
    assert device.sync().applied == 5
    assert sync_admin.overview(device.ctx).last_error == ""
    check_county_matches(county, [device])


def test_backoff_grows_with_jitter_and_is_capped():
    rng = random.Random(7)
    delays = [[backoff_delay(n, rng) for _ in range(50)] for n in (1, 3, 6, 20)]
    assert all(1 <= d <= 10 for d in delays[0])
    assert all(1 <= d <= 40 for d in delays[1])
    assert max(delays[3]) <= 15 * 60
    assert len({round(d, 3) for d in delays[2]}) > 40  # jitter: devices do not retry in step
    assert sum(delays[2]) / 50 > sum(delays[0]) / 50


def test_slow_server_times_out_then_succeeds(device, county, proxy):
    device.new_case()
    proxy.set_mode("delay", delay=1.5, only_path="/api/v1/push")
    device.url = proxy.url
    sync_admin.save_settings(device.ctx, None, url=proxy.url)
    report = device.engine(timeout=0.5).run()
    assert report.error_code == "network" and "超时" in report.error
    proxy.set_mode("pass")
    report = device.engine(timeout=5).run()
    assert report.ok and report.pushed == 1  # applied first time (timeout) or now: once
    check_county_matches(county, [device])


def test_server_error_500_before_applying(device, county):
    for _ in range(3):
        device.new_case()
    county.faults.fail_before = 1
    report = device.sync()
    assert report.error_code == "http_500" and states(device) == {"pending": 3}
    assert device.sync().applied == 3
    check_county_matches(county, [device])


def test_batch_applied_but_answer_lost_is_resent_as_duplicates(device, county):
    for _ in range(4):
        device.new_case()
    county.faults.fail_after = 1  # applied and committed, then a 500: the answer is lost
    assert device.sync().error_code == "http_500"
    assert states(device) == {"pending": 4}
    with county.admin() as s:
        assert len(list(s.scalars(select(CaseChange)))) == 4
    report = device.sync()
    assert report.duplicates == 4 and report.applied == 0
    check_county_matches(county, [device])


def test_connection_closed_mid_body(device, county, proxy):
    for _ in range(6):
        device.new_case()
    sync_admin.save_settings(device.ctx, None, url=proxy.url)
    proxy.set_mode("cut", times=1, cut_after=40, only_path="/api/v1/push")
    assert device.sync().error_code == "network"
    assert states(device) == {"pending": 6}
    report = device.sync()
    assert report.ok and report.duplicates == 6
    check_county_matches(county, [device])


class SimulatedCrash(BaseException):
    pass


@pytest.mark.parametrize("point", ["push:answered", "push:recorded", "pull:answered", "pull:applied"])
def test_client_killed_at_each_point_of_a_sync(device, county, point):
    from clerk_app.settings import SYNC_BATCH_SIZE

    with device.ctx.tx() as s:
        SYNC_BATCH_SIZE.set(s, 3)
    nos = [device.new_case() for _ in range(7)]
    first = nos[0]
    device.sync()  # one case is known to the county; then more cases and a decision
    with county.admin() as s:
        from county_center import service

        service.set_case_status(s, first, "in_review", official_no="A-1")
    for _ in range(4):
        device.new_case()
    calls = []

    def crash(where: str) -> None:
        calls.append(where)
        if where == point and calls.count(where) == 1:
            raise SimulatedCrash(where)

    with pytest.raises(SimulatedCrash):
        device.engine(crash_hook=crash).run()
    report = device.sync()  # "restarted"
    assert report.ok, report.error
    assert sync_admin.overview(device.ctx).pending == 0
    assert sync_admin.case_sync_state(device.ctx, first).county_status == "in_review"
    check_county_matches(county, [device])


def test_same_records_sent_by_two_processes_at_once(device, county):
    for _ in range(40):
        device.new_case()
    barrier = threading.Barrier(3)
    reports = []

    def run():
        engine = device.engine()
        barrier.wait()
        reports.append(engine.run())

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(reports) == 3
    # on a loaded machine one sender may lose the race for the local database and stop with
    # a retriable error; what must never happen is a record applied twice
    failed = [r.error for r in reports if not r.ok]
    assert len(failed) <= 1, failed
    assert sum(r.applied for r in reports) <= 40, [r.applied for r in reports]
    if failed:
        assert device.sync().ok  # the next run settles what the stopped sender left
    else:
        assert sum(r.applied for r in reports) == 40  # each applied exactly once across senders
    assert states(device) == {"applied": 40}
    check_county_matches(county, [device])


def test_same_batch_posted_concurrently_raw(device, county):
    """Four connections post the very same batch at the same moment."""
    from clerk_app.store.models import OutboxRecord
    from clerk_app.sync.client import CountyClient
    from clerk_app.sync.engine import record_json, sendable

    for _ in range(30):
        device.new_case()
    with device.ctx.tx() as s:
        records = [record_json(r) for r in sendable(s, 0, 100)]
    token = device.creds.get_token(sync_admin.overview(device.ctx).device_id)
    barrier = threading.Barrier(4)
    answers = []

    def post():
        with CountyClient(county.url, token) as c:
            barrier.wait()
            answers.append(c.push(records))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(answers) == 4
    for i in range(30):
        got = [a[i] for a in answers]
        statuses = sorted(g["status"] for g in got)
        # once applied; every other answer is "duplicate" (or, under a lock race, "deferred")
        assert statuses.count("applied") <= 1
        assert set(statuses) <= {"applied", "duplicate", "deferred"}
        results = {str(g["result"]) for g in got if g.get("result")}
        assert len(results) == 1  # the same result for the first answer and every resend
    with county.admin() as s:
        assert len(list(s.scalars(select(CaseChange)))) == 30
        assert len(list(s.scalars(select(CCase)))) == 30
    assert OutboxRecord  # the device itself then syncs as usual
    assert device.sync().ok
    check_county_matches(county, [device])


def test_catalog_item_renamed_or_removed_while_cases_wait_offline(device, county):
    from county_center import service
    from county_center.models import CatalogVersion

    kept = device.new_case(item_name="最低生活保障申请")
    gone = device.new_case(item_name="特困人员救助供养申请")
    with county.admin() as s:
        items = s.scalars(select(CatalogVersion).order_by(CatalogVersion.id.desc())).first().items
        new = []
        for it in items:
            if it["name"] == "特困人员救助供养申请":
                continue  # removed
            if it["name"] == "最低生活保障申请":
                it = dict(it) | {"name": "最低生活保障审核确认"}  # renamed
            new.append(it)
        service.publish_catalog(s, new, "2027 版清单")
    report = device.sync()
    assert report.ok and report.applied == 2  # the citizen holds a receipt: never refused
    with county.admin() as s:
        cases = {c.case_no: c for c in s.scalars(select(CCase))}
    assert cases[kept].item_name == "最低生活保障申请"  # as taken at the counter
    assert "更名" in cases[kept].catalog_note
    assert "停用" in cases[gone].catalog_note
    # the device got the new catalog; its waiting cases keep the version they were taken under
    from clerk_app.services import cases as case_svc, catalog

    names = {it.name for it in catalog.current_items(device.ctx)}
    assert "最低生活保障审核确认" in names and "特困人员救助供养申请" not in names
    detail = case_svc.case_detail(device.ctx, case_svc.find_case_id(device.ctx, gone))
    assert detail.item.name == "特困人员救助供养申请" and not detail.item.current
    check_county_matches(county, [device])


def test_two_devices_busy_on_the_same_day_with_faults(county, make_enrolled, proxy):
    a = make_enrolled(3)
    b = make_enrolled(4)
    for _ in range(10):
        a.new_case()
        b.new_case()
    county.faults.fail_after = 1
    ra, rb = a.sync(), b.sync()
    assert {ra.error_code, rb.error_code} == {"http_500", ""}
    assert a.sync().ok and b.sync().ok
    stats = check_county_matches(county, [a, b])
    assert stats["cases"] == 20


def test_kill_and_restart_clock_moves(device, county):
    """After failures the next attempt is scheduled; a success resets the count."""
    device.new_case()
    county.stop()
    device.sync()
    device.sync()
    with device.ctx.tx() as s:
        from clerk_app.sync import state

        st = state.read(s)
    assert st.failures == 2
    county.start()
    device.ctx.clock.advance(minutes=20)
    assert sync_admin.is_due(st, device.ctx.clock())
    assert device.sync().ok
    with device.ctx.tx() as s:
        st = state.read(s)
    assert st.failures == 0 and st.next_attempt_at == device.ctx.clock() + dt.timedelta(seconds=300)
