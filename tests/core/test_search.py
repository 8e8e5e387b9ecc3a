from __future__ import annotations

import pytest

from clerk_app.domain import search as s
from clerk_app.domain.search import MAX_VARIANTS, CatalogIndex, normalize_query

ITEMS = [
    (1, "最低生活保障申请", "0600001000-420528101000-000-11420528000000001E-1-00"),
    (2, "低保申请", "0600099000-420528101000-000-11420528000000001E-1-00"),
    (3, "临时救助申请", "0600003000-420528101000-000-11420528000000001E-1-00"),
    (4, "重度残疾人护理补贴申请", "0600007000-420528101000-000-134205280000000106-1-00"),
    (5, "城乡居民基本养老保险参保登记", "2000009000-420528101000-000-11420528000000002H-1-00"),
    (6, "长江航道行政许可", "0100030000-420528000000-000-11420528MB1234567X-1-00"),
    (7, "音乐教室预约", "2000031000-420528101000-000-11420528000000001E-1-00"),
    (8, "西藏自治区援助项目申报", "2000032000-420528101000-000-11420528000000001E-1-00"),
    (9, "出差补助申领", "2000033000-420528101000-000-11420528000000001E-1-00"),
    (10, "会计资格证书领取", "2000034000-420528101000-000-11420528000000001E-1-00"),
    (11, "80周岁以上老年人高龄津贴申领", "0600004000-420528101000-000-11420528000000001E-1-00"),
    (12, "低保", "0600098000-420528101000-000-11420528000000001E-1-00"),
    (13, "商户登记", "2000035000-420528101000-000-11420528000000001E-1-00"),
    (14, "生育登记", "2000014000-420528101000-000-11420528000000004P-1-00"),
    (16, "农村商业银行开户", "2000037000-420528101000-000-11420528000000001E-1-00"),
    (15, "𠮷祥村便民服务", "2000036000-420528101001-000-11420528000000001E-1-00"),
]


@pytest.fixture(scope="module")
def idx() -> CatalogIndex:
    return CatalogIndex(ITEMS)


def test_empty_query_lists_items_in_catalog_order(idx):
    assert idx.search("") == [i for i, _, _ in ITEMS]
    assert idx.search("   ", limit=3) == [1, 2, 3]
    assert idx.search("dbsq", limit=0) == []
    assert len(idx) == len(ITEMS)
    assert idx.build_seconds >= 0


def test_no_match(idx):
    assert idx.search("无此事项") == []
    assert idx.search("qqqq") == []


def test_exact_then_prefix_then_substring(idx):
    assert idx.search("低保") == [12, 2, 1]
    assert idx.tier(12, "低保") == s.TIER_EXACT
    assert idx.tier(2, "低保") == s.TIER_NAME_PREFIX
    assert idx.tier(1, "低保") == s.TIER_NAME_SUBSEQ  # 最低生活保障: 低 … 保
    assert idx.tier(1, "生活保障") == s.TIER_NAME_SUBSTR


def test_within_a_rank_earlier_match_then_shorter_name(idx):
    result = idx.search("申请")
    # 低保申请 (at 2), 临时救助申请 (4), 最低生活保障申请 (6), 重度残疾人护理补贴申请 (9)
    assert result == [2, 3, 1, 4]


def test_pinyin_initials(idx):
    result = idx.search("dbsq")
    assert result[:2] == [2, 1]
    assert idx.tier(2, "dbsq") == s.TIER_INITIALS_PREFIX
    # z d s h b z s q: the letters d b s q in order, with gaps
    assert idx.tier(1, "dbsq") == s.TIER_INITIALS_SUBSEQ
    assert idx.tier(1, "zdsh") == s.TIER_INITIALS_PREFIX
    assert idx.tier(1, "bzsq") == s.TIER_INITIALS_SUBSTR
    assert idx.search("ylbx")[0] == 5  # 养老保险
    assert idx.tier(5, "ylbx") == s.TIER_INITIALS_SUBSTR


def test_contiguous_initials_rank_above_a_subsequence(idx):
    # "sq": contiguous in 低保申请 (d b s q) and others; 商户登记 (s h d j) has no q at all.
    result = idx.search("bsq")
    assert result[0] == 2  # d b s q: contiguous
    assert idx.tier(1, "bsq") == s.TIER_INITIALS_SUBSEQ  # z d s h b z s q: b . s q
    assert result.index(2) < result.index(1)


def test_initials_prefix_ranks_above_pinyin_prefix(idx):
    result = idx.search("sh")
    assert idx.tier(13, "sh") == s.TIER_INITIALS_PREFIX  # 商户: s h
    assert idx.tier(14, "sh") == s.TIER_PINYIN_PREFIX  # 生育: sheng yu
    assert result.index(13) < result.index(14)


