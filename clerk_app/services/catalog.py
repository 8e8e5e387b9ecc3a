"""The service-item catalog (事项清单): import as counties export it, and look-ups.

Counties keep the list in Excel and export a pair of tables joined on 实施编码: items and
their materials. Either comes as CSV (UTF-8 with or without BOM, GBK/GB18030) or .xlsx,
or both come as one workbook with two sheets, found by sheet name or by header. A title
row and blank lines above the header are skipped. An import checks every row first and
reports each bad one by (sheet,) row and column, as the spreadsheet numbers them; it writes
nothing unless the whole file is good. Re-importing creates a new version of each changed
item; cases keep the version they were taken under.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from clerk_app.i18n import _
from clerk_app.services.common import Actor, Context, ServiceError, audit, require_supervisor
from clerk_app.store.models import CatalogVersion, Material, ServiceItem

MATERIAL_FORMS = ("原件", "复印件", "原件及复印件")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = True


ITEM_COLUMNS = (
    Column("seq", "序号", required=False),
    Column("name", "事项名称"),
    Column("code", "实施编码", ("事项编码", "实施清单编码")),
    Column("body", "实施主体", ("实施机构",)),
    Column("item_type", "事项类型"),
    Column("level", "办理层级", (), False),
    Column("legal_limit", "法定时限（工作日）", ("法定时限", "法定办结时限")),
    Column("promised_limit", "承诺时限（工作日）", ("承诺时限", "承诺办结时限")),
    Column("fee", "收费标准", ("是否收费",), False),
    Column("conditions", "申请条件", ("受理条件",), False),
    Column("materials_text", "申请材料", (), False),
    Column("legal_basis", "设定依据", ("法律依据",), False),
    Column("proxy_allowed", "是否可代办", ("可否代办",), False),
    Column("visits", "到现场次数", ("跑动次数",), False),
    Column("consult_phone", "咨询电话", (), False),
    Column("complaint_phone", "监督电话", ("投诉电话",), False),
)

MATERIAL_COLUMNS = (
    Column("code", "实施编码", ("事项编码",)),
    Column("seq", "序号", required=False),
    Column("name", "材料名称"),
    Column("form", "材料形式"),
    Column("copies", "份数", ("数量",), False),
    Column("necessity", "是否必需", ("必要性",), False),
    Column("condition", "条件或说明", ("备注", "条件"), False),
)


@dataclass(frozen=True)
class RowError:
    file: str
    row: int  # as a spreadsheet shows it: the first line of the file or sheet is row 1
    column: str
    message: str
    sheet: str = ""  # the worksheet, when the file is a workbook with several

    def __str__(self) -> str:
        if self.sheet:
            where = _("{file} 工作表「{sheet}」第 {row} 行").format(
                file=self.file, sheet=self.sheet, row=self.row)
        else:
            where = _("{file} 第 {row} 行").format(file=self.file, row=self.row)
        if self.column:
            where += _("「{column}」列").format(column=self.column)
        return f"{where}：{self.message}"


class CatalogImportError(ServiceError):
    """``notes``: what was not checked and why, shown after the errors (not counted)."""

    def __init__(self, errors: list[RowError], notes: Iterable[str] = ()) -> None:
        shown = "\n".join(str(e) for e in errors[:30])
        more = len(errors) - 30
        if more > 0:
            shown += "\n" + _("……另有 {n} 处错误").format(n=more)
        self.notes = list(notes)
        for note in self.notes:
            shown += "\n" + note
        super().__init__(
            _("事项清单有 {n} 处错误，未导入任何内容。请改正后重新导入：\n{errors}").format(
                n=len(errors), errors=shown
            )
        )
        self.errors = errors


@dataclass
class ImportResult:
    version_id: int
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    # in the catalog but not in the new file, kept because removing was not asked for
    kept_missing: list[str] = field(default_factory=list)
    # names of items whose materials were made from the 申请材料 column (no materials table)
    derived_materials: list[str] = field(default_factory=list)
    # how the files were read, e.g. a workbook in which no materials sheet was found
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        head = _("将要") if self.dry_run else _("导入完成：")
        text = head + _("新增 {a} 项，更新 {u} 项，未变 {n} 项，停用 {r} 项。").format(
            a=len(self.added), u=len(self.updated), n=self.unchanged, r=len(self.removed)
        )
        if self.kept_missing:
            text += _("另有 {n} 项不在新清单中，保持不变（如确需停用，请选择「停用新清单中没有的事项」）。").format(
                n=len(self.kept_missing))
        if self.derived_materials:
            text += _("{n} 个新事项没有材料表，材料按「申请材料」列生成、均按必需原件处理，请导入材料表补全。").format(
                n=len(self.derived_materials))
        for note in self.notes:
            text += "\n" + note
        return text


# --- reading tables ----------------------------------------------------------------------


def _norm_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lstrip("\ufeff")
    return "".join(text.split())


SAVE_AS_UTF8 = "请在 Excel 中“另存为 CSV UTF-8”后重新导入。"


def _csv_row_of_line(text: str, line: int) -> int:
    """The spreadsheet row that holds physical ``line`` (1-based) of a CSV text: a quoted
    cell may span several lines, so the two can differ."""
    reader = csv.reader(io.StringIO(text, newline=""))
    row = 0
    try:
        for row, _cells in enumerate(reader, start=1):
            if reader.line_num >= line:
                return row
    except csv.Error:
        pass
    return max(row, 1)


def _undecodable(data: bytes, name: str, start: int, bom: bool) -> ServiceError:
    """The error for bytes at ``start`` that are not UTF-8 in a file that otherwise is."""
    line = data.count(b"\n", 0, start) + 1
    row = _csv_row_of_line(data.decode("utf-8", errors="replace"), line)
    line_start = data.rfind(b"\n", 0, start) + 1
    line_end = data.find(b"\n", start)
    if _utf8_with_gbk(data[line_start: line_end if line_end >= 0 else len(data)]):
        reason = _("文件的编码混杂（部分 UTF-8、部分 GBK）")
    elif bom:
        reason = _("文件开头标明是 UTF-8，但这里的字节不是有效的 UTF-8")
    else:
        reason = _("这里的字节既不是有效的 UTF-8，也不是 GBK")
    return ServiceError(_("{name} 第 {row} 行含有无法识别的字符：{reason}。{fix}").format(
        name=name, row=row, reason=reason, fix=_(SAVE_AS_UTF8)))


def _utf8_with_gbk(line: bytes) -> bool:
    """Whether every byte of ``line`` that is not UTF-8 starts a two-byte GBK character."""
    pos = 0
    while pos < len(line):
        try:
            line[pos:].decode("utf-8")
            return True
        except UnicodeDecodeError as exc:
            bad = pos + exc.start
        pair = line[bad:bad + 2]
        if len(pair) < 2 or not (0x81 <= pair[0] <= 0xFE and 0x40 <= pair[1] <= 0xFE and pair[1] != 0x7F):
            return False
        try:
            pair.decode("gbk")
        except UnicodeDecodeError:
            return False
        pos = bad + 2
    return True


def _utf8_mix(data: bytes) -> tuple[int, int, int | None]:
    """Lines that are UTF-8 with Chinese (non-ASCII) text, lines that are not UTF-8 at all,
    and the byte offset of the first bad byte."""
    good = bad = 0
    first_bad: int | None = None
    offset = 0
    for raw in data.split(b"\n"):
        try:
            if not raw.decode("utf-8").isascii():
                good += 1
        except UnicodeDecodeError as exc:
            bad += 1
            if first_bad is None:
                first_bad = offset + exc.start
        offset += len(raw) + 1
    return good, bad, first_bad


def decode_bytes(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK).

    A file with a BOM must be UTF-8 throughout. A file that is mostly UTF-8 with some lines
    in another encoding (cells pasted from a GBK file) is refused, naming the row: decoding
    it all as GBK would garble every Chinese character of the UTF-8 lines.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _undecodable(data, name, exc.start + 3, bom=True) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    good, bad, first_bad = _utf8_mix(data)
    if good and good >= bad and first_bad is not None:
        raise _undecodable(data, name, first_bad, bom=False)
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ServiceError(
            _("无法识别文件 {name} 的编码（第 {pos} 字节）。请另存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx。").format(
                name=name, pos=exc.start
            )
        ) from exc


@dataclass
class Sheet:
    """One table as read: a CSV file, or one worksheet of a workbook."""

    file: str  # the file's name
    title: str  # the worksheet's name; "" for CSV
    rows: list[list[str]]


def read_sheets(path: Path) -> list[Sheet]:
    """Every table in a CSV or .xlsx file (a CSV has one), each as rows of strings."""
    name = path.name
    if not path.exists():
        raise ServiceError(_("找不到文件：{path}").format(path=path))
    if path.is_dir():
        raise ServiceError(_("{path} 是一个目录，请选择事项清单文件（CSV 或 .xlsx）。").format(path=path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".xls":
        raise ServiceError(_("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV。"))
    try:
        data = path.read_bytes()
    except OSError as exc:
        from clerk_app.oserrors import describe

        raise ServiceError(_("无法读取 {path}：{error}").format(path=path, error=describe(exc))) from exc
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(path)
    text = decode_bytes(data, name)
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise ServiceError(_("文件 {name} 不是有效的 CSV：{error}").format(name=name, error=exc)) from exc
    return [Sheet(name, "", rows)]


def read_table(path: Path) -> list[list[str]]:
    """All rows of a CSV file or of a workbook's first sheet, as strings."""
    return read_sheets(path)[0].rows


