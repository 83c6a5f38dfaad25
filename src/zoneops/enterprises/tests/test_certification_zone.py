"""A certification is kept in its enterprise's zone (``Certification.zone``, what a zone's list
of certifications reads): when the enterprise moves, by hand or by the register's import, its
certifications move with it, and the staff of the zone it left no longer see them."""

import datetime as dt

from zoneops.core.registries import writes
from zoneops.core.ui.testing import token_client
from zoneops.enterprises.importers import EnterpriseImporter
from zoneops.enterprises.models import Certification, follow_enterprise_zones
from zoneops.enterprises.tests.factories import certify, enterprise
from zoneops.enterprises.tests.test_import import HEADERS, xlsx

TODAY = dt.date.today()


def _listed(user) -> set[int]:
    answer = token_client(user).get("/api/certifications/")
    assert answer.status_code == 200
    return {row["id"] for row in answer.json()["results"]}


def test_certifications_follow_their_enterprise_to_its_new_zone(zone_tree, users):
    ent = enterprise(zone_tree["park"], 1)
    cert = certify(ent, "hnte", TODAY - dt.timedelta(days=30))
    assert cert.zone == zone_tree["park"]
    assert _listed(users["staff"]) == {cert.pk}  # 高新区 staff see the park's
    assert _listed(users["other_staff"]) == set()
    ent.zone = zone_tree["econ"]
    writes.save(ent, acting_user=users["admin"])
    assert Certification.objects.get(pk=cert.pk).zone == zone_tree["econ"]
    assert _listed(users["staff"]) == set()  # the zone it left: refused
    assert _listed(users["other_staff"]) == {cert.pk}


def test_the_register_import_moves_them_too(zone_tree, users):
    ent = enterprise(zone_tree["hitech"], 2)
    cert = certify(ent, "tech_sme", TODAY - dt.timedelta(days=30))
    park = zone_tree["park"]
    register = xlsx(
        HEADERS, [[ent.uscc, ent.name, "GX-P1", "C2761", "", "否", "营业", "否", "", ""]]
    )
    assert EnterpriseImporter(users["staff"]).run("名录.xlsx", register).ok
    assert Certification.objects.get(pk=cert.pk).zone == park
    assert list(Certification.objects.filter(zone=park).values_list("pk", flat=True)) == [cert.pk]


def test_follow_repairs_what_a_bulk_writer_left(zone_tree):
    ent = enterprise(zone_tree["park"], 3)
    cert = certify(ent, "hnte", TODAY - dt.timedelta(days=30))
    type(ent).objects.filter(pk=ent.pk).update(zone=zone_tree["econ"])  # past save()
    assert follow_enterprise_zones([ent.pk]) == 1
    assert Certification.objects.get(pk=cert.pk).zone == zone_tree["econ"]
    assert follow_enterprise_zones() == 0
