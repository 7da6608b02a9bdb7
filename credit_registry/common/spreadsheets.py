"""Reading the spreadsheets people really have, and the widgets the import resources share.

Schools send Excel files saved by Microsoft Excel or WPS, and CSV files in UTF-8 (with or without
a BOM) or in GB18030/GBK, which is what Chinese Excel writes. ID numbers and codes come with
full-width digits and stray spaces; dates come as text in several shapes or as Excel dates.
Anything unreadable becomes an :class:`UnreadableFile` with a message in Chinese and English.
"""

import codecs
import csv
import datetime
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import widgets
from openpyxl import Workbook
from openpyxl.styles import Font
from python_calamine import CalamineError, CalamineWorkbook

from credit_registry.common.identity import normalize_code

MAX_IMPORT_BYTES = 50 * 1024 * 1024
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class UnreadableFile(ValueError):
    """The file could not be read as a spreadsheet at all."""


def _decode_csv(raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(_("无法识别CSV文件的编码，请另存为UTF-8或GBK编码的CSV"))


# The header is looked for in the first rows of each sheet: a title row ("2026年教师名单")
# above it is skipped, and a 填表说明 sheet before the data is passed over.
HEADER_SCAN_ROWS = 10


def read_table(raw: bytes, filename: str, expected: Iterable[str] = ()) -> "Table":
    """A dataset from an uploaded file's bytes, judged by its content as much as its name.

    With ``expected`` column names, the data is the first sheet with a row, among its first
    ten, naming at least two of them (one, for a one-column file); rows above it are skipped
    and ``dataset.header_row`` says where it was (1 when it is the first row), so messages
    give the spreadsheet's own row numbers."""
    if not raw:
        raise UnreadableFile(_("文件为空"))
    if len(raw) > MAX_IMPORT_BYTES:
        raise UnreadableFile(_("文件超过50MB，请使用命令行导入"))
    name = filename.lower()
    expected = list(expected)
    if name.endswith((".xlsx", ".xlsm")) or raw[:4] == b"PK\x03\x04":
        sheets = _xlsx_sheets(raw)
    elif name.endswith(".xls"):
        raise UnreadableFile(_("不支持旧版.xls格式，请在Excel或WPS中另存为.xlsx"))
    elif name.endswith((".csv", ".txt")):
        sheets = [_csv_rows(raw)]
    else:
        raise UnreadableFile(_("只支持.xlsx和.csv文件"))
    dataset = _dataset_under_header(sheets, expected)
    if not dataset.headers or len(dataset) == 0:
        raise UnreadableFile(_("文件中没有数据行"))
    return dataset


def _xlsx_sheets(raw: bytes):
    """Each sheet's rows, read by calamine (a Rust reader, several times faster than openpyxl
    on large files). Whole numbers come back as ``int``, as Excel shows them; empty cells as
    ``None``."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except (CalamineError, OSError, ValueError) as error:
        raise UnreadableFile(
            _("文件不是有效的Excel(.xlsx)文件，可能已损坏或只是改了扩展名")
        ) from error
    for name in workbook.sheet_names:
        try:
            rows = workbook.get_sheet_by_name(name).iter_rows()
        except (CalamineError, ValueError) as error:
            raise UnreadableFile(
                _("文件不是有效的Excel(.xlsx)文件，可能已损坏或只是改了扩展名")
            ) from error
        yield (list(map(_cell, row)) for row in rows)


def _cell(value):
    if value == "":
        return None
    if type(value) is float and value.is_integer() and abs(value) < 10**EXACT_DIGITS:
        return int(value)
    return value


def _csv_rows(raw: bytes):
    text = _decode_csv(raw)
    first_line = text.split("\n", 1)[0]
    # Tab-separated text (Excel's "Unicode text", WPS's .txt export) as well as commas.
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableFile(_("CSV文件格式错误：%(error)s") % {"error": error}) from error


def _dataset_under_header(sheets, expected: list[str]) -> "Table":
    """The first sheet's rows under the first row naming expected columns; when no sheet has
    one, the first sheet under its first non-empty row (its missing columns are then named)."""
    wanted = {normalize_header(c) for c in expected}
    enough = min(2, len(wanted))
    fallback = None
    for rows in sheets:
        rows = iter(rows)
        scanned = []
        for row in rows:
            scanned.append(row)
            cells = {normalize_header(c) for c in row if c not in (None, "")}
            if not cells:
                continue
            if not wanted or len(cells & wanted) >= enough:
                return _dataset(row, rows, header_row=len(scanned))
            if len(scanned) >= HEADER_SCAN_ROWS:
                break
        if fallback is None:
            fallback = (scanned, rows)
    if fallback is not None:
        scanned, rest = fallback
        for number, row in enumerate(scanned, start=1):
            if any(c not in (None, "") for c in row):
                return _dataset(row, itertools.chain(scanned[number:], rest), header_row=number)
    raise UnreadableFile(_("工作表为空"))


class Table:
    """A sheet's rows under its header, as lists of cells: what an import reads. Light on
    purpose (a 100,000-row file is held once, not copied into row objects)."""

    def __init__(self, headers: list[str], rows: list[list], *, header_row: int = 1):
        self.headers = headers
        self.rows = rows
        self.header_row = header_row  # the header's own row number in the spreadsheet

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, column: str) -> list:
        """Every cell of a column, by its (normalised) name."""
        position = self.headers.index(column)
        return [row[position] for row in self.rows]


def _dataset(header, rows, *, header_row: int) -> Table:
    """The rows under the header, cut to its width; blank rows dropped and NUL characters
    (never meant, and refused by PostgreSQL) taken out, in one pass."""
    width = len(header)
    while width and header[width - 1] in (None, ""):
        width -= 1
    padding = [None] * width
    kept = []
    for row in rows:
        values = list(row[:width])
        if not any(cell not in (None, "") for cell in values):
            continue
        if len(values) < width:
            values += padding[len(values) :]
        kept.append([_no_nul(c) if type(c) is str and "\x00" in c else c for c in values])
    headers = [normalize_header(h) for h in header[:width]]
    return Table(headers, kept, header_row=header_row)


def _no_nul(text: str) -> str:
    return text.replace("\x00", "")


def normalize_header(value: object) -> str:
    """A column name as compared: full-width folded, spaces out, lower case, and the template's
    mark of a required column (学籍号*, 学籍号（必填）) dropped."""
    if value is None:
        return ""
    text = re.sub(r"\s+", "", normalize_code(value).lower())
    return re.sub(r"(\*|\(必填\))$", "", text)


def escape_formula(value: object) -> object:
    """A cell a spreadsheet would run as a formula is exported as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# --- widgets -----------------------------------------------------------------------------------


# Excel keeps numbers as doubles: 15 significant digits are exact, an 18-digit ID number is not.
EXACT_DIGITS = 15


class CodeWidget(widgets.CharWidget):
    """ID numbers, student numbers, school codes, phones: full-width to ASCII, spaces out,
    upper case. A number cell is taken only when Excel can have kept it exactly (a whole number
    of at most 15 digits, such as a phone or a school code); an ID number that Excel stored as
    a number has lost its last digits, and is refused with the way to fix the file."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            value = str(value)
        elif isinstance(value, int | float):
            exact = float(value).is_integer() and abs(value) < 10**EXACT_DIGITS
            if not exact:
                raise ValueError(
                    _(
                        "“%(value)s”是Excel按数字保存的编号，已被四舍五入，无法还原。请把该列设为“文本”格式（或在号码前加英文单引号'）后重新填写"
                    )
                    % {"value": value}
                )
            value = int(value)
        return normalize_code(value)


def lookup_code(value) -> str:
    """A code as a lookup key for the file as a whole (existing rows, duplicates); a value the
    row's own check refuses is no key (its row reports it)."""
    try:
        return CodeWidget().clean(value)
    except ValueError:
        return ""


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).strip()


