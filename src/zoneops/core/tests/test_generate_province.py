"""``zoneops generate --province``: sizes, and on PostgreSQL the rows made by the database.

The PostgreSQL tests run the command inside the test's transaction (the statements then run
one after the other on one connection, the dropped indexes come back before the rollback).
"""

import datetime as dt
import io
from collections import Counter
from decimal import ROUND_HALF_UP

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from zoneops.core.calendar import workdays as calendar
from zoneops.core.management.commands import generate as generate_command
from zoneops.core.ops import bulkload

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the database-side generator is PostgreSQL's"
)
# The apps whose big tables the database makes (indicators and tasks stay in Python, and cost
# seconds here whatever the scale).
LOADED_APPS = {"core", "enterprises", "projects", "investment", "appeals", "hazards"}
TINY = 0.0005  # per zone: 10 enterprises, 2 projects, 25 appeals, 1 lead, 1 hazard


@pytest.fixture
def loaded_apps_only(monkeypatch):
    every_app = generate_command.app_modules
    monkeypatch.setattr(
        generate_command,
        "app_modules",
        lambda name: [(app, module) for app, module in every_app(name) if app in LOADED_APPS],
    )


def test_province_sizes_scale_with_the_fraction():
    full = generate_command.province_options({"fraction": 1.0, "seed": 7})
    assert full["zones"] == 100 and full["months"] == 36
    assert full["enterprises"] == 2_000_000  # × 36 months = 72 million figures
    assert full["projects"] == 500_000
    assert full["appeals"] == 5_000_000
    tenth = generate_command.province_options({"fraction": 0.1, "seed": 7})
    assert tenth["enterprises"] == 200_000 and tenth["appeals"] == 500_000
    assert tenth["zones"] == 100 and tenth["months"] == 36
    tiny = generate_command.province_options({"fraction": 1e-9, "seed": 7})
    assert min(tiny[name] for name in generate_command.PER_ZONE) == 100  # one per zone


def _reset_sequences() -> None:
    """Sequences are not rolled back with the data: set them back to the tables' rows."""
    models = apps.get_models(include_auto_created=True)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def _schema() -> list[tuple]:
    """Every index and constraint of the database's own tables, as PostgreSQL shows them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT 'index', tablename, indexname, indexdef FROM pg_indexes
            WHERE schemaname = 'public'
            UNION ALL
            SELECT 'constraint', conrelid::regclass::text, conname,
                   pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' !' END
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            ORDER BY 1, 2, 3
            """
        )
        return cursor.fetchall()


CHECKED = [
    "enterprises_enterprise",
    "enterprises_certification",
    "enterprises_monthlyfigure",
    "projects_project",
    "projects_milestone",
    "projects_monthlyinvestment",
    "core_loopcase",
    "core_loopevent",
    "appeals_appeal",
    "appeals_submission",
]


def _checksums() -> dict[str, tuple[int, str]]:
    sums = {}
    with connection.cursor() as cursor:
        for table in CHECKED:
            cursor.execute(
                f"SELECT count(*), md5(string_agg((to_jsonb(t) - 'created_at' - 'updated_at')"
                f"::text, ',' ORDER BY id)) FROM {table} t"
            )
            sums[table] = cursor.fetchone()
    return sums


def _generate(seed: int, check=None):
    with transaction.atomic():
        _reset_sequences()
        call_command("generate", province=True, fraction=TINY, seed=seed, stdout=io.StringIO())
        result = check() if check else None
        transaction.set_rollback(True)
    _reset_sequences()
    return result


@postgresql_only
def test_same_options_and_seed_make_the_same_rows(db, loaded_apps_only):
    first = _generate(7, _checksums)
    assert first["enterprises_monthlyfigure"][0] == 100 * 10 * 36
    assert first["appeals_appeal"][0] == 100 * 25
    assert _generate(7, _checksums) == first
    other = _generate(8, _checksums)
    assert other["enterprises_monthlyfigure"][1] != first["enterprises_monthlyfigure"][1]


