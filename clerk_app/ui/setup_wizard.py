"""First start: which service point this computer serves, its catalog and the first supervisor.

Pages: service point (city → county → township → optional village, from the real division
data, with a type-to-filter search) · this computer (本机编号, phones, address) · catalog (the
bundled demo list or the county's files, checked row by row before going on) · the first
supervisor account · a summary whose 完成 runs ``setup.set_up`` on the database worker.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from clerk_app.domain import divisions
from clerk_app.i18n import _
from clerk_app.services import auth, catalog, setup
from clerk_app.services.common import Context, ServiceError
from clerk_app.ui.admin_dialogs import FileField, PasswordFields, error_lines
from clerk_app.ui.qt import QtCore, QtWidgets, Qt, Signal, Slot
from clerk_app.ui.tasks import TaskRunner, error_text

NO_VILLAGE = ""


def _hint(text: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


def _contains_completer(model: QtCore.QAbstractItemModel, parent: QtCore.QObject) -> QtWidgets.QCompleter:
    completer = QtWidgets.QCompleter(model, parent)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setCompletionMode(QtWidgets.QCompleter.CompletionMode.PopupCompletion)
    completer.setMaxVisibleItems(12)
    return completer


class LocationPage(QtWidgets.QWizardPage):
    """City → county → township → optional village."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("选择服务点"))
        self.setSubTitle(_("本机所在的乡镇便民服务中心；如果是村便民服务室，再选择村。"))
        layout = QtWidgets.QVBoxLayout(self)

        self.search_edit = QtWidgets.QLineEdit()
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(_("快速查找：输入乡镇名称，如「龙舟坪」，从列表中选择"))
        self._township_entries: dict[str, str] = {}
        self._search_model = QtCore.QStringListModel(self)
        self.search_completer = _contains_completer(self._search_model, self)
        self.search_edit.setCompleter(self.search_completer)
        layout.addWidget(self.search_edit)

        form = QtWidgets.QFormLayout()
        self.city_combo = QtWidgets.QComboBox()
        self.county_combo = QtWidgets.QComboBox()
        self.township_combo = QtWidgets.QComboBox()
        self.village_combo = QtWidgets.QComboBox()
        self.village_combo.setEditable(True)
        self.village_combo.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        self.village_combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.village_combo.completer().setCompletionMode(QtWidgets.QCompleter.CompletionMode.PopupCompletion)
        for combo in (self.city_combo, self.county_combo, self.township_combo, self.village_combo):
            combo.setMinimumContentsLength(18)
            combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        form.addRow(_("市（州）"), self.city_combo)
        form.addRow(_("县（市、区）"), self.county_combo)
        form.addRow(_("乡镇（街道）"), self.township_combo)
        form.addRow(_("村（社区）"), self.village_combo)
        layout.addLayout(form)
        layout.addWidget(_hint(_("村可以不选：不选时本机作为乡镇便民服务中心；选了村则作为该村的便民服务室。"
                                 "村名可以直接输入查找。")))
        self.preview_label = QtWidgets.QLabel()
        self.preview_label.setObjectName("okText")
        self.preview_label.setWordWrap(True)
        layout.addWidget(self.preview_label)
        layout.addStretch(1)

        for city in divisions.cities():
            self.city_combo.addItem(city.name, city.code)
        self.city_combo.setCurrentIndex(-1)
        self.city_combo.currentIndexChanged.connect(self._on_city_changed)
        self.county_combo.currentIndexChanged.connect(self._on_county_changed)
        self.township_combo.currentIndexChanged.connect(self._on_township_changed)
        self.village_combo.currentIndexChanged.connect(self._on_village_changed)
        self.search_completer.activated[str].connect(self._on_search_chosen)
        self.search_edit.returnPressed.connect(self._on_search_return)
        self._fill_search_entries()

    # -- filling --------------------------------------------------------------------------

    def _fill_search_entries(self) -> None:
        entries: dict[str, str] = {}
        for city in divisions.cities():
            for county in divisions.counties(city.code):
                for town in divisions.townships(county.code):
                    entries[_("{town}（{county}，{city}）").format(
                        town=town.name, county=county.name, city=city.name)] = town.code
        self._township_entries = entries
        self._search_model.setStringList(list(entries))

    @staticmethod
    def _refill(combo: QtWidgets.QComboBox, items: list[tuple[str, str]], none_label: str | None = None) -> None:
        combo.blockSignals(True)
        combo.clear()
        if none_label is not None:
            combo.addItem(none_label, NO_VILLAGE)
        for code, name in items:
            combo.addItem(name, code)
        combo.setCurrentIndex(0 if none_label is not None else -1)
        combo.blockSignals(False)

    @Slot(int)
    def _on_city_changed(self, _index: int) -> None:
        code = self.city_combo.currentData()
        self._refill(self.county_combo, [(d.code, d.name) for d in divisions.counties(code)] if code else [])
        self._refill(self.township_combo, [])
        self._refill(self.village_combo, [])
        self._update()

    @Slot(int)
    def _on_county_changed(self, _index: int) -> None:
        code = self.county_combo.currentData()
        self._refill(self.township_combo, [(d.code, d.name) for d in divisions.townships(code)] if code else [])
        self._refill(self.village_combo, [])
        self._update()

    @Slot(int)
    def _on_township_changed(self, _index: int) -> None:
        code = self.township_combo.currentData()
        villages = [(d.code, d.name) for d in divisions.villages(code)] if code else []
        self._refill(self.village_combo, villages, _("（不选：作为乡镇便民服务中心）") if code else None)
        self._update()

    @Slot(int)
    def _on_village_changed(self, _index: int) -> None:
        self._update()

    @Slot(str)
    def _on_search_chosen(self, text: str) -> None:
        code = self._township_entries.get(text)
        if code:
            self.select_division(code)

    @Slot()
    def _on_search_return(self) -> None:
        text = self.search_edit.text().strip()
        if text in self._township_entries:
            self._on_search_chosen(text)
            return
        matches = [k for k in self._township_entries if text and text in k]
        if len(matches) == 1:
            self.search_edit.setText(matches[0])
            self._on_search_chosen(matches[0])

    def select_division(self, code: str) -> bool:
        """Select a county (6), township (9) or village (12 digits) in the combos."""
        code = code.strip()
        county = divisions.get(code[:6])
        if county is None:
            return False
        city_index = self.city_combo.findData(county.parent_code)
        if city_index < 0:
            return False
        self.city_combo.setCurrentIndex(city_index)
        self.county_combo.setCurrentIndex(self.county_combo.findData(county.code))
        if len(code) >= 9:
            self.township_combo.setCurrentIndex(self.township_combo.findData(code[:9]))
        if len(code) == 12 and code[9:] != "000":
            self.village_combo.setCurrentIndex(self.village_combo.findData(code))
        return True

    # -- result ---------------------------------------------------------------------------

    def division_code(self) -> str:
        """12 digits: the village if one is chosen, else the township; empty if incomplete."""
        township = self.township_combo.currentData()
        if not township:
            return ""
        village = self._village_code()
        return village or divisions.to_12(township)

    def _village_code(self) -> str:
        # an editable combo: accept the typed name only if it is one of the villages
        text = self.village_combo.currentText().strip()
        index = self.village_combo.findText(text, Qt.MatchFlag.MatchExactly)
        if index < 0:
            index = self.village_combo.currentIndex()
        data = self.village_combo.itemData(index) if index >= 0 else None
        return str(data) if data else ""

    def description(self) -> dict[str, str] | None:
        code = self.division_code()
        if not code:
            return None
        try:
            return setup.describe_division(code)
        except ServiceError:
            return None

    def _update(self) -> None:
        info = self.description()
        if info is None:
            self.preview_label.setText("")
        else:
            self.preview_label.setText(_("服务点：{name}（{full}，区划代码 {code}）").format(
                name=info["name"], full=divisions.full_name(info["code"]), code=info["code"]))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # Qt override
        return bool(self.division_code())


