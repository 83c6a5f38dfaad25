"""Deterministic synthetic enterprises, certifications and monthly figures (``zoneops generate``).

Benchmark data: written with ``bulk_create`` in batches. It is not put in the audit trail
(nobody changed anything; auditing a million synthetic rows would only double the time), and
every record's ``source`` says it is synthetic.
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from zoneops.core.models import Zone
from zoneops.core.zones.geo import synthetic_point
from zoneops.enterprises import uscc
from zoneops.enterprises.industries import code_map
from zoneops.enterprises.models import (
    TIER_RANK,
    Certification,
    Enterprise,
    IndustrialChain,
    MonthlyFigure,
    add_years,
)

BATCH = 5000
# Industries common in development zones, with a weight each.
INDUSTRIES = [
    ("2761", 6),
    ("2720", 5),
    ("3670", 10),
    ("3976", 6),
    ("3973", 3),
    ("4040", 5),
    ("3581", 4),
    ("3491", 3),
    ("6513", 10),
    ("6520", 2),
    ("7320", 6),
    ("5292", 5),
    ("5261", 3),
    ("6210", 4),
    ("7020", 3),
    ("3985", 3),
    ("1492", 2),
    ("3841", 3),
    ("51", 6),
    ("52", 4),
    ("2669", 3),
]
CHAINS = ["汽车及零部件", "生物医药", "光电信息", "新材料", "先进装备制造", "氢能"]
# Share of enterprises holding a valid certification of each kind (roughly a hi-tech zone's).
CERT_SHARES = [
    ("tech_sme", 0.30, "provincial", 1),
    ("hnte", 0.12, "national", 3),
    ("srdi", 0.03, "provincial", 3),
    ("little_giant", 0.006, "national", 3),
    ("gazelle", 0.004, "provincial", 1),
    ("unicorn", 0.0002, "national", 1),
]


def add_arguments(parser) -> None:
    parser.add_argument(
        "--enterprises", type=int, default=1000, help="enterprises in all (default 1000)"
    )
    parser.add_argument(
        "--months", type=int, default=12, help="months of figures per enterprise (default 12)"
    )


def synthetic_code(serial: int, division: str = "990000") -> str:
    """A valid, unmistakably synthetic USCC (division 990000 does not exist)."""
    return uscc.make(f"91{division}{serial:09d}")


def months_back(count: int, last: dt.date) -> list[tuple[int, int]]:
    year, month = last.year, last.month
    periods = []
    for _ in range(count):
        periods.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(periods))


def generate(options, *, rng: random.Random, zones: list[Zone], stdout) -> str:
    count = options.get("enterprises") or 0
    months = options.get("months") or 0
    if not zones or count <= 0:
        return "no enterprises"
    source = f"synthetic: zoneops generate --seed {options.get('seed', 1)}"
    totals = create_enterprises(
        zones, count, months, rng=rng, source=source, serial_start=options.get("serial", 0)
    )
    return f"{totals[0]} enterprises, {totals[1]} certifications, {totals[2]} monthly figures"


def create_enterprises(
    zones: list[Zone],
    count: int,
    months: int,
    *,
    rng: random.Random,
    source: str,
    serial_start: int = 0,
    last: dt.date | None = None,
) -> tuple[int, int, int]:
    """``count`` enterprises spread over ``zones`` and their sub-zones, with certifications
    and ``months`` months of year-to-date figures ending with the month before ``last``.

    The steps draw from ``rng`` in turn (every enterprise, then every certification, then
    every enterprise's figures): the same seed gives the same data only in this order."""
    today = last or timezone.localdate()
    enterprises = _enterprises(zones, count, rng=rng, source=source, serial_start=serial_start)
    for start in range(0, len(enterprises), BATCH):
        Enterprise.objects.bulk_create(enterprises[start : start + BATCH])
    certs = _certifications(enterprises, today, rng=rng, source=source)
    for start in range(0, len(certs), BATCH):
        Certification.objects.bulk_create(certs[start : start + BATCH])
    periods = months_back(months, dt.date(today.year, today.month, 1) - dt.timedelta(days=1))
    figures = _write_figures(enterprises, periods, rng=rng, source=source)
    return len(enterprises), len(certs), figures


def _enterprises(zones, count: int, *, rng, source: str, serial_start: int) -> list[Enterprise]:
    """The enterprises (unsaved), over every zone's subtree in turn, each zone with the usual
    industrial chains (made once)."""
    industries = code_map()
    codes = [code for code, weight in INDUSTRIES if weight and code in industries]
    weights = [weight for code, weight in INDUSTRIES if weight and code in industries]
    places = []
    chains = {}
    for zone in zones:
        chains[zone.pk] = [
            IndustrialChain.objects.get_or_create(
                zone=zone, name=name, defaults={"source": source}
            )[0]
            for name in CHAINS
        ]
        for place in zone.subtree():
            places.append((place, zone.pk))
    enterprises = []
    for i in range(count):
        place, top = places[i % len(places)]
        serial = serial_start + i
        chain = rng.choice(chains[top]) if rng.random() < 0.5 else None
        longitude, latitude = synthetic_point(place, serial, "enterprise")
        enterprises.append(
            Enterprise(
                uscc=synthetic_code(serial),
                name=f"合成企业{serial:06d}",
                zone=place,
                industry_id=industries[rng.choices(codes, weights)[0]],
                chain=chain,
                is_chain_leader=chain is not None and rng.random() < 0.01,
                status="operating" if rng.random() < 0.97 else "idle",
                above_scale=rng.random() < 0.25,
                founded_on=dt.date(rng.randint(1995, 2023), rng.randint(1, 12), rng.randint(1, 28)),
                registered_capital=Decimal(rng.randint(50, 50000)),
                longitude=longitude,
                latitude=latitude,
                source=source,
            )
        )
    return enterprises


def _certifications(enterprises, today: dt.date, *, rng, source: str) -> list[Certification]:
    """Certifications in the shares of ``CERT_SHARES``, each valid on ``today``; their rank is
    set here, as ``bulk_create`` skips the ``save()`` that sets it."""
    certs = []
    for enterprise in enterprises:
        for kind, share, level, years in CERT_SHARES:
            if rng.random() < share:
                issued = today - dt.timedelta(days=rng.randint(30, 365 * years - 1))
                certs.append(
                    Certification(
                        enterprise=enterprise,
                        kind=kind,
                        level=level,
                        issued_on=issued,
                        expires_on=add_years(issued, years) - dt.timedelta(days=1),
                        rank=TIER_RANK[kind],
                        source=source,
                    )
                )
    return certs


def _write_figures(enterprises, periods, *, rng, source: str) -> int:
    """Each enterprise's year-to-date figures for ``periods``, written a batch at a time (a
    million rows are not held at once); the number written."""
    figures = 0
    batch = []
    for enterprise in enterprises:
        # Annual revenue in 万元: most small, a long tail of large ones; growth per year.
        annual = Decimal(str(round(rng.lognormvariate(6.5, 1.3), 2)))
        growth = Decimal(str(round(rng.uniform(-0.15, 0.35), 3)))
        employees = rng.randint(5, 800)
        for year, month in periods:
            base = annual * (1 + growth) ** (year - periods[0][0])
            ytd = (base * month / 12).quantize(Decimal("0.01"))
            batch.append(
                MonthlyFigure(
                    enterprise_id=enterprise.pk,
                    year=year,
                    month=month,
                    main_revenue=ytd,
                    output_value=(ytd * Decimal("0.9")).quantize(Decimal("0.01")),
                    tax_paid=(ytd * Decimal("0.04")).quantize(Decimal("0.01")),
                    employees=employees,
                    rd_expense=(ytd * Decimal("0.03")).quantize(Decimal("0.01")),
                    energy_use=(ytd * Decimal("0.02")).quantize(Decimal("0.01")),
                    source=source,
                )
            )
            if len(batch) >= BATCH:
                MonthlyFigure.objects.bulk_create(batch)
                figures += len(batch)
                batch = []
    if batch:
        MonthlyFigure.objects.bulk_create(batch)
        figures += len(batch)
    return figures
