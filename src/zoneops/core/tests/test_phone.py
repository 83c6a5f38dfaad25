"""Phone forms: photos checked by content with their location removed, and forms that may
arrive twice saved once (issue 10)."""

import datetime as dt
import functools
import io
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from zoneops.core.files import photos
from zoneops.core.models import ClientSubmission, Zone
from zoneops.core.ui import submissions
from zoneops.core.ui.middleware import PhoneFormRedirectMiddleware
from zoneops.core.ui.testing import photo_bytes

# Photos ------------------------------------------------------------------------------------


def upload(content: bytes, name="IMG_0001.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type)


def test_photo_type_is_judged_by_content_not_by_name_or_content_type():
    png_named_jpg = photos.check_photo(upload(photo_bytes("PNG"), "site.jpg", "image/jpeg"))
    assert png_named_jpg.content_type == "image/png"
    assert photos.check_photo(upload(photo_bytes("WEBP"), "x", "")).content_type == "image/webp"
    for content in (
        b"<svg onload=alert(1)>",
        b"MZ\x90\x00 a program",
        b"\xff\xd8\xff\xe0" + b"0" * 40,  # a JPEG's first bytes, no picture after them
        b"%PDF-1.7 not allowed here",
    ):
        with pytest.raises(ValidationError) as caught:
            photos.check_photo(upload(content))
        assert caught.value.code == "file_type"
    with pytest.raises(ValidationError) as caught:
        photos.check_photo(upload(b""))
    assert caught.value.code == "empty"


def test_pdf_only_where_documents_are_allowed():
    pdf = upload(b"%PDF-1.4\n%%EOF\n", "整改报告.pdf", "application/pdf")
    assert photos.check_photo(pdf, allow_pdf=True).content_type == "application/pdf"


def test_photos_over_the_size_limit_are_refused(settings):
    big = photo_bytes("PNG", size=(64, 64))
    settings.ZONEOPS_PHOTO_MAX_BYTES = len(big) - 1
    with pytest.raises(ValidationError) as caught:
        photos.check_photo(upload(big, "big.png"))
    assert caught.value.code == "too_large"
    # The size the client declares is not trusted: the content is read up to the limit.
    lying = upload(big, "big.png")
    lying.size = 10
    with pytest.raises(ValidationError):
        photos.check_photo(lying)
    settings.ZONEOPS_PHOTO_MAX_BYTES = 10 * 1024 * 1024
    assert photos.check_photo(upload(big, "big.png")).content == big


def test_default_limit_is_ten_megabytes():
    assert photos.max_photo_bytes() == 10 * 1024 * 1024


def test_gps_location_is_stripped_unless_kept():
    original = photo_bytes("JPEG", size=(32, 24), gps=True)
    assert photos.location_of(original)[1] == "N"

    stripped = photos.check_photo(upload(original))
    assert photos.location_of(stripped.content) == {}
    assert stripped.content_type == "image/jpeg"
    # The rest of the EXIF (camera, orientation) and the picture stay.
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(stripped.content)) as image:
        assert image.size == (32, 24)
        assert image.getexif()[0x010F] == "zoneops test camera"
        assert image.getexif()[0x0112] == 1

    kept = photos.check_photo(upload(original), keep_location=True)
    assert kept.content == original
    assert photos.location_of(kept.content)[2] == (43.0, 52.0, 48.0)


def test_gps_is_stripped_from_png_too_and_photos_without_location_are_untouched():
    png = photo_bytes("PNG", gps=True)
    assert photos.location_of(png)
    assert photos.location_of(photos.check_photo(upload(png, "a.png")).content) == {}
    plain = photo_bytes("JPEG")
    assert photos.check_photo(upload(plain)).content == plain


# Client tokens: exactly once -----------------------------------------------------------------


@pytest.fixture
def rf_user(users):
    def make(user, path="/enterprises/visits/add/"):
        from django.contrib.messages.storage.fallback import FallbackStorage
        from django.contrib.sessions.backends.db import SessionStore

        request = RequestFactory().post(path)
        request.user = user
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        return request

    return make


def new_zone(code):
    return Zone.objects.create(code=code, name=f"园区{code}", kind=Zone.Kind.INDUSTRIAL_PARK)


