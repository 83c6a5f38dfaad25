import datetime as dt
from decimal import Decimal

from zoneops.investment import services
from zoneops.investment.models import Lead

D = dt.date


def make_lead(zone, index=0, *, user=None, received_on=None, **extra) -> Lead:
    values = {
        "name": f"测试线索{index}",
        "zone": zone,
        "investor_company": f"深圳某科技有限公司{index}",
        "contact_name": "王经理",
        "contact_phone": "13812341234",
        "source_division": "440300",
        "method": Lead.Method.CHAIN,
        "intended_investment": Decimal("50000"),
        "received_on": received_on or D(2025, 3, 3),
    }
    values.update(extra)
    return services.save_lead(Lead(**values), acting_user=user)


def sign(lead, day, amount, user=None, **extra):
    return services.record_signing(
        lead, signed_on=day, amount=Decimal(amount), acting_user=user, **extra
    )
