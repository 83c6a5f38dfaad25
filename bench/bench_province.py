"""A whole province on PostgreSQL (issue 23): one dataset generated, then measured as used.

    reports.generate_province: N s     `zoneops generate --province`: 100 zones × 20,000
                                       enterprises × 36 months of figures, 500,000 projects,
                                       5 million appeals, 50,000 leads, 200,000 hazards
                                       (goal ≤ 15 min)
    reports.dashboard_province: N ms   /dashboard/ of an administrator who sees all 100 zones
                                       (≤ 300 ms)
    reports.dashboard_zone: N ms       /dashboard/ of one development zone (≤ 100 ms)
                                       (both worked out from the data and the roll-ups: the
                                       cache emptied first; of the month the page opens on,
                                       the latest with figures)
    reports.dashboard_province_new_day: N ms  the same, by the first reader of a day whose
                                       project lights are not kept yet (zoneops tick keeps
                                       them after midnight)
    reports.dashboard_province_older_month: N ms  the same for a month older than the lights
                                       roll-up keeps (2025-09: every light worked out)
    reports.dashboard_province_cached: N ms  the same page for the next readers, until a write
                                       changes the data (zoneops.core.db.versions)
    reports.pack_province: N s         the province's dispatch pack (its top zone, every zone
                                       below it), .docx and .xlsx together (≤ 10 s)
    api.dashboard_p95_50_users: N ms   /dashboard/ under bench_api's 50 users, 10 of them
                                       province administrators (≤ 600 ms)
    api.list_median (province) / api.list_p99 (province) / api.errors (province)
                                       bench_api's list phase on this province (≤ 20 / 100 ms, 0)
    reports.peak_memory_province: N MB the largest resident size of this process (the
                                       generation and the measurements in it; with other
                                       benches in the same run, theirs too)
    api.peak_memory_gunicorn (province): N MB  the largest peak resident size of gunicorn's
                                       master and workers during that load

PostgreSQL only (``DATABASES``: bench/run skips it on SQLite). The dataset is
generated in the bench's own database, vacuumed and analysed (what autovacuum does after a bulk
load), and every figure is measured on that same database. BENCH_PROVINCE_FRACTION (default 1)
generates a share of the province: 0.01 for a look in a few minutes; the figures then say so.
"""

import io
import os
import resource
import sys
import time
from pathlib import Path

from django.core.management import call_command
from django.test import Client
from timing import best_ms, scaled

DATABASES = ("postgresql",)  # bench/run skips it on SQLite
FRACTION = float(os.environ.get("BENCH_PROVINCE_FRACTION", "1"))
# bench/run --smoke: ten zones, as the other benches' smoke sizes (a province's fixed cost per
# zone, its tasks and indicator targets, would otherwise take a minute and a half alone).
ZONES = scaled(100, 10)
YEAR, MONTH = 2025, 9


def dataset_options(fraction: float = FRACTION) -> dict:
    """``zoneops generate --province --fraction F`` (the sizes are the command's); at smoke
    scale ten zones of the same shape."""
    if ZONES == 100:
        return {"seed": 7, "province": True, "fraction": fraction}
    from zoneops.core.management.commands.generate import PER_ZONE, PROVINCE_MONTHS

    return {
        "seed": 7,
        "zones": ZONES,
        "months": PROVINCE_MONTHS,
        **{name: max(1, int(count * ZONES * fraction)) for name, count in PER_ZONE.items()},
    }


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def note(text: str) -> None:
    print(f"# province: {text}", file=sys.stderr, flush=True)


