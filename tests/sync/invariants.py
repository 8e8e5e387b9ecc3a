"""The end-of-test check: the county holds exactly the cases the devices had accepted by the
county, each once, with every change, in order."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from clerk_app.store.models import OutboxRecord
from county_center.models import Case as CCase
from county_center.models import CaseChange


def check_county_matches(county, devices) -> dict[str, int]:  # noqa: ANN001
    expected: dict[str, list[tuple[int, str]]] = defaultdict(list)
    unsent: set[str] = set()
    for d in devices:
        with d.ctx.tx() as s:
            for r in s.scalars(select(OutboxRecord).order_by(OutboxRecord.id)):
                if r.state == "applied":
                    expected[r.entity_key].append((r.entity_seq, r.record_id))
                else:
                    unsent.add(r.entity_key)
    with county.admin() as s:
        cases = {c.case_no: c for c in s.scalars(select(CCase))}
        changes: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for ch in s.scalars(select(CaseChange).order_by(CaseChange.case_id, CaseChange.seq)):
            changes[ch.case_id].append((ch.seq, ch.record_id))
        dupes = s.execute(select(CaseChange.record_id, func.count())
                          .group_by(CaseChange.record_id).having(func.count() > 1)).all()
    assert not dupes, f"records applied twice: {dupes}"
    fully_sent = set(expected) - unsent
    # every case the devices know as accepted by the county is there, once
    missing = fully_sent - set(cases)
    assert not missing, f"county lacks cases the devices saw acknowledged: {sorted(missing)[:5]}"
    extra = set(cases) - set(expected) - unsent
    assert not extra, f"county holds cases no device sent: {sorted(extra)[:5]}"
    for key, recs in expected.items():
        case = cases.get(key)
        assert case is not None, key
        got = changes[case.id]
        # every change the device saw acknowledged is there, in the device's order, once
        assert [r for r in got if r in recs] == sorted(recs), key
        assert [seq for seq, _ in got] == list(range(1, len(got) + 1)), key
        assert case.change_count == len(got), key
        if key in fully_sent:
            assert len(got) == len(recs), key
    return {"cases": len(cases), "changes": sum(len(v) for v in changes.values())}
