"""How long printing takes: one A4 receipt and one 80 mm notice, median of 20 renders each.

    python bench/bench_forms.py [--runs 20]

Prints the cold cost first (the first render in a fresh process: font registration with
reportlab and the first use of each font), then the warm medians. Target: under ~100 ms each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MS = 100.0


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from clerk_app.forms import fonts, render_pdf
    from clerk_app.forms.samples import sample_document
    imported = time.perf_counter()
    fonts.ensure_registered()
    registered = time.perf_counter()

    cases = [
        ("A4 receipt", sample_document("receipt"), "a4"),
        ("80 mm notice", sample_document("notice"), "r80"),
    ]
    first = {}
    for label, data, paper in cases:
        t0 = time.perf_counter()
        render_pdf(data, paper)
        first[label] = time.perf_counter() - t0

    print(f"import clerk_app.forms: {_ms(imported - started):.0f} ms")
    print(f"cold: register primary font {_ms(registered - imported):.0f} ms; "
          + "; ".join(f"first {label} {_ms(t):.0f} ms" for label, t in first.items()))

    worst = 0.0
    for label, data, paper in cases:
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            pdf = render_pdf(data, paper)
            times.append(time.perf_counter() - t0)
        median = _ms(statistics.median(times))
        worst = max(worst, median)
        print(f"{label}: median {median:.1f} ms over {args.runs} runs "
              f"(min {_ms(min(times)):.1f}, max {_ms(max(times)):.1f}; {len(pdf) / 1024:.0f} KiB)")
    verdict = "within" if worst <= TARGET_MS else "OVER"
    print(f"target {TARGET_MS:.0f} ms: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
