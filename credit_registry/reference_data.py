"""The reference data a bureau reviews before installing, kept as readable files in the
``fixtures`` folder at the top of the project (``fixtures/README.md`` says what each file holds):
the behaviour catalog, the default assessment policy with its consequence rules, the
questionnaires and the areas of the lawful-operation checklist.

This module is the one place that knows where those files are. It has two layers:

- ``read_catalog``, ``read_policy``, ``read_questionnaires`` and ``read_checklist_areas`` read one
  file and check it on its own: its shape, types, lengths, unique codes, and that every code it
  uses is explained in the file's own legend. They import no model, so data migrations use them.
- ``catalog``, ``policy``, ``questionnaires``, ``checklist_areas`` and ``check_all`` also hold the
  files against the models: each legend against the model's choices, the policy's fields and
  labels, the checklist areas against the checklist's fixed areas and the catalog. Services and
  the ``load_reference_data`` command use these.

Every problem is a :class:`ReferenceDataError` whose message names the file and the entry, in
Chinese and in English.
"""

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

from django.conf import settings
from django.utils import translation

CATALOG_FILE = "catalog.json"
POLICY_FILE = "policy.json"
QUESTIONNAIRES_FILE = "questionnaires.json"
CHECKLIST_AREAS_FILE = "checklist_areas.json"

CODE = re.compile(r"[A-Za-z0-9_-]+")  # a slug: letters, digits, hyphen, underscore
MAX_POINTS = Decimal(10_000)  # six digits, two of them decimals
MAX_SMALL = 32767


class ReferenceDataError(ValueError):
    """A reference data file that cannot be used as it is; the message says where and why."""


def fixtures_dir() -> Path:
    return Path(settings.BASE_DIR) / "fixtures"


# --- what the files hold -----------------------------------------------------------------------


class CatalogRow(NamedTuple):
    code: str
    name: str
    subject_kind: str
    polarity: str
    default_points: Decimal
    severity: str
    vetoes: bool
    disclosure_days: int
    repair_min_days: int
    sanction_months: int | None = None  # teachers' disciplinary sanctions only

    def values(self) -> dict[str, Any]:
        """The item's fields but its code, as a catalog item stores them."""
        values = self._asdict()
        del values["code"]
        return values


class Catalog(NamedTuple):
    legend: dict[str, dict[str, str]]
    items: tuple[CatalogRow, ...]


class RuleRow(NamedTuple):
    subject_kind: str
    trigger: str
    purpose: str
    effect: str
    extra_years: int


class Policy(NamedTuple):
    legend: dict[str, dict[str, str]]
    defaults: dict[str, Any]  # field name -> value
    labels: dict[str, str]  # field name -> the label written next to it
    rules: tuple[RuleRow, ...]


class QuestionRow(NamedTuple):
    order: int
    code: str
    title: str
    text: str


class QuestionnaireRow(NamedTuple):
    code: str
    name: str
    subject_kind: str
    instructions: str
    items: tuple[QuestionRow, ...]


class Questionnaires(NamedTuple):
    legend: dict[str, dict[str, str]]
    questionnaires: tuple[QuestionnaireRow, ...]


class AreaRow(NamedTuple):
    code: str
    label: str
    catalog_item: str


class ReferenceData(NamedTuple):
    catalog: Catalog
    policy: Policy
    questionnaires: Questionnaires
    checklist_areas: tuple[AreaRow, ...]


# --- reading one file --------------------------------------------------------------------------


