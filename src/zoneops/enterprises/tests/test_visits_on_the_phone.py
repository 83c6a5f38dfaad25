"""Visits recorded on the phone (issue 10): photos with their location removed, shown only to
who may see the visit, a form that arrives twice saved once, and an appeal raised from the
visit."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zoneops.core.files import photos
from zoneops.core.models import ClientSubmission
from zoneops.core.ui.testing import photo_bytes
from zoneops.enterprises import services
from zoneops.enterprises.models import Contact, Visit, VisitPhoto
from zoneops.enterprises.tests.factories import enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def mine(zone_tree, users):
    ent = enterprise(zone_tree["park"], 1, name="长光卫星技术股份有限公司")
    services.assign_liaison(ent, users["liaison"], acting_user=users["staff"], is_lead=True)
    Contact.objects.create(
        enterprise=ent, name="王经理", role="总经理", phone="13812341234", is_primary=True
    )
    return ent


def visit_form(ent, token, *photos_):
    return {
        "enterprise": ent.uscc,
        "visited_on": services.today().isoformat(),
        "people_met": "王经理",
        "findings": "二期厂房用电增容进度慢。",
        "appeals_raised": "希望协调供电公司尽快增容。",
        "client_token": str(token),
        "photos": list(photos_),
    }


def camera_photo(name="IMG_0001.jpg"):
    return SimpleUploadedFile(name, photo_bytes("JPEG", size=(40, 30), gps=True), "image/jpeg")


def test_the_visit_form_is_ready_for_the_phone(client_for, users, mine):
    page = client_for(users["liaison"]).get(
        reverse("enterprises:visit_add") + f"?enterprise={mine.uscc}"
    )
    html = page.content.decode()
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert 'data-resize="2000000"' in html and "data-phone-form" in html
    assert 'name="client_token"' in html


def test_a_visit_with_photos_is_saved_once_however_often_it_arrives(client_for, users, mine):
    client = client_for(users["liaison"])
    token = uuid.uuid4()
    url = reverse("enterprises:visit_add")
    first = client.post(url, visit_form(mine, token, camera_photo(), camera_photo("IMG_2.jpg")))
    assert first.status_code == 302
    visit = Visit.objects.get()
    assert first["Location"] == visit.get_absolute_url()
    assert visit.cadre == users["liaison"] and visit.photos.count() == 2
    # The phone did not hear the answer and sends the same form again: nothing new is saved,
    # and it is taken to the first result, told so.
    again = client.post(url, visit_form(mine, token, camera_photo()), follow=True)
    assert again.redirect_chain[0] == (visit.get_absolute_url(), 302)
    assert "已收到" in again.content.decode()
    assert Visit.objects.count() == 1 and VisitPhoto.objects.count() == 2
    assert ClientSubmission.objects.get(token=token).result_url == visit.get_absolute_url()
    # A new form (a new token) is a new visit.
    client.post(url, visit_form(mine, uuid.uuid4()))
    assert Visit.objects.count() == 2


def test_a_second_arrival_with_errors_is_still_answered_with_the_first_result(
    client_for, users, mine
):
    client = client_for(users["liaison"])
    token = uuid.uuid4()
    url = reverse("enterprises:visit_add")
    client.post(url, visit_form(mine, token))
    broken = visit_form(mine, token) | {"visited_on": "2999-01-01"}
    assert client.post(url, broken).status_code == 302
    assert Visit.objects.count() == 1


def test_visit_photos_lose_their_location_and_are_checked(client_for, users, mine):
    client = client_for(users["liaison"])
    client.post(reverse("enterprises:visit_add"), visit_form(mine, uuid.uuid4(), camera_photo()))
    photo = VisitPhoto.objects.get()
    stored = photo.file.read()
    assert photos.location_of(stored) == {}
    assert photo.content_type == "image/jpeg" and photo.size == len(stored)
    assert photo.uploaded_by == users["liaison"]

    fake = SimpleUploadedFile("IMG_3.jpg", b"<html>not a photo</html>", "image/jpeg")
    response = client.post(reverse("enterprises:visit_add"), visit_form(mine, uuid.uuid4(), fake))
    assert response.status_code == 200
    assert "不是" in response.content.decode()
    assert Visit.objects.count() == 1


def test_visit_photos_are_served_to_who_may_see_the_visit(client_for, users, mine):
    visit = services.record_visit(
        mine,
        acting_user=users["liaison"],
        findings="走访",
        photos=[camera_photo()],
    )
    photo = visit.photos.get()
    url = reverse("enterprises:visitphoto", args=[photo.pk])
    detail = client_for(users["liaison"]).get(visit.get_absolute_url()).content.decode()
    assert url in detail
    shown = client_for(users["leader"]).get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert client_for(users["other_staff"]).get(url).status_code == 404


def test_the_enterprise_card_on_the_phone(client_for, users, mine):
    from zoneops.appeals import services as appeal_services

    appeal_services.submit(
        zone=mine.zone,
        channel="visit",
        enterprise_name=mine.name,
        uscc=mine.uscc,
        contact_name="王经理",
        contact_phone="13812341234",
        items=[appeal_services.Item(title="用电增容", category="utilities", description="二期")],
        acting_user=users["liaison"],
        enterprise=mine,
    )
    card = client_for(users["liaison"]).get(mine.get_absolute_url()).content.decode()
    assert 'href="tel:13812341234"' in card
    assert 'id="open-appeals"' in card and "用电增容" in card
    masked = client_for(users["leader"]).get(mine.get_absolute_url()).content.decode()
    assert "tel:" not in masked and "138****1234" in masked


def test_raise_an_appeal_from_the_visit_once(client_for, users, mine):
    from zoneops.appeals.models import Appeal

    client = client_for(users["liaison"])
    visit = services.record_visit(mine, acting_user=users["liaison"], appeals_raised="供电增容")
    url = reverse("appeals:appeal_from_visit", args=[visit.pk])
    form = client.get(url).content.decode()
    assert "王经理" in form and "13812341234" in form and "供电增容" in form
    data = {
        "category": "utilities",
        "title": "二期厂房用电增容",
        "description": "希望协调供电公司尽快增容。",
        "contact_name": "王经理",
        "contact_phone": "13812341234",
        "client_token": str(uuid.uuid4()),
    }
    response = client.post(url, data)
    appeal = Appeal.objects.get()
    assert response["Location"] == appeal.get_absolute_url()
    assert appeal.visit == visit and appeal.enterprise == mine and appeal.channel == "visit"
    assert appeal.zone == mine.zone
    assert client.post(url, data)["Location"] == appeal.get_absolute_url()
    assert Appeal.objects.count() == 1
    shown = client.get(visit.get_absolute_url()).content.decode()
    assert "二期厂房用电增容" in shown
    # "My appeals": those raised on my visits (or that I handle), not the zone's others.
    staff_visit = services.record_visit(mine, acting_user=users["staff"])
    other = client_for(users["staff"]).post(
        reverse("appeals:appeal_from_visit", args=[staff_visit.pk]),
        data | {"title": "别人的诉求", "client_token": str(uuid.uuid4())},
    )
    assert other.status_code == 302
    client = client_for(users["liaison"])
    listed = client.get(reverse("appeals:appeal_list") + "?mine=true").content.decode()
    listed = listed.split('id="object-table"')[1]
    assert "二期厂房用电增容" in listed and "别人的诉求" not in listed
    # Someone who may not see the visit cannot raise appeals on it.
    assert client_for(users["other_staff"]).get(url).status_code == 404


def test_visit_photos_in_the_api(client_for, users, mine):
    visit = services.record_visit(mine, acting_user=users["liaison"], photos=[camera_photo()])
    response = client_for(users["liaison"]).get(f"/api/visits/{visit.pk}/")
    assert response.status_code == 200
    (photo,) = response.json()["photos"]
    assert photo["url"] == reverse("enterprises:visitphoto", args=[visit.photos.get().pk])
    assert photo["content_type"] == "image/jpeg"


def test_add_a_visit_photo_through_the_api(client_for, users, mine):
    visit = services.record_visit(mine, acting_user=users["liaison"])
    url = f"/api/visits/{visit.pk}/photos/"
    client = client_for(users["liaison"])
    response = client.post(url, {"file": camera_photo()})
    assert response.status_code == 201, response.content
    stored = VisitPhoto.objects.get(visit=visit)
    assert response.json()["id"] == stored.pk
    assert photos.location_of(stored.file.read()) == {}
    fake = SimpleUploadedFile("x.jpg", b"<html>", "image/jpeg")
    assert client.post(url, {"file": fake}).status_code == 400
    assert client_for(users["leader"]).post(url, {"file": camera_photo()}).status_code == 403
    assert client_for(users["other_staff"]).post(url, {"file": camera_photo()}).status_code == 404
    assert VisitPhoto.objects.count() == 1
