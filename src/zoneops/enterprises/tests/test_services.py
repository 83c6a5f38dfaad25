import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zoneops.core.models import ObjectChange, Role
from zoneops.enterprises import services
from zoneops.enterprises.models import (
    CultivationEntry,
    Enterprise,
    IdleRevival,
    LiaisonAssignment,
    MonthApproval,
    MonthlyFigure,
    RevivalGoal,
    Visit,
)
from zoneops.enterprises.services import scale
from zoneops.enterprises.tests.factories import certify, enterprise, figure

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 15)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(services.common, "today", lambda: DAY)
    return DAY


def test_phone_masking():
    assert services.mask_phone("13812341234") == "138****1234"
    assert services.mask_phone("043188600010") == "043****0010"
    assert services.mask_phone("") == ""


def test_phone_visibility_by_role(users):
    assert services.phone_for(users["liaison"], "13812341234") == "13812341234"
    assert services.phone_for(users["staff"], "13812341234") == "13812341234"
    assert services.phone_for(users["leader"], "13812341234") == "138****1234"


def test_thresholds_are_data_with_sources():
    industry = services.threshold_for("C2761")
    assert industry.amount == 2000 and "国家统计局" in industry.source
    assert services.threshold_for("F5292").amount == 500  # retail
    assert services.threshold_for("F51").amount == 2000  # wholesale
    assert services.threshold_for("H6210").amount == 200  # catering
    assert services.threshold_for("I6513").amount == 2000
    assert services.threshold_for("M7320").amount == 1000
    assert services.threshold_for("K7020").amount == 1000  # property management
    assert services.threshold_for("K7010").measure == "qualification"  # real estate development
    assert services.threshold_for("E47").measure == "qualification"
    assert services.threshold_for("R88").amount == 500
    assert services.threshold_for("A01") is None


def test_tier_is_highest_valid_certification(zone_tree, today):
    ent = enterprise(zone_tree["park"], 1)
    certify(ent, "tech_sme", dt.date(2024, 1, 1), dt.date(2024, 12, 31))  # expired
    certify(ent, "hnte", dt.date(2023, 1, 1))  # 3 years: until 2025-12-31
    certify(ent, "tech_center", dt.date(2020, 1, 1))  # not a tier
    assert services.tier_of(ent, today) == "hnte"
    certify(ent, "little_giant", dt.date(2025, 7, 1), dt.date(2028, 6, 30))  # not yet valid
    assert services.tier_of(ent, today) == "hnte"
    assert services.tier_of(ent, dt.date(2025, 7, 2)) == "little_giant"
    assert services.tier_of(ent, dt.date(2026, 1, 1)) == "little_giant"
    assert services.tier_of(ent, dt.date(2029, 1, 1)) is None


def test_hnte_expires_after_three_years_by_default(zone_tree):
    cert = certify(enterprise(zone_tree["park"], 1), "hnte", dt.date(2024, 2, 29))
    assert cert.expires_on == dt.date(2027, 2, 27)
    assert cert.rank == 2


@pytest.fixture
def pyramid_data(zone_tree, today):
    """In 高新区 (and its park): 3 hnte holders (one also a little giant), one hnte that
    expired in March, one new this year; one tech SME; 经开区 has one hnte."""
    park, hitech, econ = zone_tree["park"], zone_tree["hitech"], zone_tree["econ"]
    a = enterprise(park, 1)
    certify(a, "hnte", dt.date(2023, 5, 1))
    certify(a, "little_giant", dt.date(2025, 2, 1), dt.date(2028, 1, 31))
    b = enterprise(hitech, 2)
    certify(b, "hnte", dt.date(2024, 1, 1))
    c = enterprise(hitech, 3)
    certify(c, "hnte", dt.date(2025, 4, 1))  # added this year
    d = enterprise(park, 4)
    certify(d, "hnte", dt.date(2022, 3, 1))  # expired 2025-02-28: lost this year
    certify(d, "tech_sme", dt.date(2025, 1, 10), dt.date(2025, 12, 31))
    e = enterprise(econ, 5)
    certify(e, "hnte", dt.date(2024, 1, 1))
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_pyramid_counts_additions_losses_and_sub_zones(zone_tree, pyramid_data, today):
    result = services.pyramid(zone_tree["hitech"], today)
    levels = {level.tier: level for level in result.levels}
    assert [level.tier for level in result.levels][0] == "unicorn"  # top first
    assert (levels["hnte"].holders, levels["hnte"].highest) == (3, 2)
    assert (levels["hnte"].added, levels["hnte"].lost) == (1, 1)
    assert (levels["little_giant"].holders, levels["little_giant"].added) == (1, 1)
    assert (levels["tech_sme"].holders, levels["tech_sme"].highest) == (1, 1)
    assert result.enterprises == 4
    ((park, counts),) = result.by_child
    assert park == zone_tree["park"]
    assert counts == {"hnte": 1, "little_giant": 1, "tech_sme": 1}
    whole = services.pyramid(zone_tree["city"], today)
    assert {lv.tier: lv.holders for lv in whole.levels}["hnte"] == 4


