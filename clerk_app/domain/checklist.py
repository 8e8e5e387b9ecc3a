"""The materials checklist: what a clerk ticked, and what it means for the outcome."""

from __future__ import annotations

from dataclasses import dataclass

from clerk_app.domain.status import MaterialState
from clerk_app.i18n import _


@dataclass
class ChecklistLine:
    """One material of the item as the clerk checked it."""

    name: str
    form: str  # 原件 | 复印件 | 原件及复印件
    copies_required: int
    required: bool  # False: 条件必需
    condition: str = ""
    condition_applies: bool | None = None  # asked for conditional materials
    state: MaterialState = MaterialState.PENDING
    copies_received: int = 0
    problem: str = ""  # why it is wrong, or a note
    material_id: int | None = None
    seq: int = 0

    @property
    def needed(self) -> bool:
        """Does the citizen have to provide this material in this case?"""
        if self.required:
            return True
        return bool(self.condition_applies)

    def expected_state(self) -> MaterialState:
        if "原件及复印件" in self.form or ("原件" in self.form and "复印件" in self.form):
            return MaterialState.BOTH
        if "复印件" in self.form:
            return MaterialState.COPY
        return MaterialState.ORIGINAL


def line_problem(line: ChecklistLine) -> str:
    """A Chinese explanation of what is still missing for this line, empty when it is fine."""
    if not line.needed:
        return ""
    if line.state is MaterialState.WRONG:
        return _("有误：{why}").format(why=line.problem or _("请按要求重新提供"))
    if line.state in (MaterialState.MISSING, MaterialState.PENDING):
        return _("未提供：需{form}{copies}份").format(form=line.form, copies=line.copies_required)
    expected = line.expected_state()
    if expected is MaterialState.BOTH and line.state is not MaterialState.BOTH:
        got = _("原件") if line.state is MaterialState.ORIGINAL else _("复印件")
        want = _("复印件") if line.state is MaterialState.ORIGINAL else _("原件（核验）")
        return _("只收到{got}，还需{want}").format(got=got, want=want)
    if expected is MaterialState.ORIGINAL and line.state is MaterialState.COPY:
        return _("需提供原件")
    if line.copies_received and line.copies_received < line.copies_required:
        return _("份数不足：需{need}份，已收{got}份").format(
            need=line.copies_required, got=line.copies_received
        )
    return ""


def unanswered_conditions(lines: list[ChecklistLine]) -> list[ChecklistLine]:
    """Conditional materials whose condition the clerk has not yet asked about."""
    return [ln for ln in lines if not ln.required and ln.condition_applies is None]


def outstanding(lines: list[ChecklistLine]) -> list[tuple[ChecklistLine, str]]:
    """Every needed material that is missing or wrong, with what is needed and why."""
    result = []
    for line in lines:
        why = line_problem(line)
        if why:
            result.append((line, why))
    return result


def received(lines: list[ChecklistLine]) -> list[ChecklistLine]:
    return [ln for ln in lines if ln.state.received and not line_problem(ln)]