def _read_xlsx(path: Path) -> list[Sheet]:
    import zipfile

    from openpyxl import load_workbook  # imported here: only imports need it

    not_xlsx = _(
        "{name} 不是真正的 Excel .xlsx 文件（可能是旧版 .xls 文件，或改了扩展名的其他文件）。"
        "请在 Excel 中打开它，另存为 .xlsx 或 CSV UTF-8 后重新导入。").format(name=path.name)
    try:
        if not zipfile.is_zipfile(path):
            raise ServiceError(not_xlsx)
    except OSError as exc:
        from clerk_app.oserrors import describe

        raise ServiceError(_("无法读取 {path}：{error}").format(path=path, error=describe(exc))) from exc
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except zipfile.BadZipFile as exc:
        raise ServiceError(not_xlsx) from exc
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ServiceError(
            _("无法打开 Excel 文件 {name}：{error}").format(name=path.name, error=exc)
        ) from exc
    try:
        sheets = []
        for ws in wb.worksheets:
            # read-only sheets yield an empty row for each missing one, so the list index
            # stays the spreadsheet's row number minus one
            rows = [["" if v is None else _cell_text(v) for v in values]
                    for values in ws.iter_rows(values_only=True)]
            sheets.append(Sheet(path.name, ws.title, rows))
    finally:
        wb.close()
    if not sheets:
        raise ServiceError(_("Excel 文件 {name} 中没有工作表。").format(name=path.name))
    return sheets


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Exported sheets often carry a title row (「××镇政务服务事项清单」) and blank lines above
# the header; the header is looked for among this many rows from the first non-empty one.
HEADER_SEARCH_ROWS = 10


