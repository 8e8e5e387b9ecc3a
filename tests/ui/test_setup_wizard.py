"""The first-start wizard, end to end on an empty database."""

from __future__ import annotations

import pytest

from clerk_app.services import auth, catalog, setup
from clerk_app.ui.qt import QtWidgets, Qt
from tests.ui.conftest import type_text


NEXT = QtWidgets.QWizard.WizardButton.NextButton
FINISH = QtWidgets.QWizard.WizardButton.FinishButton


@pytest.fixture
def wizard(qtbot, ctx, runner):
    from clerk_app.ui.setup_wizard import SetupWizard

    w = SetupWizard(ctx, runner)
    qtbot.addWidget(w)
    w.show()
    yield w
    qtbot.waitUntil(lambda: runner.idle, timeout=20000)


def _pick(combo: QtWidgets.QComboBox, code: str) -> None:
    index = combo.findData(code)
    assert index >= 0, code
    combo.setCurrentIndex(index)


def _click(qtbot, wizard, which) -> None:
    button = wizard.button(which)
    assert button.isEnabled(), wizard.currentPage().title()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _fill_to_supervisor(qtbot, wizard) -> None:
    page = wizard.location_page
    assert not wizard.button(NEXT).isEnabled()  # nothing chosen yet
    _pick(page.city_combo, "4205")
    _pick(page.county_combo, "420528")
    assert page.county_combo.currentText() == "长阳土家族自治县"
    _pick(page.township_combo, "420528101")
    assert page.township_combo.currentText() == "龙舟坪镇"
    assert page.division_code() == "420528101000"
    assert "龙舟坪镇便民服务中心" in page.preview_label.text()
    _click(qtbot, wizard, NEXT)

    assert wizard.currentPage() is wizard.device_page
    wizard.device_page.device_spin.setValue(7)
    type_text(wizard.device_page.address_edit, "龙舟大道 1 号")
    qtbot.keyClicks(wizard.device_page.phone_edit, "0717-5321234")
    _click(qtbot, wizard, NEXT)

    assert wizard.currentPage() is wizard.catalog_page
    assert wizard.catalog_page.use_demo()
    _click(qtbot, wizard, NEXT)
    assert wizard.currentPage() is wizard.supervisor_page


def test_set_up_end_to_end(qtbot, wizard, ctx, runner):
    _fill_to_supervisor(qtbot, wizard)
    sup = wizard.supervisor_page
    qtbot.keyClicks(sup.username_edit, "wangjh")
    type_text(sup.name_edit, "王建华")
    qtbot.keyClicks(sup.passwords.first, "short")
    qtbot.keyClicks(sup.passwords.second, "short")
    _click(qtbot, wizard, NEXT)
    assert wizard.currentPage() is sup  # refused: too short
    assert "至少需要" in sup.message_label.text()

    for edit in (sup.passwords.first, sup.passwords.second):
        edit.clear()
        qtbot.keyClicks(edit, " " * 8)
    _click(qtbot, wizard, NEXT)
    assert wizard.currentPage() is sup  # refused: only spaces
    assert "全是空格" in sup.message_label.text()

    sup.passwords.first.clear()
    sup.passwords.second.clear()
    qtbot.keyClicks(sup.passwords.first, "counter2026")
    qtbot.keyClicks(sup.passwords.second, "counter2027")
    _click(qtbot, wizard, NEXT)
    assert "不一致" in sup.message_label.text()

    sup.passwords.second.clear()
    qtbot.keyClicks(sup.passwords.second, "counter2026")
    _click(qtbot, wizard, NEXT)
    assert wizard.currentPage() is wizard.summary_page
    summary = wizard.summary_page.summary_label.text()
    assert "龙舟坪镇便民服务中心" in summary and "王建华" in summary and "7" in summary

    with qtbot.waitSignal(wizard.set_up_done, timeout=20000) as done:
        _click(qtbot, wizard, FINISH)
    assert done.args == ["wangjh"]
    qtbot.waitUntil(lambda: runner.idle, timeout=20000)
    assert wizard.result() == QtWidgets.QDialog.DialogCode.Accepted

    assert setup.is_set_up(ctx)
    point = setup.service_point(ctx)
    assert point.division_code == "420528101000"
    assert point.name == "龙舟坪镇便民服务中心"
    assert point.address == "龙舟大道 1 号"
    assert setup.device_no(ctx) == 7
    items = catalog.current_items(ctx)
    assert len(items) > 20
    assert any(it.name == "最低生活保障申请" and it.materials for it in items)
    actor = auth.login(ctx, "wangjh", "counter2026")
    assert actor.is_supervisor and actor.name == "王建华"


