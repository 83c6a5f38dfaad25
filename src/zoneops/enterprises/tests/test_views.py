import datetime as dt

import pytest

from zoneops.core.ui.testing import ScopedViewTests
from zoneops.enterprises.models import (
    Certification,
    Contact,
    CultivationEntry,
    Enterprise,
    IdleRevival,
    IndustrialChain,
    LiaisonAssignment,
    MonthApproval,
    MonthlyFigure,
    RevivalGoal,
    SupportMeasure,
    Visit,
)
from zoneops.enterprises.tests.factories import code, enterprise

pytestmark = pytest.mark.django_db


class TestEnterpriseViews(ScopedViewTests):
    model = Enterprise
    url_base = "enterprises:enterprise"
    search_term = "测试企业1"
    # Constant: each zone-scoped filter choice list asks for the user's zone paths once.
    max_list_queries = 16

    def make(self, zone, index=0):
        return enterprise(zone, index)

    def form_data(self, zone):
        return {
            "uscc": code(999),
            "name": "新企业",
            "zone": zone.code,
            "industry": "C2761",
            "status": Enterprise.Status.OPERATING,
        }


class TestIndustrialChainViews(ScopedViewTests):
    model = IndustrialChain
    url_base = "enterprises:industrialchain"
    search_term = "生物医药1"

    def make(self, zone, index=0):
        return IndustrialChain.objects.create(zone=zone, name=f"生物医药{index}")

    def form_data(self, zone):
        return {"zone": zone.code, "name": "光电信息"}


class EnterpriseChildTests(ScopedViewTests):
    max_list_queries = 16

    def ent(self, zone, index):
        return Enterprise.objects.filter(uscc=code(5000 + index)).first() or enterprise(
            zone, 5000 + index, name=f"母企业{index}"
        )


class TestContactViews(EnterpriseChildTests):
    model = Contact
    url_base = "enterprises:contact"
    search_term = "联系人1"

    def make(self, zone, index=0):
        return Contact.objects.create(
            enterprise=self.ent(zone, index), name=f"联系人{index}", phone="13812341234"
        )

    def form_data(self, zone):
        return {"enterprise": self.ent(zone, 77).uscc, "name": "王经理", "phone": "13900001111"}


class TestCertificationViews(EnterpriseChildTests):
    model = Certification
    url_base = "enterprises:certification"
    search_term = "GR0001"

    def make(self, zone, index=0):
        return Certification.objects.create(
            enterprise=self.ent(zone, index),
            kind="hnte",
            level="national",
            certificate_no=f"GR000{index}",
            issued_on=dt.date(2024, 1, 1),
        )

    def form_data(self, zone):
        return {
            "enterprise": self.ent(zone, 78).uscc,
            "kind": "hnte",
            "level": "national",
            "issued_on": "2024-10-01",
        }


class TestLiaisonAssignmentViews(EnterpriseChildTests):
    model = LiaisonAssignment
    url_base = "enterprises:liaisonassignment"
    search_term = "母企业1"

    def make(self, zone, index=0):
        from zoneops.core.models import Role, User

        user = User.objects.create_user(username=f"cadre{index}", role=Role.LIAISON)
        user.zones.set([zone])
        return LiaisonAssignment.objects.create(enterprise=self.ent(zone, index), user=user)

    def form_data(self, zone):
        from zoneops.core.models import User

        return {
            "enterprise": self.ent(zone, 79).uscc,
            "user": User.objects.get(username="gx_liaison").username,
            "since": "2025-01-01",
        }


class TestVisitViews(EnterpriseChildTests):
    model = Visit
    url_base = "enterprises:visit"
    search_term = "产能1"

    def make(self, zone, index=0):
        from zoneops.core.models import User

        cadre = User.objects.get(username="gx_staff")
        return Visit.objects.create(
            enterprise=self.ent(zone, index),
            cadre=cadre,
            visited_on=dt.date(2025, 3, 1),
            findings=f"产能{index}",
        )

    def form_data(self, zone):
        return {
            "enterprise": self.ent(zone, 80).uscc,
            "visited_on": "2025-03-02",
            "findings": "用工紧张",
        }


class TestCultivationEntryViews(EnterpriseChildTests):
    model = CultivationEntry
    url_base = "enterprises:cultivationentry"
    search_term = "母企业1"

    def make(self, zone, index=0):
        return CultivationEntry.objects.create(
            enterprise=self.ent(zone, index), target="hnte", target_year=2025
        )

    def form_data(self, zone):
        return {
            "enterprise": self.ent(zone, 81).uscc,
            "target": "scale_up",
            "target_year": "2025",
            "status": "active",
            "entered_on": "2025-01-05",
        }


class TestSupportMeasureViews(EnterpriseChildTests):
    model = SupportMeasure
    url_base = "enterprises:supportmeasure"
    search_term = "协调用地1"

    def entry(self, zone, index):
        ent = self.ent(zone, index)
        return CultivationEntry.objects.get_or_create(
            enterprise=ent, target="hnte", target_year=2025
        )[0]

    def make(self, zone, index=0):
        return SupportMeasure.objects.create(
            entry=self.entry(zone, index), measure=f"协调用地{index}"
        )

    def form_data(self, zone):
        return {"entry": self.entry(zone, 82).pk, "measure": "对接银行", "status": "planned"}


class TestIdleRevivalViews(EnterpriseChildTests):
    model = IdleRevival
    url_base = "enterprises:idlerevival"
    search_term = "母企业1"

    def make(self, zone, index=0):
        return IdleRevival.objects.create(enterprise=self.ent(zone, index), year=2025)

    def form_data(self, zone):
        return {"enterprise": self.ent(zone, 83).uscc, "year": "2025", "plan": "引入新投资方"}


class TestRevivalGoalViews(ScopedViewTests):
    model = RevivalGoal
    url_base = "enterprises:revivalgoal"
    search_term = "光电产业园"  # the zone's name: the list searches by zone

    def make(self, zone, index=0):
        return RevivalGoal.objects.create(zone=zone, year=2000 + index, target=4)

    def form_data(self, zone):
        return {"zone": zone.code, "year": "2030", "target": "4"}


class TestMonthlyFigureViews(EnterpriseChildTests):
    model = MonthlyFigure
    url_base = "enterprises:monthlyfigure"
    search_term = "母企业1"

    def make(self, zone, index=0):
        return MonthlyFigure.objects.create(
            enterprise=self.ent(zone, index), year=2025, month=1 + index % 12, main_revenue=100
        )

    def form_data(self, zone):
        return {
            "enterprise": self.ent(zone, 84).uscc,
            "year": "2025",
            "month": "3",
            "main_revenue": "1200.5",
            "output_value": "0",
            "tax_paid": "10",
            "employees": "50",
            "rd_expense": "0",
            "energy_use": "0",
        }


class TestMonthApprovalViews(ScopedViewTests):
    model = MonthApproval
    url_base = "enterprises:monthapproval"
    has_edit = False
    has_delete = False
    search_term = "光电产业园"  # the zone's name: the list searches by zone

    def make(self, zone, index=0):
        return MonthApproval.objects.create(zone=zone, year=2000 + index, month=1)

    def form_data(self, zone):
        return {"zone": zone.code, "year": "2025", "month": "4"}
