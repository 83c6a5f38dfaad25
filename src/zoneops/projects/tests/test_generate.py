import datetime as dt
import random

import pytest
import time_machine

from zoneops.investment import generate as investment_generate
from zoneops.investment.models import FundsInPlace, Lead, Signing
from zoneops.projects import generate
from zoneops.projects.models import Milestone, Project


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 9, 15, 10, 0), tick=False)  # lights need a year under way
def test_generate_is_deterministic_and_synthetic(zone_tree):
    zones = [zone_tree["hitech"], zone_tree["econ"]]
    summary = generate.generate(
        {"projects": 60, "seed": 3}, rng=random.Random(3), zones=zones, stdout=None
    )
    assert summary.startswith("60 projects, 180 milestones")
    assert Project.objects.count() == 60 and Milestone.objects.count() == 180
    assert all(p.source.startswith("synthetic") for p in Project.objects.all())
    lagging = Project.objects.with_lights().filter(light__gt=0).count()
    assert 0 < lagging < 60  # some projects lag, not all
    investment_generate.generate(
        {"leads": 40, "seed": 3}, rng=random.Random(3), zones=zones, stdout=None
    )
    assert Lead.objects.count() == 40
    signed = Lead.objects.filter(stage__in=["signed", "registered", "started"]).count()
    assert Signing.objects.count() == signed
    assert FundsInPlace.objects.filter(lead__signings__isnull=True).count() == 0
