"""The counter's main window: 受理, 办件 and 事项 pages, the supervisor's menu, the status bar.

The status bar answers what a clerk or supervisor glances for: who is logged in, which service
point this is, how old the catalog is, whether the working-day calendar still covers the
coming weeks, and how many cases are 预警 (yellow) or 超期 (red). Everything it shows is read
on a worker and arrives through the task runner; the window never waits for the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clerk_app import __version__ as APP_VERSION
from clerk_app import paths
from clerk_app.i18n import _
from clerk_app.services import calendar, cases, catalog, setup
from clerk_app.services.common import Actor, Context
from clerk_app.domain.status import Role
from clerk_app.ui import admin_dialogs
from clerk_app.ui.case_list import CaseListPage
from clerk_app.ui.catalog_page import CatalogPage
from clerk_app.ui.intake_page import IntakePage
from clerk_app.ui.login import IdleWatcher, LockScreen, idle_lock_minutes
from clerk_app.ui.qt import QtCore, QtGui, QtWidgets, Qt, Signal, Slot
from clerk_app.ui.sync_status import SyncController, SyncStatusWidget
from clerk_app.ui.tasks import TaskRunner, error_text

REFRESH_DELAY_MS = 400  # merges bursts of saved cases into one refresh
COUNTS_INTERVAL_MS = 5 * 60 * 1000  # deadlines move on while the window stays open
BUSY_DELAY_MS = 250  # work shorter than this never flashes the busy indicator
WARMUP_DELAY_MS = 1200  # when the catalog page loads its items in the background
PAGES_DELAY_MS = 50  # when the 办件 and 事项 pages are built, after the first paint

INTAKE_TAB, CASES_TAB, CATALOG_TAB, AGENTS_TAB = 0, 1, 2, 3
TAB_LABELS = {INTAKE_TAB: _("受理  F2"), CASES_TAB: _("办件  F3"), CATALOG_TAB: _("事项  F4"),
              AGENTS_TAB: _("代办  F7")}
AGENT_HOME_LABEL = _("我的代办  F2")


@dataclass(frozen=True)
class StatusInfo:
    service_point: str
    catalog_date: dt.date | None
    catalog_items: int
    calendar_text: str
    calendar_warning: str


def load_status(ctx: Context) -> StatusInfo:
    """Worker side: what the status bar shows besides the deadline counts."""
    try:
        point = setup.service_point(ctx).name
    except Exception:  # not set up: the wizard runs before this window, so only in odd cases
        point = ""
    version = catalog.catalog_version_info(ctx)
    text, warning = calendar.calendar_state(ctx)
    return StatusInfo(
        service_point=point,
        catalog_date=version.imported_at.date() if version else None,
        catalog_items=version.item_count if version else 0,
        calendar_text=text,
        calendar_warning=warning,
    )


class MainWindow(QtWidgets.QMainWindow):
    """The window a clerk works in all day."""

    switch_user_requested = Signal()
    closed = Signal()
    status_loaded = Signal()

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None, idle_lock_ms: int | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.actor = actor
        self._switching = False
        self._banner_dismissed = False
        self.status_info: StatusInfo | None = None
        self.deadline_counts: dict[str, int] = {}
        self.setObjectName("mainWindow")
        # Qt adds the application display name (便民服务窗口受理) to every window title
        self.setWindowTitle(_("{name}（{role}）").format(name=actor.name, role=actor.role.label))

        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(False)
        # a village proxy agent sees their own commissions instead of the counter's intake and
        # the township's case list; clerks and supervisors get the agents' overview as a tab
        self.is_agent = actor.role is Role.AGENT
        self.intake_page: IntakePage | None = None
        self.agent_home_page = None
        if self.is_agent:
            from clerk_app.ui.agent_pages import AgentHomePage

            self.agent_home_page = AgentHomePage(ctx, runner, actor, self)
            self.tabs.addTab(self.agent_home_page, AGENT_HOME_LABEL)
        else:
            self.intake_page = IntakePage(ctx, runner, actor, self)
            self.tabs.addTab(self.intake_page, TAB_LABELS[INTAKE_TAB])
        # the other pages are built just after the window first shows (or when asked for)
        self._case_list_page: CaseListPage | None = None
        self._catalog_page: CatalogPage | None = None
        self._agents_page = None
        self.tabs.addTab(QtWidgets.QWidget(), TAB_LABELS[CASES_TAB])
        self.tabs.addTab(QtWidgets.QWidget(), TAB_LABELS[CATALOG_TAB])
        self.tabs.addTab(QtWidgets.QWidget(), TAB_LABELS[AGENTS_TAB])
        if self.is_agent:
            self.tabs.setTabVisible(CASES_TAB, False)
            self.tabs.setTabVisible(AGENTS_TAB, False)
        self.tabs.currentChanged.connect(self._on_tab_changed)

        central = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.calendar_banner = QtWidgets.QFrame()
        self.calendar_banner.setObjectName("calendarBanner")
        banner_row = QtWidgets.QHBoxLayout(self.calendar_banner)
        banner_row.setContentsMargins(12, 3, 8, 3)
        self.calendar_banner_label = QtWidgets.QLabel()
        self.calendar_banner_label.setWordWrap(True)
        self.calendar_banner_button = QtWidgets.QPushButton(_("知道了"))
        self.calendar_banner_button.clicked.connect(self._on_banner_dismissed)
        banner_row.addWidget(self.calendar_banner_label, 1)
        banner_row.addWidget(self.calendar_banner_button)
        self.calendar_banner.hide()
        column.addWidget(self.calendar_banner)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        # sync with the county center runs in the background; the status bar shows it
        self.sync_controller = SyncController(ctx, runner, parent=self)
        self._build_actions()
        self._build_menus()
        self._build_status_bar()

        if self.intake_page is not None:
            self.intake_page.case_saved.connect(self._on_case_saved)
        self.runner.busy_changed.connect(self._on_busy_changed)

        self._refresh_timer = QtCore.QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self._refresh_after_save)
        self._counts_timer = QtCore.QTimer(self)
        self._counts_timer.setInterval(COUNTS_INTERVAL_MS)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._counts_timer.start()
        self._busy_timer = QtCore.QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(self._show_busy)

        self.lock_screen = LockScreen(ctx, runner, actor, self)
        self.lock_screen.unlocked.connect(self._on_unlocked)
        self.lock_screen.switch_user_requested.connect(self.switch_user)
        if idle_lock_ms is None:
            idle_lock_ms = idle_lock_minutes(ctx) * 60 * 1000
        self.idle_watcher = IdleWatcher(idle_lock_ms, self)
        self.idle_watcher.idle.connect(self.lock)

        self._restore_geometry()
        # the status bar's facts are read as soon as the window has been drawn; the catalog
        # and its search index a little later, so F4 answers at once yet the first paint
        # and the intake page's own loading come first
        self._status_timer = QtCore.QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(0)
        self._status_timer.timeout.connect(self._load_status_bar)
        self._status_timer.start()
        self._pages_timer = QtCore.QTimer(self)
        self._pages_timer.setSingleShot(True)
        self._pages_timer.setInterval(PAGES_DELAY_MS)
        self._pages_timer.timeout.connect(self._build_secondary_pages)
        self._pages_timer.start()
        self._warmup_timer = QtCore.QTimer(self)
        self._warmup_timer.setSingleShot(True)
        self._warmup_timer.setInterval(WARMUP_DELAY_MS)
        self._warmup_timer.timeout.connect(self._load_catalog_page)
        self._warmup_timer.start()
        self.sync_controller.finished.connect(self._on_synced)
        self._sync_start_timer = QtCore.QTimer(self)
        self._sync_start_timer.setSingleShot(True)
        self._sync_start_timer.setInterval(PAGES_DELAY_MS)
        self._sync_start_timer.timeout.connect(self.sync_controller.start)
        self._sync_start_timer.start()

    # -- building -----------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut: str | QtGui.QKeySequence | None = None) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QtGui.QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.intake_action = self._action(_("受理"), self.show_intake, "F2")
        self.cases_action = self._action(_("办件"), self.show_cases, "F3")
        self.catalog_action = self._action(_("事项"), self.show_catalog, "F4")
        self.agents_tab_action = self._action(_("代办"), self.show_agents, "F7")
        self.agents_admin_action = self._action(_("代办员管理…"), self.open_agents)
        self.lock_action = self._action(_("锁定窗口"), self.lock, "Ctrl+L")
        self.switch_action = self._action(_("切换用户"), self.switch_user)
        self.quit_action = self._action(_("退出"), self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QtGui.QAction.MenuRole.QuitRole)
        self.about_action = self._action(_("关于"), self.show_about)
        self.operators_action = self._action(_("操作员管理…"), self.open_operators)
        self.import_action = self._action(_("导入事项清单…"), self.open_catalog_import)
        self.calendar_action = self._action(_("工作日历调整…"), self.open_calendar)
        self.audit_action = self._action(_("审计日志…"), self.open_audit_log)
        self.sync_now_action = self._action(_("立即同步"), self.sync_controller.sync_now, "F9")
        self.sync_settings_action = self._action(_("县中心连接设置…"), self.open_sync_settings)
        self.sync_rejected_action = self._action(_("被退回的记录…"), self.open_sync_rejected)
        self.sync_conflicts_action = self._action(_("同步冲突…"), self.open_sync_conflicts)
        self.sync_usb_action = self._action(_("U 盘报送（无网络时）…"), self.open_sync_usb)
        self._lockable = [self.intake_action, self.cases_action, self.catalog_action,
                          self.agents_tab_action, self.agents_admin_action, self.lock_action,
                          self.switch_action, self.quit_action, self.about_action, self.operators_action,
                          self.import_action, self.calendar_action, self.audit_action,
                          self.sync_now_action, self.sync_settings_action, self.sync_rejected_action,
                          self.sync_conflicts_action, self.sync_usb_action]

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu(_("文件(&F)"))
        if self.is_agent:
            self.intake_action.setText(_("我的代办"))
            for action in (self.cases_action, self.agents_tab_action):
                action.setEnabled(False)
                action.setVisible(False)
        for action in (self.intake_action, self.cases_action, self.catalog_action,
                       self.agents_tab_action):
            if action.isVisible():
                self.file_menu.addAction(action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.lock_action)
        self.file_menu.addAction(self.switch_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.admin_menu: QtWidgets.QMenu | None = None
        if self.actor.is_supervisor:
            self.admin_menu = bar.addMenu(_("管理(&M)"))
            for action in (self.operators_action, self.agents_admin_action, self.import_action,
                           self.calendar_action, self.audit_action):
                self.admin_menu.addAction(action)
        else:
            for action in (self.operators_action, self.agents_admin_action, self.import_action,
                           self.calendar_action, self.audit_action):
                action.setEnabled(False)
                action.setVisible(False)
        self.sync_menu = bar.addMenu(_("同步(&S)"))
        for action in (self.sync_now_action, self.sync_rejected_action, self.sync_conflicts_action,
                       self.sync_usb_action):
            self.sync_menu.addAction(action)
        # enrolling the device: a supervisor at the counter, the agent on their own laptop
        if self.actor.is_supervisor or self.is_agent:
            self.sync_menu.addSeparator()
            self.sync_menu.addAction(self.sync_settings_action)
        else:
            self.sync_settings_action.setEnabled(False)
            self.sync_settings_action.setVisible(False)
        self.help_menu = bar.addMenu(_("帮助(&H)"))
        self.help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.operator_label = QtWidgets.QLabel(_("{name}（{role}）").format(
            name=self.actor.name, role=self.actor.role.label))
        self.operator_label.setTextFormat(Qt.TextFormat.PlainText)
        self.operator_label.setToolTip(_("当前操作员：{user}").format(user=self.actor.username))
        self.point_label = QtWidgets.QLabel()
        self.catalog_label = QtWidgets.QLabel()
        self.calendar_label = QtWidgets.QLabel()
        self.approaching_label = QtWidgets.QLabel()
        self.overdue_label = QtWidgets.QLabel()
        self.busy_bar = QtWidgets.QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setFixedWidth(90)
        self.busy_bar.setFixedHeight(14)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setToolTip(_("正在后台处理…"))
        self.busy_bar.hide()
        # who and where always show in full; the catalog date, the calendar and 上次同步 are
        # left out, in that order, when a narrow window (1024 px counters) has no room for them
        for label in (self.operator_label, self.point_label, self.catalog_label, self.calendar_label):
            bar.addWidget(label)
        for label in (self.catalog_label, self.calendar_label):
            label.setMinimumWidth(1)  # never what makes the window wide; dropped instead
        self.sync_widget = SyncStatusWidget(self)
        self.sync_widget.last_label.setMinimumWidth(1)
        self.sync_widget.attach(self.sync_controller)
        self.sync_widget.details_requested.connect(self.open_sync_rejected)
        self.sync_widget.settings_requested.connect(self.open_sync_settings)
        self.sync_widget.error_requested.connect(self.show_sync_error)
        bar.addPermanentWidget(self.busy_bar)
        bar.addPermanentWidget(self.sync_widget)
        if not self.is_agent:  # the township's deadline counts; an agent has their own page
            bar.addPermanentWidget(self.approaching_label)
            bar.addPermanentWidget(self.overdue_label)
        self._set_counts_labels()
        bar.installEventFilter(self)
        self._fit_timer = QtCore.QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.fit_status_bar)
        self.sync_controller.overview_changed.connect(self._fit_timer.start)
        self.sync_controller.failed.connect(self._fit_timer.start)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # Qt override
        if event.type() in (QtCore.QEvent.Type.Resize, QtCore.QEvent.Type.LayoutRequest,
                            QtCore.QEvent.Type.Show, QtCore.QEvent.Type.Hide):
            if getattr(self, "_fit_timer", None) is not None and not self._fitting:
                self._fit_timer.start()
        return super().eventFilter(watched, event)

    _fitting = False

    @Slot()
    def fit_status_bar(self) -> None:
        """Show the optional status-bar labels that fit, most useful first, in full."""
        bar = self.statusBar()
        sync = self.sync_widget
        spacing = bar.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_LayoutHorizontalSpacing) or 6
        fixed = [self.operator_label, self.point_label, sync.pending_label, sync.error_label,
                 sync.details_button, sync.sync_button, self.busy_bar]
        if not self.is_agent:
            fixed += [self.approaching_label, self.overdue_label]
        room = bar.width() - 24 - sum(w.sizeHint().width() + spacing for w in fixed
                                      if not w.isHidden() and w.sizeHint().width() > 0)
        # the calendar first when it warns, then 上次同步, then the catalog date
        optional = [self.calendar_label, sync.last_label, self.catalog_label]
        if self.calendar_label.objectName() != "statusCalendarWarning":
            optional = [sync.last_label, self.calendar_label, self.catalog_label]
        self._fitting = True
        try:
            for widget in optional:
                need = widget.sizeHint().width() + spacing + 8
                fits = bool(widget.text()) and need <= room
                if fits:
                    room -= need
                if widget is sync.last_label:
                    sync.set_compact(not fits)
                else:
                    widget.setVisible(fits)
        finally:
            self._fitting = False

    # -- pages -------------------------------------------------------------------------

    @property
    def case_list_page(self) -> CaseListPage:
        if self._case_list_page is None:
            page = CaseListPage(self.ctx, self.runner, self.actor, self)
            page.supplement_requested.connect(self._on_supplement_requested)
            self._case_list_page = page
            self._put_tab(CASES_TAB, page)
        return self._case_list_page

    @property
    def catalog_page(self) -> CatalogPage:
        if self._catalog_page is None:
            page = CatalogPage(self.ctx, self.runner, self)
            page.intake_requested.connect(self._on_intake_requested)
            self._catalog_page = page
            self._put_tab(CATALOG_TAB, page)
        return self._catalog_page

    @property
    def agents_page(self):  # noqa: ANN201 - AgentOverviewPage, imported when first built
        if self._agents_page is None and not self.is_agent:
            from clerk_app.ui.agent_pages import AgentOverviewPage

            page = AgentOverviewPage(self.ctx, self.runner, self.actor, self)
            page.changed.connect(self._on_agents_changed)
            self._agents_page = page
            self._put_tab(AGENTS_TAB, page)
        return self._agents_page

    @Slot()
    def _on_agents_changed(self) -> None:
        """A handover accepted at the counter makes cases: the lists follow."""
        self._refresh_timer.start()

    def _put_tab(self, index: int, page: QtWidgets.QWidget) -> None:
        """Put a built page in place of its placeholder tab, keeping the current tab."""
        current = self.tabs.currentIndex()
        placeholder = self.tabs.widget(index)
        self.tabs.blockSignals(True)
        try:
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, page, TAB_LABELS[index])
            self.tabs.setCurrentIndex(current)
        finally:
            self.tabs.blockSignals(False)
        if placeholder is not None:
            placeholder.deleteLater()

    @Slot()
    def _build_secondary_pages(self) -> None:
        if not self.is_agent:
            self._build_page(CASES_TAB)
        self._build_page(CATALOG_TAB)

    def _build_page(self, index: int) -> QtWidgets.QWidget | None:
        if index == CASES_TAB and not self.is_agent:
            return self.case_list_page
        if index == CATALOG_TAB:
            return self.catalog_page
        if index == AGENTS_TAB:
            return self.agents_page
        return self.tabs.widget(INTAKE_TAB)

    @Slot()
    def _load_catalog_page(self) -> None:
        self.catalog_page.ensure_loaded()

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        self._build_page(index)

    @Slot()
    def show_intake(self) -> None:
        """F2: the intake page, or an agent's own commissions."""
        page = self.tabs.widget(INTAKE_TAB)
        self.tabs.setCurrentWidget(page)
        page.setFocus()

    @Slot()
    def show_cases(self) -> None:
        if self.is_agent:
            return
        self.tabs.setCurrentWidget(self.case_list_page)
        self.case_list_page.setFocus()

    @Slot()
    def show_agents(self) -> None:
        if self.is_agent:
            return
        self.tabs.setCurrentWidget(self.agents_page)
        self.agents_page.setFocus()

    @Slot()
    def show_catalog(self) -> None:
        self.tabs.setCurrentWidget(self.catalog_page)
        self.catalog_page.focus_search()

    @Slot(int)
    def _on_intake_requested(self, item_id: int) -> None:
        if self.intake_page is None:  # an agent commissions items from their own page
            self.show_intake()
            self.statusBar().showMessage(_("代办员请在「我的代办」中新建代办委托。"), 8000)
            return
        self.tabs.setCurrentWidget(self.intake_page)
        self.intake_page.start_with_item(item_id)

    @Slot(int)
    def _on_supplement_requested(self, case_id: int) -> None:
        if self.intake_page is None:
            return
        self.tabs.setCurrentWidget(self.intake_page)
        self.intake_page.open_for_supplement(case_id)

    @Slot(int)
    def _on_case_saved(self, _case_id: int) -> None:
        self._refresh_timer.start()

    @Slot()
    def _refresh_after_save(self) -> None:
        self.sync_controller.refresh()  # a saved case waits in the outbox: 待上传 N 条
        if self._case_list_page is not None:
            self._case_list_page.refresh()
        if self._agents_page is not None:
            self._agents_page.refresh()
        if self.agent_home_page is not None:
            self.agent_home_page.refresh()
        self.refresh_counts()

    # -- status bar --------------------------------------------------------------------

    @Slot()
    def _load_status_bar(self) -> None:
        self.refresh_status()
        self.refresh_counts()

    def refresh_status(self) -> None:
        self.runner.run(load_status, self.ctx, background=True,
                        on_success=self._on_status_loaded, on_failure=self._on_status_failed)

    @Slot()
    def refresh_counts(self) -> None:
        self.runner.run(cases.counts, self.ctx, background=True,
                        on_success=self._on_counts_loaded, on_failure=self._on_status_failed)

    def _on_status_loaded(self, info: StatusInfo) -> None:
        self.status_info = info
        self.point_label.setText(info.service_point)
        if info.catalog_date:
            self.catalog_label.setText(_("清单 {date}").format(date=info.catalog_date.strftime("%m-%d")))
            self.catalog_label.setToolTip(_("事项清单：{date} 导入，{n} 项").format(
                date=info.catalog_date.isoformat(), n=info.catalog_items))
        else:
            self.catalog_label.setText(_("事项清单：未导入"))
        if info.calendar_warning:
            # short and orange in the status bar; the whole warning in a strip above the pages
            self.calendar_label.setText(_("⚠ 日历需更新"))
            self.calendar_label.setObjectName("statusCalendarWarning")
            self.calendar_label.setToolTip(info.calendar_warning)
            self.calendar_banner_label.setText(_("⚠ 工作日历提醒：{warning}。").format(
                warning=info.calendar_warning.rstrip("。")))
            self.calendar_banner.setVisible(not self._banner_dismissed)
        else:
            self.calendar_label.setText(info.calendar_text)
            self.calendar_label.setObjectName("")
            self.calendar_label.setToolTip("")
            self.calendar_banner.hide()
        self._repolish(self.calendar_label)
        self._fit_timer.start()
        self.status_loaded.emit()

    @Slot()
    def _on_banner_dismissed(self) -> None:
        self._banner_dismissed = True
        self.calendar_banner.hide()

    def _on_counts_loaded(self, counts: dict[str, int]) -> None:
        self.deadline_counts = dict(counts)
        self._set_counts_labels()

    def _on_status_failed(self, error: BaseException) -> None:
        self.statusBar().showMessage(error_text(error), 10000)

    def _set_counts_labels(self) -> None:
        approaching = self.deadline_counts.get("approaching", 0)
        overdue = self.deadline_counts.get("overdue", 0)
        self.approaching_label.setText(_("预警 {n}").format(n=approaching))
        self.overdue_label.setText(_("超期 {n}").format(n=overdue))
        self.approaching_label.setObjectName("statusApproaching" if approaching else "statusQuiet")
        self.overdue_label.setObjectName("statusOverdue" if overdue else "statusQuiet")
        self.approaching_label.setToolTip(_("两个工作日内到期的在办件"))
        self.overdue_label.setToolTip(_("已超过承诺时限的在办件"))
        self._repolish(self.approaching_label)
        self._repolish(self.overdue_label)

    @staticmethod
    def _repolish(widget: QtWidgets.QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def status_text(self) -> str:
        """The status bar's text, left to right (for tests and support calls)."""
        labels = [self.operator_label, self.point_label, self.catalog_label, self.calendar_label,
                  self.approaching_label, self.overdue_label]
        if self.calendar_banner.isVisibleTo(self):
            labels.append(self.calendar_banner_label)
        return "  ".join(label.text() for label in labels if label.text())

    @Slot(str)
    def show_sync_error(self, text: str) -> None:
        """The whole sync error, from a click on 「同步失败」 in the status bar."""
        box = QtWidgets.QMessageBox(self)
        box.setWindowTitle(_("同步状态"))
        box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        box.setText(_("与县级中心同步没有成功。"))
        box.setInformativeText(text)
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Ok)
        self.sync_error_box = box
        box.open()

    @Slot(bool)
    def _on_busy_changed(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy_bar.hide()

    @Slot()
    def _show_busy(self) -> None:
        if not self.runner.idle:
            self.busy_bar.show()

    # -- lock and user -----------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self.lock_screen.locked

    @Slot()
    def lock(self) -> None:
        if self.locked:
            return
        self.idle_watcher.pause()
        for action in self._lockable:
            action.setProperty("was_enabled", action.isEnabled())
            action.setEnabled(False)
        self.menuBar().setEnabled(False)
        self.centralWidget().setEnabled(False)
        self.statusBar().setEnabled(False)  # 立即同步 and the like: not behind the lock
        self.lock_screen.lock()

    @Slot()
    def _on_unlocked(self) -> None:
        self.menuBar().setEnabled(True)
        self.centralWidget().setEnabled(True)
        self.statusBar().setEnabled(True)
        for action in self._lockable:
            action.setEnabled(bool(action.property("was_enabled")))
        self.idle_watcher.resume()

    @Slot()
    def switch_user(self) -> None:
        """Close this window and go back to the login (the app stays running)."""
        self._switching = True
        self.switch_user_requested.emit()
        self.close()

    @property
    def switching_user(self) -> bool:
        return self._switching

    # -- dialogs -----------------------------------------------------------------------

    @Slot()
    def open_operators(self) -> None:
        if self.actor.is_supervisor:
            self.operators_dialog = admin_dialogs.OperatorsDialog(self.ctx, self.runner, self.actor, self)
            self.operators_dialog.open()

    @Slot()
    def open_agents(self) -> None:
        if self.actor.is_supervisor:
            from clerk_app.ui.agent_dialogs import AgentsDialog

            self.agents_dialog = AgentsDialog(self.ctx, self.runner, self.actor, self)
            self.agents_dialog.finished.connect(self._on_agents_changed)
            self.agents_dialog.open()

    @Slot()
    def open_catalog_import(self) -> None:
        if self.actor.is_supervisor:
            self.import_dialog = admin_dialogs.CatalogImportDialog(self.ctx, self.runner, self.actor, self)
            self.import_dialog.imported.connect(self._on_catalog_imported)
            self.import_dialog.open()

    def _on_catalog_imported(self, _result: object) -> None:
        if self._catalog_page is not None:
            self._catalog_page.reload()
        if self.intake_page is not None:
            self.intake_page.reload_catalog()
        self.refresh_status()

    @Slot()
    def open_calendar(self) -> None:
        if self.actor.is_supervisor:
            self.calendar_dialog = admin_dialogs.CalendarDialog(self.ctx, self.runner, self.actor, self)
            self.calendar_dialog.changed.connect(self._on_calendar_changed)
            self.calendar_dialog.open()

    @Slot()
    def _on_calendar_changed(self) -> None:
        self.refresh_status()
        # due dates may have been counted again (and queued for the county): lists and counts
        self._refresh_timer.start()

    @Slot()
    def open_audit_log(self) -> None:
        if self.actor.is_supervisor:
            self.audit_dialog = admin_dialogs.AuditLogDialog(self.ctx, self)
            self.audit_dialog.open()

    def _sync_dialog(self, name: str) -> None:
        from clerk_app.ui import sync_dialogs  # loaded when first asked for, not at start

        dialog = getattr(sync_dialogs, name)(self.ctx, self.actor, self.runner, parent=self)
        dialog.changed.connect(self.sync_controller.refresh)
        self.sync_dialog = dialog
        dialog.open()

    @Slot()
    def open_sync_settings(self) -> None:
        if self.actor.is_supervisor or self.is_agent:
            self._sync_dialog("SyncSettingsDialog")
        else:
            self.statusBar().showMessage(_("县中心连接设置需要负责人登录后修改。"), 8000)

    @Slot()
    def open_sync_rejected(self) -> None:
        self._sync_dialog("RejectedRecordsDialog")

    @Slot()
    def open_sync_conflicts(self) -> None:
        self._sync_dialog("ConflictsDialog")

    @Slot()
    def open_sync_usb(self) -> None:
        self._sync_dialog("UsbSyncDialog")

    @Slot(object)
    def _on_synced(self, _report: object) -> None:
        """Pulled statuses change the lists and counts; a pulled catalog or calendar, the rest."""
        self._refresh_timer.start()
        self.refresh_status()

    @Slot()
    def show_about(self) -> None:
        box = QtWidgets.QMessageBox(self)
        box.setWindowTitle(_("关于"))
        box.setIcon(QtWidgets.QMessageBox.Icon.Information)
        box.setText(_("便民服务窗口受理客户端 {version}").format(version=APP_VERSION))
        box.setInformativeText(_(
            "乡镇便民服务中心、村便民服务室的窗口受理、一次性告知和受理回执。\n"
            "断网也能办理，联网后自动报送县中心。\n\n数据目录：{dir}").format(dir=paths.data_dir()))
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Ok)
        self.about_box = box
        box.open()

    # -- geometry and closing ----------------------------------------------------------

    @staticmethod
    def _settings() -> QtCore.QSettings:
        # QSettings only for the window's geometry, kept in the data folder
        return QtCore.QSettings(str(paths.data_dir() / "window.ini"), QtCore.QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        geometry = self._settings().value("main_window/geometry")
        if isinstance(geometry, QtCore.QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(self.first_size())

    def first_size(self) -> QtCore.QSize:
        """1280 x 800, or the whole free screen where it is smaller (1366 x 768 counters)."""
        wanted = QtCore.QSize(1280, 800)
        screen = self.screen() or QtGui.QGuiApplication.primaryScreen()
        if screen is None:
            return wanted
        free = screen.availableGeometry()
        # leave room for the window frame and title bar the window manager adds
        frame = QtCore.QSize(16, 40)
        return wanted.boundedTo(free.size() - frame)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # Qt override
        settings = self._settings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.sync()
        self.idle_watcher.stop()
        self.sync_controller.stop()
        self._sync_start_timer.stop()
        self._counts_timer.stop()
        self._warmup_timer.stop()
        self._pages_timer.stop()
        self._status_timer.stop()
        self._refresh_timer.stop()
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()