@postgresql_only
def test_the_load_leaves_every_index_and_constraint_as_migrations_made_them(db, loaded_apps_only):
    before = _schema()
    assert any(name == "figure_unique_month" for _kind, _table, name, _def in before)
    after = _generate(7, _schema)
    assert after == before


def _invariants() -> None:
    from zoneops.appeals import workflow
    from zoneops.appeals.generate import PATH, STAGE
    from zoneops.appeals.models import Appeal
    from zoneops.core.models import LoopCase, LoopEvent
    from zoneops.enterprises import uscc
    from zoneops.enterprises.models import (
        TIER_RANK,
        Certification,
        Enterprise,
        MonthlyFigure,
        add_years,
    )
    from zoneops.projects.models import Milestone, MonthlyInvestment, Project, tags_from_text

    enterprises = list(Enterprise.objects.values_list("uscc", "zone__path", "zone__kind"))
    assert all(uscc.problem(code) is None for code, _path, _kind in enterprises)
    assert len({code for code, *_ in enterprises}) == len(enterprises)
    assert all(path.startswith("/") for _code, path, _kind in enterprises)
    assert {kind for *_x, kind in enterprises} >= {"industrial_park"}  # spread over the parks

    years = {"tech_sme": 1, "hnte": 3, "srdi": 3, "little_giant": 3, "gazelle": 1, "unicorn": 1}
    for kind, rank, issued, expires, zone, enterprise_zone in Certification.objects.values_list(
        "kind", "rank", "issued_on", "expires_on", "zone", "enterprise__zone"
    ):
        assert rank == TIER_RANK[kind] and zone == enterprise_zone
        assert expires == add_years(issued, years[kind]) - dt.timedelta(days=1)

    # Year-to-date figures: every year's months rise (revenue is positive), 36 months each.
    previous = {}
    per_enterprise = Counter()
    for enterprise, year, _month, revenue, output in MonthlyFigure.objects.order_by(
        "enterprise", "year", "month"
    ).values_list("enterprise", "year", "month", "main_revenue", "output_value"):
        per_enterprise[enterprise] += 1
        key = (enterprise, year)
        assert revenue > 0 and output == (revenue * 9 / 10).quantize(output, ROUND_HALF_UP)
        if key in previous:
            assert revenue > previous[key]
        previous[key] = revenue
    assert set(per_enterprise.values()) == {36}

    cases = {case.pk: case for case in LoopCase.objects.filter(kind=workflow.KIND)}
    events = {}
    for case_id, transition, to_state in LoopEvent.objects.order_by(
        "case", "time", "id"
    ).values_list("case", "transition", "to_state"):
        events.setdefault(case_id, []).append((transition, to_state))
    for appeal in Appeal.objects.all():
        case = cases[appeal.case_id]
        assert case.due_date == calendar.add_working_days(case.opened_on, case.limit_working_days)
        limits = workflow.limits_for(appeal.category)
        assert case.limit_working_days == (
            limits["resolve_multi"] if appeal.multi_department else limits["resolve"]
        )
        assert appeal.accept_due == calendar.add_working_days(case.opened_on, limits["accept"])
        assert case.is_open == (case.state != "closed")
        if case.state == "closed":
            assert appeal.close_working_days == calendar.working_days_between(
                case.opened_on, appeal.answered_on
            )
            assert appeal.closed_on_time == (appeal.answered_on <= case.due_date)
            assert case.escalation == 0 and appeal.rating in {1, 2, 3, 4, 5}
        elif case.state not in workflow.APPEAL.waiting_states:
            from zoneops.core.loop import workflows as loop

            assert case.escalation == loop.escalation_level(
                workflow.APPEAL, case.due_date, dt.date(2026, 11, 20)
            )
        if case.state not in ("submitted", "accepted"):
            assert case.department_id and case.department.zone_id == case.zone_id
        # The history: opened, then each transition up to the state it is in.
        assert events[case.pk] == [(name, to) for name, _f, to in PATH[: STAGE[case.state] + 1]]

    latest = {}
    for project, month, value in MonthlyInvestment.objects.order_by("month").values_list(
        "project", "month", "completed_ytd"
    ):
        latest[project] = (month, value)
    for project in Project.objects.all():
        tags = tags_from_text(project.tags)
        assert ("over_50m" in tags) == (project.total_investment >= 5000)
        assert ("spring" in tags) == (project.planned_start.month <= 4)
        month, value = latest.get(project.pk, (None, 0))
        assert (project.completed_month, project.completed_ytd) == (month, value)
        assert (project.actual_start is None) == (project.stage == "planned")
    assert Milestone.objects.count() == 3 * Project.objects.count()