_SPACES = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u9fff]")


class NameWidget(TextWidget):
    """A person's name: full-width letters and spaces made ordinary (NFKC), surrounding spaces
    gone, and in a Chinese name every space inside removed (王 芳, 王\u3000芳 → 王芳) so searches
    find it; a name in Latin letters keeps one space between its words."""

    def clean(self, value, row=None, **kwargs):
        text = unicodedata.normalize("NFKC", super().clean(value)).strip()
        if _HAN.search(text):
            return _SPACES.sub("", text)
        return _SPACES.sub(" ", text)


class CountWidget(widgets.IntegerWidget):
    """A whole number as people type it (full-width digits, spaces around). Anything else —
    「30人」, 「约30」 — is refused as an error of its own cell naming what is expected (not
    guessed at), so the row's other cells are still checked and reported."""

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise ValueError(_("“%(value)s”不是整数，请只填写数字，例如30") % {"value": value})
        if isinstance(value, int | float):
            if float(value).is_integer():
                return int(value)
            raise ValueError(_("“%(value)s”不是整数，请只填写数字，例如30") % {"value": value})
        text = _SPACES.sub("", unicodedata.normalize("NFKC", str(value))).removesuffix(".0")
        if not text.isascii() or not text.lstrip("-").isdigit():
            raise ValueError(_("“%(value)s”不是整数，请只填写数字，例如30") % {"value": value})
        return int(text)


