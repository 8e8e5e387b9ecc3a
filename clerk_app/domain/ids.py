"""Identity documents, organization codes, phone numbers and personal names.

Everything here is plain Python and works on code points (``str``), never on UTF-16 units, so
a rare character beyond the basic plane such as 𠮷 (U+20BB7) counts as one character.

Facts used:

* 公民身份号码 (GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit sequence (odd =
  male), check character by ISO 7064 MOD 11-2 (10 is written ``X``).
* 港澳台居民居住证: same structure, address code 810000 (Hong Kong), 820000 (Macao), 830000
  (Taiwan).
* 外国人永久居留身份证: the version issued since 2023-12-01 has 18 characters, first digit 9,
  birth date and sequence in the same places and the same MOD 11-2 check; the older cards carry
  15 characters: 3 Latin letters (nationality) + 12 digits.
* 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character set (no I, O, S, V, Z),
  weights 3^i mod 31, check character ``31 - sum mod 31``.
* 姓名间隔号: the 2016 notice of the State Ethnic Affairs Commission and 11 other departments
  (民委发〔2016〕33号) fixes the separator in names as U+00B7 (GB 18030 A1A4) and asks systems to
  hold at least 50 characters and all of GB 18030.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "IdType",
    "ID_TYPE_CHOICES",
    "IdCheck",
    "normalize_id",
    "iso7064_mod11_2",
    "check_id",
    "check_uscc",
    "check_phone",
    "check_name",
    "mask_id",
    "mask_phone",
    "NAME_MAX_LEN",
    "MIDDLE_DOT",
]


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"
    HOUSEHOLD = "household"
    PASSPORT = "passport"
    HMT_RESIDENCE = "hmt_residence"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TW_PERMIT = "tw_permit"
    FOREIGN_PR = "foreign_pr"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS: dict[IdType, str] = {
    IdType.RESIDENT_ID: "居民身份证",
    IdType.HOUSEHOLD: "户口簿",
    IdType.PASSPORT: "护照",
    IdType.HMT_RESIDENCE: "港澳台居民居住证",
    IdType.HK_MACAO_PERMIT: "港澳居民来往内地通行证",
    IdType.TW_PERMIT: "台湾居民来往大陆通行证",
    IdType.FOREIGN_PR: "外国人永久居留身份证",
    IdType.OTHER: "其他证件",
}

#: (value, label) pairs in the order a combo box shows them: most frequent first.
ID_TYPE_CHOICES: tuple[tuple[IdType, str], ...] = tuple(
    (t, t.label)
    for t in (
        IdType.RESIDENT_ID,
        IdType.HOUSEHOLD,
        IdType.HMT_RESIDENCE,
        IdType.HK_MACAO_PERMIT,
        IdType.TW_PERMIT,
        IdType.PASSPORT,
        IdType.FOREIGN_PR,
        IdType.OTHER,
    )
)


@dataclass(frozen=True, slots=True)
class IdCheck:
    """Result of a check.

    ``severity`` is ``""`` when ``ok``; ``"error"`` for something that must be fixed;
    ``"warning"`` for something to verify that may still be accepted (a USCC check character).
    """

    ok: bool
    normalized: str
    message: str = ""
    severity: str = ""
    sex: str | None = None
    birth_date: _dt.date | None = None


def _error(normalized: str, message: str) -> IdCheck:
    return IdCheck(False, normalized, message, "error")


# --------------------------------------------------------------------------- normalization

_DASHES = "-‐‑‒–—―−－﹣_"
_SPACES = " \t\r\n\u00a0\u2002\u2003\u2009\u200b\u3000"
_STRIP_TABLE = {ord(c): None for c in _DASHES + _SPACES}


def _to_halfwidth(text: str) -> str:
    """Full-width ASCII forms (U+FF01..FF5E) and the ideographic space to their ASCII twins."""
    out = []
    for ch in text:
        cp = ord(ch)
        if 0xFF01 <= cp <= 0xFF5E:
            out.append(chr(cp - 0xFEE0))
        elif cp == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def normalize_id(text: str | None) -> str:
    """Strip spaces and dashes, full-width to half-width, lower case to upper case."""
    if not text:
        return ""
    return _to_halfwidth(text).translate(_STRIP_TABLE).upper()


# --------------------------------------------------------------------------- check digits

_MOD11_CHARS = "0123456789X"


def iso7064_mod11_2(digits: str) -> str:
    """ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') for a string of decimal digits.

    For 17 digits this is the GB 11643 check of a resident ID number.
    """
    p = 0
    for ch in digits:
        if not ("0" <= ch <= "9"):
            raise ValueError(f"只能包含数字：{digits!r}")
        p = ((p + ord(ch) - 48) * 2) % 11
    return _MOD11_CHARS[(12 - p) % 11]


# Province-level codes of GB/T 2260 used in resident ID numbers (mainland only).
_PROVINCES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65".split()
)
_HMT_PREFIXES = {"810000": "香港", "820000": "澳门", "830000": "台湾"}
_MIN_BIRTH = _dt.date(1900, 1, 1)


def _describe_bad_char(number: str, allowed: str, what: str) -> str | None:
    for i, ch in enumerate(number, 1):
        if ch not in allowed:
            return f"第 {i} 位「{ch}」无效，{what}"
    return None


def _check_birth(ymd: str, today: _dt.date) -> tuple[_dt.date | None, str]:
    try:
        born = _dt.date(int(ymd[0:4]), int(ymd[4:6]), int(ymd[6:8]))
    except ValueError:
        return None, f"出生日期 {ymd[0:4]}-{ymd[4:6]}-{ymd[6:8]} 不存在，请核对第 7–14 位"
    if born < _MIN_BIRTH:
        return None, f"出生日期 {born.isoformat()} 早于 1900 年，请核对第 7–14 位"
    if born > today:
        return None, f"出生日期 {born.isoformat()} 晚于今天，请核对第 7–14 位"
    return born, ""


def _check_gb11643(number: str, kind: str, today: _dt.date) -> IdCheck:
    """Length, characters, birth date and check character of an 18-character GB 11643 number.

    The address part is checked by the caller.
    """
    if len(number) != 18:
        return _error(number, f"{kind}号码应为 18 位，现为 {len(number)} 位")
    bad = _describe_bad_char(number[:17], "0123456789", "前 17 位只能是数字")
    if bad:
        return _error(number, bad)
    if number[17] not in _MOD11_CHARS:
        return _error(number, f"第 18 位「{number[17]}」无效，最后一位只能是数字或 X")
    born, problem = _check_birth(number[6:14], today)
    if born is None:
        return _error(number, problem)
    expected = iso7064_mod11_2(number[:17])
    if number[17] != expected:
        return _error(number, f"校验位应为 {expected}，请核对号码")
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return IdCheck(True, number, sex=sex, birth_date=born)


def _check_resident(number: str, today: _dt.date, kind: str) -> IdCheck:
    if len(number) == 15 and number.isdigit():
        return _error(
            number, "15 位的第一代身份证号码已停止使用，请填写 18 位号码（见第二代身份证或户口簿）"
        )
    if len(number) == 18 and number[:6] in _HMT_PREFIXES:
        return _error(number, "这是港澳台居民居住证号码，请把证件类型改为“港澳台居民居住证”")
    if len(number) == 18 and number[0] == "9":
        return _error(number, "以 9 开头的是外国人永久居留身份证号码，请把证件类型改为“外国人永久居留身份证”")
    result = _check_gb11643(number, kind, today)
    if not result.ok:
        return result
    if number[:2] not in _PROVINCES:
        return _error(number, f"前两位 {number[:2]} 不是有效的省级行政区划代码，请核对号码")
    return result


def _check_hmt_residence(number: str, today: _dt.date) -> IdCheck:
    result = _check_gb11643(number, "港澳台居民居住证", today)
    if not result.ok:
        return result
    if number[:6] not in _HMT_PREFIXES:
        return _error(number, "港澳台居民居住证号码应以 810000（香港）、820000（澳门）或 830000（台湾）开头")
    return result


_HK_MACAO_RE = re.compile(r"[HM](?:\d{8}|\d{10})")
_TW_RE = re.compile(r"\d{8}")
_FOREIGN_OLD_RE = re.compile(r"[A-Z]{3}\d{12}")
_PASSPORT_RE = re.compile(r"[A-Z0-9]{5,17}")


def _check_foreign_pr(number: str, today: _dt.date) -> IdCheck:
    if len(number) == 15:
        if _FOREIGN_OLD_RE.fullmatch(number):
            return IdCheck(True, number)
        return _error(number, "旧版外国人永久居留身份证号码应为 3 位字母（国籍）+ 12 位数字")
    if len(number) == 18:
        if number[0] != "9":
            return _error(number, "新版外国人永久居留身份证号码应以 9 开头")
        return _check_gb11643(number, "外国人永久居留身份证", today)
    return _error(
        number,
        f"外国人永久居留身份证号码应为 18 位（以 9 开头）或旧版 15 位（3 位字母 + 12 位数字），现为 {len(number)} 位",
    )


def check_id(id_type: IdType | str, number: str | None, today: _dt.date | None = None) -> IdCheck:
    """Check a document number of the given type; the result carries the normalized number."""
    today = today or _dt.date.today()
    id_type = IdType(id_type)
    n = normalize_id(number)
    if not n:
        return _error(n, f"请填写{id_type.label}号码")

    if id_type in (IdType.RESIDENT_ID, IdType.HOUSEHOLD):
        # A household register lists each member's resident ID number.
        return _check_resident(n, today, "公民身份")
    if id_type is IdType.HMT_RESIDENCE:
        return _check_hmt_residence(n, today)
    if id_type is IdType.FOREIGN_PR:
        return _check_foreign_pr(n, today)
    if id_type is IdType.HK_MACAO_PERMIT:
        if _HK_MACAO_RE.fullmatch(n):
            return IdCheck(True, n)
        if n[0] not in "HM":
            return _error(n, "港澳居民来往内地通行证号码应以 H（香港）或 M（澳门）开头")
        return _error(n, f"港澳居民来往内地通行证号码应为 H 或 M 加 8 位或 10 位数字，现为 {len(n)} 位")
    if id_type is IdType.TW_PERMIT:
        if _TW_RE.fullmatch(n):
            return IdCheck(True, n)
        bad = _describe_bad_char(n, "0123456789", "台湾居民来往大陆通行证号码只能是数字")
        return _error(n, bad or f"台湾居民来往大陆通行证号码应为 8 位数字，现为 {len(n)} 位")
    if id_type is IdType.PASSPORT:
        if _PASSPORT_RE.fullmatch(n):
            return IdCheck(True, n)
        bad = _describe_bad_char(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "护照号码只能包含字母和数字")
        return _error(n, bad or f"护照号码应为 5–17 位字母或数字，现为 {len(n)} 位")
    # OTHER: anything printable of a sane length.
    if len(n) > 40:
        return _error(n, f"证件号码过长（{len(n)} 位），最多 40 位")
    for i, ch in enumerate(n, 1):
        if unicodedata.category(ch).startswith("C"):
            return _error(n, f"第 {i} 位含有不可见的控制字符，请重新输入")
    return IdCheck(True, n)


# --------------------------------------------------------------------------- USCC

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_CHARS)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def _uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS))
    return _USCC_CHARS[(31 - total % 31) % 31]


def check_uscc(code: str | None) -> IdCheck:
    """Check a 统一社会信用代码 (GB 32100-2015).

    Wrong length or characters: ``severity="error"``. A wrong check character only yields
    ``severity="warning"``: the caller may accept the code after the clerk has looked again.
    """
    n = normalize_id(code)
    if not n:
        return _error(n, "请填写统一社会信用代码")
    if len(n) != 18:
        return _error(n, f"统一社会信用代码应为 18 位，现为 {len(n)} 位")
    for i, ch in enumerate(n, 1):
        if ch not in _USCC_VALUE:
            if ch in "IOSVZ":
                hint = {"I": "1", "O": "0", "S": "5", "V": "U", "Z": "2"}[ch]
                return _error(
                    n, f"第 {i} 位「{ch}」无效：代码中不使用字母 I、O、S、V、Z，是否应为「{hint}」？"
                )
            return _error(n, f"第 {i} 位「{ch}」无效：只能是数字或大写字母（不含 I、O、S、V、Z）")
    expected = _uscc_check_char(n[:17])
    if n[17] != expected:
        return IdCheck(
            False, n, f"统一社会信用代码校验位不符（按规则应为 {expected}），请核对（仍可继续）", "warning"
        )
    return IdCheck(True, n)


# --------------------------------------------------------------------------- phone numbers

_MOBILE_RE = re.compile(r"(?:\+86|0086|86)?(1\d{10})")
# 3-digit area codes are 010 and 02X; every other area code has 4 digits.
_LANDLINE_RE = re.compile(
    r"\(?(0(?:10|2\d|[3-9]\d{2}))\)?-?([1-9]\d{6,7})(?:(?:-|转|分机|EXT\.?|X|#)(\d{1,6}))?"
)
_LOCAL_RE = re.compile(r"([2-9]\d{6,7})(?:(?:-|转|分机|EXT\.?|X|#)(\d{1,6}))?")


def check_phone(text: str | None) -> IdCheck:
    """A mobile number (normalized to 11 digits) or a landline (normalized to ``0717-1234567``,
    an extension as ``0717-1234567转801``); a 7–8 digit local number is kept as typed."""
    raw = _to_halfwidth(text or "").strip().upper()
    if not raw:
        return _error("", "请填写联系电话")
    compact = "".join(ch for ch in raw if ch not in _SPACES)
    digits_only = compact.translate(_STRIP_TABLE)

    m = _MOBILE_RE.fullmatch(digits_only)
    if m:
        mobile = m.group(1)
        if mobile[1] in "012":
            return _error(mobile, "手机号码第二位应为 3–9，请核对")
        return IdCheck(True, mobile)

    # Landline: unify dash look-alikes so the separator before an extension survives.
    dashed = "".join("-" if ch in _DASHES else ch for ch in compact)
    m = _LANDLINE_RE.fullmatch(dashed)
    if m:
        area, local, ext = m.groups()
        if area.startswith(("01", "02")) and len(local) != 8:
            return _error(digits_only, f"区号 {area} 的电话号码应为 8 位，现为 {len(local)} 位")
        normalized = f"{area}-{local}" + (f"转{ext}" if ext else "")
        return IdCheck(True, normalized)
    m = _LOCAL_RE.fullmatch(dashed)
    if m:
        local, ext = m.groups()
        return IdCheck(True, local + (f"转{ext}" if ext else ""))

    for i, ch in enumerate(digits_only, 1):
        if not ch.isdigit() and ch not in "+()转分机EXT.#":
            return _error(digits_only, f"第 {i} 位「{ch}」无效，电话号码只能包含数字")
    plain = "".join(ch for ch in digits_only if ch.isdigit())
    if plain.startswith("1") and not digits_only.startswith("+"):
        return _error(plain, f"手机号码应为 11 位，现为 {len(plain)} 位")
    if plain.startswith(("86", "0086")) and digits_only.startswith(("+", "0086")):
        return _error(plain, "国际区号 +86 后应为 11 位手机号码")
    if plain.startswith("0"):
        return _error(plain, "固定电话应为区号 + 7–8 位号码，例如 0717-1234567")
    return _error(plain, "请填写 11 位手机号码，或区号 + 7–8 位的固定电话（例如 0717-1234567）")


# --------------------------------------------------------------------------- masking


def mask_id(number: str | None) -> str:
    """Mask a document number for display or print, keeping its length.

    14 characters or more keep the first 6 and last 4 (``420528********1234``); shorter numbers
    keep the first 2 and last 2 (so an 8-digit permit is not shown in full); 4 or fewer keep only
    the first character.
    """
    n = number or ""
    size = len(n)
    if size == 0:
        return ""
    if size >= 14:
        head, tail = 6, 4
    elif size > 4:
        head, tail = 2, 2
    else:
        head, tail = 1, 0
    return n[:head] + "*" * (size - head - tail) + n[size - tail :]


def mask_phone(text: str | None) -> str:
    """Keep the first 3 and last 4 digits (``138****5678``); separators stay where they are.

    Numbers of fewer than 10 digits keep only the last 4 (half, if fewer than 7 digits)."""
    s = text or ""
    positions = [i for i, ch in enumerate(s) if ch.isdigit()]
    count = len(positions)
    if count == 0:
        return s
    head = 3 if count >= 10 else 0
    if s.startswith("0") and "-" in s:  # landline: keep the whole area code
        head = sum(ch.isdigit() for ch in s[: s.index("-")])
    tail = 4 if count >= 7 else count // 2
    hidden = set(positions[head : count - tail])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(s))


# --------------------------------------------------------------------------- names

NAME_MAX_LEN = 60
MIDDLE_DOT = "\u00b7"

# Characters typed in place of the name separator U+00B7. Each occurs in practice:
#   U+2022 •  bullet (Big5 and Word; many web forms)
#   U+30FB ・ katakana middle dot (the old Unicode mapping of GB 2312 A1A4; Japanese IMEs)
#   U+FF65 ･  halfwidth katakana middle dot
#   U+2027 ‧  hyphenation point (Big5 A145 in Microsoft's table; traditional-Chinese systems)
#   U+2219 ∙  bullet operator, U+22C5 ⋅ dot operator (symbol pickers)
#   U+0387 ·  Greek ano teleia (canonically equal to U+00B7)
#   U+318D ㆍ Hangul araea (Korean IMEs)
_DOT_LOOKALIKES = frozenset("\u2022\u30fb\uff65\u2027\u2219\u22c5\u0387\u318d")
# Full stops are a separator only between Chinese characters ("买买提．艾力"); in a Latin
# name "John F. Kennedy" the period is kept.
_FULL_STOPS = frozenset(".\uff0e\ufe52\u3002")

_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")

_CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # URO
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x2A6DF),  # Extension B
    (0x2A700, 0x2EE5F),  # Extensions C, D, E, F, I
    (0x2F800, 0x2FA1F),  # compatibility supplement
    (0x30000, 0x323AF),  # Extensions G, H
)


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    if cp == 0x3007:  # 〇
        return True
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def _is_latin_letter(ch: str) -> bool:
    cp = ord(ch)
    if not (cp < 0x250 or 0x1E00 <= cp <= 0x1EFF):
        return False
    return unicodedata.category(ch) in ("Lu", "Ll", "Lt")


def check_name(name: str | None) -> IdCheck:
    """Check a person's name; the normalized form has separators unified to U+00B7 and runs of
    white space collapsed to one space."""
    s = _to_halfwidth(name or "")
    # Invisible format characters come with copy and paste (zero-width space, BOM): drop them.
    s = "".join(ch for ch in s if ch not in _INVISIBLE)
    # Kangxi radicals (U+2F00..2FD5) look like ideographs; NFKC maps each to its ideograph.
    s = "".join(unicodedata.normalize("NFKC", ch) if 0x2F00 <= ord(ch) <= 0x2FDF else ch for ch in s)
    s = " ".join(s.split())
    # A space never belongs between two Chinese characters ("张 三" -> "张三").
    s = "".join(
        ch
        for i, ch in enumerate(s)
        if not (ch == " " and 0 < i < len(s) - 1 and _is_cjk(s[i - 1]) and _is_cjk(s[i + 1]))
    )
    if not s:
        return _error("", "请填写姓名")

    chars = list(s)
    for i, ch in enumerate(chars):
        if ch in _DOT_LOOKALIKES:
            chars[i] = MIDDLE_DOT
        elif ch in _FULL_STOPS:
            before = chars[i - 1] if i > 0 else ""
            after = chars[i + 1] if i + 1 < len(chars) else ""
            if (before and _is_cjk(before)) or (after and _is_cjk(after)):
                chars[i] = MIDDLE_DOT
            elif ch != ".":
                chars[i] = "."
    # No spaces around the separator: "买买提 · 艾力" -> "买买提·艾力".
    s = re.sub(r" ?\u00b7 ?", MIDDLE_DOT, "".join(chars))

    if len(s) > NAME_MAX_LEN:
        return _error(s, f"姓名过长（{len(s)} 个字），最多 {NAME_MAX_LEN} 个字")
    has_cjk = False
    for i, ch in enumerate(s, 1):
        if _is_cjk(ch):
            has_cjk = True
            continue
        if ch == MIDDLE_DOT or ch == " " or _is_latin_letter(ch) or ch in "'-.":
            continue
        if unicodedata.category(ch) == "Mn" and i > 1 and _is_latin_letter(s[i - 2]):
            continue  # combining accent after a Latin letter (e + ◌́)
        if ch.isdigit():
            return _error(s, f"第 {i} 个字「{ch}」是数字，姓名中不能有数字")
        cat = unicodedata.category(ch)
        if cat.startswith("C"):
            if cat == "Co":
                return _error(s, f"第 {i} 个字是自造字（私用区编码），无法打印和上报，请改用标准汉字")
            return _error(s, f"第 {i} 个字是不可见的控制字符，请删除后重新输入")
        if 0x2E80 <= ord(ch) <= 0x2EFF or 0x31C0 <= ord(ch) <= 0x31EF:
            return _error(s, f"第 {i} 个字「{ch}」是部首或笔画符号，不是汉字，请重新输入")
        return _error(s, f"第 {i} 个字「{ch}」不能用于姓名（只能使用汉字、间隔号“·”或外文字母）")
    if s[0] == MIDDLE_DOT or s[-1] == MIDDLE_DOT:
        return _error(s, "间隔号“·”不能在姓名开头或结尾")
    if MIDDLE_DOT * 2 in s:
        return _error(s, "姓名中有两个相连的间隔号“·”，请删去一个")
    if not has_cjk and not any(_is_latin_letter(ch) for ch in s):
        return _error(s, "姓名中至少要有一个汉字或字母")
    return IdCheck(True, s)
