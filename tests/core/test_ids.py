from __future__ import annotations

from datetime import date

import pytest

from clerk_app.domain.ids import (
    ID_TYPE_CHOICES,
    MIDDLE_DOT,
    IdType,
    check_id,
    check_name,
    check_phone,
    check_uscc,
    iso7064_mod11_2,
    mask_id,
    mask_phone,
    normalize_id,
)

TODAY = date(2026, 3, 15)

# The worked example of GB 11643-1999 (Beijing, Chaoyang; born 1949-12-31; female).
GB11643_EXAMPLE = "11010519491231002X"

# Weights of GB 11643 written out as in the standard, to check the general MOD 11-2 routine
# against an independent computation.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def with_check(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS))
    return first17 + _ID_CHECK[total % 11]


# ----------------------------------------------------------------------------- types


def test_every_type_has_a_chinese_label_and_a_choice():
    assert {t for t, _ in ID_TYPE_CHOICES} == set(IdType)
    assert ID_TYPE_CHOICES[0] == (IdType.RESIDENT_ID, "居民身份证")
    for t in IdType:
        assert t.label and all("\u4e00" <= ch <= "\u9fff" for ch in t.label)
    assert IdType("household").label == "户口簿"
    assert IdType.HMT_RESIDENCE.label == "港澳台居民居住证"


def test_normalize_id():
    assert normalize_id(" 110105-1949 1231 002x ") == GB11643_EXAMPLE
    assert normalize_id("１１０１０５１９４９１２３１００２ｘ") == GB11643_EXAMPLE
    assert normalize_id("h1234\u30005678") == "H12345678"
    assert normalize_id(None) == ""


def test_mod11_2_matches_the_standard_weights():
    for first17 in ("11010519491231002", "42052819900101123", "00000000000000000", "99999999999999999"):
        assert first17 + iso7064_mod11_2(first17) == with_check(first17)
    with pytest.raises(ValueError):
        iso7064_mod11_2("12a")


# ----------------------------------------------------------------------------- resident ID


def test_standard_example_is_valid_with_sex_and_birth_date():
    r = check_id(IdType.RESIDENT_ID, "11010519491231002x", TODAY)
    assert r.ok and r.message == "" and r.severity == ""
    assert r.normalized == GB11643_EXAMPLE
    assert r.sex == "女"
    assert r.birth_date == date(1949, 12, 31)


def test_male_and_household_register():
    number = with_check("42052819850607123")  # 17th digit 3: odd
    for t in (IdType.RESIDENT_ID, IdType.HOUSEHOLD, "household"):
        r = check_id(t, number, TODAY)
        assert r.ok, r.message
        assert r.sex == "男" and r.birth_date == date(1985, 6, 7)


def test_wrong_check_digit_names_the_expected_one():
    r = check_id(IdType.RESIDENT_ID, "110105194912310021", TODAY)
    assert not r.ok and r.severity == "error"
    assert r.message == "校验位应为 X，请核对号码"
    assert r.sex is None and r.birth_date is None


def test_single_digit_typo_is_detected():
    good = with_check("42052819900101123")
    for i in range(17):
        for d in "0123456789":
            if d == good[i]:
                continue
            typo = good[:i] + d + good[i + 1 :]
            assert not check_id(IdType.RESIDENT_ID, typo, TODAY).ok


@pytest.mark.parametrize(
    "number, fragment",
    [
        ("4205281990010112", "应为 18 位，现为 16 位"),
        ("4205281990010112345", "现为 19 位"),
        ("42052819900101A234", "第 15 位「A」无效"),
        ("420528199001011X34", "第 16 位「X」无效"),
        ("42052819900101123Y", "第 18 位「Y」无效"),
    ],
)
def test_length_and_character_errors(number, fragment):
    r = check_id(IdType.RESIDENT_ID, number, TODAY)
    assert not r.ok and fragment in r.message


