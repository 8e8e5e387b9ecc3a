"""The sync status widget, its background controller and the sync dialogs, offscreen,
against the real county server (SQLite)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clerk_app.services import sync_admin
from clerk_app.store.models import OutboxRecord
from county_center import service
from tests.sync.conftest import DEMO_DIVISION, county, device, make_device  # noqa: F401 - fixtures


@pytest.fixture
def backend():
    return "sqlite"


@pytest.fixture
def controller(qtbot, device, runner):
    from clerk_app.ui.sync_status import SyncController

    # the OS network watch is driven by hand in its own tests, never by this machine's network
    c = SyncController(device.ctx, runner, credentials=device.creds, tick_ms=50, watch_network=False)
    yield c
    c.stop()


def test_status_widget_shows_pending_last_success_and_error(qtbot, device, county, controller, wait_idle):
    from clerk_app.ui.sync_status import SyncStatusWidget

    widget = SyncStatusWidget(clock=device.ctx.clock)
    qtbot.addWidget(widget)
    widget.attach(controller)
    device.new_case()
    device.new_case()
    with qtbot.waitSignal(controller.overview_changed, timeout=5000):
        controller.refresh()
    assert "待上传 2 条" in widget.pending_label.text()
    assert "从未" in widget.last_label.text()
    with qtbot.waitSignal(controller.finished, timeout=10000) as blocker:
        qtbot.mouseClick(widget.sync_button, __import__("clerk_app.ui.qt", fromlist=["Qt"]).Qt.MouseButton.LeftButton)
    assert blocker.args[0].applied == 2
    qtbot.waitUntil(lambda: "待上传 0 条" in widget.pending_label.text(), timeout=5000)
    assert "10:00" in widget.last_label.text()
    assert widget.error_label.isHidden()
    # the server goes away: the error shows, the count stays
    county.stop()
    device.new_case()
    with qtbot.waitSignal(controller.finished, timeout=10000):
        controller.sync_now()
    qtbot.waitUntil(lambda: not widget.error_label.isHidden(), timeout=5000)
    # a few words in the bar, the whole message in the tooltip and on a click
    assert widget.error_label.text() == "同步失败"
    assert "无法连接县级中心" in widget.error_label.toolTip()
    with qtbot.waitSignal(widget.error_requested) as shown:
        widget.error_label.click()
    assert "无法连接县级中心" in shown.args[0]
    qtbot.waitUntil(lambda: "待上传 1 条" in widget.pending_label.text(), timeout=5000)
    county.start()
    wait_idle()


def test_timer_runs_sync_in_the_background_when_due(qtbot, device, county, controller, wait_idle):
    import threading

    device.new_case()
    seen_threads = []
    original = controller.engine.run

    def spy(*a, **k):
        seen_threads.append(threading.current_thread() is threading.main_thread())
        return original(*a, **k)

    controller.engine.run = spy
    with qtbot.waitSignal(controller.finished, timeout=10000) as blocker:
        controller.start()  # never synced: due at once
    assert blocker.args[0].applied == 1
    assert seen_threads == [False]  # never on the UI thread
    wait_idle()


def test_what_another_program_changed_shows_on_the_next_tick(qtbot, device, county, controller,
                                                            wait_idle):
    """``clerk-app admin sync``, or a case saved by another window, changes the database
    behind this window's back: the status follows within a tick, with no sync run."""
    with qtbot.waitSignal(controller.finished, timeout=10000):
        controller.start()  # never synced: due at once; afterwards not due for a while
    qtbot.waitUntil(lambda: controller.overview is not None and controller.overview.pending == 0,
                    timeout=5000)
    runs = []
    controller.finished.connect(runs.append)
    device.new_case()  # as another program would, straight into the database
    qtbot.waitUntil(lambda: controller.overview.pending == 1, timeout=5000)
    device.sync()  # another program sends it
    qtbot.waitUntil(lambda: controller.overview.pending == 0, timeout=5000)
    assert controller.overview.last_success_at is not None
    assert runs == []  # this window did not send anything itself
    wait_idle()


def test_connection_returns_probe_triggers_a_run(qtbot, device, county, controller, wait_idle):
    county.stop()
    device.new_case()
    device.sync()  # fails: network; the next full run waits for the backoff
    county.start()
    with qtbot.waitSignal(controller.finished, timeout=10000) as blocker:
        controller.start()  # the probe sees the county again and runs at once
    assert blocker.args[0].applied == 1
    wait_idle()