def _names(col: Column) -> set[str]:
    return {_norm_header(h) for h in (col.header, *col.aliases)}


def _header_score(row: list[str], columns: tuple[Column, ...]) -> int:
    """How many of the known columns this row names."""
    cells = {_norm_header(c) for c in row}
    return sum(1 for col in columns if cells & _names(col))


def _find_header(rows: list[list[str]], columns: tuple[Column, ...]) -> int | None:
    """Index of the header row: the first non-empty row, or a later one within
    HEADER_SEARCH_ROWS that names more of the known columns. None if all rows are empty."""
    first = next((i for i, r in enumerate(rows) if any(str(c).strip() for c in r)), None)
    if first is None:
        return None
    best, best_score = first, _header_score(rows[first], columns)
    for i in range(first + 1, min(len(rows), first + HEADER_SEARCH_ROWS)):
        score = _header_score(rows[i], columns)
        if score > best_score:
            best, best_score = i, score
    return best


def _map_columns(
    header: list[str], columns: tuple[Column, ...], file: str, row: int
) -> tuple[dict[str, int], list[RowError]]:
    index = {_norm_header(h): i for i, h in enumerate(header) if _norm_header(h)}
    found: dict[str, int] = {}
    errors = []
    for col in columns:
        for candidate in (col.header, *col.aliases):
            key = _norm_header(candidate)
            if key in index:
                found[col.key] = index[key]
                break
        else:
            if col.required:
                errors.append(RowError(file, row, col.header, _("缺少这一列（表头需要「{h}」）").format(h=col.header)))
    return found, errors