def test_village_service_room(qtbot, wizard):
    page = wizard.location_page
    assert page.select_division("420528101")
    villages = [page.village_combo.itemData(i) for i in range(page.village_combo.count())]
    assert villages[0] == ""  # not choosing a village is the default
    village = villages[1]
    _pick(page.village_combo, village)
    assert page.division_code() == village
    assert "便民服务室" in page.preview_label.text()


def test_quick_search_selects_the_township(qtbot, wizard):
    page = wizard.location_page
    entry = next(k for k in page._township_entries if k.startswith("龙舟坪镇"))
    page.search_completer.activated[str].emit(entry)
    assert page.county_combo.currentData() == "420528"
    assert page.division_code() == "420528101000"


def test_broken_county_files_show_row_and_column_and_allow_retry(qtbot, wizard, tmp_path):
    _fill_to_supervisor_prefix(qtbot, wizard)
    items_src, materials_src = setup.demo_catalog_paths()
    lines = items_src.read_text(encoding="utf-8-sig").splitlines()
    header, first = lines[0], lines[1].split(",")
    first[6] = "三十"  # 法定时限 not a number
    broken = tmp_path / "items.csv"
    broken.write_text("\n".join([header, ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")

    page = wizard.catalog_page
    page.files_radio.setChecked(True)
    page.items_field.set_path(broken)
    page.materials_field.set_path(materials_src)
    _click(qtbot, wizard, NEXT)
    qtbot.waitUntil(lambda: bool(page.errors()), timeout=10000)
    assert wizard.currentPage() is page
    assert any("items.csv 第 2 行" in e and "法定时限" in e for e in page.errors())

    # fix the file and go on: the check runs again and passes
    broken.write_text(items_src.read_text(encoding="utf-8-sig"), encoding="utf-8")
    _click(qtbot, wizard, NEXT)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.supervisor_page, timeout=10000)
    assert "检查通过" in page.status_label.text()


def _fill_to_supervisor_prefix(qtbot, wizard) -> None:
    assert wizard.location_page.select_division("420528101")
    _click(qtbot, wizard, NEXT)
    _click(qtbot, wizard, NEXT)
    assert wizard.currentPage() is wizard.catalog_page


def test_an_agents_laptop_is_set_up_from_the_provisioning_file(qtbot, demo_ctx, supervisor,
                                                             runner, tmp_path):
    """A bare laptop: the wizard's 代办员电脑 button imports the township's file, then login."""
    from clerk_app.services import agents, auth, setup
    from clerk_app.ui.setup_wizard import SetupWizard
    from clerk_app.ui.qt import QtWidgets
    from clerk_app.services.common import Context
    from clerk_app.store.db import Database
    from tests.core.test_agents_support import MemoryKeys, agent_input

    store = agents.KeyStore(MemoryKeys())
    agents.use_key_store(store)
    try:
        agent = agents.register_agent(demo_ctx, supervisor, agent_input())
        prov = agents.export_provisioning(demo_ctx, supervisor, agent.id)
        path = tmp_path / "agent.agent"
        path.write_bytes(prov.content)
        laptop = Context(Database(tmp_path / "laptop.sqlite3"), demo_ctx.clock)  # a bare laptop
        assert not setup.is_set_up(laptop)
        wizard = SetupWizard(laptop, runner)
        qtbot.addWidget(wizard)
        wizard.show()
        button = wizard.button(QtWidgets.QWizard.WizardButton.CustomButton1)
        assert button.isVisible() and "代办员" in button.text()
        button.click()
        dialog = wizard.provisioning_dialog
        dialog.load_file(path)
        qtbot.keyClicks(dialog.code_edit, prov.code)
        with qtbot.waitSignal(wizard.set_up_done, timeout=15000) as done:
            dialog.submit()
        username = done.args[0]
        assert setup.is_set_up(laptop)
        assert auth.login(laptop, username, agent_input().password).role.value == "agent"
        qtbot.waitUntil(lambda: runner.idle, timeout=10000)
    finally:
        agents.use_key_store(None)