def test_fifteen_digit_first_generation_number_is_rejected():
    r = check_id(IdType.RESIDENT_ID, "420528900101123", TODAY)
    assert not r.ok
    assert "15 位" in r.message and "停止使用" in r.message and "18 位" in r.message


@pytest.mark.parametrize(
    "first17, fragment",
    [
        ("42052819900231123", "1990-02-31 不存在"),
        ("42052818991231123", "早于 1900 年"),
        ("42052820260316123", "晚于今天"),
        ("42052819901301123", "不存在"),
    ],
)
def test_bad_birth_dates(first17, fragment):
    r = check_id(IdType.RESIDENT_ID, with_check(first17), TODAY)
    assert not r.ok and fragment in r.message


def test_born_today_is_fine():
    assert check_id(IdType.RESIDENT_ID, with_check("42052820260315123"), TODAY).ok


def test_province_prefix_must_be_real():
    r = check_id(IdType.RESIDENT_ID, with_check("10052819900101123"), TODAY)
    assert not r.ok and "前两位 10" in r.message
    r = check_id(IdType.RESIDENT_ID, with_check("71000019900101123"), TODAY)
    assert not r.ok and "71" in r.message
    for prov in ("11", "42", "65", "54"):
        assert check_id(IdType.RESIDENT_ID, with_check(prov + "010119900101123"), TODAY).ok


def test_other_document_numbers_typed_as_resident_id_get_a_hint():
    r = check_id(IdType.RESIDENT_ID, with_check("81000019900101123"), TODAY)
    assert not r.ok and "港澳台居民居住证" in r.message
    r = check_id(IdType.RESIDENT_ID, with_check("91560019900101123"), TODAY)
    assert not r.ok and "外国人永久居留身份证" in r.message


def test_empty_number():
    r = check_id(IdType.RESIDENT_ID, "  ", TODAY)
    assert not r.ok and r.message == "请填写居民身份证号码"


def test_default_today_is_the_real_today():
    assert check_id(IdType.RESIDENT_ID, GB11643_EXAMPLE).ok


# ----------------------------------------------------------------------------- other documents


def test_hmt_residence_permit():
    for prefix, sex_digit, sex in (("810000", "1", "男"), ("820000", "2", "女"), ("830000", "5", "男")):
        number = with_check(prefix + "19880808" + "00" + sex_digit)
        r = check_id(IdType.HMT_RESIDENCE, number, TODAY)
        assert r.ok, r.message
        assert r.sex == sex and r.birth_date == date(1988, 8, 8)
    r = check_id(IdType.HMT_RESIDENCE, with_check("42052819880808001"), TODAY)
    assert not r.ok and "810000" in r.message
    bad = with_check("81000019880808001")
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    assert "校验位应为" in check_id(IdType.HMT_RESIDENCE, bad, TODAY).message


def test_hk_macao_permit():
    for n in ("H12345678", "m1234567801", "H 1234 5678"):
        assert check_id(IdType.HK_MACAO_PERMIT, n, TODAY).ok, n
    assert check_id(IdType.HK_MACAO_PERMIT, "h12345678", TODAY).normalized == "H12345678"
    assert "H（香港）或 M（澳门）" in check_id(IdType.HK_MACAO_PERMIT, "C12345678", TODAY).message
    assert "现为 8 位" in check_id(IdType.HK_MACAO_PERMIT, "H1234567", TODAY).message
    assert not check_id(IdType.HK_MACAO_PERMIT, "H123456789", TODAY).ok


def test_taiwan_permit():
    assert check_id(IdType.TW_PERMIT, "12345678", TODAY).ok
    assert "现为 7 位" in check_id(IdType.TW_PERMIT, "1234567", TODAY).message
    assert "「A」" in check_id(IdType.TW_PERMIT, "1234567A", TODAY).message


