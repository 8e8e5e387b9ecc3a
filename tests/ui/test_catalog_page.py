"""事项 page and ItemView: search as you type, keyboard, and what an item shows."""

from __future__ import annotations

import pytest

from clerk_app.services import catalog
from clerk_app.store.models import Material, ServiceItem
from clerk_app.ui.qt import QtCore, Qt
from tests.ui.conftest import type_text



@pytest.fixture
def page(qtbot, demo_ctx, runner):
    from clerk_app.ui.catalog_page import CatalogPage

    p = CatalogPage(demo_ctx, runner)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    with qtbot.waitSignal(p.loaded, timeout=10000):
        p.show()
    yield p
    qtbot.waitUntil(lambda: runner.idle, timeout=10000)


def _names(page) -> list[str]:
    return [page.model.item_at(r).name for r in range(page.model.rowCount())]


def test_lists_the_whole_catalog_in_order(page, demo_ctx):
    items = catalog.current_items(demo_ctx)
    assert _names(page) == [it.name for it in items]
    assert page.count_label.text() == f"共 {len(items)} 项事项"
    assert page.item_view.item is not None  # the first item is shown at once


def test_pinyin_initials_find_the_item(qtbot, page):
    qtbot.keyClicks(page.search_edit, "dbsq")
    assert _names(page)[0] == "最低生活保障申请"
    assert page.current_item().name == "最低生活保障申请"
    assert page.item_view.title_label.text() == "最低生活保障申请"


@pytest.mark.parametrize("query", ["zuidi", "低保", "0600001000"])
def test_full_pinyin_chinese_and_code_search(qtbot, page, query):
    if query.isascii():
        qtbot.keyClicks(page.search_edit, query)
    else:
        type_text(page.search_edit, query)
    assert "最低生活保障申请" in _names(page)


def test_no_result_says_so(qtbot, page):
    qtbot.keyClicks(page.search_edit, "zzzzqqq")
    assert page.model.rowCount() == 0
    assert "没有找到" in page.count_label.text()
    assert not page.intake_button.isEnabled()
    assert page.item_view.item is None


def test_keyboard_down_moves_into_results_and_enter_requests_intake(qtbot, page):
    page.search_edit.setFocus()
    qtbot.keyClicks(page.search_edit, "dbsq")
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Down)
    assert page.results_view.hasFocus()
    qtbot.keyClick(page.results_view, Qt.Key.Key_Down)
    second = page.current_item()
    assert second.name != "最低生活保障申请"
    qtbot.keyClick(page.results_view, Qt.Key.Key_Up)
    qtbot.keyClick(page.results_view, Qt.Key.Key_Up)  # Up on the first row: back to the search box
    assert page.search_edit.hasFocus()
    with qtbot.waitSignal(page.intake_requested, timeout=2000) as requested:
        qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert requested.args == [page.current_item().id]
    assert page.current_item().name == "最低生活保障申请"


def test_results_model_is_sound(qtmodeltester, page):
    qtmodeltester.check(page.model)


def test_item_view_shows_what_the_counter_tells_a_citizen(qtbot):
    from clerk_app.ui.item_view import ItemView

    item = ServiceItem(
        id=1, code="X-1", name="农村宅基地申请", body="镇自然资源所", item_type="行政许可",
        level="乡级审批", legal_limit=20, promised_limit=0, fee="", conditions="",
        legal_basis="《土地管理法》第六十二条", proxy_allowed=False, visits=0,
        consult_phone="0717-1", complaint_phone="")
    item.materials = [
        Material(seq=1, name="申请表", form="原件", copies=2, required=True, condition=""),
        Material(seq=2, name="委托书", form="原件", copies=1, required=False, condition="委托他人办理的"),
    ]
    view = ItemView()
    qtbot.addWidget(view)
    view.set_item(item)
    text = view.plain_text()
    assert "农村宅基地申请" in text
    assert view.fields["promised_limit"].text() == "即办"
    assert view.fields["legal_limit"].text() == "20 个工作日"
    assert view.fields["fee"].text() == "不收费"
    assert "不可代办" in view.fields["proxy"].text()
    assert view.fields["complaint_phone"].text() == "未注明"
    table = view.materials_table
    assert table.rowCount() == 2
    assert [table.item(1, c).text() for c in range(6)] == [
        "2", "委托书", "原件", "1", "条件必需", "需要时：委托他人办理的"]
    assert table.item(0, 3).text() == "2"
    flags = view.fields["code"].textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    view.set_item(None)
    assert view.placeholder.isVisibleTo(view) and not view.content.isVisibleTo(view)


def test_item_view_type_is_large_enough_and_chinese_has_a_font(qtbot, styled, page):
    from clerk_app.forms.fonts import FAMILY_NAME
    from clerk_app.ui import style
    from clerk_app.ui.qt import QtGui

    assert styled.font().families()[0] == FAMILY_NAME
    assert styled.font().pointSize() == style.BASE_POINT_SIZE
    body = page.item_view.fields["body"]
    assert QtGui.QFontInfo(body.font()).pointSize() >= 11
    assert QtGui.QFontMetrics(body.font()).inFont("镇")
    page.item_view.set_item(page.current_item())
    page.item_view.title_label.ensurePolished()
    assert page.item_view.title_label.font().pointSize() >= 16


def test_reload_keeps_the_selected_item(qtbot, page):
    qtbot.keyClicks(page.search_edit, "dbsq")
    chosen = page.current_item().id
    with qtbot.waitSignal(page.loaded, timeout=10000):
        page.reload()
    assert page.current_item().id == chosen
    assert QtCore.QModelIndex() != page.results_view.currentIndex()
