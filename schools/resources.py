from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from import_export import fields

from credit_registry.common.spreadsheets import (
    CachedForeignKeyWidget,
    ChoiceWidget,
    CodeWidget,
    CountWidget,
    FlexibleDateWidget,
    TextWidget,
    YesNoWidget,
)
from credit_registry.common.years import academic_year_of
from credit_registry.importing import RegistryResource
from evaluations.schoolwork.services import check_activity
from schools.models import ActivityKind, IntegrityActivity, Ownership, School, SchoolKind


class SchoolResource(RegistryResource):
    code = fields.Field(
        attribute="code", column_name=gettext_noop("学校标识码"), widget=CodeWidget()
    )
    name = fields.Field(attribute="name", column_name=gettext_noop("学校名称"), widget=TextWidget())
    kind = fields.Field(
        attribute="kind",
        column_name=gettext_noop("办学类型"),
        widget=ChoiceWidget(SchoolKind.choices),
    )
    ownership = fields.Field(
        attribute="ownership",
        column_name=gettext_noop("举办性质"),
        widget=ChoiceWidget(Ownership.choices),
    )
    address = fields.Field(
        attribute="address", column_name=gettext_noop("地址"), widget=TextWidget()
    )
    principal_name = fields.Field(
        attribute="principal_name", column_name=gettext_noop("校长"), widget=TextWidget()
    )
    phone = fields.Field(
        attribute="phone", column_name=gettext_noop("联系电话"), widget=CodeWidget()
    )
    active = fields.Field(
        attribute="active",
        column_name=gettext_noop("在办"),
        widget=YesNoWidget(default=True),
        default=True,
    )

    required_columns = ("学校标识码", "学校名称", "办学类型", "举办性质")
    example = {"学校标识码": "2135000001", "学校名称": "蕉城区实验小学", "在办": "是"}
    unique_columns = (("学校标识码", "学校标识码"),)

    class Meta(RegistryResource.Meta):
        model = School
        import_id_fields = ("code",)
        fields = (
            "code",
            "name",
            "kind",
            "ownership",
            "address",
            "principal_name",
            "phone",
            "active",
        )
        name = "学校"


class IntegrityActivityResource(RegistryResource):
    """Activities the schools report on paper or in their own systems, imported by the bureau.
    Every row is a new activity; photos are added on the school's portal."""

    school = fields.Field(
        attribute="school",
        column_name=gettext_noop("学校标识码"),
        widget=CachedForeignKeyWidget(School, field="code", label="学校标识码"),
    )
    kind = fields.Field(
        attribute="kind",
        column_name=gettext_noop("活动形式"),
        widget=ChoiceWidget(ActivityKind.choices),
    )
    title = fields.Field(
        attribute="title", column_name=gettext_noop("活动名称"), widget=TextWidget()
    )
    held_on = fields.Field(
        attribute="held_on", column_name=gettext_noop("活动日期"), widget=FlexibleDateWidget()
    )
    participants = fields.Field(
        attribute="participants", column_name=gettext_noop("参加对象"), widget=TextWidget()
    )
    participant_count = fields.Field(
        attribute="participant_count",
        column_name=gettext_noop("参加人数"),
        widget=CountWidget(),
    )
    description = fields.Field(
        attribute="description", column_name=gettext_noop("活动内容"), widget=TextWidget()
    )

    required_columns = ("学校标识码", "活动形式", "活动名称", "活动日期", "参加人数", "活动内容")
    example = {"活动名称": "诚信主题班会", "活动日期": "2026-10-15", "参加人数": "45"}

    class Meta(RegistryResource.Meta):
        model = IntegrityActivity
        import_id_fields = ()
        fields = (
            "school",
            "kind",
            "title",
            "held_on",
            "participants",
            "participant_count",
            "description",
        )
        name = "诚信教育活动"

    def validate_instance(self, instance, row):
        instance.recorded_by = self.user
        if instance.held_on and "活动日期" not in {column for column, _ in row.errors}:
            instance.year = academic_year_of(instance.held_on)
            try:
                check_activity(held_on=instance.held_on)
            except ValidationError as error:
                for message in error.messages:
                    row.error("", message)
        if instance.participant_count is not None and instance.participant_count < 1:
            row.error("参加人数", _("参加人数至少为1"))
            return
        super().validate_instance(instance, row)
