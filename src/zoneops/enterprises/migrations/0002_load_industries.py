from django.db import migrations


def load(apps, schema_editor):
    from zoneops.enterprises.industries import load as load_table

    load_table(apps.get_model("enterprises", "Industry"))


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
