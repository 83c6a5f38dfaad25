import io

from django.core.management import call_command

from zoneops.appeals.models import Appeal
from zoneops.hazards.models import Hazard, InspectionRound


def test_demo_is_idempotent_synthetic_and_covers_the_loop(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    counts = Appeal.objects.count(), Hazard.objects.count(), InspectionRound.objects.count()
    assert counts == (6, 3, 1)
    call_command("seed_demo", stdout=io.StringIO())
    assert (Appeal.objects.count(), Hazard.objects.count(), InspectionRound.objects.count()) == (
        counts
    )
    assert all("虚构" in a.source for a in Appeal.objects.all())
    assert all(a.zone.code == "CCGX" for a in Appeal.objects.select_related("zone"))
    states = set(Appeal.objects.values_list("case__state", flat=True))
    assert {"submitted", "in_progress", "replied", "closed"} <= states
    assert Appeal.objects.filter(reopen_count=1, rating=2).exists()
    assert set(Hazard.objects.values_list("case__state", flat=True)) == {
        "closed",
        "rectifying",
        "rectified",
    }