def run(ctx):
    import bench_api
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection

    from zoneops.core.models import Role, User, Zone
    from zoneops.reports import services

    scale = [f"fraction {FRACTION:g}"] if FRACTION != 1 else []
    scale += [f"{ZONES} zones"] if ZONES != 100 else []
    suffix = f" ({', '.join(scale)})" if scale else ""
    if Zone.objects.filter(code="S").exists():
        call_command("flush", interactive=False, verbosity=0)  # another bench's data
    options = dataset_options()
    out = io.StringIO()
    started = time.perf_counter()
    call_command("generate", stdout=out, **options)
    generated = time.perf_counter() - started
    note(", ".join(f"{k}={v}" for k, v in options.items()) + f" in {generated:.0f} s")
    for line in out.getvalue().splitlines():
        note(line)
    yield f"reports.generate_province{suffix}", generated, "s"

    setup = bench_api.make_accounts(vacuum=False)  # the load's 50 accounts, before the vacuum
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    note(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")

    admin, _ = User.objects.get_or_create(
        username="bench-province-admin", defaults={"role": Role.ADMIN, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    # The month the dashboard opens on: the latest with figures (the month just past).
    from django.utils import timezone

    from zoneops.projects.models import ProjectLightRollup
    from zoneops.reports.registry import latest_period

    year, month = latest_period(Zone.objects.all(), today=timezone.localdate())
    period = f"{year}-{month:02d}"
    note(f"dashboard and pack of {period}, the latest month with figures")

    def dashboard(params):
        response = client.get("/dashboard/", params)
        assert response.status_code == 200, response.status_code

    def computed(params):
        # The panels worked out from the data: what the first reader after a write waits for.
        cache.clear()
        dashboard(params)

    province_params = {"period": period}
    zone = Zone.objects.get(code="S-Z0000")
    zone_params = {"zone": zone.pk, "period": period}
    yield (
        f"reports.dashboard_province{suffix}",
        best_ms(lambda: computed(province_params), repeat=3),
        "ms",
    )

    # The first reader of a day whose lights are not kept yet (zoneops tick keeps them after
    # midnight), and a month older than the roll-up keeps (its lights worked out).
    def new_day(params):
        ProjectLightRollup.objects.all().delete()
        computed(params)

    yield (
        f"reports.dashboard_province_new_day{suffix}",
        best_ms(lambda: new_day(province_params), repeat=1),
        "ms",
    )
    older = {"period": f"{YEAR}-{MONTH:02d}"}
    yield (
        f"reports.dashboard_province_older_month{suffix}",
        best_ms(lambda: computed(older), repeat=1),
        "ms",
    )
    yield (
        f"reports.dashboard_zone{suffix}",
        best_ms(lambda: computed(zone_params), repeat=3),
        "ms",
    )
    # Every reader after the first until the next write (zoneops.core.db.versions).
    dashboard(province_params)
    yield (
        f"reports.dashboard_province_cached{suffix}",
        best_ms(lambda: dashboard(province_params), repeat=5),
        "ms",
    )

    province = Zone.objects.get(code="S")

    def pack():
        made = services.build_pack(zone=province, year=year, month=month, acting_user=admin)
        services.render_docx(made)
        services.render_xlsx(made)

    yield f"reports.pack_province{suffix}", best_ms(pack, repeat=1) / 1000, "s"
    yield f"reports.peak_memory_province{suffix}", peak_mb(resource.RUSAGE_SELF), "MB"

    # bench_api's load on this same database: gunicorn as deployed, 50 users.
    data_dir = Path(ctx.data_dir) / "province"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = bench_api.child_env(os.environ["DATABASE_URL"], data_dir)
    env["SECRET_KEY"] = settings.SECRET_KEY  # the sessions made above are signed with it
    connection.close()  # the server's workers get the connections
    results = bench_api.load_test(env, setup, data_dir, phases=("list", "dashboard"))
    yield f"api.dashboard_p95_50_users{suffix}", results["dashboard"]["p95"], "ms"
    yield f"api.list_median (province){suffix}", results["list"]["median"], "ms"
    yield f"api.list_p99 (province){suffix}", results["list"]["p99"], "ms"
    yield f"api.errors (province){suffix}", bench_api.errors(results), "count"
    yield f"api.peak_memory_gunicorn (province){suffix}", results["peak_memory_mb"], "MB"
