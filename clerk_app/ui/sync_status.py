"""Sync in the window: a status-bar widget and the controller that runs sync in the background.

    runner = TaskRunner()
    controller = SyncController(ctx, runner)            # credentials/transport injectable
    widget = SyncStatusWidget()
    widget.attach(controller)                           # shows pending, last success, errors
    window.statusBar().addPermanentWidget(widget)
    controller.start()                                  # timer, OS network watch, probe

The controller never touches the database or the network on the UI thread: every run,
probe and refresh goes through ``TaskRunner.run(..., background=True)``; results come back
as signals. The widget only shows what the controller tells it.
"""

from __future__ import annotations

import datetime as dt
import logging

from clerk_app.credentials import Credentials
from clerk_app.i18n import _
from clerk_app.services import sync_admin
from clerk_app.services.common import Context
from clerk_app.sync import state as sync_state
from clerk_app.ui.qt import QtCore, QtNetwork, QtWidgets, Signal, Slot
from clerk_app.ui.tasks import TaskRunner, error_text

log = logging.getLogger(__name__)

TICK_MS = 15_000  # how often the timer asks whether a run is due
PROBE_EVERY = dt.timedelta(seconds=30)  # after a network failure: is the county reachable again?
RESTORED_DELAY_MS = 3_000  # the OS says the network is back: wait for it to settle, then sync


def reachability_source() -> QtCore.QObject | None:
    """The OS's network reachability (Qt's QNetworkInformation), or None when this machine has
    no backend for it (then only the probe after a network failure notices a return)."""
    info_cls = QtNetwork.QNetworkInformation
    try:
        loaded = info_cls.loadBackendByFeatures(info_cls.Feature.Reachability)
        if not loaded:
            loaded = info_cls.loadDefaultBackend()
        info = info_cls.instance() if loaded else None
    except Exception:  # noqa: BLE001 - a broken plugin must not stop the window
        log.warning("network reachability backend failed to load", exc_info=True)
        return None
    if info is None or not info.supports(info_cls.Feature.Reachability):
        return None
    return info