def test_tier_filters_match_the_pyramid(zone_tree, pyramid_data, today):
    qs = Enterprise.objects.filter(zone__path__startswith=zone_tree["hitech"].path)
    assert set(services.holding(qs, "hnte", today)) == {
        pyramid_data["a"],
        pyramid_data["b"],
        pyramid_data["c"],
    }
    assert set(services.with_tier(qs, "hnte", today)) == {pyramid_data["b"], pyramid_data["c"]}


def test_scale_up_candidates_with_reasons(zone_tree):
    park = zone_tree["park"]
    reached = enterprise(park, 1)  # TTM = 1500 + 2400 - 1800 = 2100 ≥ 2000
    figure(reached, 2024, 6, 1800)
    figure(reached, 2024, 12, 2400)
    figure(reached, 2025, 6, 1500)
    growing = enterprise(park, 2)  # TTM = 1100 + 1700 - 800 = 2000 - no: 1900 …
    figure(growing, 2024, 6, 800)
    figure(growing, 2024, 12, 1700)
    figure(growing, 2025, 6, 1000)  # TTM 1900 (within 20%), at +25% the year closes at 2125
    slow = enterprise(park, 3)
    figure(slow, 2024, 6, 800)
    figure(slow, 2024, 12, 1700)
    figure(slow, 2025, 6, 820)  # TTM 1720 within 20%, but at +2.5% closes at 1742.5
    already = enterprise(park, 4, above_scale=True)
    figure(already, 2025, 6, 5000)
    retail = enterprise(park, 5, industry="5292")  # retail: threshold 500
    figure(retail, 2025, 6, 600)
    services_firm = enterprise(park, 6, industry="7320")  # R&D services: 1000
    figure(services_firm, 2025, 6, 400)
    qs = Enterprise.objects.all()
    result = {c.enterprise_id: c for c in services.scale_up_candidates(qs)}
    assert set(result) == {reached.pk, growing.pk, retail.pk}
    assert result[reached.pk].ttm_revenue == Decimal("2100")
    assert "2100" in result[reached.pk].reason
    assert result[growing.pk].ttm_revenue == Decimal("1900")
    assert result[growing.pk].yoy == Decimal("25.0")
    assert result[growing.pk].projected == Decimal("2125.00")
    # A smaller margin drops the growing one.
    narrow = services.scale_up_candidates(qs, margin=Decimal("0.04"))
    assert {c.enterprise_id for c in narrow} == {reached.pk, retail.pk}


def test_coverage_and_leave_them_in_peace(zone_tree, users, today):
    park = zone_tree["park"]
    cadre = users["liaison"]
    fresh = enterprise(park, 1, above_scale=True)
    stale = enterprise(park, 2, above_scale=True)
    never = enterprise(park, 3, above_scale=True)
    enterprise(park, 4)  # not above scale: not in the coverage list
    enterprise(park, 5, above_scale=True, status="idle")  # not operating
    Visit.objects.create(enterprise=fresh, cadre=cadre, visited_on=today - dt.timedelta(days=10))
    Visit.objects.create(enterprise=stale, cadre=cadre, visited_on=today - dt.timedelta(days=100))
    qs = Enterprise.objects.all()
    assert set(services.without_recent_visit(qs, 90, today)) == {stale, never}
    assert set(services.without_recent_visit(qs, 5, today)) == {fresh, stale, never}
    for day in (1, 5, 9, 20):
        Visit.objects.create(enterprise=stale, cadre=cadre, visited_on=dt.date(2025, 5, day))
    Visit.objects.create(enterprise=fresh, cadre=cadre, visited_on=dt.date(2025, 5, 2))
    assert list(services.visited_too_often(qs, 3, 2025, 5)) == [stale]
    assert list(services.visited_too_often(qs, 4, 2025, 5)) == []
    assert set(services.visited_too_often(qs, 0, 2025, 5)) == {stale, fresh}