@postgresql_only
def test_rows_keep_the_rules_the_app_keeps(db, loaded_apps_only):
    _generate(7, _invariants)


@postgresql_only
def test_progress_is_shown_step_by_step(db, loaded_apps_only):
    out = io.StringIO()
    with transaction.atomic():
        call_command("generate", province=True, fraction=TINY, seed=7, stdout=out)
        transaction.set_rollback(True)
    _reset_sequences()
    lines = out.getvalue().splitlines()
    figures = [line for line in lines if "monthly figures:" in line and "rows/s" in line]
    assert figures and all("%]" in line and "elapsed" in line for line in figures)
    assert lines[-1].startswith("generated in")


def test_after_generate_hooks_run_after_every_app(db, monkeypatch):
    """Each app module's optional ``after_generate(stdout)`` runs once every app has loaded."""
    calls = []
    every_app = generate_command.app_modules

    class Hook:
        @staticmethod
        def add_arguments(parser):
            pass

        @staticmethod
        def generate(options, *, rng, zones, stdout):
            calls.append("generate")
            return "nothing"

        @staticmethod
        def after_generate(stdout):
            from zoneops.core.models import Zone

            zones = Zone.objects.filter(code__startswith="S-Z").exclude(code__contains="-P")
            calls.append(("after", zones.count()))

    monkeypatch.setattr(
        generate_command,
        "app_modules",
        lambda name: [(a, m) for a, m in every_app(name) if a == "core"] + [("hook", Hook)],
    )
    call_command("generate", zones=3, seed=1, stdout=io.StringIO())
    assert calls == ["generate", ("after", 3)]


def test_working_days_match_the_calendar():
    cal = bulkload.WorkingDays(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    day = dt.date(2025, 9, 26)  # a Friday before the National Day week
    index = (day - cal.first).days + 1
    for k in (1, 2, 10, 25):
        assert cal.days[cal.cum[index] + k - 1] == calendar.add_working_days(day, k)


def test_every_app_generates_its_records(db):
    """The whole command at a small scale: in Python on SQLite, by the database on PostgreSQL."""
    from zoneops.appeals.models import Appeal
    from zoneops.core.models import LoopCase
    from zoneops.enterprises.models import Enterprise, MonthlyFigure
    from zoneops.hazards.models import Hazard
    from zoneops.indicators.models import IndicatorValue
    from zoneops.investment.models import Lead
    from zoneops.projects.models import Milestone, Project
    from zoneops.tasks.models import Task

    out = io.StringIO()
    call_command(
        "generate",
        zones=2,
        enterprises=40,
        months=14,
        projects=4,
        appeals=20,
        leads=10,
        hazards=3,
        tasks_per_zone=1,
        seed=3,
        stdout=out,
    )
    assert Enterprise.objects.count() == 40
    assert MonthlyFigure.objects.count() == 40 * 14
    assert Project.objects.count() == 4 and Milestone.objects.count() == 12
    assert Appeal.objects.count() == 20 and Hazard.objects.count() == 3
    assert Lead.objects.count() == 10 and Task.objects.count() == 2
    assert LoopCase.objects.count() == 20 + 3 + 2
    assert IndicatorValue.objects.filter(zone__code="S-Z0001").exists()
    assert "generated in" in out.getvalue()