def _records(
    rows: list[list[str]], columns: tuple[Column, ...], file: str
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError], int]:
    """The data rows under the header, each with its spreadsheet row number; the errors;
    and the header's row number."""
    start = _find_header(rows, columns)
    if start is None:
        return [], [RowError(file, 1, "", _("文件是空的。"))], 1
    colmap, errors = _map_columns(rows[start], columns, file, start + 1)
    if errors:
        return [], errors, start + 1
    records = []
    for number, row in enumerate(rows[start + 1 :], start=start + 2):
        if not any(str(c).strip() for c in row):
            continue
        rec = {k: (row[i].strip() if i < len(row) else "") for k, i in colmap.items()}
        records.append((number, rec))
    return records, [], start + 1


# --- finding the tables in a workbook ---------------------------------------------------

ITEM_SHEET_NAMES = ("事项", "事项清单", "事项表", "事项目录", "服务事项", "政务服务事项")
MATERIAL_SHEET_NAMES = ("材料", "申请材料", "材料表", "材料清单", "申请材料清单", "材料目录")


def _sheet_kind(sheet: Sheet) -> str | None:
    """"items" or "materials" by the sheet's header (实施编码 with 事项名称 or 材料名称)."""
    code = set().union(*(_names(c) for c in (*ITEM_COLUMNS, *MATERIAL_COLUMNS) if c.key == "code"))
    first = next((i for i, r in enumerate(sheet.rows) if any(str(c).strip() for c in r)), None)
    if first is None:
        return None
    for row in sheet.rows[first : first + HEADER_SEARCH_ROWS]:
        cells = {_norm_header(c) for c in row}
        if not cells & code:
            continue
        if "材料名称" in cells:  # a materials table may repeat the item's name; items never name a material
            return "materials"
        if "事项名称" in cells:
            return "items"
    return None


def _pick(sheets: list[Sheet], kind: str, names: tuple[str, ...], exclude: Sheet | None) -> Sheet | None:
    """The sheet of this kind: by its name, or else by its header."""
    candidates = [sh for sh in sheets if sh is not exclude]
    wanted = {_norm_header(n) for n in names}
    for sh in candidates:
        if _norm_header(sh.title) in wanted:
            return sh
    for sh in candidates:
        if _sheet_kind(sh) == kind:
            return sh
    return None


@dataclass
class CatalogTables:
    """The two tables to import, found in one or two files."""

    items: Sheet
    materials: Sheet | None
    items_sheet: str  # the sheet's name for error messages; "" when the file has one table
    materials_sheet: str
    notes: list[str] = field(default_factory=list)


