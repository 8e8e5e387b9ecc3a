"""Benchmark of the catalog search (clerk_app.domain.search) on a county-sized catalog.

Builds 5,000 distinct item names from the real township catalog
(clerk_app/resources/catalog/township-items.csv) combined with real place names of 长阳土家族自治县
(its townships and the villages of 龙舟坪镇) and common item suffixes, with implementation codes
of the same shape; then runs several hundred queries of each kind (pinyin initials, full pinyin,
Chinese substring, code) and prints the build time and the median, p95 and worst time per query.

Target: every query under 20 ms.

    /work/venv/bin/python bench/bench_search.py
"""

from __future__ import annotations

import csv
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypinyin import Style, lazy_pinyin  # noqa: E402

from clerk_app.domain import divisions  # noqa: E402
from clerk_app.domain.search import CatalogIndex, _analyze, _run_pinyin  # noqa: E402
from clerk_app.paths import resource  # noqa: E402

TARGET_MS = 20.0
N_ITEMS = 5000
SUFFIXES = ("", "（变更）", "（注销）", "（补办）", "（延续）", "（迁移）")


def real_items() -> list[tuple[str, str]]:
    with resource("catalog", "township-items.csv").open(encoding="utf-8-sig", newline="") as fh:
        return [(row["事项名称"], row["实施编码"]) for row in csv.DictReader(fh)]


def build_catalog(rng: random.Random) -> list[tuple[int, str, str]]:
    places = divisions.townships("420528") + divisions.villages("420528101")
    rows: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    combos = [
        (item, code, s_i, suffix, place)
        for item, code in real_items()
        for s_i, suffix in enumerate(SUFFIXES)
        for place in places
    ]
    rng.shuffle(combos)
    for item, code, s_i, suffix, place in combos:
        base = item + suffix
        name = f"{place.name}{base}" if len(rows) % 2 else f"{base}（{place.name}）"
        if name in seen:
            continue
        seen.add(name)
        parts = code.split("-")
        basic = f"{int(parts[0]) + s_i:010d}"
        item_code = "-".join([basic, place.code12, parts[2], parts[3], parts[4], parts[5]])
        rows.append((len(rows) + 1, name, item_code))
        if len(rows) == N_ITEMS:
            break
    if len(rows) < N_ITEMS:
        raise SystemExit(f"only {len(rows)} distinct names")
    return rows


def make_queries(rows: list[tuple[int, str, str]], rng: random.Random) -> dict[str, list[str]]:
    sample = rng.sample(rows, 120)
    initials, full, chinese, codes = [], [], [], []
    for _, name, code in sample:
        core = name.split("（")[0]
        ini = "".join(p[0] for p in lazy_pinyin(core, style=Style.NORMAL) if p)
        start = rng.randrange(0, max(1, len(ini) - 4))
        initials.append(ini[start : start + rng.randint(2, 5)])
        syllables = lazy_pinyin(core, style=Style.NORMAL)
        s = rng.randrange(0, max(1, len(syllables) - 3))
        text = "".join(syllables[s : s + rng.randint(2, 4)])
        full.append(text[: rng.randint(max(2, len(text) - 3), len(text))])  # partial last syllable
        c = rng.randrange(0, max(1, len(core) - 4))
        chinese.append(core[c : c + rng.randint(2, 4)])
        digits = code.replace("-", "")
        d = rng.randrange(0, len(digits) - 8)
        codes.append(digits[d : d + rng.randint(5, 10)])
    initials += ["dbsq", "ylbx", "cxjm", "zdsh", "sq", "s", "z", "cjr", "jhsy", "qqqq"]
    full += ["dibao", "dibaoshen", "yanglaobaoxian", "canjiren", "shenqing", "zhaijidi", "chongdu", "zhongdu", "xyz"]
    chinese += ["低保", "养老保险", "残疾人", "龙舟坪", "申请", "登记", "最低生活保障申请", "低保申请", "无此事项"]
    codes += ["0600013", "420528101", "11420528", "1e100", "0600001000420528101000"]
    return {"initials": initials, "full pinyin": full, "chinese": chinese, "code": codes}


def time_query(index: CatalogIndex, q: str, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        index.search(q)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    rng = random.Random(20261203)
    rows = build_catalog(rng)

    _analyze.cache_clear()
    _run_pinyin.cache_clear()
    started = time.perf_counter()
    index = CatalogIndex(rows)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    CatalogIndex(rows)
    warm = time.perf_counter() - started

    print(f"catalog: {len(index)} items, e.g. {rows[0][1]} / {rows[1][1]}")
    print(f"build: {cold * 1000:.0f} ms (first), {warm * 1000:.0f} ms (rebuild, names cached)")
    print(f"target: every query under {TARGET_MS:.0f} ms")
    print(f"{'kind':<12} {'queries':>7} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}  slowest")
    all_times: list[float] = []
    for kind, queries in make_queries(rows, rng).items():
        times = [time_query(index, q) for q in queries]
        all_times += times
        worst = max(range(len(times)), key=times.__getitem__)
        print(
            f"{kind:<12} {len(times):>7} {statistics.median(times):>10.2f} {percentile(times, 95):>8.2f}"
            f" {times[worst]:>8.2f}  {queries[worst]!r}"
        )
    median, p95, worst = statistics.median(all_times), percentile(all_times, 95), max(all_times)
    print(f"{'all':<12} {len(all_times):>7} {median:>10.2f} {p95:>8.2f} {worst:>8.2f}")
    ok = worst < TARGET_MS
    print(f"result: {'PASS' if ok else 'FAIL'} (slowest query {worst:.2f} ms vs target {TARGET_MS:.0f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
