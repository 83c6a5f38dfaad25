"""The audit trail loses its index on content_type alone: ``objchange_object`` (content_type,
object_id, -time) starts with the same column and serves every lookup it served, and each
index of this table costs every change that is written (imports write tens of thousands).

Only the index is dropped: altering the field the usual way would copy the whole audit table
on SQLite (a table remake) for a change of no column.
"""

import django.db.models.deletion
from django.db import migrations, models


def _content_type_indexes(schema_editor) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "core_objectchange")
    return [
        name
        for name, info in constraints.items()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and info["columns"] == ["content_type_id"]
    ]


def drop_index(apps, schema_editor) -> None:
    for name in _content_type_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_index(apps, schema_editor) -> None:
    if _content_type_indexes(schema_editor):
        return
    model = apps.get_model("core", "ObjectChange")
    field = model._meta.get_field("content_type")
    schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0005_security_event_types"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_index, create_index)],
            state_operations=[
                migrations.AlterField(
                    model_name="objectchange",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="object type",
                    ),
                ),
            ],
        ),
    ]