def test_foreign_permanent_residence_new_and_old():
    new = with_check("91584019750505002")
    r = check_id(IdType.FOREIGN_PR, new, TODAY)
    assert r.ok and r.sex == "女" and r.birth_date == date(1975, 5, 5)
    wrong = new[:-1] + ("1" if new[-1] != "1" else "2")
    assert "校验位应为" in check_id(IdType.FOREIGN_PR, wrong, TODAY).message
    r = check_id(IdType.FOREIGN_PR, "usa110075050501", TODAY)
    assert r.ok and r.normalized == "USA110075050501" and r.sex is None and r.birth_date is None
    assert "以 9 开头" in check_id(IdType.FOREIGN_PR, GB11643_EXAMPLE, TODAY).message
    assert "3 位字母" in check_id(IdType.FOREIGN_PR, "US1110075050501", TODAY).message
    assert "现为 10 位" in check_id(IdType.FOREIGN_PR, "USA1100750", TODAY).message


def test_passport_and_other():
    for n in ("E12345678", "EA1234567", "G12345678", "123456789"):
        assert check_id(IdType.PASSPORT, n, TODAY).ok
    assert "「#」" in check_id(IdType.PASSPORT, "E1234#678", TODAY).message
    assert "5–17" in check_id(IdType.PASSPORT, "E12", TODAY).message
    assert check_id(IdType.OTHER, "军字第 12345 号", TODAY).ok
    assert not check_id(IdType.OTHER, "A" * 41, TODAY).ok
    assert not check_id(IdType.OTHER, "12\x0734", TODAY).ok


# ----------------------------------------------------------------------------- USCC

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_with_check(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return first17 + _USCC_CHARS[(31 - total % 31) % 31]


def test_uscc_valid():
    # A code printed in public examples of GB 32100.
    assert check_uscc("91350100M000100Y43").ok
    for body in ("11420528000000001", "91420528MA4A12345", "52420528MJH123456", "12420528PQ00000AB"):
        code = uscc_with_check(body)
        r = check_uscc(code.lower())
        assert r.ok and r.normalized == code and r.severity == "" and r.message == ""


def test_uscc_wrong_check_character_is_only_a_warning():
    code = uscc_with_check("91420528MA4A12345")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    r = check_uscc(wrong)
    assert not r.ok and r.severity == "warning"
    assert "校验位不符" in r.message and "仍可继续" in r.message
    assert f"应为 {code[-1]}" in r.message


def test_uscc_length_and_charset_are_errors():
    r = check_uscc("91420528MA4A1234")
    assert r.severity == "error" and "应为 18 位，现为 16 位" in r.message
    r = check_uscc("91420528MO4A123450")
    assert r.severity == "error" and "第 10 位「O」" in r.message and "「0」" in r.message
    r = check_uscc("91420528M@4A123450")
    assert r.severity == "error" and "第 10 位「@」" in r.message
    assert check_uscc("").severity == "error"


# ----------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "text, normalized",
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("19912345678", "19912345678"),
        ("0717-1234567", "0717-1234567"),
        ("0717 5321234", "0717-5321234"),
        ("07175321234", "0717-5321234"),
        ("（0717）5321234", "0717-5321234"),
        ("027-87654321", "027-87654321"),
        ("01087654321", "010-87654321"),
        ("0717-5321234转801", "0717-5321234转801"),
        ("0717-5321234-801", "0717-5321234转801"),
        ("5321234", "5321234"),
        ("87654321", "87654321"),
    ],
)
def test_phone_accepted(text, normalized):
    r = check_phone(text)
    assert r.ok, r.message
    assert r.normalized == normalized


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "请填写"),
        ("1381234567", "手机号码应为 11 位，现为 10 位"),
        ("138123456789", "现为 12 位"),
        ("12812345678", "第二位应为 3–9"),
        ("027-7654321", "应为 8 位"),
        ("0717-12345", "区号"),
        ("138a2345678", "「A」"),
        ("12345", "11 位"),
    ],
)
def test_phone_rejected(text, fragment):
    r = check_phone(text)
    assert not r.ok and r.severity == "error"
    assert fragment in r.message, r.message


