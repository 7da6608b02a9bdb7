"""Students with their class and one guardian, one row a student."""

import contextlib
import functools

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from import_export import fields

from credit_registry.common.identity import birth_date_from_id
from credit_registry.common.spreadsheets import (
    CachedForeignKeyWidget,
    ChoiceWidget,
    CodeWidget,
    CountWidget,
    NameWidget,
    TextWidget,
)
from credit_registry.importing import RegistryResource
from schools.models import School
from students import services
from students.models import Classroom, Enrolment, Guardian, Student
from students.services import ClassKey
from teachers.models import Gender

NAME, TEXT = NameWidget(), TextWidget()
# Phones and relations repeat: cleaned once, and held once in memory.
clean_phone = functools.lru_cache(maxsize=4096, typed=True)(CodeWidget().clean)
clean_relation = functools.lru_cache(maxsize=256, typed=True)(TEXT.clean)
CLASS_COLUMNS = ("年级", "班级", "入学年份")
GUARDIAN_COLUMNS = ("监护人姓名", "监护人关系", "监护人电话")


class StudentResource(RegistryResource):
    student_number = fields.Field(
        attribute="student_number", column_name=gettext_noop("学籍号"), widget=CodeWidget()
    )
    name = fields.Field(attribute="name", column_name=gettext_noop("姓名"), widget=NameWidget())
    gender = fields.Field(
        attribute="gender", column_name=gettext_noop("性别"), widget=ChoiceWidget(Gender.choices)
    )
    id_number = fields.Field(
        attribute="id_number", column_name=gettext_noop("身份证号"), widget=CodeWidget()
    )
    school = fields.Field(
        attribute="school",
        column_name=gettext_noop("学校标识码"),
        widget=CachedForeignKeyWidget(School, field="code", label="学校标识码"),
    )

    required_columns = ("学籍号", "姓名", "性别", "学校标识码", "年级", "班级", "入学年份")
    extra_columns = (*CLASS_COLUMNS, *GUARDIAN_COLUMNS)
    example = {
        "学籍号": "G350902201401011234",
        "姓名": "林小雨",
        "性别": "女",
        "学校标识码": "2135000001",
        "年级": "七年级",
        "班级": "1班",
        "入学年份": "2026",
        "监护人姓名": "林建国",
        "监护人关系": "父亲",
        "监护人电话": "13800000000",
    }
    unique_columns = (("学籍号", "学籍号"), ("身份证号", "身份证号"))
    entry_year = CountWidget()

    class Meta(RegistryResource.Meta):
        model = Student
        import_id_fields = ("student_number",)
        fields = ("student_number", "name", "gender", "id_number", "school")
        name = "学生"

    validate_instances = False  # validated column by column: the roster comes by the thousand

    def prepare(self, dataset):
        self._class_keys: dict[int, ClassKey] = {
            pk: (school, year, name)
            for pk, school, year, name in Classroom.objects.values_list(
                "pk", "school_id", "entry_year", "name"
            )
        }
        self._seen_classes: dict[tuple, tuple] = {}

    def check_row(self, row):
        if (
            row.values.get("id_number")
            and "birth_date" not in row.values
            and (row.new or not row.stored["birth_date"])
        ):
            with contextlib.suppress(ValueError):
                row.values["birth_date"] = birth_date_from_id(row.values["id_number"])
        self._check_class(row)
        self._check_guardian(row)
        if row.stored is not None:
            self._check_stored(row)

    def _check_class(self, row) -> None:
        cells = tuple(row.cell(c) for c in CLASS_COLUMNS)
        school = row.values.get("school_id")
        try:
            grade, key = self._seen_classes[school, cells]
        except KeyError:
            grade, key = self._seen_classes[school, cells] = self._class_of(school, cells)
        if key is None:
            row.error("", _("须填写年级、班级和入学年份"))
        elif school:
            row.extra["class"] = key
            row.extra["grade"] = grade

    def _class_of(self, school, cells) -> tuple[str, ClassKey | None]:
        grade, name, year = cells
        try:
            entry_year = self.entry_year.clean(year)
        except ValueError:
            entry_year = None
        name = TEXT.clean(name)
        if not grade or not name or not entry_year or not 1990 <= entry_year <= 2100:
            return "", None
        return TEXT.clean(grade), (school, entry_year, name)

    def _check_guardian(self, row) -> None:
        name, relation, phone = (row.cell(c) for c in GUARDIAN_COLUMNS)
        if name in (None, "") and relation in (None, "") and phone in (None, ""):
            return
        try:
            guardian = (NAME.clean(name), clean_relation(relation), clean_phone(phone))
        except ValueError as error:
            row.error("监护人电话", error)
            return
        if guardian[0]:
            row.extra["guardian"] = guardian

    def _check_stored(self, row) -> None:
        """A stored student keeps their school and class in the row's write; a change of either
        becomes a move through the services, as in the portal (transfer, placement), and a
        frozen file (graduated, transferred out) takes no change at all."""
        stored = row.stored
        school = row.values.get("school_id", stored["school_id"])
        moved_school = school != stored["school_id"]
        moved_class = "class" in row.extra and row.extra["class"] != self._class_keys.get(
            stored["classroom_id"]
        )
        if stored["file_frozen_at"] and (moved_school or moved_class or row.changes):
            row.error("", _("该学生已毕业或转出本区，档案已冻结，不能再修改"))
            return
        row.values["school_id"] = stored["school_id"]
        if moved_school or moved_class:
            row.extra["move"] = school if moved_school else None
            row.extra["changed"] = True

    def written_models(self):
        return [*super().written_models(), Classroom, Enrolment, Guardian]

    def write(self, rows):
        """The students, in the classes named (created when a school does not have them
        yet); then each move of a stored student through the services, the entry (入学) of
        the new ones and the guardians given."""
        wanted = {row.extra["class"]: row.extra["grade"] for row in rows if "class" in row.extra}
        classes = services.ensure_classrooms(wanted=wanted)
        for row in rows:
            if row.new and "class" in row.extra:
                row.values["classroom_id"] = classes[row.extra["class"]]
        super().write(rows)
        today = timezone.localdate()
        for row in rows:
            if "move" in row.extra:
                self._move(row, classes, today)
        services.record_imported_students(
            placed=[
                (row.pk, row.value("school_id"), row.value("classroom_id"))
                for row in rows
                if "move" not in row.extra
            ],
            new=[row.pk for row in rows if row.new],
            guardians={row.pk: row.extra["guardian"] for row in rows if "guardian" in row.extra},
        )

    def _move(self, row, classes, today) -> None:
        student = Student.objects.get(pk=row.pk)
        classroom_id = classes.get(row.extra.get("class"))
        classroom = Classroom.objects.get(pk=classroom_id) if classroom_id else None
        if row.extra["move"] is not None:
            student = services.transfer_student(
                by=self.user,
                student=student,
                on=today,
                to_school=School.objects.get(pk=row.extra["move"]),
                grade=classroom.grade if classroom else None,
            )
        if classroom is not None:
            services.place_in_classroom(by=self.user, student=student, classroom=classroom)
