"""The reference data of ``fixtures/``: what a fresh install holds, the ``load_reference_data``
command (idempotent, never deleting, never touching what published records use, all or nothing),
and the services that read the files."""

import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from credit_registry import reference_data
from credit_registry.reference_data import ReferenceDataError
from evaluations.assessment import services as assessment_services
from evaluations.models import (
    AssessmentPolicy,
    CatalogItem,
    ConsequenceRule,
    CreditRecord,
    QuestionItem,
    Questionnaire,
)
from evaluations.schoolwork import services as schoolwork_services
from schools.models import ChecklistArea, ChecklistKind
from tests import factories

SHIPPED = Path(settings.BASE_DIR) / "fixtures"


@pytest.fixture
def reference_files(settings, tmp_path) -> Path:
    """A copy of the shipped files that a test may edit; the registry reads the copy."""
    shutil.copytree(SHIPPED, tmp_path / "fixtures")
    settings.BASE_DIR = tmp_path
    return tmp_path / "fixtures"


def edit(folder: Path, name: str, change) -> None:
    path = folder / name
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def load(*args) -> str:
    out = io.StringIO()
    call_command("load_reference_data", *args, stdout=out, no_color=True)
    return out.getvalue()


def snapshot() -> tuple:
    """Everything the command may write, history included."""
    return (
        list(CatalogItem.objects.order_by("code").values()),
        CatalogItem.history.count() if hasattr(CatalogItem, "history") else None,
        list(Questionnaire.objects.order_by("pk").values()),
        list(QuestionItem.objects.order_by("pk").values()),
    )


def catalog_fields(item: CatalogItem) -> dict:
    return {name: getattr(item, name) for name in reference_data.CatalogRow._fields}


# --- the shipped files ---------------------------------------------------------------------------


def test_the_shipped_files_are_valid_and_agree_with_the_models():
    data = reference_data.check_all()
    assert len(data.catalog.items) == len({row.code for row in data.catalog.items})
    assert {area.code for area in data.checklist_areas} == set(ChecklistArea.values)
    assert data.questionnaires.questionnaires


@pytest.mark.django_db
def test_a_fresh_install_has_exactly_the_catalog_of_the_file():
    rows = {row.code: row._asdict() for row in reference_data.read_catalog().items}
    installed = {item.code: catalog_fields(item) for item in CatalogItem.objects.all()}
    assert installed == rows


@pytest.mark.django_db
def test_a_fresh_install_has_the_questionnaires_of_the_file():
    for row in reference_data.read_questionnaires().questionnaires:
        questionnaire = Questionnaire.objects.get(name=row.name)
        assert (questionnaire.subject_kind, questionnaire.instructions) == (
            row.subject_kind,
            row.instructions,
        )
        assert list(questionnaire.items.values_list("order", "title", "text")) == [
            (item.order, item.title, item.text) for item in row.items
        ]


@pytest.mark.django_db
def test_ensure_year_opens_the_first_policy_with_the_values_and_rules_of_policy_json():
    expected = reference_data.policy()
    assessment_services.ensure_year(year=factories.YEAR)
    policy = AssessmentPolicy.objects.get(year=factories.YEAR)
    assert policy.version == 1
    assert {name: getattr(policy, name) for name in expected.defaults} == expected.defaults
    rules = ConsequenceRule.objects.filter(policy=policy).order_by("pk")
    assert [(r.subject_kind, r.trigger, r.purpose, r.effect, r.extra_years) for r in rules] == [
        tuple(rule) for rule in expected.rules
    ]


@pytest.mark.django_db
def test_the_first_policy_follows_an_edited_policy_file_and_later_years_copy_it(reference_files):
    def stricter(data):
        data["defaults"]["grade_a"]["value"] = 95
        data["consequence_rules"] = data["consequence_rules"][:2]

    edit(reference_files, "policy.json", stricter)
    assessment_services.ensure_year(year=factories.YEAR)
    edit(reference_files, "policy.json", lambda data: data["defaults"]["grade_a"].update(value=85))
    assessment_services.ensure_year(year=factories.YEAR + 1)
    for year in (factories.YEAR, factories.YEAR + 1):
        policy = AssessmentPolicy.objects.get(year=year)
        assert policy.grade_a == Decimal(95) and policy.rules.count() == 2


