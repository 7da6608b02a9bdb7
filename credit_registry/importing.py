"""Spreadsheet imports, all or nothing: the base resource every app's import builds on, and the
one function the admin site and the ``import_data`` command both call.

A file is first read and checked as a whole (headers, duplicates inside the file), then every row
is validated; if any row is wrong nothing is written and every problem is reported with its row
number, column and reason in Chinese.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils.translation import gettext
from import_export import resources
from import_export.instance_loaders import CachedInstanceLoader, ModelInstanceLoader

from credit_registry.common.errors import error_text
from credit_registry.common.spreadsheets import (
    CachedForeignKeyWidget,
    UnreadableFile,
    check_required_headers,
    check_unique_column,
    escape_formula,
    import_template,
    read_table,
)


class RowKeyLoader(CachedInstanceLoader):
    """Every stored row of the file's keys in one query; a key cell its own column refuses (an
    ID number Excel rounded) finds nothing, and its row reports the reason in its column."""

    def __init__(self, resource, dataset=None):
        ModelInstanceLoader.__init__(self, resource, dataset)
        self.pk_field = self.resource.fields[self.resource.get_import_id_fields()[0]]
        self.all_instances = {}
        if self.dataset.dict and self.pk_field.column_name in self.dataset.dict[0]:
            ids = [key for row in self.dataset.dict if (key := self._key(row))]
            queryset = self.get_queryset().filter(**{f"{self.pk_field.attribute}__in": ids})
            self.all_instances = {self.pk_field.get_value(obj): obj for obj in queryset}

    def _key(self, row):
        try:
            return self.pk_field.clean(row)
        except ValueError:
            return None

    def get_instance(self, row):
        key = self._key(row)
        return self.all_instances.get(key) if key else None


class RegistryResource(resources.ModelResource):
    """Bulk writes, one query to find existing rows, Chinese column names, and model validation
    without the per-row queries (uniqueness is checked for the whole file at once)."""

    required_columns: tuple[str, ...] = ()
    # Columns read by the resource itself besides its fields (a student's class and guardian,
    # a teacher's degree): part of the template and of the header search.
    extra_columns: tuple[str, ...] = ()
    # An example value for each column, for the template's 填表说明 sheet.
    example: dict[str, str] = {}
    unique_columns: tuple[tuple[str, str], ...] = ()  # (column name, label)

    class Meta:
        abstract = True
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        report_skipped = True
        # No per-row deep copy for a diff: unchanged rows are found from a snapshot of the
        # stored values instead (see skip_row), several times faster on large files.
        skip_diff = True
        clean_model_instances = True
        instance_loader_class = RowKeyLoader

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    # Bulk writes send no signals: the history rows (who imported what, and when) are written
    # here, in the import's transaction, for the models that keep a history.
    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        written = list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)
        self._record_history(written, dry_run=dry_run, update=False)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        written = list(self.update_instances)
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size, result)
        self._record_history(written, dry_run=dry_run, update=True)

    def _record_history(self, instances, *, dry_run: bool, update: bool) -> None:
        history = getattr(self._meta.model, "history", None)
        if dry_run or history is None or not instances or any(i.pk is None for i in instances):
            return
        history.bulk_history_create(
            instances,
            batch_size=self._meta.batch_size,
            update=update,
            default_user=self.user,
            default_change_reason="批量导入",
        )

    def check_file(self, dataset: tablib.Dataset) -> None:
        """Checks of the file as a whole, before any row: headers and duplicates."""
        check_required_headers(dataset, self.required_columns)
        for column, label in self.unique_columns:
            check_unique_column(dataset, column, label)

    def before_import(self, dataset, **kwargs):
        for resource_field in self.fields.values():
            if isinstance(resource_field.widget, CachedForeignKeyWidget):
                resource_field.widget.reset()

    def get_or_init_instance(self, instance_loader, row):
        instance, new = super().get_or_init_instance(instance_loader, row)
        if not new:
            instance._stored_values = self._values(instance)
        return instance, new

    @staticmethod
    def _values(instance) -> dict:
        return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}

    def skip_row(self, instance, original, row, import_validation_errors=None):
        stored = getattr(instance, "_stored_values", None)
        if import_validation_errors or stored is None or not self._meta.skip_unchanged:
            return False
        return stored == self._values(instance)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        relations = [
            f.name for f in instance._meta.concrete_fields if isinstance(f, models.ForeignKey)
        ]
        try:
            instance.full_clean(exclude=[*errors, *relations], validate_unique=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def column_label(self, attribute: str) -> str:
        for resource_field in self.fields.values():
            if resource_field.attribute == attribute:
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


@dataclass
class RowProblem:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        where = gettext("第%(row)s行") % {"row": self.row} if self.row else gettext("文件")
        column = f"「{self.column}」" if self.column else ""
        return f"{where}{column}：{self.message}"


@dataclass
class ImportReport:
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _problems(resource: RegistryResource, result) -> list[RowProblem]:
    problems = [RowProblem(0, "", _text(error.error)) for error in result.base_errors]
    for number, errors in result.row_errors():
        problems.extend(RowProblem(number + 1, "", _text(error.error)) for error in errors)
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = "" if attribute == "__all__" else resource.column_label(attribute)
            problems.extend(RowProblem(invalid.number + 1, column, str(m)) for m in messages)
    return sorted(problems, key=lambda p: (p.row, p.column))


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
    chunk_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a file, or preview it with ``dry_run``. Either every row is written or none."""
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
    with transaction.atomic():
        for start in range(0, len(dataset), chunk_size):
            chunk = tablib.Dataset(*dataset[start : start + chunk_size], headers=dataset.headers)
            result = resource.import_data(chunk, dry_run=False, use_transactions=False)
            for problem in _problems(resource, result):
                if problem.row:  # the spreadsheet's own row number, title rows counted
                    problem.row += start + dataset.header_row - 1
                report.problems.append(problem)
            totals = result.totals
            report.new += totals.get("new", 0)
            report.updated += totals.get("update", 0)
            report.unchanged += totals.get("skip", 0)
            if progress:
                progress(min(start + chunk_size, len(dataset)), len(dataset))
            if any(p.row == 0 for p in report.problems):
                break  # a problem with the file as a whole: no point reading on
        if dry_run or report.problems:
            transaction.set_rollback(True)
        else:
            report.written = True
    if report.written and report.new + report.updated >= ANALYZE_AFTER_ROWS:
        analyze(resource_class._meta.model)
    return report


# A load this large changes the table's statistics enough to mislead the planner until
# autovacuum gets round to it: the import refreshes them itself.
ANALYZE_AFTER_ROWS = 10_000


def analyze(model) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
