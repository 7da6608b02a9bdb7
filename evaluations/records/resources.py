"""Credit records from a spreadsheet. Imported records are proposals: they land as submitted
(or as drafts) for the bureau to approve and publish, never directly published."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from import_export import fields, widgets

from credit_registry.common.errors import error_text
from credit_registry.common.spreadsheets import (
    CachedForeignKeyWidget,
    ChoiceWidget,
    FlexibleDateWidget,
    TextWidget,
)
from credit_registry.common.years import academic_year_of
from credit_registry.importing import RegistryResource
from evaluations.models import CatalogItem, CreditRecord, RecordSource, RecordStatus, SubjectKind
from evaluations.records import services
from schools.models import School
from students.models import Student
from teachers.models import Teacher

SUBJECT_COLUMNS = {
    SubjectKind.SCHOOL: ("学校标识码", School, "code"),
    SubjectKind.TEACHER: ("教师身份证号", Teacher, "id_number"),
    SubjectKind.STUDENT: ("学生学籍号", Student, "student_number"),
}


class PointsWidget(widgets.Widget):
    """分值 as the proposal form reads it (``services.parse_points``); empty: the item's
    standard points."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return services.parse_points(value)
        except ValidationError as error:
            raise ValueError(error_text(error)) from None


class CreditRecordResource(RegistryResource):
    record_id = fields.Field(attribute="id", column_name=gettext_noop("记录编号"), readonly=True)
    school = fields.Field(
        attribute="school",
        column_name=gettext_noop("学校标识码"),
        widget=CachedForeignKeyWidget(School, field="code", label="学校标识码"),
    )
    teacher = fields.Field(
        attribute="teacher",
        column_name=gettext_noop("教师身份证号"),
        widget=CachedForeignKeyWidget(Teacher, field="id_number", label="教师身份证号"),
    )
    student = fields.Field(
        attribute="student",
        column_name=gettext_noop("学生学籍号"),
        widget=CachedForeignKeyWidget(Student, field="student_number", label="学生学籍号"),
    )
    item = fields.Field(
        attribute="item",
        column_name=gettext_noop("事项代码"),
        widget=CachedForeignKeyWidget(CatalogItem, field="code", label="事项代码"),
    )
    points = fields.Field(
        attribute="points", column_name=gettext_noop("分值"), widget=PointsWidget()
    )
    points_reason = fields.Field(
        attribute="points_reason", column_name=gettext_noop("分值调整理由"), widget=TextWidget()
    )
    occurred_on = fields.Field(
        attribute="occurred_on", column_name=gettext_noop("发生日期"), widget=FlexibleDateWidget()
    )
    source = fields.Field(
        attribute="source",
        column_name=gettext_noop("来源"),
        widget=ChoiceWidget(RecordSource.choices),
    )
    narrative = fields.Field(
        attribute="narrative", column_name=gettext_noop("事实陈述"), widget=TextWidget()
    )
    status = fields.Field(attribute="status", column_name=gettext_noop("状态"), readonly=True)

    required_columns = ("事项代码", "发生日期", "事实陈述")
    example = {"事项代码": "T-PAID-TUTORING", "发生日期": "2026-10-15", "事实陈述": "经核实……"}

    class Meta(RegistryResource.Meta):
        model = CreditRecord
        import_id_fields = ()
        fields = (
            "record_id",
            "school",
            "teacher",
            "student",
            "item",
            "points",
            "points_reason",
            "occurred_on",
            "source",
            "narrative",
            "status",
        )
        name = "信用记录"

    def check_file(self, dataset):
        super().check_file(dataset)
        if not any(column in dataset.headers for column, _, _ in SUBJECT_COLUMNS.values()):
            raise ValidationError(_("须有“学校标识码”“教师身份证号”或“学生学籍号”之一列"))

    def validate_instance(self, instance, row):
        """Every row is a new proposal, checked as the proposal form checks it (the item, the
        date, the points, the author's right to propose it); it lands as submitted."""
        now = timezone.now()
        instance.recorded_by = self.user
        instance.recorded_at = now
        instance.status = RecordStatus.SUBMITTED
        instance.submitted_at = now
        if row.errors:
            return
        named = row.objects or {}
        subjects = [named.get(name) for name in ("school", "teacher", "student")]
        subjects = [s for s in subjects if s is not None]
        if len(subjects) != 1:
            row.error("", _("每行须且只能填写一个对象（学校、教师或学生）"))
            return
        if not instance.source:
            instance.source = RecordSource.IMPORT
        try:
            instance.points = services.check_proposal(
                by=self.user,
                subject=subjects[0],
                item=named["item"],
                occurred_on=instance.occurred_on,
                narrative=instance.narrative,
                points=instance.points,
                points_reason=instance.points_reason,
            )
            instance.year = academic_year_of(instance.occurred_on)
        except ValidationError as error:
            for message in error.messages:
                row.error("", message)
            return
        except PermissionDenied as error:
            row.error("", str(error))
            return
        super().validate_instance(instance, row)