def _reach(value: object) -> QtNetwork.QNetworkInformation.Reachability:
    r = QtNetwork.QNetworkInformation.Reachability
    if isinstance(value, r):
        return value
    try:
        return r(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return r.Unknown


class SyncController(QtCore.QObject):
    """Runs sync off the UI thread: on its timer, on "sync now", when the connection returns.

    "When the connection returns": ``start()`` subscribes to the OS's reachability
    (``reachability_source()``); a change to online, or away from disconnected, starts a run
    after ``restored_delay_ms`` (several changes in a row start one run). Without a backend
    (some Linux machines) and in any case, a probe of ``/info`` every 30 s after a network
    failure starts a run as soon as the county answers.

    Signals: ``running_changed(bool)``, ``finished(object)`` (a ``SyncReport``),
    ``overview_changed(object)`` (a ``sync_admin.SyncOverview``), ``failed(str)``.
    """

    running_changed = Signal(bool)
    finished = Signal(object)
    overview_changed = Signal(object)
    failed = Signal(str)

    def __init__(self, ctx: Context, runner: TaskRunner, credentials: Credentials | None = None,
                 transport=None, parent: QtCore.QObject | None = None,  # noqa: ANN001
                 tick_ms: int = TICK_MS, watch_network: bool = True,
                 restored_delay_ms: int = RESTORED_DELAY_MS) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.credentials = credentials
        self.transport = transport
        self.engine = sync_admin.make_engine(ctx, credentials, transport)
        self.running = False
        self._probing = False
        self._last_probe: dt.datetime | None = None
        self.overview: sync_admin.SyncOverview | None = None
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self._tick)
        self.watch_network = watch_network
        self.network_info: QtCore.QObject | None = None  # None: no OS backend, the probe only
        self._reachability = QtNetwork.QNetworkInformation.Reachability.Unknown
        self.restored_timer = QtCore.QTimer(self)
        self.restored_timer.setSingleShot(True)
        self.restored_timer.setInterval(restored_delay_ms)
        self.restored_timer.timeout.connect(self.connectivity_restored)

    # --- public slots ----------------------------------------------------------------

    def start(self) -> None:
        self.timer.start()
        if self.watch_network and self.network_info is None:
            self._watch_reachability()
        self.refresh()

    def stop(self) -> None:
        self.timer.stop()
        self.restored_timer.stop()
        if self.network_info is not None:
            try:
                self.network_info.reachabilityChanged.disconnect(self.reachability_changed)
            except (RuntimeError, TypeError):
                pass
            self.network_info = None

    @property
    def probe_only(self) -> bool:
        """True when the OS tells nothing about the network: only the probe notices a return."""
        return self.network_info is None

    @Slot(object)
    def reachability_changed(self, reachability: object) -> None:
        """The OS's reachability changed. Online, or anything better than disconnected after
        disconnected (a county on the government intranet may never be "online"), starts a
        run soon; disconnected cancels a run that was about to start."""
        r = QtNetwork.QNetworkInformation.Reachability
        new, old = _reach(reachability), self._reachability
        self._reachability = new
        log.info("network reachability: %s -> %s", old.name, new.name)
        if new == r.Disconnected:
            self.restored_timer.stop()
            return
        came_back = (new == r.Online and old != r.Online) or (
            old == r.Disconnected and new in (r.Local, r.Site, r.Online))
        if came_back:
            self.restored_timer.start()  # restarted by every change: one run after they settle

    @Slot()
    def sync_now(self) -> None:
        """The clerk's "立即同步": ignores the backoff (a stopped credential still stops it)."""
        self._run()

    @Slot()
    def refresh(self) -> None:
        self.runner.run(sync_admin.overview, self.ctx, background=True,
                        on_success=self._got_overview, on_failure=self._failed)

    @Slot()
    def connectivity_restored(self) -> None:
        """Call when the OS says the network is back; a run starts unless sync is stopped."""
        if self.overview is not None and (self.overview.blocked == "auth"
                                          or not self.overview.enrolled):
            return
        self._run()

    # --- internals -------------------------------------------------------------------

    def _watch_reachability(self) -> None:
        info = reachability_source()
        if info is None:
            log.info("no network reachability backend: sync notices a return by probing")
            return
        self.network_info = info
        self._reachability = _reach(info.reachability())
        info.reachabilityChanged.connect(self.reachability_changed)

    def _run(self) -> None:
        if self.running:
            return
        self.running = True
        self.running_changed.emit(True)
        self.runner.run(self.engine.run, background=True, on_success=self._done,
                        on_failure=self._run_failed)

    def _tick(self) -> None:
        if self.running or self._probing:
            return
        self.runner.run(self._check_due, background=True, on_success=self._due_answer,
                        on_failure=self._failed)

    def _check_due(self) -> tuple[str, sync_admin.SyncOverview | None]:
        """Background: ("run", None) when the timer's run is due, also when a cheap
        reachability check (after a network failure, during the backoff) finds the county
        again; else ("", the overview as the database has it now), so that what another
        program did (``clerk-app admin sync``, enrolment, a second window) shows too."""
        with self.ctx.tx() as s:
            st = sync_state.read(s)
        now = self.ctx.clock()
        if sync_admin.is_due(st, now):
            return "run", None
        if (st.enrolled and not st.blocked and st.last_error_code == "network"
                and (self._last_probe is None or now - self._last_probe >= PROBE_EVERY)):
            self._last_probe = now
            try:
                with self.engine.client() as client:
                    client.info()
            except Exception:  # still unreachable: wait for the backoff
                return "", sync_admin.overview(self.ctx)
            return "run", None  # the connection came back: do not wait for the backoff
        return "", sync_admin.overview(self.ctx)

    def _due_answer(self, answer: tuple[str, sync_admin.SyncOverview | None]) -> None:
        what, ov = answer
        if what == "run":
            self._run()
        elif ov is not None and ov != self.overview and not self.running:
            self._got_overview(ov)

    def _done(self, report: sync_admin.SyncReport) -> None:
        self.running = False
        self.running_changed.emit(False)
        self.finished.emit(report)
        if report.error:
            self.failed.emit(report.error)
        self.refresh()

    def _run_failed(self, error: BaseException) -> None:
        self.running = False
        self.running_changed.emit(False)
        self.failed.emit(error_text(error))
        self.refresh()

    def _got_overview(self, ov: sync_admin.SyncOverview) -> None:
        self.overview = ov
        self.overview_changed.emit(ov)

    def _failed(self, error: BaseException) -> None:
        self.failed.emit(error_text(error))


def _when(value: dt.datetime | None, now: dt.datetime) -> str:
    if value is None:
        return _("从未")
    if value.date() == now.date():
        return value.strftime("%H:%M")
    return value.strftime("%m-%d %H:%M")