def test_full_pinyin_with_or_without_spaces_and_partial_syllable(idx):
    for q in ("dibao", "di bao", "dibaoshenqing", "di bao shen qing", "dibaoshen", "dibaosh"):
        result = idx.search(q)
        assert 2 in result, q
        assert idx.tier(2, q) in (s.TIER_EXACT, s.TIER_PINYIN_PREFIX), q
    assert idx.search("dibao") == [12, 2]  # same rank: the shorter name first


def test_full_pinyin_inside_must_start_at_a_syllable(idx):
    assert idx.tier(2, "baoshen") == s.TIER_PINYIN_SUBSTR
    assert idx.tier(1, "shenghuo") == s.TIER_PINYIN_SUBSTR
    assert idx.tier(2, "aoshen") is None  # starts inside "bao"
    assert idx.tier(1, "enghuo") is None


def test_case_full_width_and_spaces_do_not_matter(idx):
    expected = idx.search("dbsq")
    for q in ("DBSQ", "ＤＢＳＱ", " d b s q ", "Dbsq"):
        assert idx.search(q) == expected
    assert normalize_query(" ＤＢ sq\t") == "dbsq"


@pytest.mark.parametrize(
    "query, item",
    [
        ("changjiang", 6),  # 长江: the contextual reading
        ("zhangjiang", 6),  # 长 read zhang
        ("hangdao", 6),
        ("xingzheng", 6),  # pypinyin reads 航道行政 as hang dao heng zheng (道行): xing is a variant
        ("cjhd", 6),
        ("zjhd", 6),
        ("yinyue", 7),  # 音乐
        ("yinle", 7),  # 乐 read le
        ("xizang", 8),
        ("xicang", 8),  # 藏 read cang
        ("chuchai", 9),
        ("chucha", 9),
        ("chuchabuzhu", 9),  # 差 read cha
        ("yinhang", 16),  # 银行
        ("yinxing", 16),  # 行 read xing
        ("kuaiji", 10),  # 会计
        ("huiji", 10),  # 会 read hui
        ("zhongdu", 4),
        ("chongdu", 4),  # 重 read chong
    ],
)
def test_polyphones(idx, query, item):
    assert item in idx.search(query), query


def test_polyphone_variants_are_bounded():
    keys = s._analyze("重长行乐藏差会重长行乐藏差会")
    assert 1 < len(keys.initials) <= MAX_VARIANTS
    assert 1 < len(keys.pinyin) <= MAX_VARIANTS
    assert sum(ch.isupper() for ch in keys.pinyin[0]) == 14  # one capital per syllable


def test_code_substring_ignores_dashes_and_case(idx):
    assert idx.search("0600099") == [2]
    assert idx.search("0600099000-4205") == [2]
    assert idx.tier(2, "0600099") == s.TIER_CODE
    assert idx.search("mb1234567x") == [6]
    assert set(idx.search("420528101001")) == {15}


def test_digits_in_a_name(idx):
    assert idx.search("80")[0] == 11
    assert idx.tier(11, "80") == s.TIER_NAME_PREFIX
    assert idx.tier(11, "80zs") == s.TIER_INITIALS_PREFIX
    assert idx.tier(11, "80zhousui") == s.TIER_PINYIN_PREFIX


def test_chinese_characters_in_order_with_gaps(idx):
    assert idx.search("低保申请") == [2, 1]
    assert idx.tier(1, "低保申请") == s.TIER_NAME_SUBSEQ
    assert idx.tier(5, "养老登记") == s.TIER_NAME_SUBSEQ
    assert idx.tier(5, "登记养老") is None  # order matters


def test_characters_beyond_the_basic_plane(idx):
    assert idx.search("𠮷") == [15]
    assert idx.search("𠮷祥村") == [15]
    assert idx.search("xiangcun") == [15]  # the rare character has no reading; the rest does


def test_limit_and_ties_keep_catalog_order():
    items = [(i, name, "") for i, name in enumerate(["申请", "申请", "申请书", "申请"], start=1)]
    idx = CatalogIndex(items)
    assert idx.search("申请") == [1, 2, 4, 3]
    assert idx.search("申请", limit=2) == [1, 2]
    assert idx.search("sq", limit=3) == [1, 2, 4]


def test_many_matches_are_cut_to_the_limit_best_first():
    items = [(i, f"事项{i:04d}申请", f"C{i:04d}") for i in range(300)]
    items.append((999, "申请", "C9999"))
    idx = CatalogIndex(items)
    result = idx.search("sq", limit=10)
    assert len(result) == 10
    assert result[0] == 999  # the only name starting with s q
    assert idx.search("sq", limit=500)[-1] != 999
    assert len(idx.search("sq", limit=500)) == 301


def test_empty_and_odd_names_do_not_break_the_index():
    idx = CatalogIndex([(1, "", ""), (2, "（）、", "--"), (3, "A类证书 补办", "X-1")])
    assert idx.search("") == [1, 2, 3]
    assert idx.search("a类") == [3]
    assert idx.search("alzs") == [3]
    assert idx.search("zhengshu") == [3]
