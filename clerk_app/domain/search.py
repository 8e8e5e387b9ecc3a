"""Search the service-item catalog as the clerk types.

A query matches an item's name in Chinese, the initials of its pinyin (``dbsq`` for 低保申请),
its full pinyin (``dibao``, ``di bao shen``), or its 实施编码. Results are ranked, best first:

    0  the name itself                       低保申请
    1  start of the name                     低保
    2  inside the name                       申请
    3  start of the pinyin initials          dbsq
    4  start of the full pinyin              dibaoshen (the last syllable may be partial)
    5  inside the initials                   sq
    6  inside the full pinyin, from the start of a syllable      baoshen
    7  the characters in order, with gaps    低保申请 -> 最低生活保障申请
    8  the initials in order, with gaps      dbsq -> 最低生活保障申请 (z d s h b z s q)
    9  inside the implementation code (its digits and letters; dashes ignored)

Within a rank: the earlier match first, then the shorter name, then catalog order. Case and
spaces in the query do not matter; full-width letters and digits count as ASCII.

Polyphonic characters (重 长 行 乐 藏 差 会 …): the first reading is pypinyin's, chosen from the
phrase around the character; the most common other reading from ``heteronym=True`` is indexed
too, as a variant of the name in which that one character reads differently (长江 -> chang jiang
and zhang jiang), at most ``MAX_VARIANTS`` readings of a name in all, so the index stays small.

Speed: everything a query is compared with is made at build time and joined into one string per
kind (names, initials, full pinyin with syllable starts in upper case, codes). A query is a few
``str.find`` and regular-expression scans over those strings, in C, each jumping to the next item
after a hit, so Python code runs only per matching item; and the stages run best rank first and
stop as soon as ``limit`` items are found.
"""

from __future__ import annotations

import heapq
import re
import time
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

__all__ = ["CatalogIndex", "MAX_VARIANTS", "normalize_query"]

#: Readings per name: the contextual one plus variants with one polyphone read differently.
MAX_VARIANTS = 8
_ALTS_PER_CHAR = 1

# Joined-string layout: "\n" before every item, "\x00" before every reading (variant) of an
# item. Neither survives query normalization. In full pinyin the first letter of every syllable
# is upper case, so a scan for a query that must begin at a syllable looks for one upper-case
# letter (rare) instead of checking boundaries in Python.
_ITEM = "\n"
_VAR = "\x00"

TIER_EXACT = 0
TIER_NAME_PREFIX = 1
TIER_NAME_SUBSTR = 2
TIER_INITIALS_PREFIX = 3
TIER_PINYIN_PREFIX = 4
TIER_INITIALS_SUBSTR = 5
TIER_PINYIN_SUBSTR = 6
TIER_NAME_SUBSEQ = 7
TIER_INITIALS_SUBSEQ = 8
TIER_CODE = 9


def _is_han(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x323AF
    )


