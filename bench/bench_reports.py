"""The dashboard (驾驶舱) and the dispatch pack (调度通报) over a large zone and a province.

    reports.dashboard_zone: N ms       one zone: 20,000 enterprises × 36 months, 5,000 projects,
                                       50,000 appeals (SQLite target ≤ 300 ms)
    reports.pack_zone: N s             that zone's pack, .docx and .xlsx together (≤ 5 s)
    reports.dashboard_province: N ms   a province of 100 zones, every zone an admin sees
                                       (PostgreSQL only; target ≤ 1.5 s)

Scale can be lowered for a quick look with BENCH_REPORTS_SCALE=0.1 (figures then say so).
"""

import io
import os
import sys
import time

from django.core.management import call_command
from django.test import Client
from timing import best_ms

SCALE = float(os.environ.get("BENCH_REPORTS_SCALE", "1"))


def _n(value: int) -> int:
    return max(1, int(value * SCALE))


def _admin_client():
    from zoneops.core.models import Role, User

    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"role": Role.ADMIN, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    return client, admin


def run(ctx):
    from zoneops.core.models import Zone
    from zoneops.reports import services

    started = time.perf_counter()
    if Zone.objects.filter(code="S").exists():
        # An earlier bench of this run generated its own data: these figures are for the zone
        # (or province) described above, so start from an empty database.
        call_command("flush", interactive=False, verbosity=0)
    if ctx.db == "postgresql":
        # The province at SCALE of its size (``generate --province``: 100 zones, per zone
        # 20,000 enterprises × 36 months, 5,000 projects, 50,000 appeals, 500 leads …).
        call_command("generate", province=True, fraction=SCALE, seed=7, stdout=io.StringIO())
    else:
        call_command(
            "generate",
            seed=7,
            zones=1,
            enterprises=_n(20000),
            months=36,
            projects=_n(5000),
            appeals=_n(50000),
            hazards=0,
            leads=_n(500),
            stdout=io.StringIO(),
        )
    print(f"# reports: data generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if ctx.db == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    suffix = "" if SCALE == 1 else f" (scale {SCALE})"
    client, admin = _admin_client()
    zone = Zone.objects.get(code="S-Z0000")
    year, month = 2025, 9

    def dashboard(params):
        response = client.get("/dashboard/", params)
        assert response.status_code == 200, response.status_code

    yield (
        f"reports.dashboard_zone{suffix}",
        best_ms(lambda: dashboard({"zone": zone.pk, "period": f"{year}-{month:02d}"}), repeat=3),
        "ms",
    )

    def pack():
        made = services.build_pack(zone=zone, year=year, month=month, acting_user=admin)
        services.render_docx(made)
        services.render_xlsx(made)

    yield (f"reports.pack_zone{suffix}", best_ms(pack, repeat=3) / 1000, "s")
    if ctx.db == "postgresql":
        yield (
            f"reports.dashboard_province{suffix}",
            best_ms(lambda: dashboard({"period": f"{year}-{month:02d}"}), repeat=3),
            "ms",
        )
