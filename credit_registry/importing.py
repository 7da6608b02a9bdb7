"""Spreadsheet imports, all or nothing: the base resource every app's import builds on, and the
one function the admin site and the ``import_data`` command both call.

A file is first read and checked as a whole (headers, duplicates inside the file), then every row
is validated; if any row is wrong nothing is written and every problem is reported with its row
number, column and reason in Chinese.
"""

import dataclasses
from collections.abc import Callable

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext
from import_export import resources
from import_export.fields import NOT_PROVIDED

from credit_registry.common.bulk import analyze, insert_history, insert_rows, where_in
from credit_registry.common.errors import error_text
from credit_registry.common.spreadsheets import (
    CachedForeignKeyWidget,
    Table,
    UnreadableFile,
    check_required_headers,
    check_unique_column,
    escape_formula,
    import_template,
    normalize_header,
    read_table,
)

_NO_ERRORS: list = []  # shared by every row without a problem (most of them), never appended to


class ImportRow:
    """One row of the file on its way in: its cells as read, its values as cleaned (by
    attribute name, ``school_id`` for a school), the stored row it updates (``None`` for a new
    one) and its problems, each with the column it belongs to."""

    __slots__ = ("number", "cells", "index", "values", "objects", "stored", "errors", "extra")

    def __init__(self, number: int, cells, index: dict[str, int]):
        self.number = number  # as the spreadsheet numbers it: the header is row 1 or lower
        self.cells = cells
        self.index = index
        self.values: dict = {}
        self.objects: dict | None = None  # the objects foreign-key columns name, by attribute
        self.stored: dict | None = None
        self.errors: list[tuple[str, str]] = _NO_ERRORS
        self.extra: dict = {}

    def cell(self, column: str):
        """The cell of a column, by the name the resource gives it."""
        position = self.index.get(column)
        return None if position is None else self.cells[position]

    def error(self, column: str, message) -> None:
        if self.errors is _NO_ERRORS:
            self.errors = []
        self.errors.append((column, str(message)))

    @property
    def new(self) -> bool:
        return self.stored is None

    @property
    def pk(self) -> int | None:
        """The stored row's id, or the new row's once written."""
        return self.values.get("id") or (self.stored or {}).get("id")

    def value(self, name: str):
        """The row's value of an attribute: from the file, else as stored."""
        if name in self.values:
            return self.values[name]
        return (self.stored or {}).get(name)

    @property
    def changes(self) -> list[str]:
        """The attributes this row changes on the stored row; a new row changes them all."""
        if self.stored is None:
            return list(self.values)
        return [name for name, value in self.values.items() if self.stored[name] != value]

    @property
    def changed(self) -> bool:
        """Whether the row changes anything: its own values, or what the resource writes
        beside them (a teacher's degree, a student's move)."""
        return bool(self.extra.get("changed") or self.changes)