def test_auth_stop_offers_reenrol(qtbot, device, county, controller, wait_idle):
    from clerk_app.ui.sync_status import SyncStatusWidget

    widget = SyncStatusWidget(clock=device.ctx.clock)
    qtbot.addWidget(widget)
    widget.attach(controller)
    with county.admin() as s:
        service.revoke_device(s, sync_admin.overview(device.ctx).device_id)
    with qtbot.waitSignal(controller.finished, timeout=10000):
        controller.sync_now()
    qtbot.waitUntil(lambda: not widget.details_button.isHidden(), timeout=5000)
    assert widget.details_button.text() == "重新注册"
    with qtbot.waitSignal(widget.settings_requested, timeout=2000):
        widget.details_button.click()
    wait_idle()


def test_settings_dialog_warns_when_tls_is_off_and_enrols(qtbot, tmp_path, clock, county, runner, wait_idle):
    from clerk_app.ui.sync_dialogs import SyncSettingsDialog

    d = make_device(tmp_path, clock, 7)
    dialog = SyncSettingsDialog(d.ctx, d.supervisor, runner, credentials=d.creds)
    qtbot.addWidget(dialog)
    wait_idle()
    assert "未注册" in dialog.state_label.text()
    assert dialog.verify_check.isChecked() and dialog.tls_warning.isHidden()
    dialog.verify_check.setChecked(False)
    assert not dialog.tls_warning.isHidden() and "仅限测试" in dialog.tls_warning.text()
    dialog.verify_check.setChecked(True)
    dialog.url_edit.setText(county.url)
    dialog.interval_spin.setValue(10)
    dialog.save()
    wait_idle()
    assert sync_admin.settings_values(d.ctx)["sync.interval_seconds"] == 600
    with county.admin() as s:
        code = service.issue_code(s, DEMO_DIVISION)
    dialog.code_edit.setText(code)
    with qtbot.waitSignal(dialog.changed, timeout=10000):
        dialog.enrol()
    wait_idle()
    assert "注册成功" in dialog.message.text()
    assert sync_admin.overview(d.ctx).enrolled
    d.ctx.db.dispose()


def test_rejected_view_fix_and_resend(qtbot, device, county, runner, wait_idle):
    from clerk_app.ui.sync_dialogs import RejectedRecordsDialog

    no = device.new_case()
    with device.ctx.tx() as s:
        rec = s.scalar(select(OutboxRecord).where(OutboxRecord.entity_key == no))
        good_code = rec.payload["item_code"]
        rec.payload = dict(rec.payload) | {"item_code": "0000-unknown"}
    assert device.sync().rejected == 1
    dialog = RejectedRecordsDialog(device.ctx, device.clerk, runner)
    qtbot.addWidget(dialog)
    wait_idle()
    assert dialog.table.rowCount() == 1 and no == dialog.table.item(0, 0).text()
    assert "事项清单" in dialog.table.item(0, 3).text()
    assert dialog.edits["item_code"].text() == "0000-unknown"
    dialog.edits["item_code"].setText(good_code)
    with qtbot.waitSignal(dialog.changed, timeout=5000):
        dialog.resend_selected()
    wait_idle()
    assert dialog.table.rowCount() == 0
    assert device.sync().applied == 1


def test_conflicts_view_applies_the_county_decision(qtbot, device, county, runner, wait_idle):
    from clerk_app.services import cases, intake
    from clerk_app.ui.sync_dialogs import ConflictsDialog

    no = device.new_case()
    county.faults.fail_after = 1
    device.sync()
    intake.withdraw(device.ctx, device.clerk, cases.find_case_id(device.ctx, no), "撤回")
    with county.admin() as s:
        service.set_case_status(s, no, "in_review")
    device.sync()
    dialog = ConflictsDialog(device.ctx, device.clerk, runner)
    qtbot.addWidget(dialog)
    wait_idle()
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 1).text() == no
    dialog.keep_local()  # not allowed for a case: the message says why
    wait_idle()
    assert "以县级决定为准" in dialog.message.text()
    with qtbot.waitSignal(dialog.changed, timeout=5000):
        dialog.take_county()
    wait_idle()
    assert dialog.table.rowCount() == 0