class YesNoWidget(widgets.Widget):
    """A yes/no column as people fill it in; anything else is refused with what is accepted."""

    YES = ("是", "在办", "√", "✓", "y", "yes", "1", "true", "t")
    NO = ("否", "停办", "×", "✗", "x", "n", "no", "0", "false", "f")

    def __init__(self, default: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.default = default

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return self.default
        if isinstance(value, bool):
            return value
        text = unicodedata.normalize("NFKC", str(value)).strip().lower()
        if isinstance(value, int | float) and float(value).is_integer():
            text = str(int(value))
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(
            _("“%(value)s”无法识别，请填写：是/否、在办/停办、√/×、Y/N、1/0或true/false")
            % {"value": value}
        )

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
EXCEL_EPOCH = datetime.date(1899, 12, 30)


class FlexibleDateWidget(widgets.DateWidget):
    """2020-09-01, 2020/9/1, 2020.9.1, 2020年9月1日, 20200901, an Excel date or serial number."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, int | float) and 1 < value < 100000:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        text = normalize_code(value)
        for pattern in _DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                try:
                    return datetime.date(*(int(part) for part in match.groups()))
                except ValueError:
                    break
        raise ValueError(_("日期“%(value)s”无法识别，请写成2020-09-01") % {"value": value})


class ChoiceWidget(widgets.Widget):
    """A choice by its Chinese label (or its stored value); exported as the label."""

    def __init__(self, choices: Iterable[tuple[str, str]], **kwargs):
        super().__init__(**kwargs)
        self.choices = [(str(value), str(label)) for value, label in choices]
        self.by_text = {}
        for value, label in self.choices:
            self.by_text[label] = value
            self.by_text[value] = value

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return ""
        text = str(value).strip()
        if text in self.by_text:
            return self.by_text[text]
        allowed = "、".join(label for _, label in self.choices)
        raise ValueError(
            _("“%(value)s”不是有效选项，可选：%(allowed)s") % {"value": text, "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(str(value), value or "")


class CachedForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by a natural key, with every target loaded once per import instead of one
    query per row."""

    def __init__(self, model, field: str, label: str, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.label = label
        self._cache: dict[str, object] | None = None

    def reset(self) -> None:
        self._cache = None

    def clean(self, value, row=None, **kwargs):
        key = normalize_code(value)
        if not key:
            return None
        if self._cache is None:
            self._cache = {
                str(getattr(obj, self.field)): obj for obj in self.get_queryset(value, row)
            }
        try:
            return self._cache[key]
        except KeyError:
            raise ValueError(
                _("%(label)s“%(key)s”不存在") % {"label": self.label, "key": key}
            ) from None


def check_required_headers(dataset: Table, required: Iterable[str]) -> None:
    missing = [name for name in required if normalize_header(name) not in dataset.headers]
    if missing:
        raise ValidationError(
            _("缺少必需的列：%(columns)s（请使用下载的模板）") % {"columns": "、".join(missing)}
        )


def check_unique_column(dataset: Table, header: str, label: str) -> None:
    """Two rows of one file for the same person are an error, not a silent overwrite."""
    column = normalize_header(header)
    if column not in dataset.headers:
        return
    seen: dict[str, int] = {}
    duplicates = []
    for number, value in enumerate(dataset[column], start=2):
        key = lookup_code(value)
        if not key:
            continue
        if key in seen:
            duplicates.append(
                _("第%(first)s行与第%(second)s行") % {"first": seen[key], "second": number}
            )
        else:
            seen[key] = number
    if duplicates:
        raise ValidationError(
            _("文件中%(label)s重复：%(rows)s")
            % {"label": label, "rows": "；".join(duplicates[:10])}
        )


# --- templates ----------------------------------------------------------------------------------


def column_note(widget) -> str:
    """What a column accepts, for the template's 填表说明 sheet, from the widget that reads it."""
    if isinstance(widget, CodeWidget):
        return _("文本格式（该列已设为文本；号码不要按数字输入，否则Excel会四舍五入）")
    if isinstance(widget, ChoiceWidget):
        return _("可选：%(allowed)s") % {"allowed": "、".join(label for _, label in widget.choices)}
    if isinstance(widget, YesNoWidget):
        return _("是/否（也可写在办/停办、√/×、Y/N、1/0）")
    if isinstance(widget, FlexibleDateWidget):
        return _("日期，如2020-09-01、2020/9/1或2020年9月1日")
    if isinstance(widget, CountWidget):
        return _("整数，只写数字")
    if isinstance(widget, CachedForeignKeyWidget):
        return _("填写已登记的%(label)s（文本格式）") % {"label": widget.label}
    return _("文字")


def import_template(
    *, sheet: str, columns: list[str], required: Iterable[str], widgets: dict, example: dict
) -> bytes:
    """A template a clerk can fill: the data sheet first (its name in Chinese, every column,
    required ones marked *, identifier columns formatted as text), then a 填表说明 sheet with
    each column's accepted values and an example row. The importer finds the data by its header,
    so the sheets may be reordered and a title row added above the header."""
    required = set(required)
    workbook = Workbook()
    data = workbook.active
    data.title = sheet[:31]
    data.append([f"{c}*" if c in required else c for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = data.cell(row=1, column=index)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        data.column_dimensions[letter].width = max(12, len(column) * 2 + 4)
        if isinstance(widgets.get(column), CodeWidget | CachedForeignKeyWidget):
            data.column_dimensions[letter].number_format = "@"
            for row in range(2, 1002):  # cells a clerk types into are text from the start
                data.cell(row=row, column=index).number_format = "@"
    notes = workbook.create_sheet(_("填表说明"))
    notes.append([_("列名"), _("是否必填"), _("填写说明"), _("示例")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in columns:
        notes.append(
            [
                column,
                _("必填") if column in required else _("选填"),
                column_note(widgets.get(column)),
                example.get(column, ""),
            ]
        )
    notes.append([])
    notes.append([_("带*的列必须填写。从第2行起每行一条，不要合并单元格；本说明页不会被导入。")])
    for letter, width in (("A", 16), ("B", 10), ("C", 60), ("D", 24)):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