class DevicePage(QtWidgets.QWizardPage):
    """本机编号 and the service point's phones and address."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("本机和联系方式"))
        self.setSubTitle(_("这些信息会印在一次性告知书和受理回执上。"))
        layout = QtWidgets.QVBoxLayout(self)
        form = QtWidgets.QFormLayout()
        self.device_spin = QtWidgets.QSpinBox()
        self.device_spin.setRange(setup.COUNTER_DEVICE_NOS.start, setup.COUNTER_DEVICE_NOS.stop - 1)
        self.device_spin.setValue(random.choice(setup.COUNTER_DEVICE_NOS))
        self.device_spin.setMaximumWidth(160)
        # a styled spin box ignores its padding; give its text the same inset as other fields
        self.device_spin.findChild(QtWidgets.QLineEdit).setTextMargins(6, 0, 0, 0)
        form.addRow(_("本机编号"), self.device_spin)
        layout.addLayout(form)
        layout.addWidget(_hint(_(
            "办件编号里含有本机编号，这样同一服务点的几台电脑在断网时各自编号也不会重复。"
            "同一服务点的每台电脑必须用不同的编号（1 到 59，60 以后留给代办员的笔记本）；已随机选了一个，"
            "如果知道其他电脑用了哪些编号，请改成没用过的。")))
        form2 = QtWidgets.QFormLayout()
        self.phone_edit = QtWidgets.QLineEdit()
        self.phone_edit.setPlaceholderText(_("例如 0717-5321234"))
        self.complaint_edit = QtWidgets.QLineEdit("12345")
        self.address_edit = QtWidgets.QLineEdit()
        self.address_edit.setPlaceholderText(_("例如 龙舟坪镇龙舟大道 1 号"))
        form2.addRow(_("咨询电话"), self.phone_edit)
        form2.addRow(_("监督投诉电话"), self.complaint_edit)
        form2.addRow(_("地址"), self.address_edit)
        layout.addLayout(form2)
        layout.addStretch(1)


@dataclass(frozen=True)
class CatalogCheck:
    items: int
    materials: int


def check_catalog_files(items_path: Path, materials_path: Path | None) -> CatalogCheck:
    """Worker side: read and validate the files the way set-up will (raises with every error)."""
    parsed = catalog.load_catalog(items_path, materials_path).items
    return CatalogCheck(len(parsed), sum(len(p.materials) for p in parsed))


class CatalogSourcePage(QtWidgets.QWizardPage):
    """The bundled demo catalog, or the county's exported files checked before going on."""

    def __init__(self, runner: TaskRunner, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._checked_key: tuple | None = None
        self._pending_key: tuple | None = None
        self._checking = False
        self.setTitle(_("事项清单"))
        self.setSubTitle(_("窗口受理依据县里公布的事项清单：每个事项的材料、时限和收费。"))
        layout = QtWidgets.QVBoxLayout(self)
        self.demo_radio = QtWidgets.QRadioButton(_("使用自带的演示清单（长阳土家族自治县龙舟坪镇）"))
        self.files_radio = QtWidgets.QRadioButton(_("导入本县导出的清单文件（CSV 或 xlsx）"))
        self.demo_radio.setChecked(True)
        layout.addWidget(self.demo_radio)
        self.demo_note = _hint(_("演示清单用于试用和培训；正式使用前请由负责人在「管理 → 导入事项清单」导入本县清单。"))
        layout.addWidget(self.demo_note)
        layout.addWidget(self.files_radio)
        files = QtWidgets.QWidget()
        form = QtWidgets.QFormLayout(files)
        form.setContentsMargins(24, 0, 0, 0)
        self.items_field = FileField(_("选择事项表"))
        self.materials_field = FileField(_("选择材料表"))
        form.addRow(_("事项表"), self.items_field)
        form.addRow(_("材料表（可选）"), self.materials_field)
        self.files_box = files
        layout.addWidget(files)
        self.status_label = QtWidgets.QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.hide()
        layout.addWidget(self.status_label)
        self.error_list = QtWidgets.QListWidget()
        self.error_list.setObjectName("importErrors")
        self.error_list.setWordWrap(True)
        self.error_list.hide()
        layout.addWidget(self.error_list, 1)
        layout.addStretch(0)

        self.demo_radio.toggled.connect(self._on_source_changed)
        self.items_field.changed.connect(self._on_source_changed)
        self.materials_field.changed.connect(self._on_source_changed)
        self._on_source_changed()

    def use_demo(self) -> bool:
        return self.demo_radio.isChecked()

    def paths(self) -> tuple[Path | None, Path | None]:
        if self.use_demo():
            items, materials = setup.demo_catalog_paths()
            return items, materials
        return self.items_field.path(), self.materials_field.path()

    def _key(self) -> tuple:
        items, materials = self.paths()
        stamp = []
        for p in (items, materials):
            try:
                stamp.append(p.stat().st_mtime_ns if p else None)
            except OSError:
                stamp.append(None)
        return (items, materials, *stamp)

    @Slot()
    def _on_source_changed(self) -> None:
        self.files_box.setEnabled(not self.use_demo())
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # Qt override
        return not self._checking and (self.use_demo() or self.items_field.path() is not None)

    def validatePage(self) -> bool:  # Qt override
        if self.use_demo():
            return True
        key = self._key()
        if key == self._checked_key:
            return True
        if self._checking:
            return False
        items, materials = self.paths()
        self._checking = True
        self.completeChanged.emit()
        self._set_status(_("正在检查清单…"), "hint")
        self.error_list.hide()
        self._pending_key = key
        self.runner.run(check_catalog_files, items, materials, background=True,
                        on_success=self._on_checked, on_failure=self._on_check_failed)
        return False

    def _on_checked(self, result: CatalogCheck) -> None:
        self._checking = False
        self._checked_key = self._pending_key
        self._set_status(_("检查通过：{n} 项事项，{m} 条材料。").format(n=result.items, m=result.materials), "okText")
        self.completeChanged.emit()
        if self.wizard() is not None and self.wizard().currentPage() is self:
            self.wizard().next()

    def _on_check_failed(self, error: BaseException) -> None:
        self._checking = False
        lines = error_lines(error)
        if getattr(error, "errors", None):
            self._set_status(_("清单有 {n} 处错误，请在表格中改正后再点「下一步」重新检查：").format(n=len(lines)),
                             "errorText")
            self.error_list.clear()
            self.error_list.addItems(lines)
            self.error_list.show()
        else:
            self._set_status(error_text(error), "errorText")
        self.completeChanged.emit()

    def _set_status(self, text: str, kind: str) -> None:
        self.status_label.setObjectName(kind)
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    def errors(self) -> list[str]:
        return [self.error_list.item(i).text() for i in range(self.error_list.count())] \
            if self.error_list.isVisibleTo(self) else []


class SupervisorPage(QtWidgets.QWizardPage):
    """The first supervisor (负责人) account."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("负责人账号"))
        self.setSubTitle(_("负责人可以管理操作员、导入事项清单和调整工作日历。其他操作员由负责人登录后添加。"))
        layout = QtWidgets.QVBoxLayout(self)
        form = QtWidgets.QFormLayout()
        self.username_edit = QtWidgets.QLineEdit()
        self.username_edit.setPlaceholderText(_("字母或数字，例如 wangjh"))
        self.name_edit = QtWidgets.QLineEdit()
        form.addRow(_("用户名"), self.username_edit)
        form.addRow(_("姓名"), self.name_edit)
        layout.addLayout(form)
        self.passwords = PasswordFields()
        layout.addWidget(self.passwords)
        self.message_label = QtWidgets.QLabel()
        self.message_label.setObjectName("errorText")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        layout.addWidget(self.message_label)
        layout.addStretch(1)

    def validatePage(self) -> bool:  # Qt override
        problem = ""
        if not auth.USERNAME_RE.match(self.username_edit.text().strip()):
            problem = _("用户名只能用 2 到 40 位字母、数字或 _ . -，例如 zhangsan。")
            self.username_edit.setFocus()
        elif not self.name_edit.text().strip():
            problem = _("请填写负责人姓名。")
            self.name_edit.setFocus()
        elif auth.display_name_problem(self.name_edit.text()):
            problem = auth.display_name_problem(self.name_edit.text())
            self.name_edit.setFocus()
        else:
            problem = self.passwords.problem()
            if problem:
                self.passwords.first.setFocus()
        self.message_label.setText(problem)
        self.message_label.setVisible(bool(problem))
        return not problem


class SummaryPage(QtWidgets.QWizardPage):
    """What will be set up; 完成 runs it."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("确认并完成"))
        self.setSubTitle(_("请核对以下信息，点击「完成」开始设置。"))
        layout = QtWidgets.QVBoxLayout(self)
        self.summary_label = QtWidgets.QLabel()
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)  # names and addresses as typed
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary_label)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setFormat(_("正在设置服务点并导入事项清单…"))
        self.progress.setTextVisible(True)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.message_label = QtWidgets.QLabel()
        self.message_label.setObjectName("errorText")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        layout.addWidget(self.message_label)
        self.error_list = QtWidgets.QListWidget()
        self.error_list.hide()
        layout.addWidget(self.error_list, 1)
        layout.addStretch(0)

    def initializePage(self) -> None:  # Qt override
        wizard = self.wizard()
        if isinstance(wizard, SetupWizard):
            self.summary_label.setText(wizard.summary_text())

    def validatePage(self) -> bool:  # Qt override
        wizard = self.wizard()
        return wizard.finish_setup() if isinstance(wizard, SetupWizard) else False


