"""Demo investment attraction for 吉林高新区 2024 (seed 002) and the targets the articles set.

Targets from the articles: 吉林高新区 2024 — 30 signed-and-landed projects and 116亿 of funds in
place (seed 002); 吉林高新区 2023 — 84亿 of funds in place (seed 003); 长春新区 2024 — 50
projects of ≥10亿 started (seed 001, "三个五"). The leads, signings, events and monthly funds
are synthetic, and their ``source`` says so.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from zoneops.core.models import Zone
from zoneops.core.ops.demo import S001, S002, S003
from zoneops.investment import services
from zoneops.investment.models import (
    AnnualTarget,
    Event,
    FundsInPlace,
    Lead,
    Signing,
    StageChange,
)
from zoneops.projects.models import Project

SYNTHETIC = "演示数据（虚构）：细节为演示编造"
TARGETS = [
    ("JLGX", 2024, {"signed_landed": 30, "funds_in_place": Decimal("1160000")}, S002),
    ("JLGX", 2023, {"funds_in_place": Decimal("840000")}, S003),
    ("CCXQ", 2024, {"big_projects_started": 50}, S001),
]
REGIONS = [
    "110108",
    "120116",
    "130100",
    "310115",
    "320500",
    "330100",
    "440300",
    "440100",
    "441900",
    "220100",
    "370200",
]
METHODS = ["chain", "resident", "business", "chain", "event", "door"]
STAGES = ["lead", "contact", "visit", "negotiation", "terminated"]


def seed() -> str:
    zones = {z.code: z for z in Zone.objects.filter(code__in=["JLGX", "CCXQ"])}
    if not zones:
        return "no demo zones"
    targets = 0
    for code, year, values, source in TARGETS:
        if code in zones:
            _target, created = AnnualTarget.objects.get_or_create(
                zone=zones[code], year=year, defaults=values | {"source": source}
            )
            targets += created
    leads = seed_leads(zones["JLGX"]) if "JLGX" in zones else 0
    return f"{targets} targets, {leads} leads created"


@transaction.atomic
def seed_leads(zone: Zone) -> int:
    """The synthetic leads of the demo zone: 22 that landed as its new 2024 key projects (signed
    at the conference, the forum or on their own; one signed twice, one with a capital
    increase), and 14 still in the pipeline. Once: a second run creates nothing. The draws of
    the seeded generator keep one order (the landed leads, then the open ones), so the demo is
    the same every time."""
    if Lead.objects.filter(zone=zone, source__startswith=SYNTHETIC).exists():
        return 0
    rng = random.Random(116)
    conference, forum = _events(zone)
    # New 2024 key projects came from investment leads: 22 of them landed (synthetic).
    landed_projects = list(
        Project.objects.filter(code__startswith="JLGX-2024-", type="new").order_by("code")[:22]
    )
    for index, project in enumerate(landed_projects):
        event = conference if index % 3 == 0 else (forum if index % 3 == 1 else None)
        _landed_lead(zone, index, project, event, forum, rng)
    for index in range(14):
        _open_lead(zone, index, rng)
    return len(landed_projects) + 14


def _events(zone: Zone) -> tuple[Event, Event]:
    """The zone's 2024 investment conference and industry forum, where leads are signed."""
    conference = Event.objects.create(
        name="2024吉林高新区招商发布会",
        zone=zone,
        kind="conference",
        date=dt.date(2024, 4, 18),
        location="吉林高新区",
        source=f"{S002} (活动); {SYNTHETIC}",
    )
    forum = Event.objects.create(
        name="2024吉林高新区电力电子产业论坛",
        zone=zone,
        kind="forum",
        date=dt.date(2024, 9, 12),
        location="吉林高新区",
        source=f"{S002} (活动); {SYNTHETIC}",
    )
    return conference, forum


def _sign(lead: Lead, event: Event | None, signed_on: dt.date, amount, **extra) -> Signing:
    """A signing, counted (or not: a repeat at another event) by ``services.recount``."""
    signing = Signing(
        lead=lead, event=event, signed_on=signed_on, amount=amount, source=SYNTHETIC, **extra
    )
    services.recount(lead, pending=signing)
    signing.save()
    return signing


