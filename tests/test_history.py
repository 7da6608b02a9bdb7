"""People, schools, accounts, the catalog and policies keep a history: who changed what, when,
and the values before and after — through the admin, the services and bulk imports alike."""

from django.contrib.auth.models import User
from django.urls import reverse

from evaluations.assessment import services as assessment_services
from evaluations.models import AssessmentPolicy, CatalogItem
from teachers.models import Teacher
from tests import factories


def _last_change(obj) -> tuple:
    """(who, {field: (before, after)}) of the newest history row against the one before it."""
    rows = list(obj.history.order_by("-history_id")[:2])
    delta = rows[0].diff_against(rows[1])
    return rows[0].history_user, {c.field: (c.old, c.new) for c in delta.changes}


def test_a_catalog_edit_in_the_admin_names_the_clerk_and_the_old_value(client, bureau):
    item = CatalogItem.objects.get(code="T-GIFTS")
    item.save()  # the catalog shipped by the migration has no history row yet
    old_days = item.disclosure_days
    client.force_login(bureau)
    url = reverse("admin:evaluations_catalogitem_change", args=[item.pk])
    html = client.get(url).content.decode()
    data = {
        name: getattr(item, name)
        for name in (
            "code",
            "name",
            "subject_kind",
            "polarity",
            "default_points",
            "severity",
            "disclosure_days",
            "repair_min_days",
            "description",
        )
        if f'name="{name}"' in html
    }
    data.update(disclosure_days=old_days + 30, vetoes="on" if item.vetoes else "", _save="1")
    if item.active:
        data["active"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    assert _last_change(item) == (bureau, {"disclosure_days": (old_days, old_days + 30)})


def test_a_teachers_move_is_in_the_teachers_history(bureau, school, other_school):
    from teachers.services import post_teacher

    teacher = factories.make_teacher(school)
    post_teacher(teacher=teacher, school=other_school)
    _, changes = _last_change(Teacher.objects.get(pk=teacher.pk))
    assert changes == {"school": (school.pk, other_school.pk)}


def test_an_account_change_is_kept_without_the_password(bureau):
    user = factories.make_user("clerk")
    user.first_name = "王"
    user.save()
    user.set_password("another-Password-1")
    user.save()
    rows = User.history.filter(id=user.pk).order_by("history_id")
    assert [row.first_name for row in rows] == ["", "王", "王"]
    assert not hasattr(rows.first(), "password")


def test_a_new_policy_version_is_recorded_with_its_author(bureau):
    year = factories.YEAR
    assessment_services.ensure_year(year=year)
    policy = assessment_services.create_policy_version(
        year=year, by=bureau, note="调整等级线", grade_a=92
    )
    assert AssessmentPolicy.history.filter(id=policy.pk).exists()


def test_the_history_page_shows_who_changed_what(client, bureau, school, other_school):
    from teachers.services import post_teacher

    teacher = factories.make_teacher(school)
    client.force_login(bureau)
    with_user = Teacher.objects.get(pk=teacher.pk)
    with_user._history_user = bureau
    post_teacher(teacher=with_user, school=other_school)
    page = client.get(reverse("admin:teachers_teacher_history", args=[teacher.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"{school} → {other_school}" in html  # by name, not by id
