"""The roll-ups the dashboard and the pack read stay equal to a recomputation from scratch after
every kind of write, the dashboard's figures equal the lists' counts, and the check, rebuild and
background rebuild work as administrators use them."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from zoneops.appeals import services as appeal_services
from zoneops.appeals.models import Appeal, AppealRollup
from zoneops.appeals.tests.conftest import new_appeal
from zoneops.core.loop import services as loop_services
from zoneops.core.loop import workflows as loop
from zoneops.core.loop.models import LoopCaseRollup
from zoneops.core.models import Department, LoopCase, Zone
from zoneops.core.ops import rollups as rollup_ops
from zoneops.core.registries import rollups, writes
from zoneops.enterprises import services as enterprise_services
from zoneops.enterprises.importers import EnterpriseImporter, FigureImporter
from zoneops.enterprises.models import Enterprise, MonthlyFigure, ScaleUpRollup
from zoneops.enterprises.tests.factories import enterprise, figure
from zoneops.enterprises.tests.test_import import FIG_HEADERS
from zoneops.enterprises.tests.test_import import HEADERS as ENTERPRISE_HEADERS
from zoneops.enterprises.tests.test_import import xlsx as enterprise_xlsx
from zoneops.hazards import services as hazard_services
from zoneops.hazards.models import Hazard, Level
from zoneops.projects import rollups as light_rollups
from zoneops.projects import services as project_services
from zoneops.projects.imports import DispatchSheetImporter, MonthlyImporter
from zoneops.projects.lights import RED, YELLOW
from zoneops.projects.models import Milestone, Project, ProjectLightRollup
from zoneops.projects.tests.factories import make_project
from zoneops.projects.tests.test_imports import HEADERS, MONTHLY, row, xlsx
from zoneops.reports.registry import collect_panels, collect_sections
from zoneops.tasks import services as task_services
from zoneops.tasks.models import Task

D = dt.date
DAY = D(2025, 9, 29)


@pytest.fixture
def department(zone_tree):
    return Department.objects.create(zone=zone_tree["hitech"], name="发改局", code="FG")


def _appeal(ctx, **kw):
    return new_appeal(ctx["zone_tree"]["park"], ctx["users"]["staff"], on=D(2025, 9, 26), **kw)


def _step(appeal, name, who, **kw):
    return appeal_services.transition(appeal, name, acting_user=who, on=DAY, **kw)


def _in_progress(ctx):
    staff, liaison = ctx["users"]["staff"], ctx["users"]["liaison"]
    appeal = _step(_appeal(ctx), "accept", staff)
    appeal = _step(appeal, "assign", staff, department=ctx["department"], handler=liaison)
    return _step(appeal, "start", liaison)


def appeal_submit(ctx):
    _appeal(ctx)
    _appeal(ctx, category="finance")


def appeal_accept_assign_start(ctx):
    _in_progress(ctx)


def appeal_dismiss(ctx):
    _step(_appeal(ctx), "dismiss", ctx["users"]["staff"], comment="不属于企业诉求")


def appeal_reply_and_rate_closes(ctx):
    appeal = _step(_in_progress(ctx), "reply", ctx["users"]["liaison"], comment="已答复")
    appeal_services.rate(appeal, 5, "", acting_user=None, on=D(2025, 9, 30))


def appeal_low_rating_reopens(ctx):
    appeal = _step(_in_progress(ctx), "reply", ctx["users"]["liaison"], comment="已答复")
    appeal_services.rate(appeal, 2, "问题没有解决", acting_user=None, on=D(2025, 10, 9))


def appeal_edit_category(ctx):
    appeal = _appeal(ctx)
    appeal.category = "finance"
    writes.save(appeal, acting_user=ctx["users"]["staff"], fields=["category"])


def appeal_moved_to_another_zone(ctx):
    appeal = _appeal(ctx)
    appeal.zone = ctx["zone_tree"]["hitech"]
    appeal.save(update_fields=["zone"])


def appeal_delete(ctx):
    keep = _appeal(ctx)
    appeal = _appeal(ctx, category="finance")
    assert keep.pk != appeal.pk
    writes.delete(appeal, acting_user=ctx["users"]["admin"])


def _hazard(ctx, level=Level.GENERAL):
    return hazard_services.report_hazard(
        zone=ctx["zone_tree"]["park"],
        place="园区污水泵站",
        title="有限空间未设警示标识",
        category="confined_space",
        level=level,
        description="泵站入口无警示标识。",
        acting_user=ctx["users"]["staff"],
        found_on=D(2025, 9, 1),
    )


def hazard_report(ctx):
    _hazard(ctx, Level.MAJOR)


def hazard_level_change(ctx):
    hazard_services.set_level(
        _hazard(ctx), Level.MAJOR, acting_user=ctx["users"]["staff"], comment="升级为重大隐患"
    )


def hazard_assign(ctx):
    hazard_services.transition(
        _hazard(ctx),
        "assign",
        acting_user=ctx["users"]["staff"],
        department=ctx["department"],
        handler=ctx["users"]["liaison"],
        on=D(2025, 9, 2),
    )


def _task(ctx, deadline=None):
    return task_services.create_task(
        zone=ctx["zone_tree"]["hitech"],
        title="规上工业企业一企一策精准帮扶",
        deadline=deadline or D(2025, 9, 10),
        acting_user=ctx["users"]["staff"],
        opened_on=D(2025, 8, 1),
    )


def task_create(ctx):
    _task(ctx)


def task_submit_for_review(ctx):
    staff = ctx["users"]["staff"]
    task = task_services.transition_task(_task(ctx), "start", acting_user=staff, on=DAY)
    task_services.transition_task(task, "submit", acting_user=staff, comment="已完成", on=DAY)


def _blocker(ctx, project, kind, description, opened_on):
    return project_services.raise_blocker(
        project,
        kind=kind,
        description=description,
        acting_user=ctx["users"]["staff"],
        opened_on=opened_on,
    )


def blocker_raise(ctx):
    project = make_project(ctx["zone_tree"]["park"], 1, annual_plan=0, stage="started")
    _blocker(ctx, project, "land", "用地指标未落实", D(2025, 8, 1))


def _project(ctx, index=1, **kw):
    values = {"stage": "started", "planned_start": D(2025, 3, 1), "actual_start": D(2025, 3, 1)}
    values.update(kw)
    return make_project(ctx["zone_tree"]["park"], index, **values)


def project_add_through_the_service(ctx):
    project = Project(
        code="GX-NEW",
        name="新增项目",
        zone=ctx["zone_tree"]["park"],
        type=Project.Type.NEW,
        stage="planned",
        total_investment=Decimal("5000"),
        plan_year=2025,
        annual_plan=Decimal("1000"),
        planned_start=D(2025, 5, 1),  # not started five months on: red
    )
    project_services.save_project(project, acting_user=ctx["users"]["staff"])


def project_plan_stage_and_zone_change(ctx):
    staff = ctx["users"]["staff"]
    project = _project(ctx, completed_ytd=Decimal("900"))
    project_services.set_annual_plan(project, 2025, Decimal("9000"), acting_user=staff)
    moved = _project(ctx, 2)
    moved.zone = ctx["zone_tree"]["econ"]
    project_services.save_project(moved, acting_user=ctx["users"]["admin"], fields=["zone"])
    done = _project(ctx, 3)
    done.stage = "completed"
    project_services.save_project(done, acting_user=staff, fields=["stage"])


def project_delete(ctx):
    _project(ctx, 1)
    gone = _project(ctx, 2, planned_start=D(2025, 9, 1), actual_start=None, stage="planned")
    writes.delete(gone, acting_user=ctx["users"]["admin"])


def project_monthly_figure(ctx):
    project = _project(ctx)
    project_services.record_monthly(
        project, 2025, 9, Decimal("800"), acting_user=ctx["users"]["staff"]
    )


def project_milestone_late_then_reached(ctx):
    project = _project(ctx, completed_ytd=Decimal("1000"))
    milestone = Milestone.objects.create(
        project=project, name="主体封顶", planned_date=D(2025, 9, 1)
    )
    late = Milestone.objects.create(project=project, name="设备进场", planned_date=D(2025, 9, 2))
    project_services.complete_milestone(
        milestone, on=D(2025, 9, 20), acting_user=ctx["users"]["staff"]
    )
    late.planned_date = D(2025, 12, 1)
    late.save(update_fields=["planned_date"])


def blocker_extended(ctx):
    project = _project(ctx, completed_ytd=Decimal("1000"))
    blocker = _blocker(ctx, project, "power", "双回路供电未落实", D(2025, 9, 1))
    project_services.blocker_transition(
        blocker,
        "assign",
        acting_user=ctx["users"]["staff"],
        department=ctx["department"],
        handler=ctx["users"]["liaison"],
    )
    blocker.case.refresh_from_db()
    project_services.blocker_transition(
        blocker,
        "extend",
        acting_user=ctx["users"]["staff"],
        comment="待电网批复",
        extra_working_days=20,
    )


def _dispatch_sheet(ctx):
    sheet = xlsx(HEADERS, [row("GX-001"), row("GX-002", 实际开工="", 建设阶段="前期")])
    assert DispatchSheetImporter(ctx["users"]["staff"]).run("调度表.xlsx", sheet).ok


def project_dispatch_import(ctx):
    _project(ctx, 9)  # the roll-up holds the zone before the sheet adds two projects
    _dispatch_sheet(ctx)


def project_monthly_imports(ctx):
    staff = ctx["users"]["staff"]
    _dispatch_sheet(ctx)
    # The park's lights go; only the monthly writes below bring them back.
    ProjectLightRollup.objects.filter(zone=ctx["zone_tree"]["park"]).delete()
    monthly = xlsx(MONTHLY, [["GX-001", 2025, 9, 15000], ["GX-002", 2025, 9, 100]])
    assert MonthlyImporter(staff).run("9月.xlsx", monthly).ok
    assert project_services.upsert_monthly_investments(
        [{"code": "GX-002", "year": 2025, "month": 10, "completed_ytd": "200"}],
        acting_user=staff,
    ).ok


def tick_escalates(ctx):
    _task(ctx)
    _appeal(ctx)
    _hazard(ctx)
    loop_services.tick(on=D(2025, 10, 31))


def _near_threshold(ctx, n, zone="park"):
    """A manufacturer 100 (10k yuan) above the threshold over the last twelve months."""
    ent = enterprise(ctx["zone_tree"][zone], n)
    figure(ent, 2024, 9, 1000)
    figure(ent, 2024, 12, 1900)
    figure(ent, 2025, 9, 1200)
    return ent


def scale_up_figure_saved_and_deleted(ctx):
    first = _near_threshold(ctx, 1)
    second = _near_threshold(ctx, 2)
    assert ScaleUpRollup.objects.count() == 2
    now = MonthlyFigure.objects.get(enterprise=first, year=2025, month=9)
    now.main_revenue = Decimal(1150)  # still 50 above
    now.save()
    MonthlyFigure.objects.get(enterprise=second, year=2024, month=12).delete()  # 1,600 at pace
    assert list(ScaleUpRollup.objects.values_list("enterprise_id", "ttm")) == [
        (first.pk, Decimal(2050))
    ]


def scale_up_enterprise_changes(ctx):
    grown = _near_threshold(ctx, 1)
    closed = _near_threshold(ctx, 2)
    moved = _near_threshold(ctx, 3)
    enterprise_services.set_above_scale(
        grown, True, reason="入统", acting_user=ctx["users"]["staff"]
    )
    closed.status = Enterprise.Status.DEREGISTERED
    closed.save()
    moved.zone = ctx["zone_tree"]["econ"]
    moved.save()
    assert list(ScaleUpRollup.objects.values_list("enterprise_id", "zone_id")) == [
        (moved.pk, ctx["zone_tree"]["econ"].pk)
    ]


def scale_up_zones_in_different_months(ctx):
    """One zone's latest figures are September's, another's October's: each zone's rows are
    of its own latest month (the roll-up's select joins the two months' queries)."""
    _near_threshold(ctx, 1)
    later = enterprise(ctx["zone_tree"]["econ"], 2)
    figure(later, 2024, 10, 1000)
    figure(later, 2024, 12, 1900)
    figure(later, 2025, 10, 1300)
    kept = dict(ScaleUpRollup.objects.values_list("zone_id", "month"))
    assert kept == {ctx["zone_tree"]["park"].pk: 9, ctx["zone_tree"]["econ"].pk: 10}
    rollups.touch("scale_up")  # every zone at once: the two months in one statement
    assert dict(ScaleUpRollup.objects.values_list("zone_id", "month")) == kept


def scale_up_figure_import(ctx):
    _near_threshold(ctx, 1)
    other = enterprise(ctx["zone_tree"]["park"], 5)
    figures = enterprise_xlsx(FIG_HEADERS, [[other.uscc, other.name, "2025-09", 2500, 0, 0, 5]])
    assert FigureImporter(ctx["users"]["liaison"]).run("2025-09.xlsx", figures).ok


def scale_up_figures_through_the_api(ctx):
    kept = _near_threshold(ctx, 1)
    assert enterprise_services.upsert_monthly_figures(
        [{"uscc": kept.uscc, "year": 2025, "month": 9, "main_revenue": "100"}],
        acting_user=ctx["users"]["staff"],
    ).ok


def scale_up_register_import(ctx):
    """The register moves one candidate to another zone and deregisters another."""
    moved = _near_threshold(ctx, 1, zone="hitech")
    gone = _near_threshold(ctx, 2)
    register = enterprise_xlsx(
        ENTERPRISE_HEADERS,
        [
            [moved.uscc, moved.name, "GX-P1", "C2761", "", "否", "营业", "否", "", ""],
            [gone.uscc, gone.name, "GX-P1", "C2761", "", "否", "注销", "否", "", ""],
        ],
    )
    assert EnterpriseImporter(ctx["users"]["staff"]).run("名录.xlsx", register).ok
    assert Enterprise.objects.get(pk=gone.pk).status != Enterprise.Status.OPERATING
    assert Enterprise.objects.get(pk=moved.pk).zone == ctx["zone_tree"]["park"]


WRITES = [
    appeal_submit,
    appeal_accept_assign_start,
    appeal_dismiss,
    appeal_reply_and_rate_closes,
    appeal_low_rating_reopens,
    appeal_edit_category,
    appeal_moved_to_another_zone,
    appeal_delete,
    hazard_report,
    hazard_level_change,
    hazard_assign,
    task_create,
    task_submit_for_review,
    blocker_raise,
    tick_escalates,
    project_add_through_the_service,
    project_plan_stage_and_zone_change,
    project_delete,
    project_monthly_figure,
    project_milestone_late_then_reached,
    blocker_extended,
    project_dispatch_import,
    project_monthly_imports,
    scale_up_figure_saved_and_deleted,
    scale_up_enterprise_changes,
    scale_up_zones_in_different_months,
    scale_up_figure_import,
    scale_up_figures_through_the_api,
    scale_up_register_import,
]


@pytest.fixture
def ctx(zone_tree, users, department):
    return {"zone_tree": zone_tree, "users": users, "department": department}


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__ for w in WRITES])
def test_check_finds_no_difference_after_the_write(ctx, write):
    with time_machine.travel(dt.datetime(2025, 10, 10, 10), tick=False):
        # The lights are kept for today and the last month's end (what the dashboard reads).
        make_project(ctx["zone_tree"]["econ"], 99, stage="started", actual_start=DAY)
        light_rollups.tick()
        write(ctx)
    assert ProjectLightRollup.objects.exists()
    assert rollups.check() == []
    out = io.StringIO()
    call_command("rollups", "--check", stdout=out)
    assert "no difference" in out.getvalue()


def test_every_source_model_has_a_write_above(ctx):
    """Every base model a roll-up reads is written by a scenario of ``WRITES``."""
    sources = {m._meta.label for r in rollups.registered().values() for m in r.sources}
    assert sources == {
        "appeals.Appeal",
        "core.LoopCase",
        "projects.Project",
        "projects.Milestone",
        "projects.Blocker",
        "enterprises.Enterprise",
        "enterprises.MonthlyFigure",
    }


def test_check_names_the_table_the_key_and_both_values(ctx, capsys):
    _appeal(ctx)
    row = AppealRollup.objects.get()
    AppealRollup.objects.filter(pk=row.pk).update(total=7)
    (difference,) = rollups.check()
    assert difference.table == "appeals_appealrollup"
    assert difference.key == {
        "zone_id": ctx["zone_tree"]["park"].pk,
        "year": 2025,
        "month": 9,
        "category": row.category,
    }
    assert difference.kept["total"] == 7 and difference.computed["total"] == 1
    with pytest.raises(SystemExit) as exit_:
        call_command("rollups", "--check")
    assert exit_.value.code == 1
    assert "appeals_appealrollup" in capsys.readouterr().out
    call_command("rollups", "--rebuild", "--zone", "GX-P1", stdout=io.StringIO())
    assert rollups.check() == []


def test_rebuild_of_one_zone_leaves_the_others(ctx):
    _appeal(ctx)
    new_appeal(ctx["zone_tree"]["econ"], ctx["users"]["other_staff"], on=D(2025, 9, 26))
    AppealRollup.objects.all().delete()
    call_command("rollups", "--rebuild", "--zone", "GX", stdout=io.StringIO())
    assert list(AppealRollup.objects.values_list("zone__code", flat=True)) == ["GX-P1"]
    call_command("rollups", "--rebuild", stdout=io.StringIO())
    assert AppealRollup.objects.count() == 2 and rollups.check() == []


def _panels(zones, user):
    return {p.key: p for p in collect_panels(zones, 2025, 9, user)}


@time_machine.travel(dt.datetime(2025, 9, 30, 10), tick=False)
def test_dashboard_figures_equal_the_lists_counts(ctx):
    """The dashboard's figures (roll-ups) and the lists' querysets (base rows) count the same."""
    users = ctx["users"]
    for _ in range(2):
        _task(ctx)  # overdue on 30 September
    _task(ctx, deadline=D(2025, 10, 1))  # due soon
    _task(ctx, deadline=D(2025, 12, 31))
    _hazard(ctx, Level.MAJOR)
    _hazard(ctx)
    appeal_dismiss(ctx)
    appeal_reply_and_rate_closes(ctx)
    _appeal(ctx)
    zones = Zone.objects.all()
    panels = _panels(zones, users["admin"])
    open_cases = LoopCase.objects.filter(is_open=True)
    overdue = LoopCase.objects.filter(loop.overdue_q(prefix=""))
    assert panels["core.loop"].value == overdue.count() > 0
    assert sum(panels["core.loop"].chart["series"][0]["data"]) == open_cases.count()
    tasks = Task.objects.all()
    assert panels["tasks.progress"].value == tasks.filter(loop.overdue_q()).count() == 2
    hazards = Hazard.objects.filter(case__is_open=True)
    assert panels["hazards.open"].value == hazards.count() == 2
    major, late = re.findall(r"\d+", panels["hazards.open"].unit)
    assert int(major) == hazards.filter(level=Level.MAJOR).count() == 1
    assert int(late) == hazards.filter(loop.overdue_q()).count()
    ytd = Appeal.objects.filter(case__opened_on__gte=D(2025, 1, 1))
    assert re.findall(r"\d+", panels["appeals.on_time"].note)[0] == str(ytd.count())
    assert LoopCase.objects.filter(pk__in=tasks.values("case")).exists()
    assert rollups.check() == []


def _lights_of_every_kind(ctx):
    """One project per rule that lights: not started (yellow, then red), behind 序时进度, a
    late milestone, a late blocker; one green and one completed."""
    _project(ctx, 1, completed_ytd=Decimal("900"))  # green until late in the year
    _project(ctx, 2, stage="planned", actual_start=None, planned_start=D(2025, 9, 20))
    _project(ctx, 3, completed_ytd=Decimal("400"))  # behind the elapsed share
    late = _project(ctx, 4, completed_ytd=Decimal("1000"))
    Milestone.objects.create(project=late, name="竣工验收", planned_date=D(2025, 10, 15))
    blocked = _project(ctx, 5, completed_ytd=Decimal("1000"))
    _blocker(ctx, blocked, "land", "用地报批", D(2025, 9, 1))
    _project(ctx, 6, stage="completed", completed_ytd=Decimal("100"))


def _light_figures(ctx, day):
    panels = collect_panels(Zone.objects.all(), day.year, day.month, ctx["users"]["admin"])
    panel = {p.key: p for p in panels}["projects.lights"]
    yellow, total = map(int, re.findall(r"\d+", panel.unit)[:2])
    lit = Project.objects.with_lights(today=day)
    listed = (lit.filter(light=RED).count(), lit.filter(light=YELLOW).count(), lit.count())
    return (panel.value, yellow, total), listed


def test_lights_panel_equals_the_list_day_after_day(ctx):
    """The lights panel reads the roll-up kept for today and for the last months' ends; as
    days pass without a write the roll-up moves on and still counts what the list shows."""
    with time_machine.travel(dt.datetime(2025, 9, 30, 10), tick=False):
        _lights_of_every_kind(ctx)
    counts = []
    for day in (D(2025, 9, 30), D(2025, 10, 1), D(2025, 10, 20), D(2025, 12, 31), D(2026, 1, 5)):
        with time_machine.travel(dt.datetime.combine(day, dt.time(9)), tick=False):
            panel, listed = _light_figures(ctx, day)
            assert panel == listed, day
            kept = set(ProjectLightRollup.objects.values_list("day", flat=True))
            assert day in kept and all(light_rollups.is_kept(d, day) for d in kept)
            assert rollups.check() == []
            counts.append(panel)
    assert len(set(counts)) > 2  # the days do light differently


def test_last_months_are_kept_older_ones_worked_out(ctx):
    """A month just past is judged at its end from the roll-up (kept beside today); an older
    month is worked out directly, and neither disagrees with the list."""
    with time_machine.travel(dt.datetime(2025, 10, 20, 10), tick=False):
        _lights_of_every_kind(ctx)
        for month, kept in ((9, True), (8, True), (7, False)):
            panels = collect_panels(Zone.objects.all(), 2025, month, ctx["users"]["admin"])
            end = D(2025, month + 1, 1) - dt.timedelta(days=1)
            lit = Project.objects.with_lights(today=end)
            value = {p.key: p for p in panels}["projects.lights"].value
            assert value == lit.filter(light=RED).count(), month
            days = set(ProjectLightRollup.objects.values_list("day", flat=True))
            assert (end in days) is kept
        assert rollups.check() == []


@pytest.mark.parametrize("rows", [1, 2, 3, 5, 6, 200])
def test_pack_lagging_table_from_the_roll_up_equals_the_worked_out_one(ctx, monkeypatch, rows):
    """The pack's table of red and yellow projects, read through the roll-up's per-zone
    counts, lists the same projects in the same order as working out every light."""
    from zoneops.projects import reporting

    monkeypatch.setattr(reporting, "MAX_TABLE_ROWS", rows)
    with time_machine.travel(dt.datetime(2025, 10, 20, 10), tick=False):
        _lights_of_every_kind(ctx)
        econ = ctx["zone_tree"]["econ"]
        make_project(econ, 20, stage="planned", planned_start=D(2025, 5, 1))  # red
        make_project(econ, 21, stage="planned", planned_start=D(2025, 10, 1))  # yellow
        province = ctx["zone_tree"]["province"]
        zones = list(Zone.objects.filter(path__startswith=province.path).order_by("path"))
        ids = [z.pk for z in zones]
        day = D(2025, 10, 20)
        counts = light_rollups.per_zone(ids, day)
        from_roll_up = reporting._lagging_from_the_roll_up(zones, counts, day)
        worked_out = reporting._lagging_worked_out(ids, day)
        assert [p.code for p in from_roll_up[0]] == [p.code for p in worked_out[0]]
        assert from_roll_up[1] == worked_out[1] and len(worked_out[0]) == min(rows, 6)
        (section,) = reporting.sections(province, 2025, 10, ctx["users"]["admin"])
        assert section.table.total == sum(worked_out[1].values())


def test_tick_keeps_the_lights_for_the_new_day(ctx):
    with time_machine.travel(dt.datetime(2025, 9, 30, 10), tick=False):
        _lights_of_every_kind(ctx)
    with time_machine.travel(dt.datetime(2025, 10, 1, 0, 5), tick=False):
        out = io.StringIO()
        call_command("tick", stdout=out)
        assert (
            "project lights kept for 2025-10-01 (computed), 2025-09-30 (computed)" in out.getvalue()
        )
        days = set(ProjectLightRollup.objects.values_list("day", flat=True))
        assert days == {D(2025, 10, 1), D(2025, 9, 30)}
        assert rollups.check() == []


def _many(ctx, zones):
    for zone in zones:
        new_appeal(zone, ctx["users"]["admin"], on=D(2025, 9, 26))
        task_services.create_task(
            zone=zone,
            title=f"{zone.name}任务",
            deadline=D(2025, 9, 10),
            acting_user=ctx["users"]["admin"],
            opened_on=D(2025, 8, 1),
        )


def _queries(django_assert_max_num_queries, ctx, maximum):
    zones = Zone.objects.all()
    with django_assert_max_num_queries(maximum):
        collect_panels(zones, 2025, 9, ctx["users"]["admin"])
    with django_assert_max_num_queries(maximum):
        collect_sections(ctx["zone_tree"]["province"], 2025, 9, ctx["users"]["admin"])


@time_machine.travel(dt.datetime(2025, 9, 30, 10), tick=False)
def test_dashboard_and_pack_queries_do_not_grow_with_zones_and_rows(
    ctx, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tree = ctx["zone_tree"]
    _many(ctx, [tree["park"]])
    zones = Zone.objects.all()
    with CaptureQueriesContext(connection) as few_panels:
        collect_panels(zones, 2025, 9, ctx["users"]["admin"])
    with CaptureQueriesContext(connection) as few_sections:
        collect_sections(tree["province"], 2025, 9, ctx["users"]["admin"])
    _many(ctx, [tree["park"], tree["hitech"], tree["beihu"], tree["econ"], tree["city"]])
    zones = Zone.objects.all()
    with django_assert_max_num_queries(len(few_panels)):
        collect_panels(zones, 2025, 9, ctx["users"]["admin"])
    # The pack's detail tables read their rows' zones and people with the rows (one query).
    with django_assert_max_num_queries(len(few_sections)):
        collect_sections(tree["province"], 2025, 9, ctx["users"]["admin"])


def test_background_rebuild_from_the_dashboard_and_the_command(ctx, client_for):
    from zoneops.jobs.models import Job

    _appeal(ctx)
    AppealRollup.objects.all().delete()
    admin = ctx["users"]["admin"]
    client = client_for(admin)
    page = client.get("/dashboard/")
    assert b"rebuild-rollups" in page.content
    response = client.post("/dashboard/rollups/rebuild/")
    job = Job.objects.get(kind=Job.Kind.ROLLUP)
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    out = io.StringIO()
    call_command("rollups", "--rebuild", "--background", stdout=out)
    assert f"job {job.pk} already queued or running" in out.getvalue()
    from zoneops.core.registries import background

    result = background.work("core.rollups_rebuild").run({"zone": None}, acting_user=admin)
    assert result.updated == AppealRollup.objects.count() + LoopCaseRollup.objects.count()
    assert rollups.check() == []


@pytest.mark.parametrize("role", ["staff", "liaison", "leader", "security_admin", "auditor"])
def test_only_administrators_rebuild(ctx, client_for, role):
    """The system administrator rebuilds; every other role (三员分立: the security
    administrator and the auditor too) sees no button and is refused."""
    client = client_for(ctx["users"][role])
    assert b"rebuild-rollups" not in client.get("/dashboard/").content
    assert client.post("/dashboard/rollups/rebuild/").status_code == 403
    with pytest.raises(PermissionDenied):
        rollup_ops.rebuild(zone=None, acting_user=ctx["users"][role])


@time_machine.travel(dt.datetime(2025, 9, 30, 10), tick=False)
def test_pack_tables_read_their_first_rows_and_count_the_rest(ctx, monkeypatch):
    from zoneops.core.loop import reporting as loop_reporting
    from zoneops.reports import services as report_services

    monkeypatch.setattr(loop_reporting, "MAX_TABLE_ROWS", 2)
    monkeypatch.setattr(report_services, "MAX_TABLE_ROWS", 2)
    for _ in range(3):
        _task(ctx)
    pack = report_services.build_pack(
        zone=ctx["zone_tree"]["province"], year=2025, month=9, acting_user=ctx["users"]["admin"]
    )
    (overdue,) = [s for s in report_services.sections_of(pack) if s.key == "core.overdue"]
    assert len(overdue.table.rows) == 2
    assert re.findall(r"\d+", overdue.paragraphs[0]) == ["3"]
    assert re.findall(r"\d+", overdue.paragraphs[-1]) == ["2", "3"]


def test_the_holiday_notice_moves_deadlines_and_recomputes_each_zone_once(ctx, monkeypatch):
    """The calendar saves every open deadline it moves one by one: the roll-ups follow, each
    zone and slice recomputed once at the end of the batch, in the same transaction."""
    from zoneops.core.calendar import services as calendar_services
    from zoneops.core.calendar.notice import parse_notice
    from zoneops.core.tests.test_calendar_entry import NOTICE_2031

    with time_machine.travel(dt.datetime(2031, 1, 15, 9, 0), tick=False):
        for _ in range(3):
            new_appeal(ctx["zone_tree"]["park"], ctx["users"]["staff"], on=D(2031, 1, 20))
        calls = []
        real = rollups.recompute

        def counting(rollup, zone_ids, where=None):
            calls.append((rollup.kind, tuple(zone_ids or ()), tuple(sorted((where or {}).items()))))
            return real(rollup, zone_ids, where)

        monkeypatch.setattr(rollups, "recompute", counting)
        calendar_services.enter_holiday_arrangement(
            2031, parse_notice(NOTICE_2031, 2031), acting_user=ctx["users"]["admin"]
        )
    moved = LoopCase.objects.filter(due_date__gt=D(2031, 2, 5)).count()
    assert moved == 3  # the Spring Festival moved every deadline
    assert len(calls) == len(set(calls)) and len(calls) <= 2
    assert rollups.check() == []


@pytest.mark.django_db(transaction=True)
def test_two_writes_of_one_zone_at_once_both_land_in_the_roll_up(zone_tree, users):
    """PostgreSQL: two transactions recomputing one zone's month wait for each other instead
    of the second failing on the first's new rows (or missing them)."""
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    errors = []

    def submit(pause: float, delay: float):
        try:
            time.sleep(delay)
            with transaction.atomic():
                new_appeal(zone_tree["park"], users["staff"], on=D(2025, 9, 26))
                time.sleep(pause)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=submit, args=(0.5, 0)),
        threading.Thread(target=submit, args=(0, 0.2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AppealRollup.objects.get().total == 2
    assert rollups.check() == []


@pytest.mark.django_db(transaction=True)
def test_a_write_and_a_new_days_first_reader_at_once(zone_tree, users, monkeypatch):
    """PostgreSQL: the first reader of a new day computes it for every zone while a project
    write recomputes its zone's kept days: the write waits, then recomputes the new day too
    (had it read the kept days before waiting, it would delete the zone's new rows and put
    back only the old day's)."""
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    park = zone_tree["park"]
    with time_machine.travel(dt.datetime(2025, 10, 9, 10), tick=False):
        make_project(park, 1, stage="started", actual_start=D(2025, 3, 1))
        light_rollups.keep(D(2025, 10, 9))
    computing = rollups.recompute

    def slow_new_day(rollup, zone_ids, where=None):
        computing(rollup, zone_ids, where)
        if where and "day" in where:
            time.sleep(0.6)  # the reader's table lock is held: the writer arrives meanwhile

    monkeypatch.setattr(rollups, "recompute", slow_new_day)
    errors = []

    def run(work, delay: float):
        try:
            time.sleep(delay)
            with time_machine.travel(dt.datetime(2025, 10, 10, 10), tick=False):
                work()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    def write():
        with transaction.atomic():
            make_project(park, 2, stage="planned", planned_start=D(2025, 5, 1))  # red

    threads = [
        threading.Thread(target=run, args=(lambda: light_rollups.keep(D(2025, 10, 10)), 0)),
        threading.Thread(target=run, args=(write, 0.2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    kept = ProjectLightRollup.objects.filter(day=D(2025, 10, 10), zone=park)
    assert sum(kept.values_list("projects", flat=True)) == 2
    with time_machine.travel(dt.datetime(2025, 10, 10, 10), tick=False):
        assert rollups.check() == []


def test_generate_leaves_the_roll_ups_filled(db):
    """``zoneops generate`` writes in bulk past the model signals, then fills the roll-ups."""
    out = io.StringIO()
    call_command(
        "generate",
        seed=3,
        zones=2,
        enterprises=40,
        months=3,
        projects=10,
        appeals=60,
        hazards=10,
        leads=0,
        stdout=out,
    )
    assert "rollups:" in out.getvalue()
    assert AppealRollup.objects.exists() and LoopCaseRollup.objects.exists()
    assert rollups.check() == []
