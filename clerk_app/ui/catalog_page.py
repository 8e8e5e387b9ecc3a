"""事项: find a service item as you type and read everything about it.

The search matches the name, pinyin initials (``dbsq`` → 最低生活保障申请), full pinyin and
the 实施编码. The items and the search index are loaded on a background worker the first
time, so the window opens without waiting for them; a query typed meanwhile is applied as
soon as they are there.
"""

from __future__ import annotations

from dataclasses import dataclass

from clerk_app.i18n import _
from clerk_app.services import catalog
from clerk_app.services.common import Context
from clerk_app.store.models import ServiceItem
from clerk_app.ui.item_view import ItemView, format_limit
from clerk_app.ui.qt import QtCore, QtGui, QtWidgets, Qt, Signal, Slot
from clerk_app.ui.style import make_primary
from clerk_app.ui.tasks import TaskRunner, error_text

SEARCH_LIMIT = 200


@dataclass
class LoadedCatalog:
    items: dict[int, ServiceItem]
    order: list[int]  # catalog order (序号)
    index: object  # domain.search.CatalogIndex


def load_catalog(ctx: Context) -> LoadedCatalog:
    """Worker side: the current items with their materials, and the search index."""
    from clerk_app.domain.search import CatalogIndex  # pinyin tables load here, off the UI thread

    items = catalog.current_items(ctx)
    index = CatalogIndex(catalog.iter_index_rows(items))
    return LoadedCatalog({it.id: it for it in items}, [it.id for it in items], index)


class ResultsModel(QtCore.QAbstractTableModel):
    """Search results: name, promised limit (or 即办), 可代办 mark."""

    HEADERS = (_("事项名称"), _("承诺时限"), _("代办"))

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[ServiceItem] = []

    def set_items(self, items: list[ServiceItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item_at(self, row: int) -> ServiceItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # Qt override
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # Qt override
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: QtCore.QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # Qt override
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return item.name
            if col == 1:
                return format_limit(item.promised_limit)
            if col == 2:
                return _("可代办") if item.proxy_allowed else ""
        elif role == Qt.ItemDataRole.ToolTipRole:
            return _("{name}\n实施编码：{code}\n实施主体：{body}").format(
                name=item.name, code=item.code, body=item.body)
        elif role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2):
            return int(Qt.AlignmentFlag.AlignCenter)
        elif role == Qt.ItemDataRole.ForegroundRole and col == 1 and item.promised_limit == 0:
            return QtGui.QBrush(QtGui.QColor("#2b7a3d"))
        elif role == Qt.ItemDataRole.UserRole:
            return item.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):  # Qt override
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(self.HEADERS):
                return self.HEADERS[section]
        return None


class _ResultsView(QtWidgets.QTableView):
    """The result list; Up on the first row goes back to the search box."""

    leave_up = Signal()

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # Qt override
        if event.key() == Qt.Key.Key_Up and self.currentIndex().row() <= 0:
            self.leave_up.emit()
            return
        super().keyPressEvent(event)