def find_tables(items_path: Path, materials_path: Path | None = None) -> CatalogTables:
    """Read the catalog's files. A workbook given alone may hold both tables as two sheets
    (e.g. 「事项」 and 「材料」); without a materials sheet it is imported as items only."""
    item_sheets = read_sheets(items_path)
    many = len(item_sheets) > 1
    notes: list[str] = []
    materials: Sheet | None = None
    mat_label = ""
    if materials_path is not None:
        mat_sheets = read_sheets(materials_path)
        materials = _pick(mat_sheets, "materials", MATERIAL_SHEET_NAMES, None) or mat_sheets[0]
        mat_label = materials.title if len(mat_sheets) > 1 else ""
    items = _pick(item_sheets, "items", ITEM_SHEET_NAMES, None)
    if items is None:  # the first sheet that is not the materials table; its errors will say why
        found_mat = _pick(item_sheets, "materials", MATERIAL_SHEET_NAMES, None) if many else None
        items = next((sh for sh in item_sheets if sh is not found_mat), item_sheets[0])
    if materials_path is None and item_sheets[0].title:  # a workbook alone (CSV tables have no title)
        materials = _pick(item_sheets, "materials", MATERIAL_SHEET_NAMES, items)
        if materials is None:
            notes.append(_(
                "{file} 中没有找到材料表（工作表名为「材料」或「申请材料」，或表头有「材料名称」和「实施编码」两列），"
                "按只有事项表导入：已有事项保留原来的材料。").format(file=items_path.name))
        else:
            mat_label = materials.title
    return CatalogTables(items, materials, items.title if many else "", mat_label, notes)


@dataclass
class LoadedCatalog:
    items: list[ItemRow]
    notes: list[str]


def load_catalog(items_path: Path, materials_path: Path | None = None) -> LoadedCatalog:
    """Read and check the catalog's files (raises CatalogImportError with every bad row)."""
    t = find_tables(items_path, materials_path)
    parsed = parse_catalog(
        t.items.rows, t.materials.rows if t.materials else None,
        t.items.file, t.materials.file if t.materials else "",
        items_sheet=t.items_sheet, materials_sheet=t.materials_sheet,
    )
    return LoadedCatalog(parsed, t.notes)


# --- validating ------------------------------------------------------------------------


@dataclass
class ItemRow:
    seq: int
    code: str
    name: str
    body: str
    item_type: str
    level: str
    legal_limit: int
    promised_limit: int
    fee: str
    conditions: str
    legal_basis: str
    proxy_allowed: bool
    visits: int
    consult_phone: str
    complaint_phone: str
    materials_text: str
    materials: list[dict[str, object]] = field(default_factory=list)
    materials_from_text: bool = False  # no materials table: made from the 申请材料 column

    def content_hash(self) -> str:
        data = {k: v for k, v in self.__dict__.items()
                if k not in ("materials_text", "materials_from_text")}
        raw = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _int(rec: dict[str, str], key: str, header: str, row: int, file: str, errors: list[RowError],
         default: int | None = None, minimum: int = 0, hint: str = "") -> int:
    text = unicodedata.normalize("NFKC", rec.get(key, "")).strip()
    if not text:
        if default is not None:
            return default
        errors.append(RowError(file, row, header, _("不能为空，请填写整数")))
        return 0
    if text.endswith(".0"):
        text = text[:-2]
    if text in ("即办", "当场办结"):
        return 0
    if text.startswith("-") and text[1:].isdigit():
        errors.append(RowError(file, row, header, _("不能小于 {m}，现为 {v}").format(m=minimum, v=text)))
        return 0
    if not text.isdigit():
        errors.append(RowError(file, row, header, _("「{v}」不是整数，请填写数字{hint}").format(v=text, hint=hint)))
        return 0
    value = int(text)
    if value < minimum:
        errors.append(RowError(file, row, header, _("不能小于 {m}").format(m=minimum)))
    return value


