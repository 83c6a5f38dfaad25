"""Small builders for the enterprises tests: valid codes, enterprises, figures."""

import datetime as dt
from decimal import Decimal

from zoneops.enterprises import uscc
from zoneops.enterprises.models import Certification, Enterprise, Industry, MonthlyFigure


def code(n: int, prefix: str = "91220101") -> str:
    """A valid USCC: registration authority 9, type 1, division 220101, a serial, check char."""
    body = f"{prefix}{n:09d}"[:17]
    return uscc.make(body)


def enterprise(zone, n: int, *, name=None, industry="2761", **extra) -> Enterprise:
    ind = Industry.objects.get(code=industry) if industry else None
    return Enterprise.objects.create(
        uscc=code(n), name=name or f"测试企业{n}", zone=zone, industry=ind, **extra
    )


def certify(ent, kind, issued, expires=None, level="national") -> Certification:
    return Certification.objects.create(
        enterprise=ent, kind=kind, level=level, issued_on=issued, expires_on=expires
    )


def figure(ent, year, month, revenue, **extra) -> MonthlyFigure:
    return MonthlyFigure.objects.create(
        enterprise=ent, year=year, month=month, main_revenue=Decimal(revenue), **extra
    )


TODAY = dt.date(2025, 6, 15)