@pytest.mark.django_db
def test_a_failed_checklist_area_becomes_the_catalog_item_of_the_file(
    reference_files, bureau, school
):
    def remap(data):
        for area in data["areas"]:
            if area["code"] == "advertising":
                area["catalog_item"] = "S-DISCLOSURE"

    edit(reference_files, "checklist_areas.json", remap)
    results = {area.value: (True, "") for area in ChecklistArea}
    results["advertising"] = (False, "招生简章夸大升学率。")
    schoolwork_services.file_checklist(
        by=bureau,
        school=school,
        year=factories.YEAR,
        kind=ChecklistKind.INSPECTION,
        results=results,
    )
    assert CreditRecord.objects.get(school=school).item.code == "S-DISCLOSURE"


# --- the command ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_on_a_fresh_install_changes_nothing_however_often_it_runs():
    before = snapshot()
    for _ in range(2):
        output = load()
        assert "新增0、更新0" in output and "无改动" in output
        assert snapshot() == before
    with translation.override("en"):
        output = load()
    assert "created 0, updated 0" in output and "nothing changed" in output


@pytest.mark.django_db
def test_the_command_brings_the_registry_back_to_the_files_then_changes_nothing():
    CatalogItem.objects.filter(code="T-GIFTS").update(name="收礼", default_points=Decimal(-1))
    CatalogItem.objects.filter(code="ST-INTEGRITY-STAR").delete()
    CatalogItem.objects.create(
        code="LOCAL-ITEM",
        name="本地事项",
        subject_kind="teacher",
        polarity="negative",
        default_points=Decimal(-1),
        severity="minor",
        disclosure_days=90,
        repair_min_days=30,
    )
    questionnaire = Questionnaire.objects.get(subject_kind="teacher")
    questionnaire.items.filter(order=5).delete()
    questionnaire.items.filter(order=2).update(title="旧题目")

    output = load()
    assert "+ ST-INTEGRITY-STAR 诚信之星" in output
    assert "~ T-GIFTS 违规收受礼品礼金（name, default_points）" in output
    assert "LOCAL-ITEM 本地事项：数据库中有、文件中没有，保留" in output
    assert "~ 教师师德诚信测评问卷（items #2, items #5）" in output
    assert "已更新" in output
    assert CatalogItem.objects.filter(code="LOCAL-ITEM").exists()  # never deleted
    rows = {row.code: row._asdict() for row in reference_data.read_catalog().items}
    assert {
        item.code: catalog_fields(item) for item in CatalogItem.objects.exclude(code="LOCAL-ITEM")
    } == rows
    assert list(questionnaire.items.values_list("title", flat=True)) == [
        item.title for item in reference_data.read_questionnaires().questionnaires[0].items
    ]

    after = snapshot()
    output = load()
    assert "新增0、更新0" in output and "无改动" in output
    assert snapshot() == after


@pytest.mark.django_db
def test_what_published_records_or_opened_rounds_use_is_kept_as_it_is(reference_files, teacher):
    factories.make_record(teacher, "T-GIFTS")  # published
    factories.make_round()  # opened, with the questionnaire

    def rename_gifts(data):
        for row in data["items"]:
            if row["code"] == "T-GIFTS":
                row["name"] = "违规收受礼品礼金（新）"
                row["default_points"] = -9

    edit(reference_files, "catalog.json", rename_gifts)
    edit(
        reference_files,
        "questionnaires.json",
        lambda data: data["questionnaires"][0]["items"][0].update(title="爱岗"),
    )
    before = snapshot()
    output = load()
    assert (
        "= T-GIFTS 违规收受礼品礼金（name, default_points）：已有已公布的记录使用，未修改" in output
    )
    assert "已用于已开始的测评轮次，未修改" in output
    assert "保留1" in output and "无改动" in output
    assert snapshot() == before


