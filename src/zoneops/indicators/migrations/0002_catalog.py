from django.db import migrations


def load_catalog(apps, schema_editor):
    from zoneops.indicators.catalog import ensure_catalog

    ensure_catalog(apps.get_model("indicators", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(load_catalog, migrations.RunPython.noop)]
