"""Everything the counter tells a citizen about one service item (事项).

``ItemView.set_item(item)`` shows a :class:`~clerk_app.store.models.ServiceItem` whose
``materials`` are loaded: name, codes, limits, fee, conditions, the materials table, the
legal basis and the phones. All text is selectable so a clerk can copy it; type is large
enough to read across a counter. ``set_item(None)`` shows a hint instead.
"""

from __future__ import annotations

from clerk_app.i18n import _
from clerk_app.store.models import Material, ServiceItem
from clerk_app.ui.qt import QtCore, QtWidgets, Qt

SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard


def format_limit(days: int) -> str:
    """A limit in working days as the counter says it: 0 is 即办."""
    if days <= 0:
        return _("即办")
    return _("{days} 个工作日").format(days=days)


def necessity_text(material: Material) -> str:
    return _("必需") if material.required else _("条件必需")


def material_note(material: Material) -> str:
    """The condition of a conditional material, or the remark of a required one."""
    condition = (material.condition or "").strip()
    if material.required:
        return condition
    return _("需要时：{condition}").format(condition=condition) if condition else ""


def _value_label(object_name: str = "fieldValue") -> QtWidgets.QLabel:
    label = QtWidgets.QLabel()
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(SELECTABLE)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Preferred)
    return label


