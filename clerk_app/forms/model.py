"""Plain data for one printed document. Other code fills it; :mod:`clerk_app.forms` prints it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

KINDS = ("notice", "receipt", "refusal")
PAPERS = ("a4", "r80")


@dataclass
class MaterialLine:
    name: str
    form: str = ""          # 原件 / 复印件 / 原件及复印件
    copies: int = 1
    note: str = ""          # receipt: e.g. "原件已核验，收复印件1份"; notice: what is needed and why
    problem: str = ""       # "missing" | "wrong" | "" (received)


@dataclass
class DocumentData:
    kind: str                     # "notice" (一次性告知书) | "receipt" (受理回执) | "refusal" (不予受理通知书)
    doc_no: str                   # document number, printed top right
    office_name: str              # e.g. "长阳土家族自治县龙舟坪镇人民政府"
    service_point_name: str       # e.g. "龙舟坪镇便民服务中心"
    service_point_phone: str
    service_point_address: str
    case_no: str                  # printed, as QR code and as Code128 barcode
    item_name: str
    item_code: str                # 实施编码 (long, ~55 chars)
    item_body: str                # 实施主体
    applicant_name: str
    applicant_id_label: str       # e.g. "居民身份证" / "统一社会信用代码"
    applicant_id_number: str      # caller passes masked or full, as the doc requires
    applicant_phone: str
    applicant_address: str
    issued_at: datetime.datetime
    clerk_name: str
    legal_limit: int              # working days; 0 = 即办
    promised_limit: int
    due_date: datetime.date | None
    due_estimated: bool = False   # True: print "（预计，节假日安排公布后可能调整）"
    fee: str = ""
    received: list[MaterialLine] = field(default_factory=list)   # receipt: what was received
    missing: list[MaterialLine] = field(default_factory=list)    # notice: every missing or wrong material
    refusal_reason: str = ""
    refusal_redirect: str = ""    # where to apply instead
    consult_phone: str = ""
    complaint_phone: str = ""
    notice_seq: int = 1           # notice: >1 means a supplementary notice ("补充告知")
    notice_seq_reason: str = ""
    on_the_spot: bool = False     # 即办: receipt says 已当场办结
    is_copy: bool = False         # reprint: clearly marked "补打" / "副本" with the reprint time
    reprint_at: datetime.datetime | None = None
    follow_up_url: str = ""       # optional; the QR encodes the case number (and this if given)
