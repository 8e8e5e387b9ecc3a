"""Benchmark of what the clerk waits for after pressing 受理: the case saved and its receipt PDF.

Services only, no Qt: ``intake.accept`` (one transaction: applicant, case, checklist, history,
receipt content, audit, outbox) followed by ``documents.render`` of the receipt (reportlab,
A4, with QR code and barcode). Runs on a fresh demo database in a temporary folder, a few
warm-up rounds first (font loading, first connections), then RUNS measured rounds with a
new applicant each time; prints the median and p90 in milliseconds of the whole and of
each part, and whether the median meets the target.

Target: median under 150 ms.

    /work/venv/bin/python bench/bench_intake.py [--runs 30] [--paper a4|r80]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from clerk_app.domain import ids  # noqa: E402
from clerk_app.domain.status import MaterialState  # noqa: E402
from clerk_app.services import auth, catalog, documents, intake, setup  # noqa: E402
from clerk_app.services.common import Context  # noqa: E402
from clerk_app.store.db import Database  # noqa: E402

TARGET_MS = 150.0
WARMUP = 3
ITEM_NAME = "最低生活保障申请"
NAMES = ("王秀英", "李桂兰", "阿依古丽·买买提", "𠮷祥", "覃明珠", "向大勇", "田小凤", "谭德才")


def applicant(n: int) -> intake.ApplicantInput:
    body = f"420528{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return intake.ApplicantInput(
        name=NAMES[n % len(NAMES)], id_number=body + ids.iso7064_mod11_2(body),
        phone=f"139{n:08d}", address=f"龙舟坪镇郑家榜村{n % 9 + 1}组{n % 50 + 1}号",
    )


def all_received(item) -> list:
    lines = intake.checklist_for(item)
    for ln in lines:
        if ln.required:
            ln.state = ln.expected_state()
            ln.copies_received = ln.copies_required
        else:
            ln.condition_applies = ln.name == "结婚证"
            if ln.condition_applies:
                ln.state = ln.expected_state()
                ln.copies_received = ln.copies_required
            else:
                ln.state = MaterialState.NOT_APPLICABLE
    return lines


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--paper", default="a4", choices=["a4", "r80"])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        os.environ["CLERK_APP_DATA_DIR"] = folder
        db = Database(Path(folder) / "clerk.sqlite3")
        clock_now = [dt.datetime(2026, 11, 2, 9, 0)]

        def clock() -> dt.datetime:
            return clock_now[0]

        ctx = Context(db, clock)
        setup.set_up_demo(ctx)
        actor = auth.login(ctx, "zhangli", setup.DEMO_PASSWORD)
        item = next(it for it in catalog.current_items(ctx) if it.name == ITEM_NAME)

        totals, saves, renders = [], [], []
        for n in range(WARMUP + args.runs):
            clock_now[0] += dt.timedelta(minutes=3)
            form = intake.IntakeForm(item_id=item.id, applicant=applicant(n),
                                     lines=all_received(item))
            t0 = time.perf_counter()
            outcome = intake.accept(ctx, actor, form)
            t1 = time.perf_counter()
            pdf, _copy = documents.render(ctx, outcome.document_id, args.paper)
            t2 = time.perf_counter()
            assert pdf.startswith(b"%PDF")
            if n >= WARMUP:
                saves.append((t1 - t0) * 1000)
                renders.append((t2 - t1) * 1000)
                totals.append((t2 - t0) * 1000)
        db.dispose()

    median = statistics.median(totals)
    print(f"intake save + receipt PDF ({args.paper}), {args.runs} runs after {WARMUP} warm-up")
    print(f"  intake.accept     median {statistics.median(saves):7.1f} ms   p90 {percentile(saves, 0.9):7.1f} ms")
    print(f"  documents.render  median {statistics.median(renders):7.1f} ms   p90 {percentile(renders, 0.9):7.1f} ms")
    print(f"  total             median {median:7.1f} ms   p90 {percentile(totals, 0.9):7.1f} ms"
          f"   worst {max(totals):7.1f} ms")
    ok = median < TARGET_MS
    print(f"target: median < {TARGET_MS:.0f} ms -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
