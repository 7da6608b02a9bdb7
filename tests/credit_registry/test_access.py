"""The visibility module gives each role exactly its scope."""

import pytest

from credit_registry import access
from credit_registry.access import Role
from evaluations.models import RecordStatus
from tests import factories


@pytest.fixture
def district(db):
    school_a = factories.make_school("甲校")
    school_b = factories.make_school("乙校")
    head = factories.make_teacher(school_a, "班主任甲")
    colleague = factories.make_teacher(school_a, "同事甲")
    stranger = factories.make_teacher(school_b, "乙校老师")
    own_class = factories.make_classroom(school_a, head_teacher=head)
    other_class = factories.make_classroom(school_a, head_teacher=colleague)
    pupil = factories.make_student(school_a, own_class, "甲班学生")
    other_pupil = factories.make_student(school_a, other_class, "乙班学生")
    far_pupil = factories.make_student(school_b, None, "乙校学生")
    bureau = factories.make_user("bureau", role=Role.BUREAU_ADMIN)
    records = {
        "head": factories.make_record(head, "T-PAID-TUTORING", by=bureau),
        "head_draft": factories.make_record(
            head, "T-GIFTS", by=bureau, status=RecordStatus.SUBMITTED
        ),
        "colleague": factories.make_record(colleague, "T-PAID-TUTORING", by=bureau),
        "stranger": factories.make_record(stranger, "T-PAID-TUTORING", by=bureau),
        "school_a": factories.make_record(school_a, "S-ARBITRARY-FEES", by=bureau),
        "school_b": factories.make_record(school_b, "S-ARBITRARY-FEES", by=bureau),
        "pupil": factories.make_record(pupil, "ST-COPYING-HOMEWORK", by=bureau),
        "other_pupil": factories.make_record(other_pupil, "ST-COPYING-HOMEWORK", by=bureau),
        "far_pupil": factories.make_record(far_pupil, "ST-COPYING-HOMEWORK", by=bureau),
    }
    return {
        "a": school_a,
        "b": school_b,
        "head": head,
        "colleague": colleague,
        "stranger": stranger,
        "pupil": pupil,
        "other_pupil": other_pupil,
        "far_pupil": far_pupil,
        "bureau": bureau,
        "principal_a": factories.make_principal(school_a),
        "records": records,
    }


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_roles_are_recognised(district):
    assert access.role_of(district["bureau"]) == Role.BUREAU_ADMIN
    assert access.role_of(district["principal_a"]) == Role.PRINCIPAL
    assert access.role_of(district["head"].user) == Role.TEACHER
    assert access.role_of(factories.make_user()) == Role.NONE


def test_bureau_sees_the_whole_district(district):
    bureau = district["bureau"]
    assert _ids(access.schools_visible_to(bureau)) == {district["a"].pk, district["b"].pk}
    assert len(_ids(access.teachers_visible_to(bureau))) == 3
    assert len(_ids(access.students_visible_to(bureau))) == 3
    assert len(_ids(access.records_visible_to(bureau))) == len(district["records"])


def test_principal_sees_only_own_schools_people_and_records(district):
    user = district["principal_a"]
    r = district["records"]
    assert _ids(access.schools_visible_to(user)) == {district["a"].pk}
    assert _ids(access.teachers_visible_to(user)) == {district["head"].pk, district["colleague"].pk}
    assert _ids(access.students_visible_to(user)) == {
        district["pupil"].pk,
        district["other_pupil"].pk,
    }
    expected = {
        r[k].pk for k in ("head", "head_draft", "colleague", "school_a", "pupil", "other_pupil")
    }
    assert _ids(access.records_visible_to(user)) == expected


def test_teacher_sees_only_self_and_own_class(district):
    user = district["head"].user
    r = district["records"]
    assert _ids(access.teachers_visible_to(user)) == {district["head"].pk}
    assert _ids(access.students_visible_to(user)) == {district["pupil"].pk}
    # own published record and own class's pupil; not the draft about them, not a colleague's
    assert _ids(access.records_visible_to(user)) == {r["head"].pk, r["pupil"].pk}


def test_teacher_who_heads_no_class_sees_no_students(district):
    user = district["stranger"].user
    assert not access.students_visible_to(user).exists()
    assert _ids(access.records_visible_to(user)) == {district["records"]["stranger"].pk}


def test_inspector_sees_only_subjects_of_assigned_clues(district):
    from evaluations.clues import services

    inspector = factories.make_user("insp", role=Role.INSPECTOR)
    assert not access.teachers_visible_to(inspector).exists()
    clue = services.receive_clue(
        channel="staff",
        subject_description="乙校老师",
        content="有偿补课",
        teacher=district["stranger"],
    )
    services.assign_clue(clue=clue, inspector=inspector, by=district["bureau"])
    assert _ids(access.teachers_visible_to(inspector)) == {district["stranger"].pk}
    assert _ids(access.schools_visible_to(inspector)) == {district["b"].pk}
    assert not access.students_visible_to(inspector).exists()
    assert district["records"]["stranger"].pk in _ids(access.records_visible_to(inspector))
    assert district["records"]["head"].pk not in _ids(access.records_visible_to(inspector))


def test_user_without_role_sees_nothing(district):
    nobody = factories.make_user()
    assert not access.schools_visible_to(nobody).exists()
    assert not access.records_visible_to(nobody).exists()
    assert not access.students_visible_to(nobody).exists()
