"""Example documents: for tests, the benchmark, previews and the UI's print preview demo."""

from __future__ import annotations

import datetime

from clerk_app.forms.model import DocumentData, MaterialLine

RARE_NAME = "阿依古丽·买买提"
# 60 characters with rare ones: 𠮷 U+20BB7, 𪚥 U+2A6A5 (beyond the basic plane), 龘, the
# middle dot of minority names; as long as an organisation's name can get.
LONG_NAME = (
    "长阳土家族自治县𠮷𪚥龘阿依古丽·买买提椪柑种植与清江特色农产品产销专业合作社联合社"
    "龙舟坪镇郑家榜村第三村民小组第一分社𠮷"
)[:60]
# 150 characters.
LONG_ADDRESS = (
    "湖北省宜昌市长阳土家族自治县龙舟坪镇郑家榜村第三村民小组"
    "清江画廊大道东段滨江花园小区二期十六栋二单元十一楼一一零三室"
    "（从清江大桥南头下桥后沿滨江路向东步行约三百米，过农业银行后右转进入小区东门，"
    "门卫室旁边的楼梯上楼，如无人应门请联系村委会网格员𠮷大姐或拨打预留电话联系本人，"
    "谢谢配合与支持）"
)


def _pad(text: str, length: int, filler: str = "附") -> str:
    return (text + filler * length)[:length]


def sample_document(kind: str = "receipt", *, long_text: bool = False,
                    is_copy: bool = False) -> DocumentData:
    issued = datetime.datetime(2026, 12, 3, 10, 21)
    name = LONG_NAME if long_text else RARE_NAME
    address = _pad(LONG_ADDRESS, 150) if long_text else "长阳土家族自治县龙舟坪镇郑家榜村3组12号"
    data = DocumentData(
        kind=kind,
        doc_no={"notice": "龙舟坪告〔2026〕0012号", "receipt": "龙舟坪受〔2026〕0042号",
                "refusal": "龙舟坪不受〔2026〕0003号"}[kind],
        office_name="长阳土家族自治县龙舟坪镇人民政府",
        service_point_name="龙舟坪镇便民服务中心",
        service_point_phone="0717-5321234",
        service_point_address="长阳土家族自治县龙舟坪镇龙舟大道28号",
        case_no="101000-07-261203-0042-5",
        item_name="城乡居民基本养老保险参保登记",
        item_code="11420528MB1A23456X4442011100100001-" + "000000000000000000001",
        item_body="长阳土家族自治县人力资源和社会保障局",
        applicant_name=name,
        applicant_id_label="居民身份证",
        applicant_id_number="420528********1234",
        applicant_phone="138****5678",
        applicant_address=address,
        issued_at=issued,
        clerk_name="向红梅",
        legal_limit=20,
        promised_limit=5,
        due_date=datetime.date(2026, 12, 10),
        due_estimated=False,
        fee="不收费",
        consult_phone="0717-5321234",
        complaint_phone="0717-5329999",
    )
    if kind == "receipt":
        data.received = [
            MaterialLine("居民身份证", "原件及复印件", 1, "原件已核验，收复印件1份"),
            MaterialLine("户口簿", "原件及复印件", 1, "原件已核验，收复印件1份"),
            MaterialLine("城乡居民基本养老保险参保登记表", "原件", 2, ""),
            MaterialLine("近期一寸免冠彩色照片", "原件", 2, ""),
        ]
    elif kind == "notice":
        data.missing = [
            MaterialLine("户口簿", "原件及复印件", 1, "未提供：需原件及复印件各1份，用于核实户籍", "missing"),
            MaterialLine("近期一寸免冠彩色照片", "原件", 2, "有误：照片非近期免冠，请重新提供", "wrong"),
            MaterialLine("城乡居民基本养老保险参保登记表", "原件", 1,
                         "未提供：需本人签字确认，可在服务中心窗口领取", "missing"),
        ]
    else:
        data.refusal_reason = (
            "申请人户籍不在本镇，按规定城乡居民基本养老保险参保登记应在户籍所在地乡镇（街道）办理。"
        )
        data.refusal_redirect = "户籍所在地乡镇（街道）便民服务中心"
    if long_text:
        long_material = _pad("因土地承包经营权流转、宅基地使用权及房屋所有权变更产生的相关证明材料"
                             "（含村民委员会出具的情况说明及𪚥姓共有人签字确认书）", 80)
        if kind == "receipt":
            data.received.append(MaterialLine(long_material, "原件及复印件", 3,
                                              _pad("原件已核验并退还，收复印件3份，", 60)))
        elif kind == "notice":
            data.missing.append(MaterialLine(long_material, "原件", 1,
                                             _pad("未提供：需原件1份，用于核实共有人意见，", 70), "missing"))
    if is_copy:
        data.is_copy = True
        data.reprint_at = datetime.datetime(2026, 12, 5, 9, 30)
    return data
