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
                        zone_id=enterprise.zone_id,
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


# In the database (PostgreSQL, ``zoneops generate`` at province scale) ---------------------------

BULK_MODELS = (Enterprise, Certification, MonthlyFigure)
# Enterprises a statement makes (and commits): 100,000 enterprises are 3.6 million figures.
CHUNK = 100_000


def expected_rows(options) -> int:
    count = options.get("enterprises") or 0
    return count * (1 + (options.get("months") or 0)) + int(
        count * sum(share for _k, share, _l, _y in CERT_SHARES)
    )


def _uscc_sql(serial: str) -> str:
    """SQL for ``synthetic_code(serial)``: the GB 32100 check character computed in the row."""
    prefix = "91990000"
    fixed = sum(
        uscc.VALUES[char] * weight for char, weight in zip(prefix, uscc.WEIGHTS[:8], strict=True)
    )
    digits = " + ".join(
        f"mod({serial} / {10 ** (8 - j)}, 10) * {uscc.WEIGHTS[8 + j]}" for j in range(9)
    )
    return (
        f"'{prefix}' || lpad(({serial})::text, 9, '0') || substr('{uscc.CHARSET}', "
        f"1 + mod(31 - mod({fixed} + {digits}, 31), 31)::int, 1)"
    )


def generate_in_database(options, *, loader, zones: list[Zone]) -> str:
    """The rows ``create_enterprises`` makes, made by PostgreSQL (``zoneops.core.ops.bulkload``):
    the same fields and shares, year-to-date figures growing year on year, certifications with
    their tier rank and expiry. Values are drawn from the seed, not from Python's generator.

    Ids are given (gaps allowed: an id per enterprise and kind), so the statements of a table
    run at once, a chunk of enterprises each; certifications and figures know their
    enterprise's id from its number ``n``."""
    count = options.get("enterprises") or 0
    months = options.get("months") or 0
    if not zones or count <= 0:
        return "no enterprises"
    source = f"synthetic: zoneops generate --seed {options.get('seed', 1)}"
    places, chain_ids = _places_and_chains(zones, source)
    today = timezone.localdate()
    periods = months_back(months, dt.date(today.year, today.month, 1) - dt.timedelta(days=1))
    first_id = loader.next_id(Enterprise)
    first_figure = loader.next_id(MonthlyFigure)
    first_certification = loader.next_id(Certification)
    common = {"source": source, "id": first_id}
    chunks = list(loader.chunks(count, max(1000, min(CHUNK, -(-count // 8)))))

    def statements(sql: str, params: dict) -> list[tuple[str, dict]]:
        return [(sql, {**common, "first": lo, "last": hi, **params}) for lo, hi in chunks]

    made_enterprises = loader.parallel(
        "enterprises",
        statements(
            _enterprises_sql(loader, options.get("serial", 0), len(places["id"])),
            _enterprise_params(places, chain_ids),
        ),
    )
    made_certifications = loader.parallel(
        "certifications",
        statements(
            _certifications_sql(loader, len(places["id"])),
            {**_certification_params(today, first_certification), "places": places["id"]},
        ),
    )
    made_figures = 0
    if periods:
        made_figures = loader.parallel(
            "monthly figures",
            statements(_figures_sql(loader, periods), _figure_params(periods, first_figure)),
        )
    for model in BULK_MODELS:
        loader.reset_sequence(model)
    return (
        f"{made_enterprises} enterprises, {made_certifications} certifications, "
        f"{made_figures} monthly figures"
    )


def _places_and_chains(zones: list[Zone], source: str) -> tuple[dict[str, list], list[int]]:
    """Every zone's subtree in path order (id, which top zone, centre) as arrays a statement
    indexes, and each top zone's six industrial chains (made once, as ``_enterprises`` does)."""
    places: dict[str, list] = {"id": [], "top": [], "lon": [], "lat": []}
    chain_ids = []
    for top, zone in enumerate(zones):
        for name in CHAINS:
            chain_ids.append(
                IndustrialChain.objects.get_or_create(
                    zone=zone, name=name, defaults={"source": source}
                )[0].pk
            )
        for place in zone.subtree().order_by("path"):
            lon0, lat0 = _centre(place)
            for key, value in zip(places, (place.pk, top, lon0, lat0), strict=True):
                places[key].append(value)
    return places, chain_ids


def _enterprise_params(places: dict[str, list], chain_ids: list[int]) -> dict:
    """The places, chains and industries (each repeated by its weight) the enterprises draw."""
    industries = code_map()
    weighted = [
        industries[code] for code, weight in INDUSTRIES if code in industries for _ in range(weight)
    ]
    return {
        "places": places["id"],
        "tops": places["top"],
        "lat": places["lat"],
        "lon": places["lon"],
        "chains": chain_ids,
        "industries": weighted,
        "weights": len(weighted),
    }


def _enterprises_sql(loader, serial_start: int, place_count: int) -> str:
    """Enterprise ``n``: its valid synthetic USCC and name, a place in turn, half in a chain of
    its top zone, its drawn founding day, capital, status, scale, industry and position."""
    u, i = loader.u, loader.i
    serial = f"({serial_start} + n)"
    place = f"(1 + mod(n, {place_count}))"
    return f"""
        INSERT INTO enterprises_enterprise (id, created_at, updated_at, source, uscc,
            name, address, founded_on, registered_capital, is_chain_leader, status,
            above_scale, above_scale_since, zone_id, chain_id, industry_id, latitude,
            longitude)
        SELECT %(id)s + n, now(), now(), %(source)s, {_uscc_sql(serial)},
            '合成企业' || CASE WHEN {serial} < 1000000
                          THEN lpad({serial}::text, 6, '0') ELSE {serial}::text END,
            '', make_date({i("n", 3, 1995, 2023)}, {i("n", 4, 1, 12)},
                          {i("n", 5, 1, 28)}),
            {i("n", 6, 50, 50000)}, chained AND {u("n", 7)} < 0.01,
            CASE WHEN {u("n", 8)} < 0.97 THEN 'operating' ELSE 'idle' END,
            {u("n", 9)} < 0.25, NULL, (%(places)s::bigint[])[{place}],
            CASE WHEN chained THEN (%(chains)s::bigint[])[
                (%(tops)s::int[])[{place}] * 6 + 1 + floor({u("n", 2)} * 6)::int] END,
            (%(industries)s::bigint[])[1 + floor({u("n", 10)} * %(weights)s)::int],
            round(((%(lat)s::float8[])[{place}] + ({u("n", 12)} - 0.5) * 0.11)::numeric,
                  6),
            round(((%(lon)s::float8[])[{place}] + ({u("n", 11)} - 0.5) * 0.16)::numeric,
                  6)
        FROM (SELECT n, {u("n", 1)} < 0.5 AS chained
              FROM generate_series(%(first)s::bigint, %(last)s::bigint) n) g
        """


def _certification_params(today: dt.date, first_certification: int) -> dict:
    """The kinds of ``CERT_SHARES`` as arrays; ``salts`` are the draws each kind uses."""
    return {
        "today": today,
        "kinds": [kind for kind, *_ in CERT_SHARES],
        "shares": [share for _k, share, _l, _y in CERT_SHARES],
        "levels": [level for _k, _s, level, _y in CERT_SHARES],
        "years": [years for *_x, years in CERT_SHARES],
        "ranks": [TIER_RANK[kind] for kind, *_ in CERT_SHARES],
        "salts": [14 + k for k in range(len(CERT_SHARES))],
        "kinds_count": len(CERT_SHARES),
        "certification": first_certification,
    }


def _certifications_sql(loader, place_count: int) -> str:
    """Each kind held by its share of the enterprises, issued within its years before today,
    expiring the day before its anniversary; its id from the enterprise's number and kind, its
    zone the enterprise's (its place, as ``_enterprises_sql`` draws it)."""
    u, i = loader.u, loader.i
    return f"""
        INSERT INTO enterprises_certification (id, created_at, updated_at, source, kind,
            level, certificate_no, issued_on, expires_on, evidence, rank, enterprise_id,
            zone_id)
        SELECT %(certification)s + n * %(kinds_count)s + k.salt - 14, now(), now(),
            %(source)s, k.kind, k.level, '', d.issued,
            (d.issued + make_interval(years => k.years))::date - 1, '', k.rank,
            %(id)s + n, (%(places)s::bigint[])[1 + mod(n, {place_count})]
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) n
        CROSS JOIN unnest(%(kinds)s::text[], %(shares)s::float8[], %(levels)s::text[],
                          %(years)s::int[], %(ranks)s::int[], %(salts)s::int[])
            AS k(kind, share, level, years, rank, salt)
        CROSS JOIN LATERAL (SELECT %(today)s::date
            - {i("n", "k.salt + 6", 30, "365 * k.years - 1")} AS issued) d
        WHERE {u("n", "k.salt")} < k.share
        """


def _figure_params(periods: list[tuple[int, int]], first_figure: int) -> dict:
    """The months as arrays: year, month, years since the first, and the month's place."""
    return {
        "figure": first_figure,
        "ys": [year for year, _m in periods],
        "ms": [month for _y, month in periods],
        "yk": [year - periods[0][0] for year, _m in periods],
        "ks": list(range(len(periods))),
    }


def _figures_sql(loader, periods: list[tuple[int, int]]) -> str:
    """Each enterprise's draws once (the fences keep the planner from recomputing them per
    month), then a row per month: ids in the order of enterprise and month."""
    u, i = loader.u, loader.i
    return f"""
        INSERT INTO enterprises_monthlyfigure (id, created_at, updated_at, source, year,
            month, main_revenue, output_value, tax_paid, employees, rd_expense,
            energy_use, enterprise_id)
        SELECT x.id, now(), now(), %(source)s, x.y, x.m, x.ytd, round(x.ytd * 0.9, 2),
            round(x.ytd * 0.04, 2), x.employees, round(x.ytd * 0.03, 2),
            round(x.ytd * 0.02, 2), x.enterprise_id
        FROM (
            SELECT %(figure)s + e.n * {len(periods)} + p.k AS id, e.n + %(id)s
                AS enterprise_id, e.employees, p.y, p.m,
                round(e.annual * power(1 + e.growth, p.years) * p.m / 12, 2) AS ytd
            FROM (SELECT n,
                    -- annual revenue in 万元: lognormal, most small, a long tail
                    round(exp(6.5 + 1.3 * {loader.normal("n", 30)})::numeric, 2) AS annual,
                    round((-0.15 + 0.5 * {u("n", 32)})::numeric, 3) AS growth,
                    {i("n", 33, 5, 800)} AS employees
                  FROM generate_series(%(first)s::bigint, %(last)s::bigint) n
                  OFFSET 0) e
            CROSS JOIN unnest(%(ys)s::int[], %(ms)s::int[], %(yk)s::int[],
                              %(ks)s::int[]) AS p(y, m, years, k)
            OFFSET 0) x
        """


def _centre(place: Zone) -> tuple[float, float]:
    """The centre ``synthetic_point`` spreads a zone's (or its park's) points around."""
    from zoneops.core.zones.geo import synthetic_centre

    return synthetic_centre(place)
