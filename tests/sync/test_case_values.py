"""Values a case record carries that the county's tables cannot hold: the record is rejected
on its own (with a reason the clerk can act on), the rest of the batch is applied, and the
next run is not blocked. Runs on SQLite and PostgreSQL (which enforces column lengths)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clerk_app.domain.status import CaseStatus
from clerk_app.services import sync_admin
from clerk_app.store.models import OutboxRecord
from county_center import protocol as CP
from county_center import service
from county_center.models import Case as CCase
from county_center.models import Rejection
from tests.sync.invariants import check_county_matches

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")


def _tamper(device, case_no: str, change) -> None:  # noqa: ANN001
    """Change the payload of a waiting record, as a buggy or older client might have sent it."""
    with device.ctx.tx() as s:
        rec = s.scalar(select(OutboxRecord).where(OutboxRecord.entity_key == case_no))
        payload = dict(rec.payload)
        change(payload)
        rec.payload = payload


def _county_cases(county) -> dict[str, CCase]:  # noqa: ANN001
    with county.admin() as s:
        rows = list(s.scalars(select(CCase)))
        s.expunge_all()
        return {c.case_no: c for c in rows}


def test_an_over_long_applicant_name_is_rejected_alone_and_does_not_block_sync(device, county):
    first = device.new_case()
    bad = device.new_case()
    last = device.new_case()
    long_name = "欧阳" * 150  # 300 characters; the county keeps at most 200

    def lengthen(p):  # noqa: ANN001, ANN202
        p["applicant"] = dict(p["applicant"]) | {"name": long_name}

    _tamper(device, bad, lengthen)
    report = device.sync()
    assert report.ok, report.error  # no 500: the batch was answered record by record
    assert report.applied == 2 and report.rejected == 1 and report.batches == 1
    assert set(_county_cases(county)) == {first, last}
    shown = sync_admin.rejected_records(device.ctx)
    assert [r.case_no for r in shown] == [bad]
    assert shown[0].reason_code == "field_too_long"
    assert "申请人姓名" in shown[0].reason and "300" in shown[0].reason and "200" in shown[0].reason
    assert shown[0].reason_title == "内容超过县级中心允许的长度"
    assert sync_admin.case_sync_state(device.ctx, bad).state == "rejected"
    with county.admin() as s:
        kept = s.scalar(select(Rejection).where(Rejection.case_no == bad))
        assert kept.code == "field_too_long"
    # the next runs are not blocked: nothing is resent, and new work goes out
    again = device.sync()
    assert again.ok and again.pushed == 0 and again.rejected == 0
    newer = device.new_case()
    assert device.sync().applied == 1 and newer in _county_cases(county)
    # the clerk shortens the name and resends the same record
    assert sync_admin.resend(device.ctx, device.clerk, shown[0].record_id,
                             {"applicant.name": "欧阳明"}) == 1
    fixed = device.sync()
    assert fixed.ok and fixed.applied == 1 and sync_admin.rejected_records(device.ctx) == []
    assert _county_cases(county)[bad].applicant_name == "欧阳明"
    check_county_matches(county, [device])


@pytest.mark.parametrize("field,value,code", [
    ("item_name", "长" * 201, "field_too_long"),
    ("item_code", "1" * 81, "field_too_long"),
    ("status", "accepted-but-with-a-status-much-too-long", "unknown_status"),
    ("status", "approved", "unknown_status"),
])
def test_values_the_county_cannot_hold_are_rejected_on_their_own(device, county, field, value, code):
    good = device.new_case()
    bad = device.new_case()

    def change(p):  # noqa: ANN001, ANN202
        p[field] = value

    _tamper(device, bad, change)
    report = device.sync()
    assert report.ok and report.applied == 1 and report.rejected == 1
    assert set(_county_cases(county)) == {good}
    rec = next(r for r in device.outbox() if r.entity_key == bad)
    assert rec.state == "rejected" and rec.reason_code == code
    assert bad in rec.reason
    assert device.sync().ok


def test_limits_at_the_edge_are_accepted(device, county):
    case_no = device.new_case()
    name = "名" * 200

    def change(p):  # noqa: ANN001, ANN202
        p["applicant"] = dict(p["applicant"]) | {"name": name}

    _tamper(device, case_no, change)
    assert device.sync().applied == 1
    assert _county_cases(county)[case_no].applicant_name == name


def test_a_value_the_database_refuses_rejects_only_that_record(device, county):
    """A value no check foresaw (PostgreSQL text cannot hold a NUL character): the record's
    savepoint is rolled back and it is rejected; the others in the batch are applied."""
    good = [device.new_case() for _ in range(3)]
    bad = good.pop(1)

    def change(p):  # noqa: ANN001, ANN202
        p["applicant"] = dict(p["applicant"]) | {"name": "张\x00三"}

    _tamper(device, bad, change)
    report = device.sync()
    assert report.ok, report.error
    held = _county_cases(county)
    if county.backend == "postgresql":
        assert report.applied == 2 and report.rejected == 1
        assert set(held) == set(good)
        rec = next(r for r in device.outbox() if r.entity_key == bad)
        assert rec.state == "rejected" and rec.reason_code == "bad_record"
        assert "县级数据库拒收" in rec.reason
    else:  # SQLite stores it
        assert report.applied == 3 and set(held) == set(good) | {bad}
    assert device.sync().ok
    check_county_matches(county, [device])


def test_a_renamed_item_with_a_long_name_still_applies(device, county):
    """The county's own note on a renamed item must fit its column too."""
    case_no = device.new_case()
    with device.ctx.tx() as s:
        code = s.scalar(select(OutboxRecord).where(OutboxRecord.entity_key == case_no)).payload["item_code"]
    with county.admin() as s:
        items = list(s.scalar(select(service.CatalogVersion).order_by(service.CatalogVersion.id.desc())).items)
        items = [dict(it) | ({"name": "新" * 200} if it["code"] == code else {}) for it in items]
        service.publish_catalog(s, items, "renamed.csv")
    report = device.sync()
    assert report.ok and report.applied == 1
    note = _county_cases(county)[case_no].catalog_note
    assert note.startswith("该事项在县级清单中已更名为") and len(note) <= 200


def test_the_county_knows_every_status_the_counter_sends():
    assert set(CP.CASE_STATUSES) == {s.value for s in CaseStatus}
