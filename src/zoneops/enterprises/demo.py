"""Demo enterprises: the seed articles' enterprises and figures, filled up with synthetic ones.

长春高新区 has "631家高新技术企业、19家国家级专精特新'小巨人'企业" (seed 000): the named
enterprises plus synthetic ones (their ``source`` says so) make those counts exact. The USCCs of
all demo enterprises are synthetic but valid (GB 32100-2015); the real ones are not on file.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zoneops.core.audit import bulk as audit_bulk
from zoneops.core.models import User, Zone
from zoneops.core.ops.demo import S000, S002, S003, S004
from zoneops.enterprises import rollups, uscc
from zoneops.enterprises.models import (
    Certification,
    CultivationEntry,
    Enterprise,
    IdleRevival,
    IndustrialChain,
    Industry,
    LiaisonAssignment,
    MonthlyFigure,
    RevivalGoal,
    SupportMeasure,
    Visit,
    add_years,
)

SYNTHETIC = "演示数据（虚构）：企业演示数据"
HNTE_TOTAL = 631  # seed 000
LITTLE_GIANTS = 19  # seed 000
CHAINS = {
    "CCGX": ["汽车及零部件", "生物医药", "光电信息", "新材料", "先进装备制造", "氢能"],
    "CCJK": ["汽车及零部件", "光电信息", "生物医药"],
    "JLGX": ["电子信息", "氢能装备制造", "医药健康"],
}
CHAIN_SOURCE = {"CCGX": S000, "CCJK": S004, "JLGX": S003}
# name, zone, industry, chain, chain leader, certification kinds, note for the source
ARTICLE_ENTERPRISES = [
    ("长春金赛药业有限责任公司", "CCGX", "2761", "生物医药", True, ["hnte"], S000),
    ("吉林奥来德光电材料股份有限公司", "CCGX", "3985", "光电信息", False, ["hnte"], S000),
    ("长春长光辰芯微电子股份有限公司", "CCJK", "3976", "光电信息", True, ["hnte"], S004),
    ("吉林华微电子股份有限公司", "JLGX", "3972", "电子信息", True, ["hnte"], S003),
]


def code(serial: int, division: str = "220173") -> str:
    return uscc.make(f"91{division}MA{serial:07d}")


@transaction.atomic
def seed() -> str:
    zones = {z.code: z for z in Zone.objects.filter(code__in=["CCGX", "CCJK", "JLGX"])}
    if len(zones) < 3:
        return "zones missing"
    rng = random.Random(2025)
    today = timezone.localdate()
    industries = dict(Industry.objects.values_list("code", "pk"))
    chains = {}
    for zone_code, names in CHAINS.items():
        for name in names:
            chains[(zone_code, name)] = IndustrialChain.objects.get_or_create(
                zone=zones[zone_code], name=name, defaults={"source": CHAIN_SOURCE[zone_code]}
            )[0]
    created = 0
    named = []
    for serial, (name, zone_code, industry, chain, leader, kinds, source) in enumerate(
        ARTICLE_ENTERPRISES, start=1
    ):
        enterprise, new = Enterprise.objects.get_or_create(
            uscc=code(serial),
            defaults={
                "name": name,
                "zone": zones[zone_code],
                "industry_id": industries[industry],
                "chain": chains[(zone_code, chain)],
                "is_chain_leader": leader,
                "above_scale": True,
                "source": f"{source}；统一社会信用代码虚构",
            },
        )
        created += new
        named.append(enterprise)
        if new:
            for kind in kinds:
                issued = today - dt.timedelta(days=400 + serial * 30)
                Certification.objects.create(
                    enterprise=enterprise,
                    kind=kind,
                    level="national",
                    issued_on=issued,
                    source=f"{source}；日期虚构",
                )
    hnte_named = sum(1 for e in named if e.zone.code == "CCGX")
    created += _synthetic_hightech(zones["CCGX"], HNTE_TOTAL - hnte_named, rng, today, industries)
    _liaison_demo(zones["CCGX"], named, today)
    _idle_demo(zones["JLGX"], rng, industries)
    _pyramid_demo(zones["CCGX"], today, industries)
    _figures_demo(zones["CCGX"], named, rng, today, industries)
    _renew_certifications(today)
    from zoneops.core.ops.demo import place_demo_points

    place_demo_points(Enterprise)
    # Enterprises and figures were written in bulk, past the roll-up's signals.
    rollups.touch_all_zones()
    return f"{created} enterprises created"


def _synthetic_hightech(zone, count, rng, today, industries) -> int:
    """Synthetic 高新技术企业 of 长春高新区; the first 19 are also national 小巨人."""
    if Enterprise.objects.filter(uscc=code(1000)).exists():
        return 0
    codes = ["2761", "2720", "3670", "3976", "3985", "4040", "3581", "6513", "7320", "3491"]
    chain_list = list(zone.industrial_chains.all())
    enterprises = [
        Enterprise(
            uscc=code(1000 + i),
            name=f"长春合成科技{i + 1:03d}有限公司",
            zone=zone,
            industry_id=industries[rng.choice(codes)],
            chain=rng.choice(chain_list),
            above_scale=rng.random() < 0.3,
            founded_on=dt.date(rng.randint(2000, 2021), rng.randint(1, 12), rng.randint(1, 28)),
            registered_capital=Decimal(rng.randint(100, 20000)),
            source=SYNTHETIC,
        )
        for i in range(count)
    ]
    Enterprise.objects.bulk_create(enterprises, batch_size=500)
    audit_bulk.log_bulk_create(enterprises)
    certs = []
    for i, enterprise in enumerate(enterprises):
        issued = today - dt.timedelta(days=rng.randint(1, 3 * 365 - 30))
        certs.append(
            Certification(
                enterprise=enterprise,
                zone_id=enterprise.zone_id,
                kind="hnte",
                level="national",
                certificate_no=f"GR{issued.year}22{i:06d}",
                issued_on=issued,
                expires_on=add_years(issued, 3) - dt.timedelta(days=1),
                rank=2,
                source=SYNTHETIC,
            )
        )
        if i < LITTLE_GIANTS:
            issued = today - dt.timedelta(days=rng.randint(1, 2 * 365))
            certs.append(
                Certification(
                    enterprise=enterprise,
                    zone_id=enterprise.zone_id,
                    kind="little_giant",
                    level="national",
                    issued_on=issued,
                    expires_on=add_years(issued, 3) - dt.timedelta(days=1),
                    rank=4,
                    source=SYNTHETIC,
                )
            )
    Certification.objects.bulk_create(certs, batch_size=500)
    audit_bulk.log_bulk_create(certs)
    return len(enterprises)


def _liaison_demo(zone, named, today) -> None:
    cadre = User.objects.filter(username="gx_liaison").first()
    if cadre is None:
        return
    mine = [e for e in named if e.zone_id == zone.pk]
    mine += list(Enterprise.objects.filter(zone=zone, source=SYNTHETIC).order_by("uscc")[:8])
    for index, enterprise in enumerate(mine):
        LiaisonAssignment.objects.get_or_create(
            enterprise=enterprise, user=cadre, defaults={"is_lead": True, "source": SYNTHETIC}
        )
        if index < 3 and not enterprise.visits.exists():
            Visit.objects.create(
                enterprise=enterprise,
                cadre=cadre,
                visited_on=today - dt.timedelta(days=10 + 20 * index),
                people_met="总经理、财务负责人",
                findings="生产经营正常; 反映用工和融资需求",
                source=SYNTHETIC,
            )
    target = mine[-1] if mine else None
    if target is not None and not target.cultivation_entries.exists():
        entry = CultivationEntry.objects.create(
            enterprise=target,
            target=CultivationEntry.Target.LITTLE_GIANT,
            target_year=today.year + 1,
            progress=f"{today:%Y-%m-%d}: 纳入重点企业培育库",
            source=SYNTHETIC,
        )
        SupportMeasure.objects.create(
            entry=entry,
            measure="对接省级专精特新申报辅导",
            cadre=cadre,
            due_on=today + dt.timedelta(days=60),
            source=SYNTHETIC,
        )


def _idle_demo(zone, rng, industries) -> None:
    """吉林高新区 2024: 全年要盘活4户'双停企业',实现清零 (seed 002); the four are synthetic."""
    RevivalGoal.objects.get_or_create(zone=zone, year=2024, defaults={"target": 4, "source": S002})
    for i in range(4):
        enterprise, _new = Enterprise.objects.get_or_create(
            uscc=code(9000 + i, "220272"),
            defaults={
                "name": f"吉林合成停产企业{i + 1}",
                "zone": zone,
                "status": Enterprise.Status.IDLE,
                "industry_id": industries["3670"],
                "source": SYNTHETIC,
            },
        )
        IdleRevival.objects.get_or_create(
            enterprise=enterprise,
            year=2024,
            defaults={"plan": "引入新投资方, 盘活闲置厂房", "source": SYNTHETIC},
        )


# The other tiers of 长春高新区's pyramid (synthetic: the articles give 631 高新 and 19 小巨人):
# more 科技型中小企业 than 高新, more 专精特新 than 小巨人, a few 瞪羚, one 独角兽.
TECH_SME_ONLY = 420  # synthetic 科技型中小企业 that are not (yet) 高新
TECH_SME_OF_HNTE = 380  # 高新 that are registered 科技型中小企业 too
SRDI = 86  # provincial 专精特新, the 19 小巨人 among them
GAZELLES = 14
UNICORNS = 1
KIND_RANK = {"tech_sme": 1, "hnte": 2, "srdi": 3, "little_giant": 4, "gazelle": 5, "unicorn": 6}
VALID_YEARS = {"tech_sme": 1, "hnte": 3, "srdi": 3, "little_giant": 3, "gazelle": 1, "unicorn": 1}


def _pyramid_demo(zone, today, industries) -> None:
    """科技型中小企业 (some of them 高新 too), 专精特新, 瞪羚 and a 独角兽 among the synthetic
    enterprises of 长春高新区, valid today (certificates of their usual length)."""
    if Enterprise.objects.filter(uscc=code(3000)).exists():
        return
    rng = random.Random("pyramid")
    codes = ["6513", "7320", "3976", "2761", "3985", "6520", "7512"]
    chain_list = list(zone.industrial_chains.all())
    smes = [
        Enterprise(
            uscc=code(3000 + i),
            name=f"长春合成创新{i + 1:03d}有限公司",
            zone=zone,
            industry_id=industries[rng.choice(codes)],
            chain=rng.choice(chain_list),
            founded_on=dt.date(rng.randint(2012, 2023), rng.randint(1, 12), rng.randint(1, 28)),
            registered_capital=Decimal(rng.randint(50, 3000)),
            source=SYNTHETIC,
        )
        for i in range(TECH_SME_ONLY)
    ]
    Enterprise.objects.bulk_create(smes, batch_size=500)
    audit_bulk.log_bulk_create(smes)
    hightech = list(
        Enterprise.objects.filter(uscc__in=[code(1000 + i) for i in range(HNTE_TOTAL)]).order_by(
            "uscc"
        )
    )
    holders = [(e, "tech_sme") for e in smes + hightech[:TECH_SME_OF_HNTE]]
    # The 小巨人 are the first 19 synthetic 高新: they are 专精特新 as well.
    holders += [(e, "srdi") for e in hightech[:SRDI]]
    holders += [(e, "gazelle") for e in hightech[LITTLE_GIANTS : LITTLE_GIANTS + GAZELLES]]
    holders += [(e, "unicorn") for e in hightech[:UNICORNS]]
    certs = []
    for enterprise, kind in holders:
        years = VALID_YEARS[kind]
        issued = today - dt.timedelta(days=rng.randint(1, years * 365 - 30))
        certs.append(
            Certification(
                enterprise=enterprise,
                zone_id=enterprise.zone_id,
                kind=kind,
                level="provincial" if kind in ("tech_sme", "srdi") else "national",
                issued_on=issued,
                expires_on=add_years(issued, years) - dt.timedelta(days=1),
                rank=KIND_RANK[kind],
                source=SYNTHETIC,
            )
        )
    Certification.objects.bulk_create(certs, batch_size=500)
    audit_bulk.log_bulk_create(certs)


def _renew_certifications(today) -> None:
    """Rolling the demo forward: a synthetic certificate that has run out is renewed for the
    next period (as the holders would), so that the pyramid stays as it was seeded."""
    renewals = []
    latest: dict[tuple[int, str], Certification] = {}
    for cert in Certification.objects.filter(
        source__contains="虚构", expires_on__isnull=False
    ).order_by("issued_on"):
        latest[(cert.enterprise_id, cert.kind)] = cert
    for (enterprise_id, kind), cert in latest.items():
        years = VALID_YEARS.get(kind, 3)
        issued, expires = cert.issued_on, cert.expires_on
        while expires < today:
            issued = expires + dt.timedelta(days=1)
            expires = add_years(issued, years) - dt.timedelta(days=1)
            renewals.append(
                Certification(
                    enterprise_id=enterprise_id,
                    zone_id=cert.zone_id,
                    kind=kind,
                    level=cert.level,
                    issued_on=issued,
                    expires_on=expires,
                    rank=KIND_RANK.get(kind, 0),
                    source=cert.source,
                )
            )
    Certification.objects.bulk_create(renewals, batch_size=500)
    audit_bulk.log_bulk_create(renewals)


def _figures_demo(zone, named, rng, today, industries) -> None:
    """Monthly figures of the named enterprises of the zone and a few synthetic small ones
    near the 规上工业 threshold (scale-up candidates): last year complete and this year up to
    last month, missing months added on each run (the demo rolls forward, nothing is
    rewritten). Each enterprise has its own growth, and each month its own variation."""
    last = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)
    small = []
    for i in range(5):
        enterprise, _new = Enterprise.objects.get_or_create(
            uscc=code(8000 + i),
            defaults={
                "name": f"长春合成成长企业{i + 1}",
                "zone": zone,
                "industry_id": industries["3670"],
                "source": SYNTHETIC,
            },
        )
        small.append((enterprise, Decimal(1500 + 150 * i)))
    plan = [
        (e, Decimal(random.Random(f"size-{e.uscc}").randint(20000, 90000)))
        for e in named
        if e.zone_id == zone.pk
    ]
    members = [e for e, _a in plan + small]
    have = set(
        MonthlyFigure.objects.filter(enterprise__in=members).values_list(
            "enterprise_id", "year", "month"
        )
    )
    rows = []
    for enterprise, base in plan + small:
        growth = random.Random(f"growth-{enterprise.uscc}").uniform(-0.08, 0.28)
        for year in (last.year - 1, last.year):
            level = Decimal(str(base)) * Decimal(str((1 + growth) ** (year - 2025)))
            ytd = Decimal(0)
            for month in range(1, 13):
                if (year, month) > (last.year, last.month):
                    break
                wobble = random.Random(f"month-{enterprise.uscc}-{year}-{month}").uniform(
                    0.85, 1.15
                )
                ytd += (level / 12 * Decimal(str(wobble))).quantize(Decimal("0.01"))
                if (enterprise.pk, year, month) in have:
                    continue
                rows.append(
                    MonthlyFigure(
                        enterprise=enterprise,
                        year=year,
                        month=month,
                        main_revenue=ytd,
                        output_value=(ytd * Decimal("0.95")).quantize(Decimal("0.01")),
                        tax_paid=(ytd * Decimal("0.05")).quantize(Decimal("0.01")),
                        employees=50 + random.Random(f"staff-{enterprise.uscc}").randint(0, 500),
                        source=SYNTHETIC,
                    )
                )
    MonthlyFigure.objects.bulk_create(rows, batch_size=1000)
    audit_bulk.log_bulk_create(rows)