def normalize_query(text: str | None) -> str:
    """NFKC (full width to half width), case-folded, without white space or control characters."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in "".join(folded.split()) if ch.isprintable())


_NON_ALNUM = re.compile("[^0-9A-Za-z]+")


def _ascii_alnum(text: str) -> str:
    return _NON_ALNUM.sub("", text)


@lru_cache(maxsize=8192)
def _readings(ch: str) -> tuple[str, ...]:
    """Every reading pypinyin knows for one character, most common first."""
    found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    out: list[str] = []
    for r in found[0] if found else ():
        r = _ascii_alnum(r.casefold())
        if r and r not in out:
            out.append(r)
    return tuple(out)


def _each_char(s: str) -> list[str]:
    return list(s)


_HAN_RUNS = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]+"
    "|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]"
)


@lru_cache(maxsize=50000)
def _run_pinyin(run: str) -> tuple[str, ...]:
    """Contextual readings of a run of Chinese characters, one per character.

    pypinyin chooses a reading from the words around a character but never across a
    non-Chinese character, so runs can be converted (and cached) one at a time: catalog names
    repeat runs such as a place name before （变更）."""
    out = lazy_pinyin(run, style=Style.NORMAL, errors=_each_char)
    if len(out) != len(run):  # pypinyin grouped something: one character at a time
        out = [lazy_pinyin(ch, style=Style.NORMAL, errors=_each_char)[0] for ch in run]
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Keys:
    key: str  # the normalized name
    initials: tuple[str, ...]  # one per reading (variant), the contextual reading first
    pinyin: tuple[str, ...]  # full pinyin per variant, syllables capitalized: "DiBaoShenQing"


@lru_cache(maxsize=20000)
def _analyze(name: str) -> _Keys:
    """The strings one name is searched by (cached, so rebuilding an index is cheap)."""
    text = unicodedata.normalize("NFKC", name)
    readings: list[str] = []
    for run in _HAN_RUNS.findall(text):
        readings.extend(_run_pinyin(run) if _is_han(run[0]) else run)

    # Per character: its initial and its syllable (capitalized so the index can tell where a
    # syllable starts, see _pinyin_pattern). Letters and digits stand for themselves;
    # punctuation, spaces and rare characters without a reading drop out.
    initial: list[str] = []
    syllable: list[str] = []
    alternatives: list[tuple[int, str]] = []  # (position, another reading)
    for i, (ch, reading) in enumerate(zip(text, readings)):
        if reading != ch and _is_han(ch):
            token = _NON_ALNUM.sub("", reading.casefold())
            if len(alternatives) < MAX_VARIANTS - 1:
                others = [r for r in _readings(ch) if r != token][:_ALTS_PER_CHAR]
                alternatives.extend((i, r) for r in others)
            initial.append(token[:1])
        else:
            token = _NON_ALNUM.sub("", ch.casefold())
            initial.append(token)
        syllable.append(token.capitalize())

    initials = ["".join(initial)]
    pinyin_ = ["".join(syllable)]
    for i, reading in alternatives[: MAX_VARIANTS - 1]:
        ini = "".join(initial[:i]) + reading[:1] + "".join(initial[i + 1 :])
        full = "".join(syllable[:i]) + reading.capitalize() + "".join(syllable[i + 1 :])
        if ini not in initials:
            initials.append(ini)
        if full not in pinyin_:
            pinyin_.append(full)
    return _Keys(normalize_query(text), tuple(initials), tuple(pinyin_))


class _Joined:
    """One string holding a field of every item, and where each item starts."""

    def __init__(self, parts: list[str]) -> None:
        starts: list[int] = []
        pos = 0
        for p in parts:
            starts.append(pos)
            pos += len(p)
        self.text = "".join(parts)
        self.starts = starts

    def find_each(self, needle: str) -> list[tuple[int, int]]:
        """(item index, offset inside the item) of the first occurrence of ``needle`` in each
        item that has one."""
        text, starts = self.text, self.starts
        last = len(starts) - 1
        find = text.find
        out: list[tuple[int, int]] = []
        pos = find(needle)
        while pos >= 0:
            i = bisect_right(starts, pos) - 1
            out.append((i, pos - starts[i]))
            if i == last:
                break
            pos = find(needle, starts[i + 1])
        return out

    def search_each(self, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        """Like ``find_each`` for a regular expression."""
        text, starts = self.text, self.starts
        last = len(starts) - 1
        search = pattern.search
        out: list[tuple[int, int]] = []
        m = search(text)
        while m is not None:
            pos = m.start()
            i = bisect_right(starts, pos) - 1
            out.append((i, pos - starts[i]))
            if i == last:
                break
            m = search(text, starts[i + 1])
        return out


def _pinyin_pattern(letters: str, at_start: bool) -> re.Pattern[str]:
    """``dibao`` -> ``Di?B?a?o`` in effect: the first letter starts a syllable, the others may
    or may not."""
    head = re.escape(letters[0].upper())
    rest = "".join(f"[{re.escape(c)}{re.escape(c.upper())}]" if c.isalpha() else re.escape(c) for c in letters[1:])
    return re.compile((re.escape(_VAR) if at_start else "") + head + rest)


def _subsequence_pattern(chars: str, stops: str) -> re.Pattern[str]:
    """``abc`` -> ``a[^b…]*+b[^c…]*+c``: the characters in order, with gaps that do not cross
    ``stops``. The possessive ``*+`` takes the first next character and never backtracks, which
    is enough for a subsequence and keeps the scan linear."""
    parts = [re.escape(chars[0])]
    for ch in chars[1:]:
        parts.append(f"[^{re.escape(ch + stops)}]*+{re.escape(ch)}")
    return re.compile("".join(parts))


class CatalogIndex:
    """Built once from ``(item_id, name, code)``; ``search`` ranks item ids for a query.

    ``build_seconds`` says how long the build took.
    """

    def __init__(self, items: Iterable[tuple[int, str, str]]) -> None:
        started = time.perf_counter()
        ids: list[int] = []
        keys: list[_Keys] = []
        codes: list[str] = []
        for item_id, name, code in items:
            ids.append(item_id)
            keys.append(_analyze(name or ""))
            codes.append(_ascii_alnum(unicodedata.normalize("NFKC", code or "").casefold()))
        self._ids = ids
        self._position = {item_id: i for i, item_id in reversed(list(enumerate(ids)))}
        self._lengths = [len(k.key) for k in keys]
        self._names = _Joined([_ITEM + k.key for k in keys])
        self._initials = _Joined([_ITEM + "".join(_VAR + i for i in k.initials) for k in keys])
        self._pinyin = _Joined(
            [_ITEM + "".join(_VAR + p for p in k.pinyin) for k in keys]
        )
        self._codes = _Joined([_ITEM + c for c in codes])
        self.build_seconds = time.perf_counter() - started

    def __len__(self) -> int:
        return len(self._ids)

    def search(self, query: str, limit: int = 50) -> list[int]:
        """Item ids matching ``query``, best first, at most ``limit``. An empty query gives the
        first ``limit`` items in catalog order."""
        if limit <= 0:
            return []
        q = normalize_query(query)
        if not q:
            return self._ids[:limit]
        best = self._rank(q, limit)
        lengths = self._lengths
        ranked = [(tier, pos, lengths[i], i) for i, (tier, pos) in best.items()]
        top = heapq.nsmallest(limit, ranked) if len(ranked) > 4 * limit else sorted(ranked)[:limit]
        ids = self._ids
        return [ids[r[3]] for r in top]

    def tier(self, item_id: int, query: str) -> int | None:
        """Which ``TIER_*`` rank ``query`` reaches for ``item_id`` (0 best); None if it does
        not match. For tests and troubleshooting."""
        q = normalize_query(query)
        index = self._position.get(item_id)
        if not q or index is None:
            return None
        hit = self._rank(q, len(self._ids) + 1).get(index)
        return hit[0] if hit else None

    # ------------------------------------------------------------------ ranking

    def _stages(self, q: str) -> Iterator[tuple[int | None, list[tuple[int, int]]]]:
        """(tier, hits) per stage, in rank order, computed only when the caller asks for the
        next stage. Tier None: the name stage, where the hit's offset decides exact / prefix /
        inside."""
        names, ini, py = self._names, self._initials, self._pinyin
        yield None, names.find_each(q)
        letters = q.replace("'", "") if q.isascii() else ""  # xi'an -> xian
        if not letters.isalnum() or letters.isdigit():
            # Digits alone are code (or name) digits: digits in a name stand for themselves in
            # its pinyin too, so the name stages have found them already.
            letters = ""
        if letters:
            yield TIER_INITIALS_PREFIX, ini.find_each(_VAR + letters)
            # With one letter the full-pinyin stages are the initials stages again.
            if len(letters) > 1:
                yield TIER_PINYIN_PREFIX, py.search_each(_pinyin_pattern(letters, at_start=True))
            yield TIER_INITIALS_SUBSTR, ini.find_each(letters)
            if len(letters) > 1:
                yield TIER_PINYIN_SUBSTR, py.search_each(_pinyin_pattern(letters, at_start=False))
        if len(q) >= 2 and not q.isascii():
            yield TIER_NAME_SUBSEQ, names.search_each(_subsequence_pattern(q, _ITEM))
        if len(letters) >= 2:
            yield TIER_INITIALS_SUBSEQ, ini.search_each(_subsequence_pattern(letters, _VAR + _ITEM))
        code_q = _ascii_alnum(q) if q.isascii() else ""
        if code_q:
            yield TIER_CODE, self._codes.find_each(code_q)

    def _rank(self, q: str, limit: int) -> dict[int, tuple[int, int]]:
        """Best (tier, position) per matching item index. Stages run best tier first and stop
        once ``limit`` items are found: a later stage cannot reach the top ``limit`` then."""
        best: dict[int, tuple[int, int]] = {}
        lengths = self._lengths
        qlen = len(q)
        for tier, hits in self._stages(q):
            if tier is None:  # the name
                for i, off in hits:  # the first occurrence; offset 1 is the start of the name
                    if off == 1:
                        best[i] = (TIER_EXACT if lengths[i] == qlen else TIER_NAME_PREFIX, 0)
                    else:
                        best[i] = (TIER_NAME_SUBSTR, off - 1)
            elif tier in (TIER_INITIALS_SUBSTR, TIER_INITIALS_SUBSEQ, TIER_PINYIN_SUBSTR):
                text = (self._pinyin if tier == TIER_PINYIN_SUBSTR else self._initials).text
                base = self._pinyin.starts if tier == TIER_PINYIN_SUBSTR else self._initials.starts
                for i, off in hits:
                    if i in best:
                        continue
                    pos = base[i] + off
                    variant_start = text.rfind(_VAR, 0, pos)
                    best[i] = (tier, pos - variant_start - 1)
            else:
                for i, off in hits:
                    if i not in best:
                        best[i] = (tier, 0 if tier != TIER_NAME_SUBSEQ and tier != TIER_CODE else off - 1)
            if len(best) >= limit:
                break
        return best