def test_usb_dialog_round_trip(qtbot, device, county, runner, wait_idle, tmp_path):
    from county_center.usb import import_file
    from clerk_app.ui.sync_dialogs import UsbSyncDialog

    device.new_case()
    dialog = UsbSyncDialog(device.ctx, device.clerk, runner, credentials=device.creds)
    qtbot.addWidget(dialog)
    out = tmp_path / "outbox.json"
    dialog.export_to(out)
    wait_idle()
    assert "已导出 1 条" in dialog.message.text()
    import_file(county.db, out, tmp_path / "acks.json")
    with qtbot.waitSignal(dialog.changed, timeout=5000):
        dialog.import_from(tmp_path / "acks.json")
    wait_idle()
    assert "县级已接收 1 条" in dialog.message.text()
    assert sync_admin.overview(device.ctx).pending == 0


def _refused_record(device) -> str:  # noqa: ANN001
    """A case whose record the county refuses for a reason no correction fixes."""
    no = device.new_case()
    with device.ctx.tx() as s:
        rec = s.scalar(select(OutboxRecord).where(OutboxRecord.entity_key == no))
        rec.payload = dict(rec.payload) | {"service_point": "420528102000"}
    assert device.sync().rejected == 1
    return no


def test_rejected_view_has_no_discard_button_for_a_clerk(qtbot, device, county, runner, wait_idle):
    from clerk_app.ui.sync_dialogs import RejectedRecordsDialog

    _refused_record(device)
    dialog = RejectedRecordsDialog(device.ctx, device.clerk, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle()
    assert dialog.table.rowCount() == 1
    assert not dialog.discard_button.isVisible()
    dialog.discard_selected()  # even if called, nothing happens for a clerk
    wait_idle()
    assert sync_admin.overview(device.ctx).rejected == 1


def test_rejected_view_supervisor_discards_after_confirming(qtbot, device, county, runner, wait_idle,
                                                            monkeypatch):
    from clerk_app.ui.qt import QtWidgets
    from clerk_app.ui.sync_dialogs import RejectedRecordsDialog

    no = _refused_record(device)
    dialog = RejectedRecordsDialog(device.ctx, device.supervisor, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle()
    assert dialog.discard_button.isVisible() and dialog.discard_button.isEnabled()
    assert dialog.discard_button.text() == "放弃上报"
    asked = []
    replies = [QtWidgets.QMessageBox.StandardButton.No, QtWidgets.QMessageBox.StandardButton.Yes]

    def question(parent, title, text, *args):  # noqa: ANN001, ANN202
        asked.append((title, text))
        return replies[len(asked) - 1]

    monkeypatch.setattr(QtWidgets.QMessageBox, "question", question)
    dialog.discard_button.click()  # answered No: nothing changes
    wait_idle()
    assert len(asked) == 1
    title, text = asked[0]
    assert title == "放弃上报" and no in text
    assert "县级中心将不会收到这次改动" in text and "保留在本机" in text
    assert "服务点" in text  # the reason is repeated
    assert "已取消" in dialog.message.text()
    assert dialog.table.rowCount() == 1 and sync_admin.overview(device.ctx).rejected == 1
    with qtbot.waitSignal(dialog.changed, timeout=5000):
        dialog.discard_button.click()  # answered Yes
    wait_idle()
    assert len(asked) == 2
    assert "已放弃上报" in dialog.message.text()
    assert dialog.table.rowCount() == 0 and not dialog.discard_button.isEnabled()
    ov = sync_admin.overview(device.ctx)
    assert ov.rejected == 0 and ov.pending == 0


# --- the OS says the network is back (QNetworkInformation) -------------------------------


def _reach(name: str):
    from clerk_app.ui.qt import QtNetwork

    return getattr(QtNetwork.QNetworkInformation.Reachability, name)


def _fake_network(initial: str):
    """Stands in for QNetworkInformation: the offscreen test machine may have no backend,
    and a real network must not be switched off and on by a test."""
    from clerk_app.ui.qt import QtCore, Signal

    class FakeNetworkInformation(QtCore.QObject):
        reachabilityChanged = Signal(object)

        def __init__(self) -> None:
            super().__init__()
            self.now = _reach(initial)

        def reachability(self):
            return self.now

        def go(self, name: str) -> None:
            self.now = _reach(name)
            self.reachabilityChanged.emit(self.now)

    return FakeNetworkInformation()


def _watching_controller(device, runner, monkeypatch, source, delay_ms=50):
    from clerk_app.ui import sync_status

    monkeypatch.setattr(sync_status, "reachability_source", lambda: source)
    c = sync_status.SyncController(device.ctx, runner, credentials=device.creds,
                                   tick_ms=60 * 60 * 1000, restored_delay_ms=delay_ms)
    return c


def test_network_back_online_starts_a_sync(qtbot, device, county, runner, wait_idle, monkeypatch):
    net = _fake_network("Disconnected")
    c = _watching_controller(device, runner, monkeypatch, net)
    county.stop()
    device.new_case()
    device.sync()  # fails: network; the timer's next run would wait for the backoff
    county.start()
    with qtbot.waitSignal(c.overview_changed, timeout=5000):
        c.start()
    assert c.network_info is net and not c.probe_only
    runs = []
    c.running_changed.connect(lambda on: on and runs.append(1))
    # flapping: several changes in a row make one run, after they settle
    with qtbot.waitSignal(c.finished, timeout=10000) as blocker:
        net.go("Site")
        net.go("Disconnected")
        net.go("Online")
    assert blocker.args[0].applied == 1
    assert runs == [1]
    c.stop()
    wait_idle()


def test_reachability_handler_starts_a_sync_and_disconnect_cancels(qtbot, device, county, runner,
                                                                   wait_idle, monkeypatch):
    c = _watching_controller(device, runner, monkeypatch, None, delay_ms=100)
    with qtbot.waitSignal(c.overview_changed, timeout=5000):
        c.start()
    assert c.probe_only  # no backend: nothing to subscribe to
    device.new_case()
    c.reachability_changed(_reach("Disconnected"))
    c.reachability_changed(_reach("Local"))  # a LAN is back: the county may be on it
    assert c.restored_timer.isActive()
    c.reachability_changed(_reach("Disconnected"))
    assert not c.restored_timer.isActive()  # gone again before the run: no run
    qtbot.wait(250)
    assert not c.running
    # on the government intranet the OS may report "site", never "online"
    with qtbot.waitSignal(c.finished, timeout=10000) as blocker:
        c.reachability_changed(_reach("Site"))
    assert blocker.args[0].applied == 1
    # online -> online-ish changes that are no return start nothing
    c.reachability_changed(_reach("Online"))
    qtbot.wait(50)
    c.restored_timer.stop()
    c.reachability_changed(_reach("Site"))
    assert not c.restored_timer.isActive()
    c.stop()
    wait_idle()


def test_without_a_backend_the_probe_still_notices_the_return(qtbot, device, county, runner,
                                                              wait_idle, monkeypatch):
    from clerk_app.ui import sync_status

    monkeypatch.setattr(sync_status, "reachability_source", lambda: None)
    c = sync_status.SyncController(device.ctx, runner, credentials=device.creds, tick_ms=50)
    county.stop()
    device.new_case()
    device.sync()
    county.start()
    with qtbot.waitSignal(c.finished, timeout=10000) as blocker:
        c.start()
    assert c.probe_only
    assert blocker.args[0].applied == 1
    c.stop()
    wait_idle()


def test_the_real_reachability_source_loads_or_says_none(qtbot):
    from clerk_app.ui.qt import QtNetwork
    from clerk_app.ui.sync_status import reachability_source

    info = reachability_source()
    if info is not None:  # a backend on this machine: it reports reachability
        assert info.supports(QtNetwork.QNetworkInformation.Feature.Reachability)


def test_settings_dialog_grows_for_wrapped_texts_instead_of_overlapping(
        styled, qtbot, demo_ctx, supervisor, runner, wait_idle):
    from types import SimpleNamespace

    from clerk_app.ui.qt import QtWidgets
    from clerk_app.ui.sync_dialogs import SyncSettingsDialog

    dialog = SyncSettingsDialog(demo_ctx, supervisor, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle()
    name = "长阳土家族自治县龙舟坪镇便民服务中心（县级中心登记的名称比较长）"
    dialog._enrolled(SimpleNamespace(service_point_name=name))
    wait_idle()
    error = "无法连接县级中心：连接被拒绝（https://county.example:8443/api/v1/sync），请检查网络和地址。"
    dialog._show_state(SimpleNamespace(enrolled=True, blocked="", service_point_name=name,
                                       device_id="abcdef123456", last_error=error))
    dialog.verify_check.setChecked(False)  # the TLS warning wraps too
    qtbot.wait(100)
    assert "注册成功" in dialog.message.text() and error in dialog.last_error_label.text()
    shown = [w for w in dialog.findChildren(QtWidgets.QWidget)
             if w.parentWidget() is dialog and w.isVisible()]
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            assert not a.geometry().intersects(b.geometry()), (a, b)
    for label in (dialog.state_label, dialog.message, dialog.tls_warning, dialog.last_error_label):
        assert label.height() >= label.heightForWidth(label.width())