def _heading(text: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    label.setObjectName("sectionHeading")
    return label


class _FitTable(QtWidgets.QTableWidget):
    """A table as tall as its rows, so the page scrolls as one and nothing hides inside it."""

    def sizeHint(self) -> QtCore.QSize:  # Qt override
        hint = super().sizeHint()
        height = self.horizontalHeader().height() + 2 * self.frameWidth()
        for row in range(self.rowCount()):
            height += self.rowHeight(row)
        return QtCore.QSize(hint.width(), height + 2)

    def minimumSizeHint(self) -> QtCore.QSize:  # Qt override
        return self.sizeHint()

    def resizeEvent(self, event) -> None:  # Qt override; rows re-wrap when the width changes
        super().resizeEvent(event)
        self.resizeRowsToContents()
        self.updateGeometry()


class ItemView(QtWidgets.QWidget):
    """A read-only, scrollable description of one service item."""

    MATERIAL_COLUMNS = (_("序号"), _("材料名称"), _("形式"), _("份数"), _("要求"), _("条件或说明"))

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("itemView")
        self._item: ServiceItem | None = None

        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(self.scroll)

        body = QtWidgets.QWidget()
        body.setObjectName("itemViewBody")
        self.scroll.setWidget(body)
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.setSpacing(8)

        self.placeholder = QtWidgets.QLabel(_("请在左侧选择一个事项，这里会显示办理须知。"))
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.placeholder)

        self.content = QtWidgets.QWidget()
        layout.addWidget(self.content)
        content = QtWidgets.QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(10)

        self.title_label = _value_label("itemTitle")
        content.addWidget(self.title_label)

        self.badges_label = _value_label("itemBadges")
        content.addWidget(self.badges_label)

        grid = QtWidgets.QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        self.fields: dict[str, QtWidgets.QLabel] = {}
        facts = (
            ("code", _("实施编码")),
            ("body", _("实施主体")),
            ("item_type", _("事项类型")),
            ("level", _("办理层级")),
            ("legal_limit", _("法定时限")),
            ("promised_limit", _("承诺时限")),
            ("fee", _("收费标准")),
            ("proxy", _("可否代办")),
            ("visits", _("到现场次数")),
            ("consult_phone", _("咨询电话")),
            ("complaint_phone", _("监督投诉电话")),
        )
        for row, (key, title) in enumerate(facts):
            name = QtWidgets.QLabel(_("{title}：").format(title=title))
            name.setObjectName("fieldLabel")
            name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value = _value_label()
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1)
            self.fields[key] = value
        grid.setColumnStretch(1, 1)
        content.addLayout(grid)

        content.addWidget(_heading(_("申请条件")))
        self.conditions_label = _value_label()
        content.addWidget(self.conditions_label)

        content.addWidget(_heading(_("申请材料")))
        self.materials_table = _FitTable(0, len(self.MATERIAL_COLUMNS))
        self.materials_table.setObjectName("materialsTable")
        self.materials_table.setHorizontalHeaderLabels(list(self.MATERIAL_COLUMNS))
        self.materials_table.verticalHeader().setVisible(False)
        self.materials_table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.materials_table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.materials_table.setWordWrap(True)
        self.materials_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.materials_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.materials_table.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding,
                                           QtWidgets.QSizePolicy.Policy.Fixed)
        header = self.materials_table.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QtWidgets.QHeaderView.ResizeMode.Stretch)
        content.addWidget(self.materials_table)
        self.no_materials_label = QtWidgets.QLabel(_("清单未列出申请材料，请咨询实施主体。"))
        self.no_materials_label.setObjectName("hint")
        content.addWidget(self.no_materials_label)

        content.addWidget(_heading(_("设定依据")))
        self.basis_label = _value_label()
        content.addWidget(self.basis_label)
        content.addStretch(1)
        layout.addStretch(1)

        self.set_item(None)

    # -- public ------------------------------------------------------------------------

    @property
    def item(self) -> ServiceItem | None:
        return self._item

    def set_item(self, item: ServiceItem | None) -> None:
        self._item = item
        self.placeholder.setVisible(item is None)
        self.content.setVisible(item is not None)
        if item is None:
            return
        self.title_label.setText(item.name)
        badges = [_("承诺时限：{limit}").format(limit=format_limit(item.promised_limit))]
        if item.proxy_allowed:
            badges.append(_("可代办"))
        if item.visits == 0:
            badges.append(_("零跑动"))
        elif item.visits == 1:
            badges.append(_("最多跑一次"))
        self.badges_label.setText("　·　".join(badges))

        f = self.fields
        f["code"].setText(item.code)
        f["body"].setText(item.body)
        f["item_type"].setText(item.item_type)
        f["level"].setText(item.level or _("未注明"))
        f["legal_limit"].setText(format_limit(item.legal_limit))
        f["promised_limit"].setText(format_limit(item.promised_limit))
        f["fee"].setText(item.fee or _("不收费"))
        f["proxy"].setText(_("可以由代办员代办") if item.proxy_allowed else _("不可代办，须本人办理"))
        f["visits"].setText(
            _("无需到现场") if item.visits == 0 else _("{n} 次").format(n=item.visits)
        )
        f["consult_phone"].setText(item.consult_phone or _("未注明"))
        f["complaint_phone"].setText(item.complaint_phone or _("未注明"))

        self.conditions_label.setText(item.conditions or _("无特别条件。"))
        self.basis_label.setText(item.legal_basis or _("未注明"))
        self._fill_materials(list(item.materials))
        self.scroll.verticalScrollBar().setValue(0)

    def plain_text(self) -> str:
        """What the view shows, as text (for copying, and for tests)."""
        if self._item is None:
            return self.placeholder.text()
        parts = [self.title_label.text(), self.badges_label.text()]
        for key, label in self.fields.items():
            parts.append(label.text())
        parts.append(self.conditions_label.text())
        table = self.materials_table
        for row in range(table.rowCount()):
            parts.append(" ".join(table.item(row, c).text() for c in range(table.columnCount())))
        parts.append(self.basis_label.text())
        return "\n".join(parts)

    # -- internals -----------------------------------------------------------------------

    def _fill_materials(self, materials: list[Material]) -> None:
        table = self.materials_table
        table.setRowCount(len(materials))
        for row, m in enumerate(materials):
            values = (str(m.seq), m.name, m.form, str(m.copies), necessity_text(m), material_note(m))
            for col, text in enumerate(values):
                cell = QtWidgets.QTableWidgetItem(text)
                cell.setToolTip(text)
                if col in (0, 3):
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if col == 4 and not m.required:
                    cell.setData(Qt.ItemDataRole.UserRole, "conditional")
                table.setItem(row, col, cell)
        table.setVisible(bool(materials))
        self.no_materials_label.setVisible(not materials)
        table.resizeRowsToContents()
        table.updateGeometry()