class _File:
    """One file being read: every error names it, and the entry it is about."""

    def __init__(self, name: str):
        self.name = name

    def fail(self, where: str, zh: str, en: str) -> NoReturn:
        place = f"fixtures/{self.name}" + (f" {where}" if where else "")
        raise ReferenceDataError(f"{place}：{zh} / {place}: {en}")

    def load(self) -> dict:
        path = fixtures_dir() / self.name
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.fail("", "文件不存在", "the file is missing.")
        except (OSError, UnicodeDecodeError) as error:
            self.fail("", f"无法读取（{error}）", f"cannot be read ({error}).")
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as error:
            self.fail(
                f"line {error.lineno}, column {error.colno}",
                f"不是有效的 JSON（{error.msg}）",
                f"not valid JSON ({error.msg}).",
            )
        return self.object(data, "", optional=None)

    def object(self, value, where: str, *, required=(), optional=()) -> dict:
        """An object with the ``required`` keys and perhaps the ``optional`` ones (any other
        key, a typo most likely, is refused), or with any keys when ``optional`` is None."""
        if not isinstance(value, dict):
            self.fail(where, "应为一个对象 {…}", "must be an object {…}.")
        missing = [key for key in required if key not in value]
        if missing:
            self.fail(where, f"缺少 {', '.join(missing)}", f"{', '.join(missing)} missing.")
        if optional is not None:
            unknown = [key for key in value if key not in required and key not in optional]
            if unknown:
                self.fail(
                    where,
                    f"不认识的字段 {', '.join(unknown)}",
                    f"unknown field {', '.join(unknown)}.",
                )
        return value

    def top(self, *required: str) -> dict:
        """The file's top-level object: a title and a note for the reader, and the data."""
        return self.object(self.load(), "", required=required, optional=("title", "note"))

    def entries(self, data: dict, key: str, where: str = "") -> list:
        value = data.get(key)
        where = f"{where} {key}".strip()
        if not isinstance(value, list) or not value:
            self.fail(where, "应为一个非空的列表 […]", "must be a non-empty list […].")
        return value

    def text(self, entry: dict, key: str, where: str, *, max_length=None, blank=False) -> str:
        value = entry[key]
        if not isinstance(value, str) or (not blank and not value.strip()):
            self.fail(where, f"{key} 应为文字", f"{key} must be text.")
        if max_length is not None and len(value) > max_length:
            self.fail(
                where,
                f"{key} 不能超过{max_length}个字",
                f"{key} must be at most {max_length} characters.",
            )
        return value

    def code(self, entry: dict, key: str, where: str, *, max_length: int = 40) -> str:
        value = entry[key]
        if not isinstance(value, str) or not CODE.fullmatch(value) or len(value) > max_length:
            self.fail(
                where,
                f"{key} 应为不超过{max_length}位的英文字母、数字、“-”或“_”",
                f"{key} must be up to {max_length} ASCII letters, digits, '-' or '_'.",
            )
        return value

    def number(self, entry: dict, key: str, where: str) -> Decimal:
        value = entry[key]
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.fail(where, f"{key} 应为数字", f"{key} must be a number.")
        value = Decimal(value)
        if abs(value) >= MAX_POINTS or value.as_tuple().exponent < -2:
            self.fail(
                where,
                f"{key} 应小于10000且最多两位小数",
                f"{key} must be below 10000 with at most two decimals.",
            )
        return value

    def integer(self, entry: dict, key: str, where: str, *, minimum: int, maximum: int) -> int:
        value = entry[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not (minimum <= value <= maximum)
        ):
            self.fail(
                where,
                f"{key} 应为{minimum}到{maximum}之间的整数",
                f"{key} must be a whole number from {minimum} to {maximum}.",
            )
        return value

    def boolean(self, entry: dict, key: str, where: str) -> bool:
        value = entry[key]
        if not isinstance(value, bool):
            self.fail(where, f"{key} 应为 true 或 false", f"{key} must be true or false.")
        return value

    def legend(self, data: dict, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
        legend = self.object(data.get("legend"), "legend", required=fields, optional=())
        for field in fields:
            codes = legend[field]
            if not isinstance(codes, dict) or not codes:
                self.fail(f"legend.{field}", "应为“代码: 说明”对象", "must map codes to labels.")
            for code, label in codes.items():
                if not isinstance(label, str) or not label.strip():
                    self.fail(f"legend.{field}.{code}", "说明应为文字", "the label must be text.")
        return legend

    def choice(self, entry: dict, key: str, where: str, legend: dict) -> str:
        value = entry[key]
        if not isinstance(value, str) or value not in legend[key]:
            known = ", ".join(legend[key])
            self.fail(
                where, f"{key} 应为 {known} 之一", f"{key} must be one of {known} (see legend)."
            )
        return value

    @staticmethod
    def where(place: str, entry) -> str:
        """An entry's place, with its code when it has one: ``items #3 (T-PAID-TUTORING)``."""
        code = entry.get("code") if isinstance(entry, dict) else None
        return f"{place} ({code})" if isinstance(code, str) and code else place

    def unique(self, seen: set, value, where: str, what: str) -> None:
        if value in seen:
            self.fail(where, f"{what} {value} 重复", f"duplicate {what} {value}.")
        seen.add(value)


def read_catalog() -> Catalog:
    """The behaviour catalog (信用事项目录) of ``catalog.json``, checked on its own."""
    file = _File(CATALOG_FILE)
    data = file.top("legend", "items")
    legend = file.legend(data, ("subject_kind", "polarity", "severity"))
    rows, codes = [], set()
    for n, entry in enumerate(file.entries(data, "items"), start=1):
        where = file.where(f"items #{n}", entry)
        file.object(entry, where, required=CatalogRow._fields[:-1], optional=("sanction_months",))
        code = file.code(entry, "code", where)
        file.unique(codes, code, where, "code")
        row = CatalogRow(
            code=code,
            name=file.text(entry, "name", where, max_length=60),
            subject_kind=file.choice(entry, "subject_kind", where, legend),
            polarity=file.choice(entry, "polarity", where, legend),
            default_points=file.number(entry, "default_points", where),
            severity=file.choice(entry, "severity", where, legend),
            vetoes=file.boolean(entry, "vetoes", where),
            disclosure_days=file.integer(
                entry, "disclosure_days", where, minimum=0, maximum=2**31 - 1
            ),
            repair_min_days=file.integer(
                entry, "repair_min_days", where, minimum=0, maximum=2**31 - 1
            ),
            sanction_months=(
                file.integer(entry, "sanction_months", where, minimum=1, maximum=120)
                if "sanction_months" in entry
                else None
            ),
        )
        if (row.polarity == "positive" and row.default_points < 0) or (
            row.polarity == "negative" and row.default_points > 0
        ):
            file.fail(
                where,
                "守信事项的分值不能为负，失信事项的分值不能为正",
                "positive items cannot take points off, negative items cannot add points.",
            )
        if row.vetoes and row.polarity != "negative":
            file.fail(
                where,
                "只有失信事项可以一票否决",
                "only negative items can veto.",
            )
        rows.append(row)
    return Catalog(legend=legend, items=tuple(rows))


def read_policy() -> Policy:
    """The default policy values and consequence rules of ``policy.json``, checked on their own."""
    file = _File(POLICY_FILE)
    data = file.top("defaults", "legend", "consequence_rules")
    defaults, labels = {}, {}
    given = file.object(data["defaults"], "defaults", optional=None)
    if not given:
        file.fail("defaults", "不能为空", "must not be empty.")
    for name, entry in given.items():
        where = f"defaults.{name}"
        file.object(entry, where, required=("label", "value"), optional=())
        labels[name] = file.text(entry, "label", where, max_length=60)
        value = entry["value"]
        if not isinstance(value, bool | int | Decimal):
            file.fail(where, "value 应为数字或 true/false", "value must be a number or true/false.")
        defaults[name] = value
    legend = file.legend(data, ("subject_kind", "trigger", "purpose", "effect"))
    rules, keys = [], set()
    for n, entry in enumerate(file.entries(data, "consequence_rules"), start=1):
        where = f"consequence_rules #{n}"
        file.object(entry, where, required=RuleRow._fields, optional=())
        rule = RuleRow(
            subject_kind=file.choice(entry, "subject_kind", where, legend),
            trigger=file.choice(entry, "trigger", where, legend),
            purpose=file.choice(entry, "purpose", where, legend),
            effect=file.choice(entry, "effect", where, legend),
            extra_years=file.integer(entry, "extra_years", where, minimum=0, maximum=MAX_SMALL),
        )
        file.unique(keys, rule[:3], where, "subject_kind/trigger/purpose")
        rules.append(rule)
    return Policy(legend=legend, defaults=defaults, labels=labels, rules=tuple(rules))


def read_questionnaires() -> Questionnaires:
    """The questionnaires of ``questionnaires.json``, checked on their own."""
    file = _File(QUESTIONNAIRES_FILE)
    data = file.top("legend", "questionnaires")
    legend = file.legend(data, ("subject_kind",))
    rows, codes, names = [], set(), set()
    for n, entry in enumerate(file.entries(data, "questionnaires"), start=1):
        where = file.where(f"questionnaires #{n}", entry)
        file.object(entry, where, required=QuestionnaireRow._fields, optional=())
        code = file.code(entry, "code", where)
        file.unique(codes, code, where, "code")
        name = file.text(entry, "name", where, max_length=80)
        file.unique(names, name, where, "name")
        items, orders, item_codes = [], set(), set()
        for m, item in enumerate(file.entries(entry, "items", where), start=1):
            item_where = file.where(f"{where} items #{m}", item)
            file.object(item, item_where, required=QuestionRow._fields, optional=())
            question = QuestionRow(
                order=file.integer(item, "order", item_where, minimum=1, maximum=MAX_SMALL),
                code=file.code(item, "code", item_where),
                title=file.text(item, "title", item_where, max_length=30),
                text=file.text(item, "text", item_where, max_length=200, blank=True),
            )
            file.unique(orders, question.order, item_where, "order")
            file.unique(item_codes, question.code, item_where, "code")
            items.append(question)
        rows.append(
            QuestionnaireRow(
                code=code,
                name=name,
                subject_kind=file.choice(entry, "subject_kind", where, legend),
                instructions=file.text(entry, "instructions", where, blank=True),
                items=tuple(items),
            )
        )
    return Questionnaires(legend=legend, questionnaires=tuple(rows))


def read_checklist_areas() -> tuple[AreaRow, ...]:
    """The checklist areas of ``checklist_areas.json``, checked on their own."""
    file = _File(CHECKLIST_AREAS_FILE)
    data = file.top("areas")
    rows, codes = [], set()
    for n, entry in enumerate(file.entries(data, "areas"), start=1):
        where = file.where(f"areas #{n}", entry)
        file.object(entry, where, required=AreaRow._fields, optional=())
        code = file.code(entry, "code", where, max_length=20)
        file.unique(codes, code, where, "code")
        rows.append(
            AreaRow(
                code=code,
                label=file.text(entry, "label", where, max_length=60),
                catalog_item=file.code(entry, "catalog_item", where),
            )
        )
    return tuple(rows)


# --- the files held against the models ---------------------------------------------------------
# The models are imported inside these functions, not at the top: migrations import this module
# for its file-reading layer.


def _labels(choices) -> dict[str, str]:
    """A model's choices as code -> label, the labels as written in the code (untranslated)."""
    with translation.override(None):
        return {str(value): str(label) for value, label in choices.choices}


def _check_legend(file: _File, legend: dict, expected: dict[str, dict[str, str]]) -> None:
    for field, codes in expected.items():
        if legend[field] != codes:
            wanted = json.dumps(codes, ensure_ascii=False)
            file.fail(
                f"legend.{field}",
                f"与系统的代码不一致，应为 {wanted}",
                f"does not match the system's codes; it must be {wanted}.",
            )


def catalog() -> Catalog:
    """``catalog.json``, its legend checked against the catalog item's choices."""
    from evaluations.models import Polarity, Severity, SubjectKind

    data = read_catalog()
    _check_legend(
        _File(CATALOG_FILE),
        data.legend,
        {
            "subject_kind": _labels(SubjectKind),
            "polarity": _labels(Polarity),
            "severity": _labels(Severity),
        },
    )
    return data


# The policy's own bookkeeping, never a default value.
POLICY_BOOKKEEPING = {"id", "year", "version", "note", "created_by", "created_at"}


def policy() -> Policy:
    """``policy.json``: exactly the policy's value fields, each with its label and a value the
    field accepts, and rules whose codes the models know."""
    from django.core.exceptions import ValidationError
    from django.db import models

    from evaluations.models import AssessmentPolicy, Effect, Purpose, SubjectKind, Trigger

    data = read_policy()
    file = _File(POLICY_FILE)
    fields = {
        field.name: field
        for field in AssessmentPolicy._meta.concrete_fields
        if field.name not in POLICY_BOOKKEEPING
    }
    missing = [name for name in fields if name not in data.defaults]
    if missing:
        file.fail("defaults", f"缺少 {', '.join(missing)}", f"{', '.join(missing)} missing.")
    defaults = {}
    for name, value in data.defaults.items():
        where = f"defaults.{name}"
        field = fields.get(name)
        if field is None:
            file.fail(where, "考核政策没有这一项", "the assessment policy has no such field.")
        with translation.override(None):
            label = str(field.verbose_name)
        if data.labels[name] != label:
            file.fail(where, f"label 应为“{label}”", f"the label must be “{label}”.")
        if isinstance(field, models.BooleanField):
            ok = isinstance(value, bool)
        elif isinstance(field, models.DecimalField):
            ok = not isinstance(value, bool)
        else:
            ok = isinstance(value, int) and not isinstance(value, bool)
        if not ok:
            file.fail(where, "value 的类型不对", "the value has the wrong type.")
        try:
            defaults[name] = field.clean(value, None)
        except ValidationError as error:
            problems = "；".join(error.messages)
            file.fail(where, f"value 不可用（{problems}）", f"unusable value ({problems}).")
    _check_legend(
        file,
        data.legend,
        {
            "subject_kind": _labels(SubjectKind),
            "trigger": _labels(Trigger),
            "purpose": _labels(Purpose),
            "effect": _labels(Effect),
        },
    )
    return data._replace(defaults=defaults)


def questionnaires() -> Questionnaires:
    """``questionnaires.json``, its legend checked against the questionnaire's choices."""
    from evaluations.models import SubjectKind

    data = read_questionnaires()
    _check_legend(_File(QUESTIONNAIRES_FILE), data.legend, {"subject_kind": _labels(SubjectKind)})
    return data


def checklist_areas() -> tuple[AreaRow, ...]:
    """``checklist_areas.json``: exactly the checklist's areas with their labels, each turning
    into a negative school item of ``catalog.json`` when failed."""
    from schools.models import ChecklistArea

    areas = read_checklist_areas()
    file = _File(CHECKLIST_AREAS_FILE)
    expected = _labels(ChecklistArea)
    given = {area.code: area.label for area in areas}
    if given != expected:
        wanted = json.dumps(expected, ensure_ascii=False)
        file.fail(
            "areas",
            f"检查项目是系统固定的，code 与 label 应为 {wanted}",
            f"the areas are fixed by the system; code and label must be {wanted}.",
        )
    items = {row.code: row for row in catalog().items}
    for n, area in enumerate(areas, start=1):
        item = items.get(area.catalog_item)
        if item is None or item.subject_kind != "school" or item.polarity != "negative":
            file.fail(
                f"areas #{n} ({area.code})",
                f"catalog_item {area.catalog_item} 应为 catalog.json 中的学校失信事项",
                f"catalog_item {area.catalog_item} must be a negative school item of catalog.json.",
            )
    return areas


def check_all() -> ReferenceData:
    """Every file, checked on its own and against the models."""
    return ReferenceData(
        catalog=catalog(),
        policy=policy(),
        questionnaires=questionnaires(),
        checklist_areas=checklist_areas(),
    )