# ----------------------------------------------------------------------------- masking


def test_mask_id():
    assert mask_id(GB11643_EXAMPLE) == "110105********002X"
    assert mask_id("USA110075050501") == "USA110*****0501"
    assert mask_id("H12345678") == "H1*****78"
    assert mask_id("12345678") == "12****78"
    assert mask_id("1234567") == "12***67"
    assert mask_id("1234") == "1***"
    assert mask_id("") == ""
    for n in (GB11643_EXAMPLE, "H1234567801", "12345"):
        assert len(mask_id(n)) == len(n)


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0717-5321234") == "0717-***1234"
    assert mask_phone("5321234") == "***1234"
    assert mask_phone("") == ""


# ----------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "text, normalized",
    [
        ("张三", "张三"),
        ("  王  小明 ", "王小明"),
        ("欧阳娜娜", "欧阳娜娜"),
        ("买买提·艾力", "买买提·艾力"),
        ("买买提•艾力", "买买提·艾力"),  # U+2022 bullet
        ("买买提・艾力", "买买提·艾力"),  # U+30FB katakana middle dot
        ("买买提･艾力", "买买提·艾力"),  # U+FF65
        ("买买提‧艾力", "买买提·艾力"),  # U+2027 hyphenation point
        ("买买提⋅艾力", "买买提·艾力"),  # U+22C5
        ("买买提．艾力", "买买提·艾力"),  # full-width full stop between Chinese
        ("买买提.艾力", "买买提·艾力"),
        ("买买提 · 艾力", "买买提·艾力"),
        ("阿卜来提·如则·托合提", "阿卜来提·如则·托合提"),
        ("John F. Kennedy", "John F. Kennedy"),
        ("Jean-Pierre  O'Neil", "Jean-Pierre O'Neil"),
        ("José Müller", "José Müller"),
        ("ＡＮＮＡ", "ANNA"),
        ("\u200b李四\ufeff", "李四"),
        ("\u2f08民", "人民"),  # Kangxi radical 人 (U+2F08) looks like 人 (U+4EBA)
        ("𠮷田", "𠮷田"),
        ("〇一", "〇一"),
    ],
)
def test_name_accepted(text, normalized):
    r = check_name(text)
    assert r.ok, r.message
    assert r.normalized == normalized


def test_name_beyond_the_basic_plane_counts_code_points():
    for ch in ("\U00020bb7", "\U0002a700", "\U0002b740", "\U0002b820", "\U0002ceb0", "\U00030000", "\U00031350"):
        r = check_name("王" + ch)
        assert r.ok, (hex(ord(ch)), r.message)
        assert len(r.normalized) == 2
    # 60 characters beyond the BMP are 60 characters (120 UTF-16 units): still fine.
    assert check_name("\U00020bb7" * 60).ok
    r = check_name("\U00020bb7" * 61)
    assert not r.ok and "61 个字" in r.message


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "请填写姓名"),
        ("   ", "请填写姓名"),
        ("张3", "第 2 个字「3」是数字"),
        ("李\x07四", "控制字符"),
        ("王\ue000", "自造字"),
        ("张三!", "「!」不能用于姓名"),
        ("😀", "不能用于姓名"),
        ("·张三", "开头或结尾"),
        ("张三·", "开头或结尾"),
        ("买买提··艾力", "两个相连"),
        ("王\u2e8c", "部首"),
        ("'-", "至少要有一个汉字或字母"),
    ],
)
def test_name_rejected(text, fragment):
    r = check_name(text)
    assert not r.ok and r.severity == "error"
    assert fragment in r.message, r.message


def test_middle_dot_constant():
    assert MIDDLE_DOT == "\u00b7"
