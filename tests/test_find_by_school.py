"""Finding anything by school in the admin site: the school filter on every list of people,
records and results (and the standings page), searches by a school's name, the exports of the
assessment, and the links from a person's admin page to their credit file."""

import csv
import io
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from credit_registry.access import Role
from evaluations.assessment import services as assessment_services
from evaluations.assessment.scoring import recompute_year
from evaluations.clues import services as clue_services
from evaluations.models import RecordStatus
from tests import factories

YEAR = factories.YEAR
RECORDS = "admin:evaluations_creditrecord_changelist"
RESULTS = "admin:evaluations_assessmentresult_changelist"
STANDINGS = "admin:schools_operationchecklist_standings"


@pytest.fixture
def two_schools(bureau, school, other_school):
    """Each school with a teacher, a student and a record about each, and the year computed."""
    world = {}
    for key, place in (("a", school), ("b", other_school)):
        teacher = factories.make_teacher(place, f"{key}老师")
        student = factories.make_student(place, factories.make_classroom(place, teacher))
        world[key] = {
            "school": place,
            "teacher": teacher,
            "student": student,
            "records": {
                factories.make_record(place, "S-ARBITRARY-FEES", by=bureau),
                factories.make_record(teacher, "T-GIFTS", by=bureau),
                factories.make_record(
                    student, "ST-COPYING-HOMEWORK", by=bureau, status=RecordStatus.SUBMITTED
                ),
            },
        }
    assessment_services.ensure_year(year=YEAR, by=bureau)
    recompute_year(year=YEAR)
    return world


def _listed(client, name, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


# --- the school filter --------------------------------------------------------------------------


def test_the_school_filter_keeps_the_schools_own_teachers_and_students_records(
    client, bureau, two_schools
):
    a = two_schools["a"]
    client.force_login(bureau)
    assert _listed(client, RECORDS, school=a["school"].pk) == a["records"]
    everything = two_schools["a"]["records"] | two_schools["b"]["records"]
    assert _listed(client, RECORDS) == everything
    teachers_only = _listed(
        client, RECORDS, school=a["school"].pk, **{"item__subject_kind__exact": "teacher"}
    )
    assert {r.teacher for r in teachers_only} == {a["teacher"]}


def test_the_school_filter_narrows_teachers_students_and_results(client, bureau, two_schools):
    a = two_schools["a"]
    client.force_login(bureau)
    school = a["school"].pk
    assert _listed(client, "admin:teachers_teacher_changelist", school=school) == {a["teacher"]}
    assert _listed(client, "admin:students_student_changelist", school=school) == {a["student"]}
    results = _listed(client, RESULTS, school=school)
    assert {r.subject for r in results} == {a["school"], a["teacher"], a["student"]}
    teachers = _listed(client, RESULTS, school=school, subject="teacher", year=YEAR)
    assert {r.subject for r in teachers} == {a["teacher"]}
    assert _listed(client, RESULTS, year=YEAR - 5) == set()


def test_the_filter_searches_the_schools_by_name(client, bureau, two_schools):
    client.force_login(bureau)
    page = client.get(reverse(RECORDS), {"school_q": "第二", "status__exact": "published"})
    assert page.status_code == 200
    options = re.findall(r'<option value="(\d+)"', page.content.decode())
    assert options == [str(two_schools["b"]["school"].pk)]
    # the other parameters of the list are kept by the filter's form
    assert 'name="status__exact" value="published"' in page.content.decode()
    # a malformed school is no filter, not an error
    assert _listed(client, RECORDS, school="1 OR 1=1") == (
        two_schools["a"]["records"] | two_schools["b"]["records"]
    )


def test_an_inspector_picks_only_among_the_schools_of_their_clues(
    client, bureau, inspector, two_schools
):
    b = two_schools["b"]
    clue = clue_services.receive_clue(
        channel="staff", subject_description="b老师", content="收受礼金", teacher=b["teacher"]
    )
    clue_services.assign_clue(clue=clue, inspector=inspector, by=bureau)
    client.force_login(inspector)
    for name in (RECORDS, "admin:teachers_teacher_changelist"):
        page = client.get(reverse(name))
        assert page.status_code == 200
        options = re.findall(r'<option value="(\d+)"', page.content.decode())
        assert options == [str(b["school"].pk)], name
    # another school's id narrows the inspector's own scope, it never widens it
    assert _listed(client, RECORDS, school=two_schools["a"]["school"].pk) == set()


def test_the_standings_page_shows_the_school_picked(client, bureau, two_schools):
    a, b = two_schools["a"]["school"], two_schools["b"]["school"]
    client.force_login(bureau)
    page = client.get(reverse(STANDINGS), {"year": YEAR, "school": a.pk})
    assert page.status_code == 200
    assert [s.school for s in page.context["standings"]] == [a]
    everyone = client.get(reverse(STANDINGS), {"year": YEAR})
    assert {s.school for s in everyone.context["standings"]} == {a, b}
    narrowed = client.get(reverse(STANDINGS), {"school_q": a.name})
    assert [value for value, _ in narrowed.context["picker"]["options"]] == [str(a.pk)]


# --- searching by a school's name ---------------------------------------------------------------


def test_a_schools_name_finds_its_teachers_and_students_records(client, bureau, two_schools):
    client.force_login(bureau)
    assert _listed(client, RECORDS, q="第一中学") == two_schools["a"]["records"]
    assert _listed(client, RECORDS, q="第一中学 礼金") == {
        r for r in two_schools["a"]["records"] if r.teacher_id
    }


# --- exports --------------------------------------------------------------------------------------


RESULT_FIELDS = {
    f"assessmentresultresource_{name}": "on"
    for name in ("year", "subject_kind", "subject", "school", "total_score", "grade", "vetoed")
}


def test_the_results_export_in_chinese(client, bureau, two_schools):
    a = two_schools["a"]
    client.force_login(bureau)
    url = reverse("admin:evaluations_assessmentresult_export") + f"?school={a['school'].pk}"
    as_xlsx = client.post(url, {"format": "0", "resource": "0", **RESULT_FIELDS})
    assert as_xlsx.status_code == 200
    assert "年度考核结果-2026-03-16.xlsx" in unquote(as_xlsx["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(as_xlsx.content))["年度考核结果"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["学年", "对象类型", "对象", "所属学校", "综合得分", "等级", "一票否决"]
    assert len(rows) == 4  # the school, its teacher and its student
    by_kind = {row[1]: row for row in rows[1:]}
    assert by_kind["教师"][2] == "a老师" and by_kind["教师"][3] == a["school"].name
    assert by_kind["学生"][2] == a["student"].masked_name != a["student"].name
    assert by_kind["学校"][0] == f"{YEAR}—{YEAR + 1}学年"
    as_csv = client.post(url, {"format": "1", "resource": "0", **RESULT_FIELDS})
    assert "年度考核结果-2026-03-16.csv" in unquote(as_csv["Content-Disposition"])
    text = as_csv.content.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text)))[:3] == ["学年", "对象类型", "对象"]


