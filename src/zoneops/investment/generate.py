"""Deterministic synthetic investment leads for benchmarks (``zoneops generate``).

Bulk written, not audited; every record's ``source`` says it is synthetic.
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from zoneops.core.audit import bulk
from zoneops.core.models import Zone
from zoneops.core.ops.generate import Dates
from zoneops.investment.models import STAGE_ORDER, FundsInPlace, Lead, Signing
from zoneops.investment.regions import region_of

BATCH = 2000
REGIONS = ["110108", "310115", "320500", "330100", "440300", "441900", "220100", "510100"]


def add_arguments(parser) -> None:
    parser.add_argument("--leads", type=int, default=500, help="investment leads (default 500)")


def generate(options, *, rng: random.Random, zones: list[Zone], stdout) -> str:
    count = options.get("leads") or 0
    if not zones or count <= 0:
        return "no leads"
    source = f"synthetic: zoneops generate --seed {options.get('seed', 1)}"
    today = timezone.localdate()
    stages = [s for s in Lead.Stage.values]
    dates = Dates()  # the calendar memoised: a province asks it 100,000 times
    made = [0, 0, 0]
    for first in range(0, count, BATCH):
        # A batch at a time: memory stays the same whatever the count.
        leads = []
        for index in range(first, min(count, first + BATCH)):
            received = today - dt.timedelta(days=rng.randint(5, 300))
            stage = rng.choice(stages)
            division = rng.choice(REGIONS)
            lead = Lead(
                name=f"合成招商项目{index + 1}",
                zone=zones[index % len(zones)],
                investor_company=f"合成投资公司{index + 1}",
                contact_name="合成联系人",
                contact_phone=f"139{index:08d}",
                source_division=division,
                source_region=region_of(division),
                method=rng.choice(Lead.Method.values),
                intended_investment=Decimal(rng.randint(1, 200) * 1000),
                stage=stage,
                stage_changed_on=received + dt.timedelta(days=rng.randint(0, 4)),
                stage_reached=STAGE_ORDER[stage] if stage != "terminated" else 1,
                terminated_reason="合成:投资方放弃" if stage == "terminated" else "",
                received_on=received,
                first_contact_due=dates.add(received, 1),
                assessment_due=dates.add(received, 3),
                first_contact_on=received if stage != "lead" else None,
                source=source,
            )
            leads.append(lead)
        Lead.objects.bulk_create(leads, batch_size=BATCH)
        # Signings and monthly funds through the one bulk writer (COPY on PostgreSQL): a
        # province has 200,000 of them, too many for bulk_create.
        signings, funds = [], []
        for lead in leads:
            if lead.stage not in ("signed", "registered", "started"):
                continue
            amount = lead.intended_investment
            signings.append((lead.pk, lead.stage_changed_on, amount, True, amount, source))
            for month in range(1, today.month):
                funds.append(
                    (lead.pk, today.year, month, (amount / 20).quantize(Decimal("1")), source)
                )
        bulk.insert(
            Signing,
            ("lead_id", "signed_on", "amount", "counted", "counted_amount", "source"),
            signings,
        )
        bulk.insert(FundsInPlace, ("lead_id", "year", "month", "amount", "source"), funds)
        made = [made[0] + len(leads), made[1] + len(signings), made[2] + len(funds)]
    return f"{made[0]} leads, {made[1]} signings, {made[2]} monthly funds"