class RegistryResource(resources.ModelResource):
    """A table's columns for import and export (django-import-export's declarations: names,
    widgets, defaults), and the import itself: every row is cleaned and validated before
    anything is written, without a transaction and so without a lock; then every row is
    written in one transaction, in bulk (``COPY`` on PostgreSQL), with its history."""

    required_columns: tuple[str, ...] = ()
    # Columns read by the resource itself besides its fields (a student's class and guardian,
    # a teacher's degree): part of the template and of the header search.
    extra_columns: tuple[str, ...] = ()
    # An example value for each column, for the template's 填表说明 sheet.
    example: dict[str, str] = {}
    unique_columns: tuple[tuple[str, str], ...] = ()  # (column name, label)
    # Small tables validate each row as a model object too (the model's clean, its check
    # constraints) and may call services per row; the rosters (teachers, students), imported
    # by the hundred thousand, are validated value by value, each distinct value once.
    validate_instances = True

    class Meta:
        abstract = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    # --- checking -------------------------------------------------------------------------

    def check_file(self, dataset: Table) -> None:
        """Checks of the file as a whole, before any row: headers and duplicates."""
        check_required_headers(dataset, self.required_columns)
        for column, label in self.unique_columns:
            check_unique_column(dataset, column, label)

    def prepare(self, dataset: Table) -> None:
        """Load what the rows refer to, in a fixed number of queries (hook)."""

    def check_row(self, row: ImportRow) -> None:
        """A resource's own checks of one row, after its columns are cleaned (hook)."""

    def validate_instance(self, instance, row: ImportRow) -> None:
        """Model validation of one row (``validate_instances``); uniqueness is checked for the
        whole file at once."""
        relations = [
            f.name for f in instance._meta.concrete_fields if isinstance(f, models.ForeignKey)
        ]
        exclude = {self._attribute(column) for column, _ in row.errors} | set(relations)
        try:
            instance.full_clean(exclude=exclude, validate_unique=False)
        except ValidationError as error:
            for attribute, messages in error.message_dict.items():
                column = "" if attribute == "__all__" else self.column_label(attribute)
                for message in messages:
                    row.error(column, message)

    def check_rows(self, dataset: Table, progress=None) -> list[ImportRow]:
        """Every row cleaned and checked, nothing written. Takes the table's rows over (it is
        left empty) and lets each row's cells go once the row is checked."""
        model = self._meta.model
        index = {header: position for position, header in enumerate(dataset.headers)}
        for column in self.columns():  # a column found by its name as the resource spells it
            if normalize_header(column) in index:
                index[column] = index[normalize_header(column)]
        fields = [
            f
            for f in self.get_import_fields()
            if not f.readonly and normalize_header(f.column_name) in index
        ]
        for resource_field in fields:
            if isinstance(resource_field.widget, CachedForeignKeyWidget):
                resource_field.widget.reset()
        columns = [
            (
                index[normalize_header(f.column_name)],
                _Cleaner(f, model, validate=not self.validate_instances),
            )
            for f in fields
        ]
        self.prepare(dataset)
        first = dataset.header_row + 1
        rows = [ImportRow(n, cells, index) for n, cells in enumerate(dataset, start=first)]
        dataset.rows = []  # the rows hold their cells now, each until it is checked
        key = self.key_attribute()
        keys = [(position, cleaner) for position, cleaner in columns if cleaner.name == key]
        others = [(position, cleaner) for position, cleaner in columns if cleaner.name != key]
        for row in rows:  # the keys first: the stored rows they name are loaded at once
            for position, cleaner in keys:
                cleaner(row, row.cells[position])
        self._load_stored(rows)
        names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        for done, row in enumerate(rows, start=1):
            for position, cleaner in others:
                cleaner(row, row.cells[position])
            self.check_row(row)
            if self.validate_instances:
                instance = model(**{**(row.stored or {}), **row.values})
                self.validate_instance(instance, row)
                row.values = {name: getattr(instance, name) for name in names}
            row.cells = None  # a large file's memory goes back as it is read
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, len(rows))
        self._check_unique(rows)
        return rows

    def key_attribute(self) -> str | None:
        names = self._meta.import_id_fields
        return self.fields[names[0]].attribute if names else None

    def _load_stored(self, rows: list[ImportRow]) -> None:
        """The stored rows the file's keys name, in one query."""
        key = self.key_attribute()
        if key is None:
            return
        keys = [row.values[key] for row in rows if row.values.get(key)]
        model = self._meta.model
        names = [f.attname for f in model._meta.concrete_fields]
        stored = {
            values[key]: values
            for values in where_in(model._default_manager.all(), key, keys).values(*names)
        }
        for row in rows:
            row.stored = stored.get(row.values.get(key))

    def _check_unique(self, rows: list[ImportRow]) -> None:
        """A unique value (a student's ID number) already held by another stored row, in one
        query a column."""
        model = self._meta.model
        pk = model._meta.pk.attname
        key = self.key_attribute()
        for model_field in model._meta.concrete_fields:
            if not model_field.unique or model_field.primary_key or model_field.attname == key:
                continue
            name = model_field.attname
            values = {row.values[name]: row for row in rows if row.values.get(name)}
            if not values:
                continue
            taken = where_in(model._default_manager.all(), name, values)
            for value, holder in taken.values_list(name, pk):
                row = values[value]
                if row.stored is None or row.stored[pk] != holder:
                    row.error(
                        self.column_label(name),
                        gettext("“%(value)s”已登记在另一%(what)s名下")
                        % {"value": value, "what": model._meta.verbose_name},
                    )

    def _attribute(self, column: str) -> str:
        for resource_field in self.fields.values():
            if resource_field.column_name == column:
                return resource_field.attribute
        return column

    # --- writing --------------------------------------------------------------------------

    def write(self, rows: list[ImportRow]) -> None:
        """Write the checked rows: new ones inserted, changed ones updated, each with a history
        entry attributed to the importing user. Runs in the import's transaction."""
        model = self._meta.model
        pk = model._meta.pk.attname
        keeps_history = hasattr(model, "history")
        new = [row for row in rows if row.new]
        values = [row.values for row in new]
        for row, ident in zip(new, insert_rows(model, values), strict=True):
            row.values[pk] = ident
        if keeps_history:
            insert_history(model, values, [v[pk] for v in values], by=self.user, kind="+")
        changed = [row for row in rows if not row.new and row.changed]
        names = sorted({name for row in changed for name in row.changes})
        merged = [{**row.stored, **row.values} for row in changed]
        if names:
            model._default_manager.bulk_update(
                [model(**values) for values in merged], names, batch_size=1000
            )
        if keeps_history and merged:
            insert_history(model, merged, [v[pk] for v in merged], by=self.user, kind="~")

    def written_models(self) -> list:
        """The tables an import of this resource fills (for their statistics afterwards)."""
        model = self._meta.model
        return [model, model.history.model] if hasattr(model, "history") else [model]

    # --- export and templates ---------------------------------------------------------------

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def column_label(self, attribute: str) -> str:
        for resource_field in self.fields.values():
            if attribute in (resource_field.attribute, f"{resource_field.attribute}_id"):
                return resource_field.column_name
        return attribute

    @classmethod
    def columns(cls) -> list[str]:
        """Every column the import reads, in the template's order."""
        names = [f.column_name for f in cls().get_import_fields()]
        return [*names, *(c for c in cls.extra_columns if c not in names)]

    @classmethod
    def template(cls) -> bytes:
        """The .xlsx to download and fill in (``spreadsheets.import_template``)."""
        resource = cls()
        widgets = {f.column_name: f.widget for f in resource.get_import_fields()}
        return import_template(
            sheet=str(cls._meta.name),
            columns=cls.columns(),
            required=cls.required_columns,
            widgets=widgets,
            example=cls.example,
        )