class SetupWizard(QtWidgets.QWizard):
    """Set-up on an empty database; ``set_up_done(username)`` when it has been written."""

    set_up_done = Signal(str)  # the supervisor's user name

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self._running = False
        self._done = False
        self.setWindowTitle(_("初始设置"))
        self.setWizardStyle(QtWidgets.QWizard.WizardStyle.ClassicStyle)
        self.setOption(QtWidgets.QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QtWidgets.QWizard.WizardButton.NextButton, _("下一步 >"))
        self.setButtonText(QtWidgets.QWizard.WizardButton.BackButton, _("< 上一步"))
        self.setButtonText(QtWidgets.QWizard.WizardButton.FinishButton, _("完成"))
        self.setButtonText(QtWidgets.QWizard.WizardButton.CancelButton, _("取消"))
        self.resize(820, 620)

        self.location_page = LocationPage()
        self.device_page = DevicePage()
        self.catalog_page = CatalogSourcePage(runner)
        self.supervisor_page = SupervisorPage()
        self.summary_page = SummaryPage()
        for page in (self.location_page, self.device_page, self.catalog_page, self.supervisor_page,
                     self.summary_page):
            self.addPage(page)
        # a village proxy agent's own laptop is set up from the township's provisioning file
        self.setButtonText(QtWidgets.QWizard.WizardButton.CustomButton1, _("代办员电脑：导入配置文件…"))
        self.setOption(QtWidgets.QWizard.WizardOption.HaveCustomButton1, True)
        self.customButtonClicked.connect(self._on_custom_button)
        self.currentIdChanged.connect(self._on_page_changed)
        self.provisioning_dialog = None

    @Slot(int)
    def _on_page_changed(self, _page_id: int) -> None:
        button = self.button(QtWidgets.QWizard.WizardButton.CustomButton1)
        button.setVisible(self.currentPage() is self.location_page)

    @Slot(int)
    def _on_custom_button(self, which: int) -> None:
        if which != QtWidgets.QWizard.WizardButton.CustomButton1.value:
            return
        from clerk_app.ui.agent_dialogs import ImportProvisioningDialog

        self.provisioning_dialog = ImportProvisioningDialog(self.ctx, self.runner, self)
        self.provisioning_dialog.imported.connect(self._on_agent_imported)
        self.provisioning_dialog.open()

    @Slot(object)
    def _on_agent_imported(self, imported: object) -> None:
        """The laptop now has its service point and the agent's login: go on to the login."""
        self._done = True
        self.set_up_done.emit(imported.username)  # type: ignore[attr-defined]
        self.accept()

    def request(self) -> setup.SetupRequest:
        items, materials = self.catalog_page.paths()
        return setup.SetupRequest(
            division_code=self.location_page.division_code(),
            device_no=self.device_page.device_spin.value(),
            supervisor_username=self.supervisor_page.username_edit.text().strip(),
            supervisor_name=self.supervisor_page.name_edit.text().strip(),
            supervisor_password=self.supervisor_page.passwords.password(),
            phone=self.device_page.phone_edit.text().strip(),
            complaint_phone=self.device_page.complaint_edit.text().strip(),
            address=self.device_page.address_edit.text().strip(),
            items_path=items,
            materials_path=materials,
        )

    def summary_text(self) -> str:
        info = self.location_page.description() or {}
        req = self.request()
        if self.catalog_page.use_demo():
            source = _("自带演示清单（龙舟坪镇）")
        else:
            source = str(req.items_path) + ("\n　　　　　" + str(req.materials_path) if req.materials_path else "")
        return _(
            "服务点：{name}\n所在：{full}\n区划代码：{code}\n本机编号：{device}\n"
            "咨询电话：{phone}　监督投诉电话：{complaint}\n地址：{address}\n"
            "事项清单：{source}\n负责人：{sup_name}（用户名 {sup_user}）"
        ).format(
            name=info.get("name", ""), full=divisions.full_name(info.get("code", "")),
            code=info.get("code", ""), device=req.device_no, phone=req.phone or _("未填"),
            complaint=req.complaint_phone or _("未填"), address=req.address or _("未填"),
            source=source, sup_name=req.supervisor_name, sup_user=req.supervisor_username,
        )

    def finish_setup(self) -> bool:
        """Called by 完成: start the set-up on the worker; accept when it has succeeded."""
        if self._done:
            return True
        if self._running:
            return False
        self._running = True
        page = self.summary_page
        page.message_label.hide()
        page.error_list.hide()
        page.progress.show()
        self._set_buttons_enabled(False)
        self.runner.run(setup.set_up, self.ctx, self.request(),
                        on_success=self._on_set_up, on_failure=self._on_failed)
        return False

    def _on_set_up(self, _result: object) -> None:
        self._running = False
        self._done = True
        self.summary_page.progress.hide()
        self._set_buttons_enabled(True)
        self.set_up_done.emit(self.request().supervisor_username)
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        self._running = False
        page = self.summary_page
        page.progress.hide()
        self._set_buttons_enabled(True)
        lines = error_lines(error)
        if getattr(error, "errors", None):
            page.message_label.setText(_("事项清单有错误，没有做任何设置。请返回「事项清单」一步改正："))
            page.error_list.clear()
            page.error_list.addItems(lines)
            page.error_list.show()
        else:
            page.message_label.setText(_("设置没有完成：{error}").format(error=error_text(error)))
        page.message_label.show()

    def _set_buttons_enabled(self, enabled: bool) -> None:
        for which in (QtWidgets.QWizard.WizardButton.BackButton, QtWidgets.QWizard.WizardButton.FinishButton,
                      QtWidgets.QWizard.WizardButton.CancelButton):
            button = self.button(which)
            if button is not None:
                button.setEnabled(enabled)

    @property
    def is_done(self) -> bool:
        return self._done

    def reject(self) -> None:  # Qt override: not while the set-up is being written
        if not self._running:
            super().reject()