def _yes_no(text: str, row: int, header: str, file: str, errors: list[RowError]) -> bool:
    t = text.strip()
    if t in ("是", "可", "可以", "Y", "y", "1", "true", "TRUE"):
        return True
    if t in ("", "否", "不可", "N", "n", "0", "false", "FALSE"):
        return False
    errors.append(RowError(file, row, header, _("只能填「是」或「否」，现为「{v}」").format(v=t)))
    return False


def parse_catalog(
    items_rows: list[list[str]],
    material_rows: list[list[str]] | None,
    items_name: str = "items",
    materials_name: str = "materials",
    *,
    items_sheet: str = "",
    materials_sheet: str = "",
) -> list[ItemRow]:
    """Validate the two tables; raise CatalogImportError listing every bad row.

    ``items_sheet`` / ``materials_sheet`` name the worksheets the tables came from, when
    they came from a workbook with several, so that each error says where to look.
    """
    item_recs, item_errors, items_header = _records(items_rows, ITEM_COLUMNS, items_name)
    # the items table's header is wrong (or the file empty): no item was read, so every
    # material would be reported as referring to an unknown item; it is not checked then
    items_unreadable = bool(item_errors)
    items: dict[str, ItemRow] = {}
    first_row: dict[str, int] = {}
    for row, rec in item_recs:
        code = unicodedata.normalize("NFKC", rec["code"]).strip()
        name = rec["name"].strip()
        if not code:
            item_errors.append(RowError(items_name, row, "实施编码", _("不能为空")))
        elif code in items:
            item_errors.append(RowError(items_name, row, "实施编码",
                                        _("与第 {r} 行重复：{c}").format(r=first_row[code], c=code)))
        if not name:
            item_errors.append(RowError(items_name, row, "事项名称", _("不能为空")))
        for key, header in (("body", "实施主体"), ("item_type", "事项类型")):
            if not rec.get(key, "").strip():
                item_errors.append(RowError(items_name, row, header, _("不能为空")))
        before = len(item_errors)
        zero_is_on_spot = _("（0 表示即办）")
        legal = _int(rec, "legal_limit", "法定时限（工作日）", row, items_name, item_errors, hint=zero_is_on_spot)
        promised = _int(rec, "promised_limit", "承诺时限（工作日）", row, items_name, item_errors,
                        hint=zero_is_on_spot)
        if len(item_errors) == before and promised > legal:  # only when both limits are numbers
            item_errors.append(RowError(items_name, row, "承诺时限（工作日）",
                                        _("承诺时限 {p} 天不能超过法定时限 {l} 天").format(p=promised, l=legal)))
        item = ItemRow(
            seq=_int(rec, "seq", "序号", row, items_name, item_errors, default=len(items) + 1),
            code=code,
            name=name,
            body=rec.get("body", "").strip(),
            item_type=rec.get("item_type", "").strip(),
            level=rec.get("level", "").strip(),
            legal_limit=legal,
            promised_limit=promised,
            fee=rec.get("fee", "").strip() or "不收费",
            conditions=rec.get("conditions", "").strip(),
            legal_basis=rec.get("legal_basis", "").strip(),
            proxy_allowed=_yes_no(rec.get("proxy_allowed", ""), row, "是否可代办", items_name, item_errors),
            visits=_int(rec, "visits", "到现场次数", row, items_name, item_errors, default=1),
            consult_phone=rec.get("consult_phone", "").strip(),
            complaint_phone=rec.get("complaint_phone", "").strip(),
            materials_text=rec.get("materials_text", "").strip(),
        )
        if code and code not in items:
            items[code] = item
            first_row[code] = row

    mat_errors: list[RowError] = []
    notes: list[str] = []
    if material_rows is not None and items_unreadable:
        where = _("{file} 工作表「{sheet}」").format(file=materials_name, sheet=materials_sheet) \
            if materials_sheet else materials_name
        notes.append(_("事项表无法读取，材料表（{where}）未检查；请先改正事项表，再重新导入。").format(where=where))
    elif material_rows is not None:
        mat_recs, mat_errors, _header = _records(material_rows, MATERIAL_COLUMNS, materials_name)
        seen: dict[tuple[str, str], int] = {}
        for row, rec in mat_recs:
            code = unicodedata.normalize("NFKC", rec["code"]).strip()
            name = rec["name"].strip()
            if code not in items:
                mat_errors.append(RowError(materials_name, row, "实施编码",
                                           _("事项清单中没有这个实施编码：{c}").format(c=code or "（空）")))
                continue
            if not name:
                mat_errors.append(RowError(materials_name, row, "材料名称", _("不能为空")))
            elif (code, name) in seen:
                mat_errors.append(RowError(materials_name, row, "材料名称",
                                           _("同一事项的材料与第 {r} 行重复").format(r=seen[(code, name)])))
            seen[(code, name)] = row
            form = rec["form"].strip()
            if form not in MATERIAL_FORMS:
                mat_errors.append(RowError(materials_name, row, "材料形式",
                                           _("只能是 原件、复印件 或 原件及复印件，现为「{v}」").format(v=form)))
            copies = _int(rec, "copies", "份数", row, materials_name, mat_errors, default=1, minimum=1)
            necessity = rec.get("necessity", "").strip() or "必需"
            if necessity not in ("必需", "条件必需", "非必需", "容缺"):
                mat_errors.append(RowError(materials_name, row, "是否必需",
                                           _("只能是 必需 或 条件必需，现为「{v}」").format(v=necessity)))
            condition = rec.get("condition", "").strip()
            required = necessity == "必需"
            if not required and not condition:
                mat_errors.append(RowError(materials_name, row, "条件或说明",
                                           _("条件必需的材料要写明在什么情况下需要")))
            item = items[code]
            item.materials.append(
                {
                    "seq": _int(rec, "seq", "序号", row, materials_name, mat_errors,
                                default=len(item.materials) + 1),
                    "name": name,
                    "form": form,
                    "copies": copies,
                    "required": required,
                    "condition": condition,
                }
            )
    else:
        for item in items.values():
            parts = [p.strip() for p in item.materials_text.replace(";", "；").split("；") if p.strip()]
            item.materials = [
                {"seq": i, "name": p, "form": "原件", "copies": 1, "required": True, "condition": ""}
                for i, p in enumerate(parts, start=1)
            ]
            item.materials_from_text = True
    if not items and not item_errors:
        item_errors.append(RowError(items_name, items_header + 1, "", _("没有任何事项。")))
    errors = [replace(e, sheet=items_sheet) for e in item_errors]
    errors += [replace(e, sheet=materials_sheet) for e in mat_errors]
    if errors:
        raise CatalogImportError(errors, notes)
    for item in items.values():
        item.materials.sort(key=lambda m: int(m["seq"]))  # type: ignore[arg-type]
    return list(items.values())


