"""Students with their class and one guardian, one row a student."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from import_export import fields

from credit_registry.common.spreadsheets import (
    CachedForeignKeyWidget,
    ChoiceWidget,
    CodeWidget,
    CountWidget,
    NameWidget,
    TextWidget,
    lookup_code,
    normalize_header,
)
from credit_registry.importing import RegistryResource
from schools.models import School
from students import services
from students.models import Classroom, Student
from teachers.models import Gender

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

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._guardians: dict[str, tuple[str, str, str]] = {}
        school_ids = dict(School.objects.values_list("code", "pk"))
        wanted = {}
        for row in dataset.dict:
            key = self._class_key(row, school_ids)
            if isinstance(key, tuple):
                wanted[key] = TextWidget().clean(row.get(normalize_header("年级")))
        self._school_ids = school_ids
        self._classes = services.ensure_classrooms(wanted=wanted)
        # A stored student whose row names another school or class moves through the same
        # services as in the portal (transfer, placement), after the rows are written.
        self._moves: list[tuple[int, int | None, int | None]] = []

    def import_instance(self, instance, row, **kwargs):
        stored = getattr(instance, "_stored_values", None)
        errors = {}
        try:
            self._import_row(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict({})
        if stored is not None:
            try:
                self._plan_move(instance, stored)
            except ValidationError as error:
                errors.setdefault("__all__", []).extend(error.messages)
        if errors:
            raise ValidationError(errors)

    def _plan_move(self, instance, stored: dict) -> None:
        """Keep a stored student where they are in the row's write; a change of school or class
        becomes a move, and a frozen file (graduated, transferred out) takes no change at all."""
        if stored.get("file_frozen_at") and stored != self._values(instance):
            raise ValidationError(_("该学生已毕业或转出本区，档案已冻结，不能再修改"))
        school, classroom = instance.school_id, instance.classroom_id
        if (school, classroom) == (stored["school_id"], stored["classroom_id"]):
            return
        instance.school_id, instance.classroom_id = stored["school_id"], stored["classroom_id"]
        moved_school = school if school != stored["school_id"] else None
        self._moves.append((instance.pk, moved_school, classroom))
        instance._moved = True

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if getattr(instance, "_moved", False):
            return False  # reported as updated: the services move the student
        return super().skip_row(instance, original, row, import_validation_errors)

    def _class_key(self, row, school_ids) -> tuple | str:
        grade, name, year = (row.get(normalize_header(c)) for c in CLASS_COLUMNS)
        try:
            entry_year = self.entry_year.clean(year)
        except ValueError:
            entry_year = None
        if not grade or not name or not entry_year or not 1990 <= entry_year <= 2100:
            return _("须填写年级、班级和入学年份")
        school = school_ids.get(lookup_code(row.get(normalize_header("学校标识码"))))
        if school is None:
            return ""  # the school column reports its own error
        return (school, entry_year, TextWidget().clean(name))

    def _import_row(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict({})
        if instance.id_number == "":
            instance.id_number = None
        key = self._class_key(row, self._school_ids)
        if isinstance(key, tuple):
            instance.classroom_id = self._classes[key]
        elif key:
            errors.setdefault("__all__", []).append(key)
        name, relation, phone = (row.get(normalize_header(c)) for c in GUARDIAN_COLUMNS)
        try:
            guardian = (
                NameWidget().clean(name),
                TextWidget().clean(relation),
                CodeWidget().clean(phone),
            )
        except ValueError as error:
            errors.setdefault("__all__", []).append(_("监护人电话：%(error)s") % {"error": error})
        else:
            if guardian[0]:
                self._guardians[instance.student_number] = guardian
        if errors:
            raise ValidationError(errors)

    def after_import(self, dataset, result, **kwargs):
        if result.has_errors() or result.has_validation_errors():
            return
        today = timezone.localdate()
        for pk, school_id, classroom_id in self._moves:
            student = Student.objects.get(pk=pk)
            classroom = Classroom.objects.get(pk=classroom_id) if classroom_id else None
            if school_id is not None:
                student = services.transfer_student(
                    by=self.user,
                    student=student,
                    on=today,
                    to_school=School.objects.get(pk=school_id),
                    grade=classroom.grade if classroom else None,
                )
            if classroom is not None:
                services.place_in_classroom(by=self.user, student=student, classroom=classroom)
        services.record_imported_students(
            student_numbers=[lookup_code(v) for v in dataset[normalize_header("学籍号")]],
            guardians=self._guardians,
        )