def test_a_token_is_claimed_once_and_the_second_arrival_writes_nothing(rf_user, users):
    request = rf_user(users["liaison"])
    token = uuid.uuid4()

    def write(code):
        def run():
            zone = new_zone(code)
            zone.get_absolute_url = lambda: f"/zones/{zone.pk}/"
            return zone

        return run

    first, duplicate = submissions.submit_once(request, str(token), write("A1"))
    assert duplicate is None and first.code == "A1"
    claimed = ClientSubmission.objects.get(token=token)
    assert claimed.user == users["liaison"] and claimed.result_url == f"/zones/{first.pk}/"
    assert claimed.path == "/enterprises/visits/add/"

    again, response = submissions.submit_once(request, str(token), write("A2"))
    assert again is None
    assert response.status_code == 302 and response["Location"] == f"/zones/{first.pk}/"
    from django.utils.translation import gettext

    told = [str(m) for m in request._messages]
    assert told == [gettext("Already received: this form was saved before, not again.")]
    assert not Zone.objects.filter(code="A2").exists()
    assert ClientSubmission.objects.count() == 1


def test_losing_the_race_to_claim_rolls_the_write_back(rf_user, users):
    """Two arrivals that both passed the first look: the unique token decides, and the loser's
    write is undone with it."""
    request = rf_user(users["liaison"])
    token = uuid.uuid4()
    ClientSubmission.objects.create(
        token=token, user=users["liaison"], path="/x/", result_url="/first/"
    )
    with pytest.raises(submissions.DuplicateSubmission) as caught, transaction.atomic():
        new_zone("B1")
        submissions.claim_client_token(request, token, "/second/")
    assert caught.value.submission.result_url == "/first/"
    assert not Zone.objects.filter(code="B1").exists()


def test_submit_once_answers_a_raced_duplicate_with_the_first_result(rf_user, users, monkeypatch):
    request = rf_user(users["liaison"])
    token = uuid.uuid4()
    # The first look finds nothing: the other request had not committed yet.
    monkeypatch.setattr(submissions, "previous_submission", lambda request, token: None)
    ClientSubmission.objects.create(
        token=token, user=users["liaison"], path="/x/", result_url="/first/"
    )

    def write():
        zone = new_zone("C1")
        zone.get_absolute_url = lambda: "/second/"
        return zone

    result, response = submissions.submit_once(request, str(token), write)
    assert result is None and response["Location"] == "/first/"
    assert not Zone.objects.filter(code="C1").exists()


def test_someone_elses_token_is_refused(rf_user, users):
    token = uuid.uuid4()
    ClientSubmission.objects.create(token=token, user=users["staff"], path="/x/", result_url="/r/")
    with pytest.raises(PermissionDenied):
        submissions.previous_submission(rf_user(users["liaison"]), str(token))


def test_without_a_token_nothing_is_claimed(rf_user, users):
    request = rf_user(users["liaison"])
    for code in ("D1", "D2"):

        def write(code=code):
            zone = new_zone(code)
            zone.get_absolute_url = lambda: "/"
            return zone

        result, response = submissions.submit_once(request, "", write)
        assert result is not None and response is None
    assert submissions.submit_once(request, "not-a-uuid", lambda: new_zone("D3"))[1] is None
    assert ClientSubmission.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_claiming_outside_the_writes_transaction_is_a_programming_error(rf_user, users):
    with pytest.raises(RuntimeError):
        submissions.claim_client_token(rf_user(users["liaison"]), uuid.uuid4(), "/")


def test_phone_form_redirects_become_a_location_header():
    middleware = PhoneFormRedirectMiddleware(lambda request: HttpResponseRedirect("/done/"))
    request = RequestFactory().post("/f/", HTTP_X_ZONEOPS_PHONE_FORM="1")
    response = middleware(request)
    assert response.status_code == 204 and response["X-Zoneops-Location"] == "/done/"
    plain = middleware(RequestFactory().post("/f/"))
    assert plain.status_code == 302
    page = PhoneFormRedirectMiddleware(lambda request: HttpResponse("form again"))(request)
    assert page.status_code == 200


def test_client_tokens_are_forgotten_after_the_retry_window(rf_user, users, settings):
    from django.core.management import call_command
    from django.utils import timezone

    settings.ZONEOPS_CLIENT_TOKEN_DAYS = 30
    request = rf_user(users["liaison"])
    old, recent = uuid.uuid4(), uuid.uuid4()
    for code, token in (("Z1", old), ("Z2", recent)):
        submissions.submit_once(request, str(token), functools.partial(new_zone, code))
    ClientSubmission.objects.filter(token=old).update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "forgot 1 client tokens" in out.getvalue()
    assert list(ClientSubmission.objects.values_list("token", flat=True)) == [recent]
