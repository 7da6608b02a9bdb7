"""The initial behaviour catalog, taken from the bureau's 2019 plan.

The items are reference data the bureau reviews before installing: they are kept in
``fixtures/catalog.json`` (code, name, subject, points, severity, veto, disclosure and repair
periods) and read from there. Points are defaults the bureau may change in the admin site;
disclosure and repair periods follow the national tiers for public credit information (minor
≤ 3 months, general 3–12 months, severe 1–3 years). ``manage.py load_reference_data`` brings an
installed registry up to date with the file later.
"""

from django.db import migrations

from credit_registry.reference_data import read_catalog


def load(apps, schema_editor):
    CatalogItem = apps.get_model("evaluations", "CatalogItem")
    # Only the fields the catalog had at this point; later migrations fill in the others.
    known = {field.name for field in CatalogItem._meta.get_fields()}
    for row in read_catalog().items:
        values = {name: value for name, value in row.values().items() if name in known}
        CatalogItem.objects.update_or_create(code=row.code, defaults=values)


def unload(apps, schema_editor):
    CatalogItem = apps.get_model("evaluations", "CatalogItem")
    codes = [row.code for row in read_catalog().items]
    CatalogItem.objects.filter(code__in=codes, records__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0002_ledger_triggers")]

    operations = [migrations.RunPython(load, unload)]