# --- writing ---------------------------------------------------------------------------


def import_catalog(
    ctx: Context, actor: Actor | None, items_path: Path, materials_path: Path | None = None,
    *, remove_missing: bool = False, dry_run: bool = False,
) -> ImportResult:
    """Import the county's item list (and materials table).

    Items missing from the new file stay as they are unless ``remove_missing``: a partial
    file must not silently retire the rest of the catalog. ``dry_run`` checks and reports
    what would change, writing nothing (the UI shows it before asking to go ahead).
    """
    loaded = load_catalog(items_path, materials_path)
    digest = hashlib.sha256()
    for p in (items_path, materials_path):
        if p:
            digest.update(p.read_bytes())
    with ctx.tx() as s:
        result = apply_catalog(s, ctx.clock(), actor, loaded.items, str(items_path.name),
                               digest.hexdigest(), remove_missing=remove_missing)
        result.notes = list(loaded.notes)
        if dry_run:
            s.rollback()
            result.dry_run = True
        return result


def apply_catalog(
    s: Session, now, actor: Actor | None, parsed: list[ItemRow], source: str, checksum: str,
    remove_missing: bool = True,
) -> ImportResult:
    if actor is not None:
        require_supervisor(actor)
    version = CatalogVersion(
        imported_at=now, source=source, checksum=checksum, item_count=len(parsed),
        operator_id=actor.id if actor else None,
    )
    s.add(version)
    s.flush()
    result = ImportResult(version_id=version.id)
    current = {it.code: it for it in s.scalars(select(ServiceItem).where(ServiceItem.current))}
    for row in parsed:
        old = current.pop(row.code, None)
        if row.materials_from_text:
            if old is not None:  # only an items table: the item keeps its real materials list
                row.materials = [
                    {"seq": m.seq, "name": m.name, "form": m.form, "copies": m.copies,
                     "required": m.required, "condition": m.condition}
                    for m in old.materials
                ]
            else:
                result.derived_materials.append(row.name)
        h = row.content_hash()
        if old is not None and old.content_hash == h:
            result.unchanged += 1
            continue
        if old is not None:
            old.current = False
            result.updated.append(row.code)
        else:
            result.added.append(row.code)
        item = ServiceItem(
            code=row.code, version_id=version.id, current=True, content_hash=h, seq=row.seq,
            name=row.name, body=row.body, item_type=row.item_type, level=row.level,
            legal_limit=row.legal_limit, promised_limit=row.promised_limit, fee=row.fee,
            conditions=row.conditions, legal_basis=row.legal_basis,
            proxy_allowed=row.proxy_allowed, visits=row.visits,
            consult_phone=row.consult_phone, complaint_phone=row.complaint_phone,
        )
        item.materials = [
            Material(seq=int(m["seq"]), name=str(m["name"]), form=str(m["form"]),  # type: ignore[arg-type]
                     copies=int(m["copies"]), required=bool(m["required"]),  # type: ignore[arg-type]
                     condition=str(m["condition"]))
            for m in row.materials
        ]
        s.add(item)
    for code, old in current.items():
        if remove_missing:
            old.current = False
            result.removed.append(code)
        else:
            result.kept_missing.append(code)
    audit(s, now, actor, "catalog_imported", "catalog_version", version.id, source=source,
          added=len(result.added), updated=len(result.updated), removed=len(result.removed),
          unchanged=result.unchanged)
    return result