PROGRESS_EVERY = 5000


MEMO_TRIAL = 1000


class _Cleaner:
    """One column's cleaning: the widget reads the cell (ValueError: the cell's own message),
    the field's default fills an empty one, the model field validates the value (its length,
    choices, validators), and a foreign key becomes the id of the object it names. Each
    distinct cell is cleaned once per file: a school code or a gender repeats on every row."""

    def __init__(self, field, model, *, validate: bool):
        self.field = field
        self.validate = validate
        self.keep_objects = not validate  # rows validated as objects use the objects named
        self.column = field.column_name
        self.attribute = field.attribute
        try:
            self.model_field = model._meta.get_field(field.attribute)
        except FieldDoesNotExist:
            self.model_field = None
        relation = self.model_field is not None and self.model_field.many_to_one
        self.relation = relation
        self.name = self.model_field.attname if self.model_field is not None else field.attribute
        self.seen: dict = {}

    def __call__(self, row: ImportRow, cell) -> None:
        if self.seen is None:  # a column of distinct values (names, ID numbers)
            value, obj, messages = self._clean(cell)
        else:
            key = (type(cell), cell)
            try:
                value, obj, messages = self.seen[key]
            except KeyError:
                value, obj, messages = self.seen[key] = self._clean(cell)
                if len(self.seen) == MEMO_TRIAL:
                    self.seen = None  # a value seldom repeats: remembering them costs more
            except TypeError:  # an unhashable cell
                value, obj, messages = self._clean(cell)
        if messages:
            for message in messages:
                row.error(self.column, message)
            return
        row.values[self.name] = value
        if self.relation and self.keep_objects:
            if row.objects is None:
                row.objects = {}
            row.objects[self.attribute] = obj

    def _clean(self, cell) -> tuple:
        field = self.field
        try:
            value = field.widget.clean(cell)
        except ValueError as error:
            return None, None, [str(error)]
        if value in field.empty_values and field.default is not NOT_PROVIDED:
            value = field.default() if callable(field.default) else field.default
        model_field = self.model_field
        if model_field is None:
            return value, None, []
        if self.relation:
            if value is None and not model_field.null:
                return None, None, [model_field.error_messages["null"]]
            return (value.pk if value is not None else None), value, []
        if value == "" and model_field.null:
            value = None
        if not self.validate:
            return value, None, []
        try:
            value = model_field.clean(value, None)
        except ValidationError as error:
            return None, None, [str(m) for m in error.messages]
        return value, None, []


