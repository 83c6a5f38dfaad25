"""Department codes: filled for every department without one (or sharing one with another
zone's), then required and unique, so the API reads and writes a department as its code."""

import re

import django.core.validators
from django.db import migrations, models

# As core.models.DEPARTMENT_UNITS when this migration was written.
UNITS = {
    "经济发展局": "JF",
    "投资促进局": "TC",
    "科技创新局": "KC",
    "营商环境建设局": "YS",
    "应急管理局": "YJ",
    "财政局": "CZ",
    "规划建设局": "GJ",
    "生态环境局": "ST",
    "人力资源和社会保障局": "RS",
    "党政办公室": "DZ",
}


def _allowed(code: str) -> bool:
    return len(code) <= 60 and re.fullmatch(r"[A-Za-z0-9_-]+", code) is not None


def fill_codes(apps, schema_editor):
    Department = apps.get_model("core", "Department")
    rows = list(Department.objects.select_related("zone").order_by("pk"))
    counts = {}
    for row in rows:
        counts[row.code] = counts.get(row.code, 0) + 1
    # A code already unique (and in the allowed letters) is kept.
    taken = set()
    keep = set()
    for row in rows:
        if row.code and counts[row.code] == 1 and _allowed(row.code):
            keep.add(row.pk)
            taken.add(row.code)
    for row in rows:
        if row.pk in keep:
            continue
        zone = row.zone.code
        candidates = []
        if row.code:  # a code shared between zones: prefixed with the zone's
            candidates.append(f"{zone}-{row.code}")
        if row.name in UNITS:
            candidates.append(f"{zone}-{UNITS[row.name]}")
        code = next((c for c in candidates if c not in taken and _allowed(c)), None)
        n = 1
        while code is None:
            if f"{zone}-D{n}" not in taken:
                code = f"{zone}-D{n}"
            n += 1
        taken.add(code)
        row.code = code
        row.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_work_calendar"),
    ]

    operations = [
        migrations.AlterField(
            model_name="department",
            name="code",
            field=models.CharField(blank=True, max_length=60, verbose_name="code"),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="department",
            name="code",
            field=models.CharField(
                help_text="Unique across zones, e.g. CCGX-JF for 长春高新区's 经济发展局.",
                max_length=60,
                unique=True,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Za-z0-9_-]+$", "Use letters, digits, '-' or '_' only."
                    )
                ],
                verbose_name="code",
            ),
        ),
    ]