# --- reading the catalog ---------------------------------------------------------------


def current_items(ctx: Context) -> list[ServiceItem]:
    with ctx.tx() as s:
        return list(
            s.scalars(
                select(ServiceItem)
                .where(ServiceItem.current)
                .options(selectinload(ServiceItem.materials))
                .order_by(ServiceItem.seq, ServiceItem.id)
            )
        )


def get_item(ctx: Context, item_id: int) -> ServiceItem:
    with ctx.tx() as s:
        item = s.scalar(
            select(ServiceItem)
            .where(ServiceItem.id == item_id)
            .options(selectinload(ServiceItem.materials))
        )
        if item is None:
            raise ServiceError(_("找不到该事项，可能已被新版清单替换，请重新查找。"))
        return item


def catalog_version_info(ctx: Context) -> CatalogVersion | None:
    with ctx.tx() as s:
        return s.scalar(select(CatalogVersion).order_by(CatalogVersion.id.desc()).limit(1))


def item_names(ctx: Context, codes: list[str]) -> list[str]:
    """Current names of the items with these 实施编码, in the given order."""
    with ctx.tx() as s:
        rows = dict(s.execute(select(ServiceItem.code, ServiceItem.name)
                              .where(ServiceItem.current, ServiceItem.code.in_(codes))).all())
    return [rows.get(code, code) for code in codes]


def iter_index_rows(items: Iterable[ServiceItem]) -> list[tuple[int, str, str]]:
    return [(it.id, it.name, it.code) for it in items]
