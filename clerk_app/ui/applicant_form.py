"""The applicant step of intake: a person or an organization, checked field by field.

Checks come from :mod:`clerk_app.domain.ids` (and, before an outcome, from
``intake.check_applicant``); their messages appear under the field concerned and never
clear what was typed. A card or barcode reader "types" the ID number fast and ends with
Enter: the number is checked, sex and birth date are read from it and ``id_entered`` asks
the page to look up a returning applicant.

The form keeps the person's and the organization's fields apart, so switching between
个人 and 单位 loses nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from clerk_app.domain import ids
from clerk_app.domain.divisions import Division
from clerk_app.i18n import _
from clerk_app.services.common import ServiceError
from clerk_app.services.intake import ORG_ID_TYPE, ApplicantInput, check_applicant
from clerk_app.ui.qt import QtWidgets, Qt, Signal
from clerk_app.ui.widgets import FieldMessage, LabeledField, hint_label, section_title

PERSON, ORG = "person", "org"
OTHER_PLACE = "other"  # village combo entry for an address outside the township

# Fields of the check functions (ServiceError.field) -> our field keys, per kind
_PERSON_FIELDS = ("id_number", "name", "phone", "village", "address_detail")
_ORG_FIELDS = ("org_name", "uscc", "legal_rep", "contact_name", "phone", "village",
               "address_detail")


def _line_edit(object_name: str, placeholder: str = "", max_length: int = 120
               ) -> QtWidgets.QLineEdit:
    edit = QtWidgets.QLineEdit()
    edit.setObjectName(object_name)
    edit.setPlaceholderText(placeholder)
    edit.setMaxLength(max_length)  # UTF-16 units: generous for names beyond the basic plane
    edit.setClearButtonEnabled(True)
    edit.setMinimumHeight(30)
    return edit


class ApplicantForm(QtWidgets.QWidget):
    """Person or organization. ``value()`` gives an ``ApplicantInput``."""

    changed = Signal()
    #: (id_type, normalized number): a complete, valid number was typed or scanned
    id_entered = Signal(str, str)
    #: Enter in the last field: the clerk is done with this step
    finished = Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ApplicantForm")
        self._today = dt.date.today()
        self._filling = False
        self._looked_up: tuple[str, str] | None = None
        self._township_name = ""
        self._sex: str | None = None
        self._birth: dt.date | None = None
        self.fields: dict[str, LabeledField] = {}

        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)

        # -- kind ---------------------------------------------------------------------
        kind_row = QtWidgets.QHBoxLayout()
        kind_row.setSpacing(16)
        kind_row.addWidget(section_title(_("申请人"), self))
        self.person_radio = QtWidgets.QRadioButton(_("个人(&P)"), self)
        self.person_radio.setObjectName("personRadio")
        self.org_radio = QtWidgets.QRadioButton(_("单位(&O)"), self)
        self.org_radio.setObjectName("orgRadio")
        self.person_radio.setChecked(True)
        self.kind_group = QtWidgets.QButtonGroup(self)
        self.kind_group.addButton(self.person_radio)
        self.kind_group.addButton(self.org_radio)
        self.person_radio.toggled.connect(self._on_kind_toggled)
        kind_row.addWidget(self.person_radio)
        kind_row.addWidget(self.org_radio)
        kind_row.addStretch(1)
        self._kind_row = kind_row
        outer.addLayout(kind_row)

        self.kind_stack = QtWidgets.QStackedWidget(self)
        outer.addWidget(self.kind_stack)

        # -- person -------------------------------------------------------------------
        person = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(person)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(4)

        self.id_type_combo = QtWidgets.QComboBox()
        self.id_type_combo.setObjectName("idTypeCombo")
        for value, label in ids.ID_TYPE_CHOICES:
            self.id_type_combo.addItem(label, value.value)
        self.id_type_combo.setMinimumHeight(30)
        self.id_type_combo.currentIndexChanged.connect(self._on_id_type_changed)
        self.fields["id_type"] = LabeledField(_("证件类型"), self.id_type_combo, True)

        self.id_number_edit = _line_edit("idNumberEdit", _("可刷身份证或扫码，回车查找老申请人"), 40)
        self.id_number_edit.setFont(_mono(self.id_number_edit.font()))
        self.id_number_edit.textChanged.connect(self._on_id_text_changed)
        self.id_number_edit.returnPressed.connect(self._on_id_return)
        self.id_number_edit.editingFinished.connect(self._on_id_editing_finished)
        self.fields["id_number"] = LabeledField(_("证件号码"), self.id_number_edit, True)

        self.name_edit = _line_edit("nameEdit", _("与证件一致；少数民族姓名用间隔号“·”"))
        self.name_edit.textChanged.connect(self._on_name_changed)
        self.name_edit.editingFinished.connect(self._check_name_now)
        self.fields["name"] = LabeledField(_("姓名"), self.name_edit, True)

        self.derived_label = QtWidgets.QLabel()
        self.derived_label.setObjectName("derivedLabel")
        self.derived_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.derived_label.setStyleSheet(
            "QLabel#derivedLabel { background: #f3f5f8; border: 1px solid #dde2e8;"
            " border-radius: 4px; padding: 5px 8px; color: #334155; }")
        self.derived_label.setMinimumHeight(30)
        self.fields["derived"] = LabeledField(_("性别 / 出生日期（从证件号码读出）"),
                                              self.derived_label)

        self.returning_label = QtWidgets.QLabel()
        self.returning_label.setObjectName("returningLabel")
        self.returning_label.setStyleSheet(
            "QLabel#returningLabel { background: #e9f6ec; color: #1d5a2b; border: 1px solid"
            " #8cc79a; border-radius: 10px; padding: 2px 10px; }")
        self.returning_label.hide()
        self._kind_row.addWidget(self.returning_label)

        grid.addWidget(self.fields["id_type"], 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.fields["id_number"], 0, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.fields["name"], 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.fields["derived"], 1, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.kind_stack.addWidget(person)

        # -- organization --------------------------------------------------------------
        org = QtWidgets.QWidget()
        ogrid = QtWidgets.QGridLayout(org)
        ogrid.setContentsMargins(0, 0, 0, 0)
        ogrid.setHorizontalSpacing(18)
        ogrid.setVerticalSpacing(4)
        self.org_name_edit = _line_edit("orgNameEdit", _("与营业执照或登记证书一致"), 200)
        self.org_name_edit.textChanged.connect(self._on_any_changed)
        self.fields["org_name"] = LabeledField(_("单位名称"), self.org_name_edit, True)
        self.uscc_edit = _line_edit("usccEdit", _("18 位，可扫码"), 40)
        self.uscc_edit.setFont(_mono(self.uscc_edit.font()))
        self.uscc_edit.textChanged.connect(self._on_uscc_changed)
        self.uscc_edit.editingFinished.connect(self._check_uscc_now)
        self.uscc_edit.returnPressed.connect(self._on_uscc_return)
        self.fields["uscc"] = LabeledField(_("统一社会信用代码"), self.uscc_edit, True)
        self.legal_rep_edit = _line_edit("legalRepEdit")
        self.legal_rep_edit.textChanged.connect(self._on_any_changed)
        self.fields["legal_rep"] = LabeledField(_("法定代表人（负责人）"), self.legal_rep_edit, True)
        self.contact_edit = _line_edit("contactEdit", _("来办理的经办人"))
        self.contact_edit.textChanged.connect(self._on_any_changed)
        self.fields["contact_name"] = LabeledField(_("联系人"), self.contact_edit)
        ogrid.addWidget(self.fields["org_name"], 0, 0, Qt.AlignmentFlag.AlignTop)
        ogrid.addWidget(self.fields["uscc"], 0, 1, Qt.AlignmentFlag.AlignTop)
        ogrid.addWidget(self.fields["legal_rep"], 1, 0, Qt.AlignmentFlag.AlignTop)
        ogrid.addWidget(self.fields["contact_name"], 1, 1, Qt.AlignmentFlag.AlignTop)
        ogrid.setColumnStretch(0, 1)
        ogrid.setColumnStretch(1, 1)
        self.kind_stack.addWidget(org)

        # -- contact and address (both kinds) --------------------------------------------
        contact = QtWidgets.QGridLayout()
        contact.setHorizontalSpacing(18)
        contact.setVerticalSpacing(4)
        self.phone_edit = _line_edit("phoneEdit", _("手机或座机，如 0717-5321234"), 40)
        self.phone_edit.textChanged.connect(self._on_phone_changed)
        self.phone_edit.editingFinished.connect(self._check_phone_now)
        self.fields["phone"] = LabeledField(_("联系电话"), self.phone_edit, True)

        self.village_combo = QtWidgets.QComboBox()
        self.village_combo.setObjectName("villageCombo")
        self.village_combo.setEditable(True)
        self.village_combo.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        self.village_combo.setMinimumHeight(30)
        self.village_combo.lineEdit().setPlaceholderText(_("输入村名筛选"))
        completer = self.village_combo.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QtWidgets.QCompleter.CompletionMode.PopupCompletion)
        self.village_combo.currentIndexChanged.connect(self._on_any_changed)
        self.village_combo.lineEdit().editingFinished.connect(self._check_village_now)
        self.fields["village"] = LabeledField(_("村（社区）"), self.village_combo)

        self.address_edit = _line_edit("addressEdit", _("组、门牌号等，如 3 组 12 号"), 200)
        self.address_edit.textChanged.connect(self._on_any_changed)
        self.address_edit.returnPressed.connect(self._on_address_return)
        self.fields["address_detail"] = LabeledField(_("详细地址"), self.address_edit)

        contact.addWidget(self.fields["phone"], 0, 0, Qt.AlignmentFlag.AlignTop)
        contact.addWidget(self.fields["village"], 0, 1, Qt.AlignmentFlag.AlignTop)
        contact.addWidget(self.fields["address_detail"], 1, 0, 1, 2, Qt.AlignmentFlag.AlignTop)
        contact.setColumnStretch(0, 1)
        contact.setColumnStretch(1, 1)
        outer.addLayout(contact)

        self.form_message = FieldMessage(self)
        outer.addWidget(self.form_message)
        outer.addWidget(hint_label(_("带 * 的为必填；回车跳到下一项。"), self))
        outer.addStretch(1)

        for edit in (self.name_edit, self.phone_edit, self.org_name_edit, self.legal_rep_edit,
                     self.contact_edit):
            edit.returnPressed.connect(self._focus_next)

        self._set_tab_order()
        self._show_derived()

    # -- public ----------------------------------------------------------------------------

    def set_today(self, today: dt.date) -> None:
        self._today = today

    def set_villages(self, township_name: str, villages: list[Division]) -> None:
        self._township_name = township_name
        current = self.village_code()
        self.village_combo.blockSignals(True)
        self.village_combo.clear()
        self.village_combo.addItem("", None)
        for v in villages:
            self.village_combo.addItem(v.name, v.code)
        self.village_combo.addItem(_("本镇以外（在详细地址中写全）"), OTHER_PLACE)
        self._select_village(current)
        self.village_combo.blockSignals(False)

    def kind(self) -> str:
        return ORG if self.org_radio.isChecked() else PERSON

    def set_kind(self, kind: str) -> None:
        (self.org_radio if kind == ORG else self.person_radio).setChecked(True)

    def village_code(self) -> str | None:
        data = self.village_combo.currentData()
        text = self.village_combo.currentText().strip()
        if data and data != OTHER_PLACE and text == self.village_combo.itemText(
                self.village_combo.currentIndex()):
            return str(data)
        return None

    def address(self) -> str:
        """The address as printed: township and village of the combo, then the detail."""
        detail = " ".join(self.address_edit.text().split())
        index = self.village_combo.currentIndex()
        text = self.village_combo.currentText().strip()
        data = self.village_combo.currentData()
        if data and data != OTHER_PLACE and text == self.village_combo.itemText(index):
            return f"{self._township_name}{text}{detail}"
        if text and data != OTHER_PLACE and text != self.village_combo.itemText(index):
            return f"{text}{detail}"  # typed a place the list does not know: keep it
        return detail

    def value(self) -> ApplicantInput:
        if self.kind() == ORG:
            return ApplicantInput(
                kind=ORG, name=self.org_name_edit.text(), id_type=ORG_ID_TYPE,
                id_number=self.uscc_edit.text(), phone=self.phone_edit.text(),
                address=self.address(), village_code=self.village_code(),
                legal_rep=self.legal_rep_edit.text(), contact_name=self.contact_edit.text(),
            )
        return ApplicantInput(
            kind=PERSON, name=self.name_edit.text(), id_type=self.id_type(),
            id_number=self.id_number_edit.text(), phone=self.phone_edit.text(),
            address=self.address(), village_code=self.village_code(),
            sex=self._sex, birth_date=self._birth,
        )

    def id_type(self) -> str:
        return str(self.id_type_combo.currentData())

    def is_empty(self) -> bool:
        edits = (self.name_edit, self.id_number_edit, self.phone_edit, self.address_edit,
                 self.org_name_edit, self.uscc_edit, self.legal_rep_edit, self.contact_edit)
        return not any(e.text().strip() for e in edits)

    def display_name(self) -> str:
        text = self.org_name_edit.text() if self.kind() == ORG else self.name_edit.text()
        return " ".join(text.split())

    def validate(self, show: bool = True) -> ApplicantInput | None:
        """Check every field; show each problem under its field. None if something blocks."""
        problems = self.field_problems()
        if show:
            self._show_problems(problems)
        blocking = [k for k, (sev, _m) in problems.items() if sev == "error"]
        if blocking:
            if show:
                self._focus_field(blocking[0])
            return None
        try:
            checked = check_applicant(self.value(), self._today)
        except ServiceError as exc:
            if show:
                self.show_service_error(exc)
            return None
        return checked.value

    def field_problems(self) -> dict[str, tuple[str, str]]:
        """{field: (severity, message)} for every field with something to say, in tab order."""
        out: dict[str, tuple[str, str]] = {}
        if self.kind() == ORG:
            if not self.org_name_edit.text().strip():
                out["org_name"] = ("error", _("请填写单位名称。"))
            res = ids.check_uscc(self.uscc_edit.text())
            if res.severity:
                out["uscc"] = (res.severity, res.message)
            if not self.legal_rep_edit.text().strip():
                out["legal_rep"] = ("error", _("请填写法定代表人。"))
        else:
            res = ids.check_id(self.id_type(), self.id_number_edit.text(), today=self._today)
            if not res.ok:
                out["id_number"] = ("error", res.message)
            name = ids.check_name(self.name_edit.text())
            if not name.ok:
                out["name"] = ("error", name.message)
        phone = ids.check_phone(self.phone_edit.text())
        if not phone.ok:
            out["phone"] = ("error", phone.message)
        village = self._village_problem()
        if village:
            out["village"] = ("warning", village)
        return out

    def show_service_error(self, exc: ServiceError) -> None:
        """Put a service's refusal under the field it names (or under the form)."""
        key = self._field_key(exc.field)
        if key in self.fields:
            self.fields[key].message.show_message(exc.message, "error")
            self._focus_field(key)
        else:
            self.form_message.show_message(exc.message, "error")

    def message_of(self, key: str) -> str:
        """The message under a field (for tests and for the page's summary)."""
        return self.fields[key].message.message()

    def severity_of(self, key: str) -> str:
        return self.fields[key].message.severity

    def clear_messages(self) -> None:
        for f in self.fields.values():
            f.message.clear_message()
        self.form_message.clear_message()

    def focus_first(self) -> None:
        if self.kind() == ORG:
            self.org_name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.id_number_edit.text().strip() and not self.name_edit.text().strip():
            self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.id_number_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.id_number_edit.selectAll()

    def reset(self) -> None:
        self._filling = True
        try:
            for edit in (self.name_edit, self.id_number_edit, self.phone_edit, self.address_edit,
                         self.org_name_edit, self.uscc_edit, self.legal_rep_edit,
                         self.contact_edit):
                edit.clear()
            self.id_type_combo.setCurrentIndex(0)
            self.village_combo.setCurrentIndex(0)
            self.village_combo.setEditText("")
            self.person_radio.setChecked(True)
            self._looked_up = None
            self.returning_label.hide()
            self.clear_messages()
            self._show_derived()
        finally:
            self._filling = False

    def set_read_only(self, read_only: bool) -> None:
        for edit in (self.name_edit, self.id_number_edit, self.phone_edit, self.address_edit,
                     self.org_name_edit, self.uscc_edit, self.legal_rep_edit, self.contact_edit):
            edit.setReadOnly(read_only)
        for w in (self.id_type_combo, self.village_combo, self.person_radio, self.org_radio):
            w.setEnabled(not read_only)

    def fill_from_applicant(self, applicant: Any, returning: bool = True) -> None:
        """Fill the form from a stored applicant (a returning one, or a case's)."""
        self._filling = True
        try:
            if applicant.kind == ORG:
                self.set_kind(ORG)
                self._set_if(self.org_name_edit, applicant.name)
                self._set_if(self.uscc_edit, applicant.id_number)
                self._set_if(self.legal_rep_edit, applicant.legal_rep or "")
                self._set_if(self.contact_edit, applicant.contact_name or "")
            else:
                self.set_kind(PERSON)
                index = self.id_type_combo.findData(applicant.id_type)
                if index >= 0:
                    self.id_type_combo.setCurrentIndex(index)
                self._set_if(self.id_number_edit, applicant.id_number)
                typed = ids.check_name(self.name_edit.text()).normalized
                if typed and typed != applicant.name:
                    self.fields["name"].message.show_message(
                        _("登记的姓名为「{name}」，与输入的不一致，请核对证件。").format(
                            name=applicant.name), "warning")
                self._set_if(self.name_edit, applicant.name)
            self._set_if(self.phone_edit, applicant.phone or "")
            if not self.address_edit.text().strip():
                self._fill_address(applicant.village_code, applicant.address or "")
            self._update_derived()
        finally:
            self._filling = False
        if returning:
            self.returning_label.setText(_("老申请人，已自动填入"))
            self.returning_label.show()
        self.changed.emit()

    # -- drafts ----------------------------------------------------------------------------

    def to_payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind(),
            "id_type": self.id_type(),
            "id_number": self.id_number_edit.text(),
            "name": self.name_edit.text(),
            "org_name": self.org_name_edit.text(),
            "uscc": self.uscc_edit.text(),
            "legal_rep": self.legal_rep_edit.text(),
            "contact_name": self.contact_edit.text(),
            "phone": self.phone_edit.text(),
            "village_code": self.village_combo.currentData(),
            "village_text": self.village_combo.currentText(),
            "address_detail": self.address_edit.text(),
        }

    def from_payload(self, data: dict[str, Any]) -> None:
        self._filling = True
        try:
            self.reset()
            self._filling = True
            self.set_kind(str(data.get("kind") or PERSON))
            index = self.id_type_combo.findData(data.get("id_type"))
            if index >= 0:
                self.id_type_combo.setCurrentIndex(index)
            for edit, key in ((self.id_number_edit, "id_number"), (self.name_edit, "name"),
                              (self.org_name_edit, "org_name"), (self.uscc_edit, "uscc"),
                              (self.legal_rep_edit, "legal_rep"),
                              (self.contact_edit, "contact_name"), (self.phone_edit, "phone"),
                              (self.address_edit, "address_detail")):
                edit.setText(str(data.get(key) or ""))
            code = data.get("village_code")
            index = self.village_combo.findData(code) if code else -1
            if index >= 0:
                self.village_combo.setCurrentIndex(index)
            else:
                self.village_combo.setEditText(str(data.get("village_text") or ""))
            self._update_derived()
            number = ids.normalize_id(self.id_number_edit.text())
            if number:
                self._looked_up = (self.id_type(), number)
        finally:
            self._filling = False

    # -- slots -----------------------------------------------------------------------------

    def _on_kind_toggled(self, _checked: bool) -> None:
        self.kind_stack.setCurrentIndex(1 if self.kind() == ORG else 0)
        self._set_tab_order()
        self.form_message.clear_message()
        if not self._filling:
            self.focus_first()
            self.changed.emit()

    def _on_any_changed(self) -> None:
        if not self._filling:
            self.changed.emit()

    def _on_id_type_changed(self, _index: int) -> None:
        self._looked_up = None
        if self.id_number_edit.text().strip():
            self._check_id_now()
        self._update_derived()
        self._on_any_changed()

    def _on_id_text_changed(self, text: str) -> None:
        self.returning_label.hide()
        self._update_derived()
        message = self.fields["id_number"].message
        res = ids.check_id(self.id_type(), text, today=self._today)
        if message.text():
            if res.ok:
                message.clear_message()
            elif message.severity == "error":
                message.show_message(res.message, "error")
        self._on_any_changed()
        # a complete and valid resident ID: look the person up without waiting for Enter
        if not self._filling and res.ok and len(res.normalized) == 18:
            self._emit_lookup(res.normalized)

    def _on_id_return(self) -> None:
        res = self._check_id_now()
        if res is not None and res.ok:
            self._emit_lookup(res.normalized)
            self.name_edit.setFocus(Qt.FocusReason.TabFocusReason)
            self.name_edit.selectAll()

    def _on_id_editing_finished(self) -> None:
        if self.id_number_edit.text().strip():
            res = self._check_id_now()
            if res is not None and res.ok:
                self._emit_lookup(res.normalized)

    def _check_id_now(self) -> ids.IdCheck | None:
        text = self.id_number_edit.text()
        if not text.strip():
            return None
        res = ids.check_id(self.id_type(), text, today=self._today)
        message = self.fields["id_number"].message
        if res.ok:
            message.clear_message()
        else:
            message.show_message(res.message, "error")
        return res

    def _emit_lookup(self, number: str) -> None:
        key = (self.id_type(), number)
        if key == self._looked_up:
            return
        self._looked_up = key
        self.id_entered.emit(*key)

    def _on_name_changed(self, _text: str) -> None:
        message = self.fields["name"].message
        if message.severity == "error" and ids.check_name(self.name_edit.text()).ok:
            message.clear_message()
        self._on_any_changed()

    def _check_name_now(self) -> None:
        if not self.name_edit.text().strip():
            return
        res = ids.check_name(self.name_edit.text())
        message = self.fields["name"].message
        if not res.ok:
            message.show_message(res.message, "error")
        elif message.severity == "error":
            message.clear_message()

    def _on_phone_changed(self, _text: str) -> None:
        message = self.fields["phone"].message
        if message.text() and ids.check_phone(self.phone_edit.text()).ok:
            message.clear_message()
        self._on_any_changed()

    def _check_phone_now(self) -> None:
        if not self.phone_edit.text().strip():
            return
        res = ids.check_phone(self.phone_edit.text())
        message = self.fields["phone"].message
        if res.ok:
            message.clear_message()
        else:
            message.show_message(res.message, "error")

    def _on_uscc_changed(self, _text: str) -> None:
        message = self.fields["uscc"].message
        if message.text():
            res = ids.check_uscc(self.uscc_edit.text())
            if res.ok:
                message.clear_message()
        self._on_any_changed()

    def _check_uscc_now(self) -> ids.IdCheck | None:
        if not self.uscc_edit.text().strip():
            return None
        res = ids.check_uscc(self.uscc_edit.text())
        message = self.fields["uscc"].message
        if res.ok:
            message.clear_message()
        else:
            message.show_message(res.message, res.severity or "error")
        return res

    def _on_uscc_return(self) -> None:
        res = self._check_uscc_now()
        if res is not None and res.severity != "error":
            key = (ORG_ID_TYPE, res.normalized)
            if key != self._looked_up:
                self._looked_up = key
                self.id_entered.emit(*key)
            self.legal_rep_edit.setFocus(Qt.FocusReason.TabFocusReason)

    def _check_village_now(self) -> None:
        problem = self._village_problem()
        message = self.fields["village"].message
        if problem:
            message.show_message(problem, "warning")
        else:
            message.clear_message()

    def _on_address_return(self) -> None:
        self.finished.emit()

    def _focus_next(self) -> None:
        self.focusNextChild()

    # -- internals -------------------------------------------------------------------------

    def _village_problem(self) -> str:
        text = self.village_combo.currentText().strip()
        if not text:
            return ""
        index = self.village_combo.findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            if self.village_combo.currentIndex() != index:
                self.village_combo.setCurrentIndex(index)
            return ""
        return _("「{text}」不在本镇的村（社区）列表中，将按填写的内容记录；请核对。").format(text=text)

    def _select_village(self, code: str | None) -> None:
        index = self.village_combo.findData(code) if code else 0
        self.village_combo.setCurrentIndex(max(0, index))

    def _fill_address(self, village_code: str | None, address: str) -> None:
        index = self.village_combo.findData(village_code) if village_code else -1
        if index > 0:
            self.village_combo.setCurrentIndex(index)
            prefix = f"{self._township_name}{self.village_combo.itemText(index)}"
            detail = address[len(prefix):] if address.startswith(prefix) else address
            self.address_edit.setText(detail)
        else:
            self.address_edit.setText(address)

    @staticmethod
    def _set_if(edit: QtWidgets.QLineEdit, value: str) -> None:
        if not edit.text().strip() and value:
            edit.setText(value)

    def _update_derived(self) -> None:
        res = ids.check_id(self.id_type(), self.id_number_edit.text(), today=self._today)
        if res.ok:
            self._sex, self._birth = res.sex, res.birth_date
        else:
            self._sex, self._birth = None, None
        self._show_derived()

    def _show_derived(self) -> None:
        if self._sex or self._birth:
            birth = self._birth.isoformat() if self._birth else "—"
            age = ""
            if self._birth:
                years = self._today.year - self._birth.year - (
                    (self._today.month, self._today.day) < (self._birth.month, self._birth.day))
                age = _("（{n} 岁）").format(n=years)
            self.derived_label.setText(_("{sex}　　{birth}{age}").format(
                sex=self._sex or "—", birth=birth, age=age))
        else:
            self.derived_label.setText(_("—（输入有效的身份证号码后显示）"))

    def _field_key(self, service_field: str | None) -> str:
        if service_field is None:
            return ""
        if self.kind() == ORG:
            return {"name": "org_name", "id_number": "uscc"}.get(service_field, service_field)
        return service_field

    def _show_problems(self, problems: dict[str, tuple[str, str]]) -> None:
        keys = _ORG_FIELDS if self.kind() == ORG else _PERSON_FIELDS
        for key in keys:
            msg = self.fields[key].message
            if key in problems:
                severity, text = problems[key]
                msg.show_message(text, severity)
            elif msg.severity != "warning" or key != "name":
                msg.clear_message()
        self.form_message.clear_message()

    def _focus_field(self, key: str) -> None:
        field = self.fields.get(key)
        if field is None:
            return
        editor = field.editor
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(editor, QtWidgets.QLineEdit):
            editor.selectAll()

    def _set_tab_order(self) -> None:
        if self.kind() == ORG:
            chain = [self.person_radio, self.org_radio, self.org_name_edit, self.uscc_edit,
                     self.legal_rep_edit, self.contact_edit]
        else:
            chain = [self.person_radio, self.org_radio, self.id_type_combo, self.id_number_edit,
                     self.name_edit]
        chain += [self.phone_edit, self.village_combo, self.address_edit]
        for a, b in zip(chain, chain[1:]):
            QtWidgets.QWidget.setTabOrder(a, b)


def _mono(font):
    font = type(font)(font)
    font.setFamilies(["DejaVu Sans Mono", "Consolas", "monospace", *font.families()])
    font.setLetterSpacing(font.SpacingType.AbsoluteSpacing, 0.5)
    return font