def test_results_are_exported_but_never_imported(client, bureau):
    client.force_login(bureau)
    page = client.get(reverse(RESULTS))
    assert page.status_code == 200
    assert reverse("admin:evaluations_assessmentresult_export") in page.content.decode()
    assert 'href="import/"' not in page.content.decode()
    assert client.get(reverse(RESULTS) + "import/").status_code in (302, 404)


def test_the_standings_export_in_chinese(client, bureau, two_schools):
    a = two_schools["a"]["school"]
    client.force_login(bureau)
    page = client.get(reverse(STANDINGS), {"year": YEAR, "school": a.pk})
    export = reverse("admin:schools_operationchecklist_standings_export")
    assert f"{export}?year={YEAR}&amp;school={a.pk}&amp;format=xlsx" in page.content.decode()
    as_xlsx = client.get(export, {"year": YEAR, "school": a.pk})
    assert as_xlsx.status_code == 200
    assert f"目标考核与年检{YEAR}-2026-03-16.xlsx" in unquote(as_xlsx["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet.title == f"目标考核与年检{YEAR}"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "学校标识码",
        "学校名称",
        "考核方式",
        "诚信得分",
        "等级",
        "目标考核诚信分",
        "目标考核诚信分满分",
        "年检建议",
        "依据",
    ]
    assert [row[:3] for row in rows[1:]] == [[a.code, a.name, "目标考核"]]
    as_csv = client.get(export, {"year": YEAR, "format": "csv"})
    assert as_csv.content.startswith("\ufeff".encode())
    assert len(list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))) == 3
    assert client.get(export, {"format": "pdf"}).status_code == 400


# --- links to a person's credit file ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "file_view", "pdf_view"),
    [
        ("teacher", "teachers:file", "reports:teacher_file"),
        ("student", "students:file", "reports:student_file"),
    ],
)
def test_person_pages_link_to_the_file_and_its_pdf(
    client, bureau, two_schools, kind, file_view, pdf_view
):
    person = two_schools["a"][kind]
    file_url = reverse(file_view, args=[person.pk])
    pdf_url = reverse(pdf_view, args=[person.pk])
    client.force_login(bureau)
    admin_name = f"admin:{kind}s_{kind}"
    for page in (
        client.get(reverse(f"{admin_name}_change", args=[person.pk])),
        client.get(reverse(f"{admin_name}_changelist")),
    ):
        body = page.content.decode()
        assert f'href="{file_url}"' in body and pdf_url in body
    assert client.get(file_url).status_code == 200
    pdf = client.post(pdf_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_an_inspector_gets_the_file_links_of_the_teachers_they_may_see(
    client, bureau, inspector, two_schools
):
    teacher = two_schools["b"]["teacher"]
    clue = clue_services.receive_clue(
        channel="staff", subject_description="b老师", content="收受礼金", teacher=teacher
    )
    clue_services.assign_clue(clue=clue, inspector=inspector, by=bureau)
    client.force_login(inspector)
    page = client.get(reverse("admin:teachers_teacher_change", args=[teacher.pk]))
    file_url = reverse("teachers:file", args=[teacher.pk])
    assert f'href="{file_url}"' in page.content.decode()
    assert client.get(file_url).status_code == 200


# --- people by name ---------------------------------------------------------------------------


def test_lists_name_people_not_their_accounts(client, school):
    officer = factories.make_user(  # a superuser, who alone opens the ledger's own list
        "officer7", role=Role.BUREAU_ADMIN, first_name="林晓明", is_superuser=True
    )
    factories.make_record(school, "S-ARBITRARY-FEES", by=officer)
    client.force_login(officer)
    for name in (RECORDS, "admin:evaluations_ledgerentry_changelist"):
        body = client.get(reverse(name)).content.decode()
        assert "林晓明" in body and "officer7</td>" not in body, name