def test_record_visit_rules(zone_tree, users, today):
    ent = enterprise(zone_tree["park"], 1)
    visit = services.record_visit(ent, acting_user=users["liaison"], findings="缺电")
    assert visit.cadre == users["liaison"] and visit.visited_on == today
    with pytest.raises(PermissionDenied):
        services.record_visit(ent, acting_user=users["liaison"], cadre=users["staff"])
    with pytest.raises(PermissionDenied):
        services.record_visit(ent, acting_user=users["leader"])
    with pytest.raises(PermissionDenied):
        services.record_visit(ent, acting_user=users["other_staff"])
    with pytest.raises(ValidationError):
        services.record_visit(
            ent, acting_user=users["staff"], visited_on=today + dt.timedelta(days=1)
        )
    assert Visit.objects.count() == 1


def test_liaison_assignment_and_my_enterprises(zone_tree, users):
    mine = enterprise(zone_tree["park"], 1)
    enterprise(zone_tree["park"], 2)
    other = enterprise(zone_tree["econ"], 3)
    services.assign_liaison(mine, users["liaison"], acting_user=users["staff"])
    assert list(services.my_enterprises(users["liaison"])) == [mine]
    with pytest.raises(ValidationError):
        services.assign_liaison(other, users["liaison"], acting_user=users["admin"])
    with pytest.raises(PermissionDenied):
        services.assign_liaison(mine, users["liaison"], acting_user=users["liaison"])
    assert LiaisonAssignment.objects.count() == 1


def test_cultivation_pool_with_plan_and_notes(zone_tree, users, today):
    ent = enterprise(zone_tree["park"], 1)
    entry = services.add_to_pool(
        ent,
        acting_user=users["liaison"],
        target="scale_up",
        target_year=2025,
        measures=[{"measure": "对接升规奖补政策", "cadre": users["liaison"]}],
    )
    assert entry.measures.count() == 1
    services.add_progress_note(entry, "已提交入统申请", acting_user=users["liaison"])
    entry.refresh_from_db()
    assert entry.progress.endswith("gx_liaison: 已提交入统申请")
    with pytest.raises(ValidationError):
        services.add_to_pool(ent, acting_user=users["staff"], target="scale_up", target_year=2025)
    big = enterprise(zone_tree["park"], 2, above_scale=True)
    with pytest.raises(ValidationError):
        services.add_to_pool(big, acting_user=users["staff"], target="scale_up", target_year=2025)
    with pytest.raises(PermissionDenied):
        services.add_to_pool(ent, acting_user=users["leader"], target="hnte", target_year=2026)
    assert CultivationEntry.objects.count() == 1


def test_idle_revival_moves_and_progress(zone_tree, users, today):
    hitech = zone_tree["hitech"]
    RevivalGoal.objects.create(zone=hitech, year=2025, target=4)
    revivals = [
        IdleRevival.objects.create(
            enterprise=enterprise(zone_tree["park"], i, status="idle"), year=2025
        )
        for i in range(4)
    ]
    staff = users["staff"]
    with pytest.raises(ValidationError):
        services.set_revival_status(revivals[0], "revived", acting_user=staff)  # idle → revived
    services.set_revival_status(revivals[0], "reviving", acting_user=staff)
    services.set_revival_status(revivals[0], "revived", acting_user=staff)
    services.set_revival_status(revivals[1], "exited", acting_user=staff)
    revivals[0].enterprise.refresh_from_db()
    assert revivals[0].enterprise.status == Enterprise.Status.OPERATING
    revivals[1].enterprise.refresh_from_db()
    assert revivals[1].enterprise.status == Enterprise.Status.DEREGISTERED
    progress = services.revival_progress(hitech, 2025)
    assert (progress.target, progress.revived, progress.exited, progress.open) == (4, 1, 1, 2)
    assert progress.remaining == 3
    with pytest.raises(PermissionDenied):
        services.set_revival_status(revivals[2], "reviving", acting_user=users["other_staff"])


