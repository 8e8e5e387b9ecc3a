"""USB acknowledgements answer one attempt of a record: an old file cannot set aside a record
the clerk has fixed since; and a file of a protocol this client does not speak is refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from clerk_app.services import sync_admin
from clerk_app.services.common import ServiceError
from clerk_app.store.models import OutboxRecord
from clerk_app.sync import usb
from county_center.usb import import_file
from tests.sync.invariants import check_county_matches

BAD_ITEM = "9999999999-not-in-county-catalog"


def _spoil(device, case_no: str) -> str:  # noqa: ANN001
    """Give the case's accept record an item code the county never published."""
    with device.ctx.tx() as s:
        rec = s.scalar(select(OutboxRecord).where(OutboxRecord.entity_key == case_no))
        real = rec.payload["item_code"]
        rec.payload = dict(rec.payload) | {"item_code": BAD_ITEM}
        return real


def _round_trip(device, county, folder, name: str):  # noqa: ANN001
    out, acks = folder / f"{name}-outbox.json", folder / f"{name}-acks.json"
    sync_admin.export_outbox(device.ctx, device.clerk, out, device.creds)
    import_file(county.db, out, acks)
    return out, acks


def _state(device, case_no: str) -> str:  # noqa: ANN001
    return next(r.state for r in device.outbox() if r.entity_key == case_no)


def _resign(device, path, change) -> None:  # noqa: ANN001
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    token = device.creds.get_token(sync_admin.overview(device.ctx).device_id)
    path.write_text(json.dumps(usb.sign(doc, usb.mac_key(token)), ensure_ascii=False), encoding="utf-8")


def test_an_old_refusal_does_not_set_aside_the_fixed_record(device, county, tmp_path):
    bad = device.new_case()
    real = _spoil(device, bad)
    good = device.new_case()
    _out, acks1 = _round_trip(device, county, tmp_path, "first")
    answers = json.loads(acks1.read_text(encoding="utf-8"))["results"]
    assert all(a.get("attempt") for a in answers)  # the county says which attempt it answers
    report = sync_admin.import_acks(device.ctx, device.clerk, acks1, device.creds)
    assert report.rejected == 1 and report.pushed == 1 and report.stale == 0
    assert _state(device, bad) == "rejected"
    # the clerk picks the right item and resends; then the old file is imported again
    rid = sync_admin.rejected_records(device.ctx)[0].record_id
    assert sync_admin.resend(device.ctx, device.clerk, rid, {"item_code": real}) == 1
    again = sync_admin.import_acks(device.ctx, device.clerk, acks1, device.creds)
    assert again.stale == 1 and again.rejected == 0
    assert _state(device, bad) == "pending"  # not set aside again
    assert sync_admin.rejected_records(device.ctx) == []
    assert _state(device, good) == "applied"
    # the fixed record reaches the county
    report = device.sync()
    assert report.ok and report.applied == 1
    check_county_matches(county, [device])


def test_a_resend_without_a_change_is_a_new_attempt_too(device, county, tmp_path):
    """The county published the item meanwhile: the clerk resends the record unchanged."""
    bad = device.new_case()
    _spoil(device, bad)
    _out, acks1 = _round_trip(device, county, tmp_path, "first")
    sync_admin.import_acks(device.ctx, device.clerk, acks1, device.creds)
    rid = sync_admin.rejected_records(device.ctx)[0].record_id
    sync_admin.resend(device.ctx, device.clerk, rid)
    assert sync_admin.import_acks(device.ctx, device.clerk, acks1, device.creds).stale == 1
    assert _state(device, bad) == "pending"
    # a fresh file for this attempt is taken: the county refuses it again, and that counts
    _out, acks2 = _round_trip(device, county, tmp_path, "second")
    report = sync_admin.import_acks(device.ctx, device.clerk, acks2, device.creds)
    assert report.rejected == 1 and report.stale == 0
    assert _state(device, bad) == "rejected"


def test_applied_is_honoured_for_a_record_that_changed_since(device, county, tmp_path):
    no = device.new_case()
    _out, acks = _round_trip(device, county, tmp_path, "first")
    with device.ctx.tx() as s:  # the record had another answer since (its attempt moved on)
        s.execute(update(OutboxRecord).where(OutboxRecord.entity_key == no)
                  .values(attempts=OutboxRecord.attempts + 1))
    report = sync_admin.import_acks(device.ctx, device.clerk, acks, device.creds)
    assert report.pushed == 1 and report.stale == 0
    assert _state(device, no) == "applied"


def test_answers_without_attempt_only_for_a_record_never_answered(device, county, tmp_path):
    """A county that predates attempt tokens: its refusal can only be trusted for the one
    attempt a record ever had."""
    first, second = device.new_case(), device.new_case()
    _spoil(device, first)
    _spoil(device, second)
    _out, acks = _round_trip(device, county, tmp_path, "old-county")

    def drop_tokens(doc):  # noqa: ANN001
        for answer in doc["results"]:
            answer.pop("attempt", None)

    _resign(device, acks, drop_tokens)
    with device.ctx.tx() as s:  # the second one was answered before (e.g. over the network)
        s.execute(update(OutboxRecord).where(OutboxRecord.entity_key == second).values(attempts=1))
    report = sync_admin.import_acks(device.ctx, device.clerk, acks, device.creds)
    assert report.rejected == 1 and report.stale == 1
    assert _state(device, first) == "rejected" and _state(device, second) == "pending"


@pytest.mark.parametrize("field,value", [("protocol", 2), ("protocol", None), ("version", 2)])
def test_an_acknowledgement_file_of_another_version_is_refused(device, county, tmp_path, field, value):
    no = device.new_case()
    _out, acks = _round_trip(device, county, tmp_path, "v")
    _resign(device, acks, lambda doc: doc.update({field: value}) if value is not None else doc.pop(field))
    with pytest.raises(ServiceError) as info:
        sync_admin.import_acks(device.ctx, device.clerk, acks, device.creds)
    message = info.value.message
    assert "本程序只支持第 1 版" in message and "未导入任何内容" in message
    assert "升级窗口受理程序" in message
    if field == "protocol" and value is not None:
        assert "使用第 2 版同步协议" in message
    assert _state(device, no) == "pending"  # nothing applied
    assert sync_admin.overview(device.ctx).pending == 1