@pytest.mark.django_db
def test_a_dry_run_reports_the_changes_and_writes_nothing(reference_files):
    edit(
        reference_files,
        "catalog.json",
        lambda data: data["items"].append(dict(data["items"][0], code="T-NEW-ITEM", name="新事项")),
    )
    before = snapshot()
    output = load("--dry-run")
    assert "+ T-NEW-ITEM 新事项" in output and "会有改动" in output
    assert snapshot() == before


def test_check_reads_the_files_without_a_database():
    assert "参考数据文件无误" in load("--check")
    with translation.override("en"):
        assert "The reference data files are valid" in load("--check")


def _catalog(change):
    return "catalog.json", change


def _first(key, value):
    return lambda data: data["items"][0].update({key: value})


BAD_FILES = {
    "not JSON": ("catalog.json", None, "fixtures/catalog.json line"),
    "wrong sign": (
        *_catalog(_first("default_points", 5)),
        "fixtures/catalog.json items #1 (T-PAID-TUTORING)：守信事项的分值不能为负",
    ),
    "unknown severity": (
        *_catalog(_first("severity", "grave")),
        "severity 应为 minor, general, severe 之一",
    ),
    "typo in a field": (
        *_catalog(lambda data: data["items"][1].update(defualt_points=-3)),
        "items #2 (T-CORPORAL-PUNISHMENT)：不认识的字段 defualt_points",
    ),
    "duplicate code": (
        *_catalog(lambda data: data["items"].append(dict(data["items"][0]))),
        "code T-PAID-TUTORING 重复",
    ),
    "legend off the models": (
        *_catalog(lambda data: data["legend"]["severity"].update(minor="轻微")),
        "fixtures/catalog.json legend.severity：与系统的代码不一致",
    ),
    "policy label": (
        "policy.json",
        lambda data: data["defaults"]["grade_a"].update(label="A"),
        "fixtures/policy.json defaults.grade_a：label 应为“优秀（A）下限”",
    ),
    "policy field missing": (
        "policy.json",
        lambda data: data["defaults"].pop("grade_c"),
        "fixtures/policy.json defaults：缺少 grade_c",
    ),
    "policy value": (
        "policy.json",
        lambda data: data["defaults"]["evaluation_weight"].update(value=0.605),
        "fixtures/policy.json defaults.evaluation_weight：value 不可用",
    ),
    "rule code": (
        "policy.json",
        lambda data: data["consequence_rules"][0].update(effect="banned"),
        "consequence_rules #1：effect 应为",
    ),
    "question too long": (
        "questionnaires.json",
        lambda data: data["questionnaires"][0]["items"][0].update(title="很" * 31),
        "questionnaires #1 (teacher-ethics) items #1 (dedication)：title 不能超过30个字",
    ),
    "area not of the system": (
        "checklist_areas.json",
        lambda data: data["areas"].pop(),
        "fixtures/checklist_areas.json areas：检查项目是系统固定的",
    ),
    "area to a teacher item": (
        "checklist_areas.json",
        lambda data: data["areas"][0].update(catalog_item="T-GIFTS"),
        "catalog_item T-GIFTS 应为 catalog.json 中的学校失信事项",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_gives_a_clear_error_and_changes_nothing(reference_files, case):
    name, change, message = BAD_FILES[case]
    # A good change that must not be written either: the files are checked before any write.
    if name != "catalog.json":
        edit(
            reference_files,
            "catalog.json",
            lambda data: data["items"][0].update(name="有偿补课（改）"),
        )
    if change is None:
        (reference_files / name).write_text('{"items": [', encoding="utf-8")
    else:
        edit(reference_files, name, change)
    before = snapshot()
    with pytest.raises(CommandError) as error:
        load()
    text = str(error.value)
    assert message in text
    assert "参考数据文件有误，未写入任何数据" in text
    assert text.split("\n")[0].startswith(f"fixtures/{name}")
    assert snapshot() == before


def test_a_missing_file_is_named(reference_files):
    (reference_files / "policy.json").unlink()
    with pytest.raises(ReferenceDataError, match="fixtures/policy.json：文件不存在"):
        reference_data.policy()