def test_month_lock_approve_and_reopen(zone_tree, users, colleague):
    ent = enterprise(zone_tree["park"], 1)
    fig = figure(ent, 2025, 3, 100)
    approval = services.approve_month(zone_tree["hitech"], 2025, 3, acting_user=users["staff"])
    assert services.is_locked(ent, 2025, 3) and not services.is_locked(ent, 2025, 4)
    fig.main_revenue = Decimal(200)
    with pytest.raises(ValidationError):
        services.save_figure(fig, acting_user=users["staff"])
    with pytest.raises(ValidationError):
        services.approve_month(zone_tree["hitech"], 2025, 3, acting_user=users["staff"])
    with pytest.raises(PermissionDenied):
        services.approve_month(zone_tree["econ"], 2025, 3, acting_user=users["staff"])
    with pytest.raises(PermissionDenied):  # 三员分立: no data decision for the administrator
        services.reopen_month(approval, acting_user=users["admin"], reason="更正")
    with pytest.raises(ValidationError):
        services.reopen_month(approval, acting_user=users["staff"], reason=" ")
    services.reopen_month(approval, acting_user=users["staff"], reason="统计局更正数据")
    services.save_figure(fig, acting_user=users["staff"])
    assert MonthlyFigure.objects.get().main_revenue == 200
    changes = ObjectChange.objects.filter(
        object_id=approval.pk, content_type__model="monthapproval"
    )
    assert changes.count() == 2
    assert changes.first().changes["approved"] == {"before": True, "after": False}
    # Approving again re-locks the same record (by a colleague: staff changed a figure).
    again = services.approve_month(zone_tree["hitech"], 2025, 3, acting_user=colleague)
    assert again.pk == approval.pk and MonthApproval.objects.count() == 1


def test_yoy(zone_tree):
    ent = enterprise(zone_tree["park"], 1)
    figure(ent, 2024, 5, 800)
    now = figure(ent, 2025, 5, 1000)
    assert services.figure_yoy(now)["main_revenue"] == Decimal("25.0")
    annotated = services.with_yoy(MonthlyFigure.objects.filter(pk=now.pk)).get()
    assert services.yoy(annotated.main_revenue, annotated.prev_main_revenue) == Decimal("25.0")
    assert services.yoy(Decimal(1), None) is None


def test_liaison_role_rights():
    from zoneops.core.access.permissions import role_may

    class U:
        is_authenticated = is_active = True
        is_superuser = False
        role = Role.LIAISON

    assert role_may(U, "add", Visit) and role_may(U, "add", MonthlyFigure)
    assert not role_may(U, "add", Enterprise)
    assert not role_may(U, "delete", Visit)


