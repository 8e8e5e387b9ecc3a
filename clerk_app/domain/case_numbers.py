"""Case numbers (办件编号) and document numbers (文书编号).

A case number is made on the device, without asking a server, and is unique in the county:

    TTTVVV-DD-YYMMDD-NNNN-C      e.g. 101001-01-260315-0012-7

* ``TTTVVV``: the last 6 digits of the service point's 12-digit division code (township 3 +
  village 3; ``000`` for the township hall). The county (first 6 digits) is implied.
* ``DD``: the device number at that service point (01–99), given once at set-up.
* ``YYMMDD``: the day of intake; ``NNNN``: the device's sequence of that day (0001–9999).
* ``C``: ISO 7064 MOD 11-2 check character over the 18 digits (``X`` for 10). It catches every
  single wrong digit and every swap of two neighbouring digits, the usual slips when a number
  is read over the phone.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from clerk_app.domain.ids import iso7064_mod11_2, normalize_id

__all__ = [
    "ParsedCaseNo",
    "make_case_no",
    "parse_case_no",
    "normalize_case_no",
    "case_no_error",
    "make_doc_no",
    "CASE_NO_EXAMPLE",
]

_BODY_DIGITS = 18  # 6 + 2 + 6 + 4
_LENGTH = _BODY_DIGITS + 1


@dataclass(frozen=True, slots=True)
class ParsedCaseNo:
    local_code: str  # TTTVVV
    device: int
    day: _dt.date
    seq: int
    check: str

    @property
    def township(self) -> str:
        return self.local_code[:3]

    @property
    def village(self) -> str:
        return self.local_code[3:]

    @property
    def canonical(self) -> str:
        return _format(self.local_code, self.device, self.day, self.seq, self.check)

    def division_code(self, county_code: str) -> str:
        """The service point's 12-digit division code, given the 6-digit county code."""
        return county_code[:6] + self.local_code

    def __str__(self) -> str:
        return self.canonical


def _body(local_code: str, device: int, day: _dt.date, seq: int) -> str:
    return f"{local_code}{device:02d}{day:%y%m%d}{seq:04d}"


def _format(local_code: str, device: int, day: _dt.date, seq: int, check: str) -> str:
    return f"{local_code}-{device:02d}-{day:%y%m%d}-{seq:04d}-{check}"


def make_case_no(division_code: str, device: int, day: _dt.date, seq: int) -> str:
    """Make the canonical case number; raises ``ValueError`` (Chinese message) on bad input.

    ``division_code`` is the service point's 12-digit code (a 9-digit township code is taken as
    the township hall, village part ``000``).
    """
    code = (division_code or "").strip()
    if code.isdigit() and len(code) == 9:
        code += "000"
    if not (code.isdigit() and len(code) == 12):
        raise ValueError(f"服务点区划代码应为 12 位数字，现为「{division_code}」")
    if not 1 <= device <= 99:
        raise ValueError(f"设备号应在 1–99 之间，现为 {device}")
    if not 1 <= seq <= 9999:
        raise ValueError(f"当日序号应在 1–9999 之间，现为 {seq}")
    if isinstance(day, _dt.datetime):
        day = day.date()
    if not 2000 <= day.year <= 2099:
        raise ValueError(f"日期 {day.isoformat()} 超出编号可表示的范围（2000–2099 年）")
    local = code[6:]
    body = _body(local, device, day, seq)
    return _format(local, device, day, seq, iso7064_mod11_2(body))


CASE_NO_EXAMPLE = make_case_no("420528101001", 1, _dt.date(2026, 3, 15), 12)


def _parse(text: str | None) -> tuple[ParsedCaseNo | None, str]:
    """(parsed number, "") or (None, Chinese message saying what to fix)."""
    n = normalize_id(text)  # drops spaces and dashes, full width -> half width, x -> X
    if not n:
        return None, "请输入办件编号"
    for i, ch in enumerate(n, 1):
        if ch.isdigit() and ch.isascii():
            continue
        if ch == "X" and i == len(n):
            continue
        if ch == "X":
            return None, "字母 X 只能出现在办件编号的最后一位（校验位）"
        return None, f"办件编号中不能有「{ch}」，只能是数字（最后一位可能是 X）"
    if len(n) != _LENGTH:
        return None, f"办件编号应为 {_LENGTH} 位（例如 {CASE_NO_EXAMPLE}），现为 {len(n)} 位"
    local, device, yymmdd, seq, check = n[0:6], int(n[6:8]), n[8:14], int(n[14:18]), n[18]
    if device == 0:
        return None, "办件编号的设备号（第 7–8 位）不能为 00，请核对"
    try:
        day = _dt.date(2000 + int(yymmdd[0:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        return None, f"办件编号的日期部分 {yymmdd} 不是有效日期，请核对第 9–14 位"
    if seq == 0:
        return None, "办件编号的序号（第 15–18 位）不能为 0000，请核对"
    expected = iso7064_mod11_2(n[:_BODY_DIGITS])
    if check != expected:
        return None, "办件编号校验位不符，可能有数字听错或输错，请逐位核对"
    return ParsedCaseNo(local, device, day, seq, check), ""


def parse_case_no(text: str | None) -> ParsedCaseNo | None:
    """Parse a case number as typed, read aloud or scanned: with or without dashes or spaces,
    lower-case ``x``, full-width digits. None when it is not a valid case number."""
    return _parse(text)[0]


def normalize_case_no(text: str | None) -> str | None:
    """The canonical dashed form, or None when ``text`` is not a valid case number."""
    parsed = parse_case_no(text)
    return parsed.canonical if parsed else None


def case_no_error(text: str | None) -> str:
    """What is wrong with ``text`` as a case number, in Chinese; empty when it is valid."""
    return _parse(text)[1]


def make_doc_no(prefix: str, year: int, seq: int, pad: int = 4) -> str:
    """A document number such as ``龙舟坪告〔2026〕0012号``.

    ``prefix`` is the issuer's short name plus the kind (龙舟坪告 / 龙舟坪受 / 龙舟坪不受); the
    year goes in hexagonal brackets 〔〕 (U+3014/U+3015) as GB/T 9704 prescribes. The sequence
    is padded to ``pad`` digits; ``pad=0`` writes it without leading zeros, which GB/T 9704
    requires for official documents (公文).
    """
    prefix = "".join((prefix or "").split())
    if not prefix:
        raise ValueError("文书编号缺少机关代字")
    if not 1000 <= year <= 9999:
        raise ValueError(f"文书编号的年份应为 4 位，现为 {year}")
    if seq < 1:
        raise ValueError(f"文书编号的序号应从 1 开始，现为 {seq}")
    return f"{prefix}〔{year}〕{seq:0{max(pad, 0)}d}号"
