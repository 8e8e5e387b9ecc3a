"""放弃上报: a supervisor gives up a record the county refused for a reason no correction can
answer. Against the real county server, on SQLite and PostgreSQL: rights, audit, counts, and
the later changes of the same case still apply at the county (no gap in its order)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from clerk_app.services import cases, catalog, intake, sync_admin
from clerk_app.services.common import PermissionDenied, ServiceError
from clerk_app.store.models import AuditLog, OutboxRecord
from clerk_app.sync.client import CountyClient
from clerk_app.sync.engine import record_json
from county_center import service
from tests.core.helpers import all_received
from tests.sync.invariants import check_county_matches

OTHER_DIVISION = "420528102000"


def _records(device, no: str) -> list[OutboxRecord]:  # noqa: ANN001
    with device.ctx.tx() as s:
        return list(s.scalars(select(OutboxRecord).where(OutboxRecord.entity_key == no)
                              .order_by(OutboxRecord.id)))


def _supplement(device, no: str) -> None:  # noqa: ANN001
    """The citizen brings the missing material: the case is accepted (its next change)."""
    item = next(it for it in catalog.current_items(device.ctx) if it.name == "最低生活保障申请")
    intake.supplement(device.ctx, device.clerk, cases.find_case_id(device.ctx, no),
                      all_received(item), "accept")


def _spoil_last(device, no: str) -> str:  # noqa: ANN001
    """Make the case's last change one the county must refuse and no correction fixes: it
    claims another service point (as a record from a mis-set-up or copied database would)."""
    with device.ctx.tx() as s:
        rec = s.scalars(select(OutboxRecord).where(OutboxRecord.entity_key == no)
                        .order_by(OutboxRecord.id.desc())).first()
        rec.payload = dict(rec.payload) | {"service_point": OTHER_DIVISION}
        return rec.record_id


def _county_changes(county, no: str) -> list[tuple[int, str, str]]:  # noqa: ANN001
    with county.admin() as s:
        _case, changes = service.show_case(s, no)
        return [(ch.seq, ch.op, ch.record_id) for ch in changes]


def _withdraw(device, no: str) -> None:  # noqa: ANN001
    intake.withdraw(device.ctx, device.clerk, cases.find_case_id(device.ctx, no), "申请人不再申请")


@pytest.mark.parametrize("later", ["before_discard", "after_discard"])
def test_a_discarded_record_leaves_no_gap_for_the_later_changes(device, county, later):
    no = device.new_case("notice")
    assert device.sync().applied == 1  # seq 1 at the county
    _supplement(device, no)  # seq 2
    bad = _spoil_last(device, no)
    if later == "before_discard":
        _withdraw(device, no)  # seq 3, waits behind the refused one
    report = device.sync()
    assert report.rejected == 1 and report.applied == 0
    ov = sync_admin.overview(device.ctx)
    assert ov.rejected == 1 and ov.pending == (1 if later == "before_discard" else 0)
    [refused] = sync_admin.rejected_records(device.ctx)
    assert refused.record_id == bad and refused.reason_code == "not_your_service_point"

    # a clerk may not give a record up
    with pytest.raises(PermissionDenied):
        sync_admin.discard(device.ctx, device.clerk, bad)
    assert sync_admin.overview(device.ctx).rejected == 1

    moved = sync_admin.discard(device.ctx, device.supervisor, bad)
    assert moved == (1 if later == "before_discard" else 0)
    ov = sync_admin.overview(device.ctx)
    assert ov.rejected == 0  # no longer counted as refused …
    assert ov.pending == (1 if later == "before_discard" else 0)  # … nor as waiting
    assert sync_admin.rejected_records(device.ctx) == []
    with device.ctx.tx() as s:
        entry = s.scalar(select(AuditLog).where(AuditLog.action == "sync_record_discarded"))
        assert entry.operator_id == device.supervisor.id and entry.entity_id == no
        assert entry.detail["record_id"] == bad and entry.detail["renumbered"] == moved
        assert "服务点" in entry.detail["reason"]
    if later == "after_discard":
        _withdraw(device, no)  # numbered after the county's last change, not after the gap

    report = device.sync()
    assert report.ok, report.error
    assert report.applied == 1 and report.deferred == 0 and report.rejected == 0
    # the county has the case's changes in order, without the discarded one
    changes = _county_changes(county, no)
    assert [(seq, op) for seq, op, _rid in changes] == [(1, "notice"), (2, "withdraw")]
    assert bad not in {rid for _s, _o, rid in changes}
    with county.admin() as s:
        case, _ch = service.show_case(s, no)
        assert case.status == "withdrawn"
    recs = _records(device, no)
    assert [r.state for r in recs] == ["applied", "discarded", "applied"]
    assert recs[1].entity_seq is None and recs[1].result["seq"] == 2  # kept for the record
    assert sync_admin.overview(device.ctx).pending == 0
    assert sync_admin.case_sync_state(device.ctx, no).state == "sent"
    check_county_matches(county, [device])


def test_a_seq_conflict_keeps_its_place_when_discarded(device, county):
    """The county already holds that place (another record has it): the later changes follow
    it unchanged."""
    no = device.new_case("notice")
    assert device.sync().applied == 1
    _supplement(device, no)
    mine = _records(device, no)[1]
    # another record takes place 2 at the county first (e.g. from a restored copy of the database)
    with device.ctx.tx() as s:
        row = s.execute(select(OutboxRecord.id, OutboxRecord.record_id, OutboxRecord.entity,
                               OutboxRecord.entity_key, OutboxRecord.entity_seq, OutboxRecord.op,
                               OutboxRecord.created_at, OutboxRecord.payload)
                        .where(OutboxRecord.id == mine.id)).one()
    other = record_json(row) | {"record_id": str(uuid.uuid4())}
    token = device.creds.get_token(sync_admin.overview(device.ctx).device_id)
    with CountyClient(county.url, token) as client:
        assert client.push([other])[0]["status"] == "applied"
    report = device.sync()
    assert report.rejected == 1
    [refused] = sync_admin.rejected_records(device.ctx)
    assert refused.reason_code == "seq_conflict"

    assert sync_admin.discard(device.ctx, device.supervisor, refused.record_id) == 0
    assert _records(device, no)[1].entity_seq == 2  # kept: the county holds place 2
    _withdraw(device, no)  # numbered 3, after the county's place 2
    recs = _records(device, no)
    assert [r.entity_seq for r in recs] == [1, 2, 3]
    report = device.sync()
    assert report.applied == 1 and report.deferred == 0 and report.rejected == 0, report
    assert [(seq, rid) for seq, _op, rid in _county_changes(county, no)] == [
        (1, recs[0].record_id), (2, other["record_id"]), (3, recs[2].record_id)]


def test_only_a_refused_record_can_be_discarded(device, county):
    no = device.new_case()
    [waiting] = _records(device, no)
    with pytest.raises(ServiceError, match="不是被拒收的记录"):
        sync_admin.discard(device.ctx, device.supervisor, waiting.record_id)
    with pytest.raises(ServiceError, match="找不到"):
        sync_admin.discard(device.ctx, device.supervisor, str(uuid.uuid4()))
    bad = _spoil_last(device, no)
    assert device.sync().rejected == 1
    sync_admin.discard(device.ctx, device.supervisor, bad)
    with pytest.raises(ServiceError, match="不是被拒收的记录"):  # not twice
        sync_admin.discard(device.ctx, device.supervisor, bad)
    ov = sync_admin.overview(device.ctx)
    assert ov.rejected == 0 and ov.pending == 0
    # the case stays on this computer as it was
    assert cases.find_case_id(device.ctx, no)
    assert device.sync().pushed == 0
