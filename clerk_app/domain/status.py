"""Case statuses, material states, roles and their Chinese labels."""

from __future__ import annotations

from enum import StrEnum

from clerk_app.i18n import _


class CaseStatus(StrEnum):
    AWAITING_SUPPLEMENT = "awaiting_supplement"  # one-time notice issued
    ACCEPTED = "accepted"  # receipt issued
    SUBMITTED = "submitted"  # sent to the county
    IN_REVIEW = "in_review"
    COMPLETED = "completed"
    NOT_APPROVED = "not_approved"
    DELIVERED = "delivered"  # result handed to the citizen
    REFUSED = "refused"  # 不予受理
    WITHDRAWN = "withdrawn"
    DONE_ON_SPOT = "done_on_spot"  # 即办件，当场办结

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def open(self) -> bool:
        """Still running against a deadline."""
        return self in OPEN_STATUSES


STATUS_LABELS = {
    CaseStatus.AWAITING_SUPPLEMENT: _("待补正"),
    CaseStatus.ACCEPTED: _("已受理"),
    CaseStatus.SUBMITTED: _("已报送"),
    CaseStatus.IN_REVIEW: _("审核中"),
    CaseStatus.COMPLETED: _("已办结"),
    CaseStatus.NOT_APPROVED: _("不予批准"),
    CaseStatus.DELIVERED: _("已送达"),
    CaseStatus.REFUSED: _("不予受理"),
    CaseStatus.WITHDRAWN: _("已撤回"),
    CaseStatus.DONE_ON_SPOT: _("即办办结"),
}

OPEN_STATUSES = frozenset(
    {CaseStatus.ACCEPTED, CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW}
)


class MaterialState(StrEnum):
    PENDING = "pending"  # not yet checked
    ORIGINAL = "original"  # 收原件
    COPY = "copy"  # 收复印件
    BOTH = "both"  # 原件核验并收复印件
    MISSING = "missing"  # 未提供
    WRONG = "wrong"  # 有误 (with the reason)
    NOT_APPLICABLE = "not_applicable"  # conditional material whose condition does not apply

    @property
    def label(self) -> str:
        return MATERIAL_STATE_LABELS[self]

    @property
    def received(self) -> bool:
        return self in (MaterialState.ORIGINAL, MaterialState.COPY, MaterialState.BOTH)


MATERIAL_STATE_LABELS = {
    MaterialState.PENDING: _("未核对"),
    MaterialState.ORIGINAL: _("收原件"),
    MaterialState.COPY: _("收复印件"),
    MaterialState.BOTH: _("原件核验、收复印件"),
    MaterialState.MISSING: _("缺少"),
    MaterialState.WRONG: _("有误"),
    MaterialState.NOT_APPLICABLE: _("不适用"),
}


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    AGENT = "agent"

    @property
    def label(self) -> str:
        return {Role.CLERK: _("窗口人员"), Role.SUPERVISOR: _("负责人"), Role.AGENT: _("代办员")}[self]


class DocKind(StrEnum):
    NOTICE = "notice"
    RECEIPT = "receipt"
    REFUSAL = "refusal"

    @property
    def label(self) -> str:
        return {
            DocKind.NOTICE: _("一次性告知书"),
            DocKind.RECEIPT: _("受理回执"),
            DocKind.REFUSAL: _("不予受理通知书"),
        }[self]