class SyncStatusWidget(QtWidgets.QWidget):
    """For the status bar: pending count, last success, the error, and "立即同步".

    ``SyncStatusWidget(parent=None)``; ``attach(controller)`` wires it. Signals
    ``sync_requested``, ``details_requested`` (open the rejected/conflicts view) and
    ``settings_requested`` (open the sync settings, e.g. to re-enrol).
    """

    sync_requested = Signal()
    details_requested = Signal()
    settings_requested = Signal()
    error_requested = Signal(str)  # the whole error text, to be shown in a dialog

    def __init__(self, parent: QtWidgets.QWidget | None = None, clock=dt.datetime.now) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.clock = clock
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(8)
        self.pending_label = QtWidgets.QLabel(_("待上传 -"))
        self.last_label = QtWidgets.QLabel(_("上次同步：-"))
        # a few words only, so a long error never pushes the operator and the service point
        # out of the status bar; the whole message is the tooltip and opens on a click
        self.error_label = QtWidgets.QToolButton()
        self.error_label.setObjectName("syncErrorLabel")
        self.error_label.setAutoRaise(True)
        self.error_label.setStyleSheet(
            "QToolButton#syncErrorLabel { color: #b00020; font-weight: bold; }")
        self.error_label.clicked.connect(self._error_clicked)
        self.error_label.hide()
        self.error_text = ""
        self.details_button = QtWidgets.QToolButton()
        self.details_button.setText(_("查看"))
        self.details_button.hide()
        self.sync_button = QtWidgets.QToolButton()
        self.sync_button.setText(_("立即同步"))
        for w in (self.pending_label, self.last_label, self.error_label, self.details_button,
                  self.sync_button):
            layout.addWidget(w)
        self.sync_button.clicked.connect(self.sync_requested)
        self.details_button.clicked.connect(self._details_clicked)
        self._blocked = ""

    def attach(self, controller: SyncController) -> None:
        self.sync_requested.connect(controller.sync_now)
        controller.overview_changed.connect(self.show_overview)
        controller.running_changed.connect(self.set_running)
        controller.failed.connect(self.show_error)

    @Slot(bool)
    def set_running(self, running: bool) -> None:
        self.sync_button.setEnabled(not running)
        self.sync_button.setText(_("同步中…") if running else _("立即同步"))

    @Slot(str)
    def show_error(self, text: str, warning_only: bool = False) -> None:
        """A short red 「同步失败」 (or 「同步提醒」 for a warning); the full text as tooltip."""
        self.error_text = text
        self.error_label.setText((_("同步提醒") if warning_only else _("同步失败")) if text else "")
        self.error_label.setToolTip(text + _("\n（点击查看）") if text else "")
        self.error_label.setVisible(bool(text))

    def set_compact(self, compact: bool) -> None:
        """Leave out 上次同步 when the status bar is short of room (it stays in the tooltip)."""
        self.last_label.setVisible(not compact)

    def _error_clicked(self) -> None:
        if self.error_text:
            self.error_requested.emit(self.error_text)

    @Slot(object)
    def show_overview(self, ov: sync_admin.SyncOverview) -> None:
        now = self.clock()
        if not ov.enrolled:
            self.pending_label.setText(_("待上传 {n} 条").format(n=ov.pending))
            self.last_label.setText(_("未注册到县级中心"))
            self.last_label.setToolTip(_("由负责人在「同步 → 县中心连接设置」中用县中心发放的注册码注册本机。"))
        else:
            text = _("待上传 {n} 条").format(n=ov.pending)
            if ov.rejected:
                text += _("，被拒收 {n} 条").format(n=ov.rejected)
            if ov.conflicts:
                text += _("，冲突 {n} 个").format(n=ov.conflicts)
            self.pending_label.setText(text)
            self.last_label.setText(_("上次同步：{when}").format(when=_when(ov.last_success_at, now)))
        self.details_button.setVisible(bool(ov.rejected or ov.conflicts or ov.blocked))
        self._blocked = ov.blocked
        self.details_button.setText(_("重新注册") if ov.blocked == "auth" else _("查看"))
        warning = ov.tls_warning
        self.show_error(ov.last_error or warning, not ov.last_error)
        tip = [_("县级中心：{url}").format(url=ov.url or "-"), self.last_label.text()]
        if ov.next_attempt_at and ov.last_error:
            tip.append(_("下次自动重试：{when}").format(when=_when(ov.next_attempt_at, now)))
        self.setToolTip("\n".join(tip))

    def _details_clicked(self) -> None:
        if self._blocked == "auth":
            self.settings_requested.emit()
        else:
            self.details_requested.emit()
