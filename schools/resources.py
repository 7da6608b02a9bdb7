from import_export import fields, widgets

from credit_registry.importing import RegistryResource
from credit_registry.spreadsheets import ChoiceWidget, CodeWidget, TextWidget
from schools.models import Ownership, School, SchoolKind


class SchoolResource(RegistryResource):
    code = fields.Field(attribute="code", column_name="学校标识码", widget=CodeWidget())
    name = fields.Field(attribute="name", column_name="学校名称", widget=TextWidget())
    kind = fields.Field(
        attribute="kind", column_name="办学类型", widget=ChoiceWidget(SchoolKind.choices)
    )
    ownership = fields.Field(
        attribute="ownership", column_name="举办性质", widget=ChoiceWidget(Ownership.choices)
    )
    address = fields.Field(attribute="address", column_name="地址", widget=TextWidget())
    principal_name = fields.Field(
        attribute="principal_name", column_name="校长", widget=TextWidget()
    )
    phone = fields.Field(attribute="phone", column_name="联系电话", widget=CodeWidget())
    active = fields.Field(
        attribute="active", column_name="在办", widget=widgets.BooleanWidget(), default=True
    )

    required_columns = ("学校标识码", "学校名称", "办学类型", "举办性质")
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