def test_a_replaced_evidence_file_is_removed_after_the_commit(
    zone_tree, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from zoneops.enterprises.models import Certification

    settings.MEDIA_ROOT = tmp_path
    cert = certify(enterprise(zone_tree["hitech"], 1), "hnte", dt.date(2024, 1, 1))
    cert.evidence.save("旧证书.pdf", ContentFile(b"%PDF-1.4 old"))
    old = tmp_path / cert.evidence.name
    cert = Certification.objects.get(pk=cert.pk)  # as a form would load it
    with django_capture_on_commit_callbacks(execute=True):
        cert.evidence.save("新证书.pdf", ContentFile(b"%PDF-1.4 new"))
    assert not old.exists() and (tmp_path / cert.evidence.name).exists()


def test_latest_period_is_the_zones_own_even_when_others_report_later(zone_tree):
    from zoneops.enterprises.models import Enterprise

    ours = enterprise(zone_tree["park"], 1)
    theirs = enterprise(zone_tree["econ"], 2)
    for month in (1, 2, 3):
        figure(ours, 2025, month, Decimal("100"))
    for month in range(1, 13):  # another zone is nine months ahead
        figure(theirs, 2025, month, Decimal("100"))
    in_park = Enterprise.objects.filter(zone_id__in=zone_tree["park"].subtree_ids())
    assert services.latest_period(in_park) == (2025, 3)
    assert services.latest_period(Enterprise.objects.all()) == (2025, 12)
    figure(ours, 2025, 11, Decimal("100"))  # two periods back from the newest
    assert services.latest_period(in_park) == (2025, 11)
    assert services.latest_period(Enterprise.objects.none()) is None


def _candidates_by_the_rule(rows, month, margin):
    """The 升规入统 rule stated plainly over (pk, threshold, ytd, full, same) rows: what the
    query must find, in the order it must give."""
    found = []
    for pk, amount, ytd, full, same in rows:
        if ytd is None:
            continue
        if month == 12:
            full = same
        ttm = ytd + full - same if (month != 12 and full is not None and same is not None) else ytd
        projected = full * ytd / same if (full and same) else ytd * 12 / month
        if ttm >= amount or (ttm >= amount * (1 - margin) and projected >= amount):
            found.append((-(ttm / amount), pk))
    return [pk for _ratio, pk in sorted(found)]


@pytest.mark.parametrize("month", [6, 12])
def test_scale_up_candidates_follow_the_rule_at_its_edges(zone_tree, month):
    import random

    rng = random.Random(month)
    park = zone_tree["park"]
    amounts = {"2761": Decimal(2000), "5292": Decimal(500)}

    def cents(low, high):
        return Decimal(rng.randint(int(low * 100), int(high * 100))) / 100

    year = 2025
    rows = []
    for n in range(120):
        industry = "2761" if n % 3 else "5292"
        amount = amounts[industry]
        ent = enterprise(park, n, industry=industry)
        ytd = cents(amount * month / 12 * Decimal("0.6"), amount * month / 12 * Decimal("1.2"))
        same = None if n % 11 == 0 else cents(amount * month / 12 * Decimal("0.6"), amount)
        full = None if same is None else cents(amount * Decimal("0.7"), amount * Decimal("1.1"))
        if n % 17 == 0 and same is not None:
            full = Decimal(0)  # a year without revenue: this year's pace is the projection
        if n % 19 == 0 and same is not None:
            same = -same  # returns larger than sales
        rows.append([ent, amount, ytd, full, same])
    # On the edges: ttm exactly the threshold, a projection exactly the threshold and a cent
    # short of it (ttm within the margin).
    edge = (
        month == 12
        and [(1600, 1000, 1000), (1599.99, 1000, 1000)]
        or [
            (1000, 1600, 800),
            (999.99, 1600, 800),
            (1500, 2400, 1900),
            (1499.99, 2400, 1900),
        ]
    )
    for n, (ytd, full, same) in enumerate(edge, start=200):
        ent = enterprise(park, n, industry="2761")
        rows.append([ent, Decimal(2000), Decimal(str(ytd)), Decimal(full), Decimal(same)])
    for ent, _amount, ytd, full, same in rows:
        figure(ent, year, month, ytd)
        if same is not None:
            figure(ent, year - 1, month, same)
        if full is not None and month != 12:
            figure(ent, year - 1, 12, full)
    plain = [(ent.pk, amount, ytd, full, same) for ent, amount, ytd, full, same in rows]
    qs = Enterprise.objects.all()
    wider = _candidates_by_the_rule(plain, month, Decimal("0.3"))
    assert wider == [
        c.enterprise_id for c in services.scale_up_candidates(qs, margin=Decimal("0.3"))
    ]
    for margin in (Decimal("0.2"), Decimal("0.05")):
        expected = _candidates_by_the_rule(plain, month, margin)
        found = services.scale_up_candidates(qs, year=year, month=month, margin=margin)
        assert [c.enterprise_id for c in found] == expected
        # Read from the roll-up (the latest month) and worked out from the figures alike.
        assert found._count_apart
        base = scale.scale_up_base(qs)
        worked_out = scale.worked_out_candidates(base, year, month, margin)
        assert [c.enterprise_id for c in worked_out] == expected
        # Every enterprise of the zones: the roll-up's rows alone, a zone's or all.
        for within in (None, [park.pk]):
            whole = scale.zone_candidates(within, year, month, margin)
            assert [c.enterprise_id for c in whole] == expected
        assert list(scale.zone_candidates([zone_tree["econ"].pk], year, month, margin)) == []
        assert [vars(c) for c in worked_out[:20]] == [vars(c) for c in found[:20]]
        assert len(found) == len(expected) and 5 < len(expected) < len(rows)
        # Pages read a slice at a time give the same list, and the count comes with a page.
        fresh = services.scale_up_candidates(qs, year=year, month=month, margin=margin)
        pages = [c.enterprise_id for start in range(0, 200, 7) for c in fresh[start : start + 7]]
        assert pages == expected and len(fresh) == len(expected)
        assert [c.enterprise_id for c in found[-3:]] == expected[-3:]
        assert found[len(expected) - 1].enterprise_id == expected[-1]
        chunks = list(found.chunks(size=4))
        assert [c.enterprise_id for chunk in chunks for c in chunk] == expected
        assert {len(chunk) for chunk in chunks[:-1]} == {4}
        if month == 6 and margin == Decimal("0.2"):
            edges = [ent.pk for ent, *_figures in rows[-4:]]
            assert set(expected) & set(edges) == {edges[0], edges[2]}  # a cent short is not