class CatalogPage(QtWidgets.QWidget):
    """Search box and results on the left, the item's description on the right."""

    intake_requested = Signal(int)  # item id
    loaded = Signal()

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self._catalog: LoadedCatalog | None = None
        self._loading = False

        splitter = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        outer = QtWidgets.QHBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.addWidget(splitter)

        left = QtWidgets.QWidget()
        left_layout = QtWidgets.QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 4, 0)
        self.search_edit = QtWidgets.QLineEdit()
        self.search_edit.setObjectName("catalogSearch")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(_("查找事项：名称、拼音首字母（如 dbsq）、全拼或实施编码"))
        left_layout.addWidget(self.search_edit)
        self.count_label = QtWidgets.QLabel(_("正在载入事项清单…"))
        self.count_label.setObjectName("hint")
        left_layout.addWidget(self.count_label)

        self.model = ResultsModel(self)
        self.results_view = _ResultsView()
        self.results_view.setObjectName("catalogResults")
        self.results_view.setModel(self.model)
        self.results_view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.results_view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.results_view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.setAlternatingRowColors(True)
        self.results_view.setShowGrid(False)
        self.results_view.setWordWrap(False)
        self.results_view.setTabKeyNavigation(False)
        self.results_view.verticalHeader().setVisible(False)
        header = self.results_view.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setHighlightSections(False)
        left_layout.addWidget(self.results_view, 1)
        splitter.addWidget(left)

        right = QtWidgets.QWidget()
        right_layout = QtWidgets.QVBoxLayout(right)
        right_layout.setContentsMargins(4, 0, 0, 0)
        self.item_view = ItemView()
        right_layout.addWidget(self.item_view, 1)
        bar = QtWidgets.QHBoxLayout()
        bar.addStretch(1)
        self.intake_button = make_primary(QtWidgets.QPushButton(_("受理此事项（Enter）")))
        self.intake_button.setEnabled(False)
        bar.addWidget(self.intake_button)
        right_layout.addLayout(bar)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([460, 700])

        self.search_edit.textChanged.connect(self._on_query_changed)
        self.search_edit.returnPressed.connect(self._on_search_return)
        self.search_edit.installEventFilter(self)
        self.results_view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.results_view.activated.connect(self._on_activated)
        self.results_view.leave_up.connect(self._on_leave_results)
        self.intake_button.clicked.connect(self.request_intake)
        self.setFocusProxy(self.search_edit)

    # -- loading -------------------------------------------------------------------------

    @property
    def is_loaded(self) -> bool:
        return self._catalog is not None

    def ensure_loaded(self) -> None:
        """Load the catalog and build the index in the background (once)."""
        if self._catalog is None and not self._loading:
            self.reload()

    def reload(self) -> None:
        """Load again (after an import)."""
        self._loading = True
        self.count_label.setText(_("正在载入事项清单…"))
        self.runner.run(load_catalog, self.ctx, background=True,
                        on_success=self._on_loaded, on_failure=self._on_load_failed)

    def _on_loaded(self, loaded: LoadedCatalog) -> None:
        self._loading = False
        previous = self.current_item()
        self._catalog = loaded
        self._apply_query(keep_id=previous.id if previous else None)
        self.loaded.emit()

    def _on_load_failed(self, error: BaseException) -> None:
        self._loading = False
        self.count_label.setText(_("事项清单载入失败：{error}").format(error=error_text(error)))

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # Qt override
        super().showEvent(event)
        self.ensure_loaded()

    # -- searching -----------------------------------------------------------------------

    @Slot(str)
    def _on_query_changed(self, _text: str) -> None:
        self._apply_query()

    def _apply_query(self, keep_id: int | None = None) -> None:
        loaded = self._catalog
        if loaded is None:
            return
        query = self.search_edit.text().strip()
        if query:
            ids = loaded.index.search(query, limit=SEARCH_LIMIT)  # type: ignore[attr-defined]
        else:
            ids = loaded.order
        items = [loaded.items[i] for i in ids if i in loaded.items]
        self.model.set_items(items)
        if not loaded.items:
            self.count_label.setText(_("事项清单是空的。请负责人在「管理 → 导入事项清单」中导入。"))
        elif query:
            self.count_label.setText(_("找到 {n} 项").format(n=len(items)) if items
                                     else _("没有找到「{query}」，试试拼音首字母或换个说法。").format(query=query))
        else:
            self.count_label.setText(_("共 {n} 项事项").format(n=len(items)))
        row = 0
        if keep_id is not None:
            for r, it in enumerate(items):
                if it.id == keep_id:
                    row = r
                    break
        if items:
            self.results_view.setCurrentIndex(self.model.index(row, 0))
        else:
            self._show_item(None)

    @Slot(QtCore.QModelIndex, QtCore.QModelIndex)
    def _on_current_changed(self, current: QtCore.QModelIndex, _previous: QtCore.QModelIndex) -> None:
        self._show_item(self.model.item_at(current.row()) if current.isValid() else None)

    def _show_item(self, item: ServiceItem | None) -> None:
        self.item_view.set_item(item)
        self.intake_button.setEnabled(item is not None)

    def current_item(self) -> ServiceItem | None:
        index = self.results_view.currentIndex()
        return self.model.item_at(index.row()) if index.isValid() else None

    def set_query(self, text: str) -> None:
        self.search_edit.setText(text)

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    # -- keyboard and actions ------------------------------------------------------------

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # Qt override
        if watched is self.search_edit and event.type() == QtCore.QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self.model.rowCount() > 0:
                self.results_view.setFocus()
                if not self.results_view.currentIndex().isValid():
                    self.results_view.setCurrentIndex(self.model.index(0, 0))
                return True
        return super().eventFilter(watched, event)

    @Slot()
    def _on_leave_results(self) -> None:
        self.search_edit.setFocus()

    @Slot()
    def _on_search_return(self) -> None:
        self.request_intake()

    @Slot(QtCore.QModelIndex)
    def _on_activated(self, index: QtCore.QModelIndex) -> None:
        if index.isValid():
            self.results_view.setCurrentIndex(index)
            self.request_intake()

    @Slot()
    def request_intake(self) -> None:
        item = self.current_item()
        if item is not None:
            self.intake_requested.emit(item.id)