@dataclasses.dataclass
class RowProblem:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        where = gettext("第%(row)s行") % {"row": self.row} if self.row else gettext("文件")
        column = f"「{self.column}」" if self.column else ""
        return f"{where}{column}：{self.message}"


@dataclasses.dataclass
class ImportReport:
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = dataclasses.field(default_factory=list)
    written: bool = False
    # How many problems there were, when only the first are kept (a background job's report).
    problem_total: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_count(self) -> int:
        return len(self.problems) if self.problem_total is None else self.problem_total

    # The first problems are kept with a background import's job (a file with thousands of
    # wrong rows is fixed from its first screenful, as on the import page).
    KEPT_PROBLEMS = 500

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "written": self.written,
            "problem_count": self.problem_count,
            "problems": [[p.row, p.column, p.message] for p in self.problems[: self.KEPT_PROBLEMS]],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        return cls(
            total=data.get("total", 0),
            new=data.get("new", 0),
            updated=data.get("updated", 0),
            unchanged=data.get("unchanged", 0),
            written=data.get("written", False),
            problems=[RowProblem(*problem) for problem in data.get("problems", [])],
            problem_total=data.get("problem_count"),
        )


def _text(error: Exception) -> str:
    return (
        error_text(error)
        if isinstance(error, ValidationError)
        else str(error) or type(error).__name__
    )


def run_import(
    *,
    resource_class: type[RegistryResource],
    raw: bytes,
    filename: str,
    by,
    dry_run: bool,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a file, or preview it with ``dry_run``. Either every row is written or none.

    Every row is read, cleaned and checked first, outside any transaction (a preview writes
    nothing and so locks nothing); only a file without a problem is then written, in one
    transaction that lasts as long as the writing itself."""
    report = ImportReport()
    try:
        dataset = read_table(raw, filename, expected=resource_class.columns())
    except UnreadableFile as error:
        report.problems.append(RowProblem(0, "", str(error)))
        return report
    report.total = len(dataset)
    resource = resource_class(user=by)
    try:
        resource.check_file(dataset)
    except ValidationError as error:
        report.problems.append(RowProblem(0, "", _text(error)))
        return report
    rows = resource.check_rows(dataset, progress=progress)
    for row in rows:
        report.problems.extend(RowProblem(row.number, column, m) for column, m in row.errors)
        if row.new:
            report.new += 1
        elif row.changed:
            report.updated += 1
        else:
            report.unchanged += 1
    report.problems.sort(key=lambda p: (p.row, p.column))
    if dry_run or report.problems:
        return report
    try:
        with transaction.atomic():
            resource.write(rows)
    except ValidationError as error:
        report.problems.append(RowProblem(0, "", _text(error)))
        return report
    except IntegrityError:
        report.problems.append(
            RowProblem(0, "", gettext("导入期间有人修改了相同的数据，未写入任何数据，请重新导入"))
        )
        return report
    report.written = True
    if progress:
        progress(len(rows), len(rows))
    if report.new + report.updated >= ANALYZE_AFTER_ROWS:
        analyze(*resource.written_models())
    return report


# A load this large changes the tables' statistics enough to mislead the planner until
# autovacuum gets round to it: the import refreshes them itself.
ANALYZE_AFTER_ROWS = 10_000
