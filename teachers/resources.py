"""Teachers with their current posting and their highest degree, one row a teacher."""

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
from teachers.models import Degree, DegreeLevel, Gender, Posting, Teacher, Title
from teachers.services import DEGREE_FIELDS

DEGREE_COLUMNS = ("学历", "毕业院校", "专业", "毕业日期", "学历证书编号")


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

    validate_instances = False  # validated column by column: the roster comes by the thousand

    def prepare(self, dataset):
        # The degrees already on file under the certificate numbers the file gives: a number
        # registered to another teacher is refused, the row's teacher's own degree compared.
        numbers = (
            [lookup_code(v) for v in dataset[normalize_header("学历证书编号")]]
            if (normalize_header("学历证书编号") in dataset.headers)
            else []
        )
        self._degrees: dict[tuple[str, str], dict] = {
            (degree.pop("level"), degree["certificate_number"]): degree
            for degree in Degree.objects.filter(
                certificate_number__in=[n for n in numbers if n]
            ).values("teacher__id_number", *DEGREE_FIELDS)
        }

    def check_row(self, row):
        degree = self._clean_degree(row)
        if isinstance(degree, str):
            row.error("", degree)
            return
        if degree is None:
            return
        stored = self._degrees.get((degree["level"], degree["certificate_number"]))
        id_number = row.values.get("id_number")
        if stored is not None and stored["teacher__id_number"] != id_number:
            row.error(
                "学历证书编号",
                _("学历证书编号%(number)s已登记在其他教师名下")
                % {"number": degree["certificate_number"]},
            )
            return
        row.extra["degree"] = degree
        if stored is None or any(stored[name] != degree[name] for name in DEGREE_FIELDS[1:]):
            row.extra["changed"] = True  # a degree added or corrected is a change of the row

    def _clean_degree(self, row) -> dict | str | None:
        values = {c: row.cell(c) for c in DEGREE_COLUMNS}
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

    def written_models(self):
        return [*super().written_models(), Posting, Degree]

    def write(self, rows):
        """The teachers, then a posting for each one new to a school (the old one closed) and
        the degrees given."""
        super().write(rows)
        placed = [
            row
            for row in rows
            if row.values.get("school_id")
            and (row.new or row.stored["school_id"] != row.values["school_id"])
        ]
        services.record_imported_postings(
            teachers=[(r.pk, r.values["school_id"], r.value("post") or "") for r in placed],
            moved=[r.pk for r in placed if not r.new],
        )
        services.record_imported_degrees(
            degrees={row.pk: row.extra["degree"] for row in rows if "degree" in row.extra}
        )
