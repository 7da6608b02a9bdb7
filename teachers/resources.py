"""Teachers with their current posting and their highest degree, one row a teacher."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from import_export import fields

from credit_registry.common.spreadsheets import (
    CachedForeignKeyWidget,
    ChoiceWidget,
    CodeWidget,
    FlexibleDateWidget,
    NameWidget,
    TextWidget,
    lookup_code,
    normalize_header,
)
from credit_registry.importing import RegistryResource
from schools.models import School
from teachers import services
from teachers.models import Degree, DegreeLevel, Gender, Teacher, Title

DEGREE_COLUMNS = ("学历", "毕业院校", "专业", "毕业日期", "学历证书编号")
DEGREE_FIELDS = ("level", "institution", "major", "graduated_on", "certificate_number")


class TeacherResource(RegistryResource):
    id_number = fields.Field(
        attribute="id_number", column_name=gettext_noop("身份证号"), widget=CodeWidget()
    )
    name = fields.Field(attribute="name", column_name=gettext_noop("姓名"), widget=NameWidget())
    gender = fields.Field(
        attribute="gender", column_name=gettext_noop("性别"), widget=ChoiceWidget(Gender.choices)
    )
    school = fields.Field(
        attribute="school",
        column_name=gettext_noop("学校标识码"),
        widget=CachedForeignKeyWidget(School, field="code", label="学校标识码"),
    )
    subject = fields.Field(
        attribute="subject", column_name=gettext_noop("任教学科"), widget=TextWidget()
    )
    title = fields.Field(
        attribute="title",
        column_name=gettext_noop("职称"),
        widget=ChoiceWidget(Title.choices),
        default="none",
    )
    post = fields.Field(attribute="post", column_name=gettext_noop("岗位"), widget=TextWidget())
    phone = fields.Field(
        attribute="phone", column_name=gettext_noop("联系电话"), widget=CodeWidget()
    )
    email = fields.Field(
        attribute="email", column_name=gettext_noop("电子邮箱"), widget=TextWidget()
    )
    qualification_number = fields.Field(
        attribute="qualification_number",
        column_name=gettext_noop("教师资格证号"),
        widget=CodeWidget(),
    )

    required_columns = ("身份证号", "姓名", "性别", "学校标识码")
    extra_columns = DEGREE_COLUMNS
    example = {
        "身份证号": "350902198501011234",
        "姓名": "王芳",
        "性别": "女",
        "学校标识码": "2135000001",
        "任教学科": "语文",
        "学历": "本科",
        "毕业院校": "福建师范大学",
        "专业": "汉语言文学",
        "毕业日期": "2007-07-01",
        "学历证书编号": "103941200705001234",
    }
    unique_columns = (("身份证号", "身份证号"), ("学历证书编号", "学历证书编号"))
    degree_level = ChoiceWidget(DegreeLevel.choices)
    degree_date = FlexibleDateWidget()

    class Meta(RegistryResource.Meta):
        model = Teacher
        import_id_fields = ("id_number",)
        fields = (
            "id_number",
            "name",
            "gender",
            "school",
            "subject",
            "title",
            "post",
            "phone",
            "email",
            "qualification_number",
        )
        name = "教师"

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._degree_rows: dict[str, dict] = {}
        self._id_numbers = [lookup_code(v) for v in dataset[normalize_header("身份证号")]]
        self._previous_schools = dict(
            Teacher.objects.filter(id_number__in=self._id_numbers).values_list(
                "id_number", "school_id"
            )
        )
        # The degrees on file, to tell a row whose only change is its degree from one that
        # changes nothing (the degree is written after the teachers, in after_import).
        self._stored_degrees: dict[str, list[dict]] = {}
        for degree in Degree.objects.filter(teacher__id_number__in=self._id_numbers).values(
            "teacher__id_number", *DEGREE_FIELDS
        ):
            number = degree.pop("teacher__id_number")
            self._stored_degrees.setdefault(number, []).append(degree)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:  # keep the field errors and add the degree's
            errors = error.update_error_dict({})
        degree = self._clean_degree(row)
        if isinstance(degree, dict):
            self._degree_rows[instance.id_number] = degree
        elif degree:
            errors.setdefault("__all__", []).append(degree)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Unchanged only when the teacher and the row's degree both are."""
        degree = self._degree_rows.get(instance.id_number)
        if degree is not None and degree not in self._stored_degrees.get(instance.id_number, []):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def _clean_degree(self, row) -> dict | str | None:
        values = {c: row.get(normalize_header(c)) for c in DEGREE_COLUMNS}
        if all(v in (None, "") for v in values.values()):
            return None
        if values["学历"] in (None, "") or values["学历证书编号"] in (None, ""):
            return _("填写学历信息时须同时填写“学历”和“学历证书编号”")
        try:
            return {
                "level": self.degree_level.clean(values["学历"]),
                "institution": TextWidget().clean(values["毕业院校"]),
                "major": TextWidget().clean(values["专业"]),
                "graduated_on": self.degree_date.clean(values["毕业日期"]),
                "certificate_number": CodeWidget().clean(values["学历证书编号"]),
            }
        except ValueError as error:
            return str(error)

    def after_import(self, dataset, result, **kwargs):
        if result.has_errors() or result.has_validation_errors():
            return
        services.sync_postings_and_degrees(
            id_numbers=self._id_numbers,
            previous_schools=self._previous_schools,
            degrees=self._degree_rows,
        )