def _landed_lead(zone, index: int, project, event, forum, rng) -> Lead:
    """A lead received in 2023 that became ``project``: signed (at ``event``, or on a day of
    its own), its stages up to registered, landed a month later, and its funds in place month
    by month from the signing. The fifth is signed again at the forum (which counts nothing),
    the eighth gets a capital increase there (which counts only the increase)."""
    received = dt.date(2023, rng.randint(6, 12), rng.randint(1, 28))
    lead = make_lead(
        zone, project.name, project.owner_name, project.chain, received, rng,
        intended=project.total_investment,
    )  # fmt: skip
    signed_on = event.date if event else dt.date(2024, rng.randint(1, 11), rng.randint(1, 28))
    _sign(lead, event, signed_on, project.total_investment)
    if index == 4:
        _sign(lead, forum, forum.date, project.total_investment)
    if index == 7:
        _sign(lead, forum, forum.date, project.total_investment + 20000, is_capital_increase=True)
    landed_on = signed_on + dt.timedelta(days=30)
    stage_history(
        lead,
        ["contact", "visit", "negotiation", "signed", "registered"],
        received,
        signed_on,
        landed_on,
    )
    Lead.objects.filter(pk=lead.pk).update(
        project=project, landed_on=min(landed_on, dt.date(2024, 12, 31))
    )
    funds = []
    for month in range(max(signed_on.month, 1), 13):
        share = Decimal(str(0.04 + rng.random() * 0.05))
        amount = (project.total_investment * share).quantize(Decimal("1"))
        funds.append(
            FundsInPlace(lead=lead, year=2024, month=month, amount=amount, source=SYNTHETIC)
        )
    FundsInPlace.objects.bulk_create(funds)
    return lead


# The stages an open lead went through to reach its own.
OPEN_PATHS = {
    "lead": [],
    "contact": ["contact"],
    "visit": ["contact", "visit"],
    "negotiation": ["contact", "visit", "negotiation"],
    "terminated": ["contact", "terminated"],
}


def _open_lead(zone, index: int, rng) -> Lead:
    """A synthetic lead received in late 2024, in each stage of the pipeline in turn."""
    stage = STAGES[index % len(STAGES)]
    received = dt.date(2024, rng.randint(8, 12), rng.randint(1, 28))
    lead = make_lead(
        zone,
        f"招商线索{index + 1:02d}（合成）",
        f"合成投资公司{index + 1}",
        rng.choice(["电力电子", "医药健康", "空天信息", "氢能"]),
        received,
        rng,
        intended=Decimal(rng.randint(5, 120) * 1000),
    )
    stage_history(lead, OPEN_PATHS[stage], received, received + dt.timedelta(days=40), None)
    return lead


def make_lead(zone, name, company, chain, received, rng, *, intended) -> Lead:
    lead = Lead(
        name=name,
        zone=zone,
        investor_company=company,
        contact_name=rng.choice(["王经理", "陈总", "李总监", "赵经理"]),
        contact_phone=f"139{rng.randint(10000000, 99999999)}",
        source_division=rng.choice(REGIONS),
        industry=chain,
        chain=chain,
        method=rng.choice(METHODS),
        intended_investment=intended,
        received_on=received,
        source=f"{SYNTHETIC}; {S002} (产业链招商、驻点招商、以商招商; 京津冀、长三角、珠三角)",
    )
    return services.save_lead(lead, acting_user=None)


def stage_history(lead, path, start, end, landed_on) -> None:
    """Dated stage changes spread between ``start`` and ``end`` (synthetic)."""
    steps = len(path)
    previous = lead.stage
    day = start
    for number, stage in enumerate(path, start=1):
        day = (
            landed_on
            if stage == "registered" and landed_on
            else (start + (end - start) * number / (steps + 1))
        )
        day = min(day, dt.date(2024, 12, 31))
        StageChange.objects.create(
            lead=lead,
            from_stage=previous,
            to_stage=stage,
            changed_on=day,
            comment="投资方战略调整" if stage == "terminated" else "",
            source=SYNTHETIC,
        )
        previous = stage
    if path:
        order = [s for s in Lead.Stage.values]
        reached = max(order.index(s) for s in path if s != "terminated")
        Lead.objects.filter(pk=lead.pk).update(
            stage=path[-1],
            stage_changed_on=day,
            stage_reached=reached,
            first_contact_on=lead.first_contact_due,
            assessed_on=lead.assessment_due,
            terminated_reason="投资方战略调整" if path[-1] == "terminated" else "",
        )
