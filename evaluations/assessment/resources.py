"""Spreadsheets of the annual assessment, for export only: the results (年度考核结果) and the
schools' standings in their target assessment or annual inspection (目标考核与年检)."""

from django.utils.translation import gettext_noop
from import_export import fields, resources

from credit_registry.common.spreadsheets import ChoiceWidget, YesNoWidget, escape_formula
from credit_registry.common.years import academic_year_label
from credit_registry.importing import RegistryResource
from evaluations.assessment.standing import Standing
from evaluations.models import AssessmentResult, Grade, SubjectKind


class AssessmentResultResource(RegistryResource):
    """A student by masked name only, as in the list. The export selects each subject's school
    with the rows (``AssessmentResultAdmin.get_export_queryset``)."""

    year = fields.Field(column_name=gettext_noop("学年"))
    subject_kind = fields.Field(column_name=gettext_noop("对象类型"))
    subject = fields.Field(column_name=gettext_noop("对象"))
    school = fields.Field(column_name=gettext_noop("所属学校"))
    record_score = fields.Field(attribute="record_score", column_name=gettext_noop("记录分"))
    evaluation_score = fields.Field(
        attribute="evaluation_score", column_name=gettext_noop("测评分")
    )
    total_score = fields.Field(attribute="total_score", column_name=gettext_noop("综合得分"))
    grade = fields.Field(
        attribute="grade", column_name=gettext_noop("等级"), widget=ChoiceWidget(Grade.choices)
    )
    vetoed = fields.Field(
        attribute="vetoed", column_name=gettext_noop("一票否决"), widget=YesNoWidget()
    )

    class Meta(RegistryResource.Meta):
        model = AssessmentResult
        fields = (
            "year",
            "subject_kind",
            "subject",
            "school",
            "record_score",
            "evaluation_score",
            "total_score",
            "grade",
            "vetoed",
        )
        name = "年度考核结果"

    def dehydrate_year(self, result):
        return academic_year_label(result.year_id)

    def dehydrate_subject_kind(self, result):
        if result.student_id:
            return SubjectKind.STUDENT.label
        return SubjectKind.TEACHER.label if result.teacher_id else SubjectKind.SCHOOL.label

    def dehydrate_subject(self, result):
        if result.student_id:
            return result.student.masked_name
        return result.subject.name

    def dehydrate_school(self, result):
        if result.school_id:
            return result.school.name
        school = result.subject.school
        return school.name if school is not None else ""


class StandingResource(resources.Resource):
    """One row a school: its integrity figure as it enters the target assessment (public schools)
    or the annual-inspection suggestion (private schools and training institutions)."""

    code = fields.Field(column_name=gettext_noop("学校标识码"))
    name = fields.Field(column_name=gettext_noop("学校名称"))
    way = fields.Field(column_name=gettext_noop("考核方式"))
    total_score = fields.Field(column_name=gettext_noop("诚信得分"))
    grade = fields.Field(column_name=gettext_noop("等级"))
    points = fields.Field(column_name=gettext_noop("目标考核诚信分"))
    max_points = fields.Field(column_name=gettext_noop("目标考核诚信分满分"))
    suggestion = fields.Field(column_name=gettext_noop("年检建议"))
    reasons = fields.Field(column_name=gettext_noop("依据"))

    class Meta:
        name = "目标考核与年检"

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def dehydrate_code(self, standing: Standing):
        return standing.school.code

    def dehydrate_name(self, standing: Standing):
        return standing.school.name

    def dehydrate_way(self, standing: Standing):
        return "目标考核" if standing.target_assessed else "年检"

    def dehydrate_total_score(self, standing: Standing):
        return standing.result.total_score if standing.result else ""

    def dehydrate_grade(self, standing: Standing):
        return standing.result.get_grade_display() if standing.result else ""

    def dehydrate_points(self, standing: Standing):
        return "" if standing.points is None else standing.points

    def dehydrate_max_points(self, standing: Standing):
        return "" if standing.max_points is None else standing.max_points

    def dehydrate_suggestion(self, standing: Standing):
        return standing.suggestion

    def dehydrate_reasons(self, standing: Standing):
        return "；".join(standing.reasons)
