"""Uniform view tests: every model gets the same scoping, export, audit and query-count tests
by subclassing ``ScopedViewTests`` and declaring a few attributes (as NetBox's ViewTestCases).

Fixtures come from the project's ``conftest.py``: ``zone_tree`` and ``users``. The staff user is
granted 长春高新区 (``hitech``, with its park below it); ``other_staff`` is granted 长春经开区.
"""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from zoneops.core.audit.models import ObjectChange


class ScopedViewTests:
    model = None
    url_base: str = ""  # "app:model" → app:model_list, app:model_detail …
    has_edit = True
    has_delete = True
    has_add = True
    search_term: str | None = None  # a term that finds the object made by ``make``
    max_list_queries = 12
    editor = "staff"  # the role that creates records on the add page

    def make(self, zone, index: int = 0):
        """Create and return one object in ``zone``."""
        raise NotImplementedError

    def form_data(self, zone) -> dict:
        """POST data that creates a valid new object in ``zone``."""
        raise NotImplementedError

    def url(self, action, *args):
        return reverse(f"{self.url_base}_{action}", args=args)

    @pytest.fixture
    def objects(self, zone_tree, users):
        return {
            "own": self.make(zone_tree["park"], 1),
            "other": self.make(zone_tree["econ"], 2),
        }

    def test_anonymous_is_sent_to_login(self, client, objects):
        response = client.get(self.url("list"))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
        response = client.get(self.url("detail", objects["own"].pk))
        assert response.status_code == 302

    def test_list_shows_only_granted_zones(self, client_for, users, objects):
        response = client_for(users["staff"]).get(self.url("list"))
        assert response.status_code == 200
        shown = {obj.pk for obj, _cells in response.context["rows"]}
        assert objects["own"].pk in shown
        assert objects["other"].pk not in shown

    def test_admin_sees_every_zone(self, client_for, users, objects):
        response = client_for(users["admin"]).get(self.url("list"))
        shown = {obj.pk for obj, _cells in response.context["rows"]}
        assert {objects["own"].pk, objects["other"].pk} <= shown

    def test_other_zones_object_is_not_found(self, client_for, users, objects):
        client = client_for(users["staff"])
        assert client.get(self.url("detail", objects["other"].pk)).status_code == 404
        assert client.get(self.url("detail", objects["own"].pk)).status_code == 200
        if self.has_edit:
            assert client.get(self.url("edit", objects["other"].pk)).status_code == 404
            assert client.post(self.url("edit", objects["other"].pk), {}).status_code == 404
        if self.has_delete:
            assert client.post(self.url("delete", objects["other"].pk)).status_code == 404
            assert self.model.objects.filter(pk=objects["other"].pk).exists()

    def test_export_holds_only_granted_zones(self, client_for, users, objects):
        response = client_for(users["staff"]).get(self.url("list"), {"export": "xlsx"})
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
        assert str(objects["own"]) in text
        assert str(objects["other"]) not in text

    def test_leader_reads_but_cannot_change(self, client_for, users, zone_tree):
        obj = self.make(zone_tree["park"], 3)
        client = client_for(users["leader"])
        assert client.get(self.url("detail", obj.pk)).status_code == 200
        if self.has_edit:
            assert client.get(self.url("edit", obj.pk)).status_code == 404
        if self.has_add:
            assert client.get(self.url("add")).status_code == 403
        if self.has_delete:
            assert client.post(self.url("delete", obj.pk)).status_code == 404
            assert self.model.objects.filter(pk=obj.pk).exists()

    def no_add_page(self) -> None:
        """A model declared without an add page really has none (else declare its form)."""
        with pytest.raises(NoReverseMatch):
            self.url("add")

    def test_create_is_audited_and_shown_in_history(self, client_for, users, zone_tree):
        if not self.has_add:
            self.no_add_page()
            return
        client = client_for(users[self.editor])
        before = set(self.model.objects.values_list("pk", flat=True))
        response = client.post(self.url("add"), self.form_data(zone_tree["park"]))
        assert response.status_code == 302, getattr(response.context, "get", lambda _k: None)(
            "form"
        )
        (new_pk,) = set(self.model.objects.values_list("pk", flat=True)) - before
        change = ObjectChange.objects.get(
            content_type=ContentType.objects.get_for_model(self.model), object_id=new_pk
        )
        assert change.action == ObjectChange.Action.CREATE
        assert change.user_name == users[self.editor].username
        history = client.get(self.url("detail", new_pk), {"tab": "history"})
        assert users[self.editor].username in history.content.decode()

    def test_cannot_create_in_other_zone(self, client_for, users, zone_tree):
        if not self.has_add:
            self.no_add_page()
            return
        count = self.model.objects.count()
        response = client_for(users["staff"]).post(
            self.url("add"), self.form_data(zone_tree["econ"])
        )
        assert response.status_code == 200  # the form comes back with an error
        assert self.model.objects.count() == count

    def test_search_finds_the_object(self, client_for, users, objects):
        if not self.search_term:
            # Only a list without a search box may leave the term out.
            response = client_for(users["admin"]).get(self.url("list"))
            assert not response.context["has_search"], "the list searches: declare search_term"
            return
        response = client_for(users["admin"]).get(self.url("list"), {"q": self.search_term})
        shown = {obj.pk for obj, _cells in response.context["rows"]}
        assert objects["own"].pk in shown

    def test_list_query_count_does_not_grow_with_rows(
        self, client_for, users, zone_tree, django_assert_max_num_queries
    ):
        for index in range(10, 40):
            self.make(zone_tree["park"], index)
        client = client_for(users["staff"])
        with django_assert_max_num_queries(self.max_list_queries):
            response = client.get(self.url("list"))
        assert response.status_code == 200
        assert len(response.context["rows"]) >= 30


def token_client(user):
    """An API client authenticated as another system would be: with the user's token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def xlsx_bytes(headers, rows) -> bytes:
    """A real .xlsx with a header row and ``rows``, as staff's spreadsheets come in."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    handle = io.BytesIO()
    book.save(handle)
    return handle.getvalue()


def photo_bytes(kind: str = "PNG", size=(8, 8), *, gps: bool = False) -> bytes:
    """A small real image made with Pillow; with ``gps`` a JPEG carrying an EXIF GPS block
    (长春, 43.88° N 125.35° E) as a phone camera writes it."""
    import io

    from PIL import Image

    image = Image.new("RGB", size)
    image.putdata(
        [((x * 37) % 256, (x * 91) % 256, (x * 13) % 256) for x in range(size[0] * size[1])]
    )
    exif = Image.Exif()
    exif[0x010F] = "zoneops test camera"  # Make
    exif[0x0112] = 1  # Orientation
    if gps:
        exif[0x8825] = {
            1: "N",
            2: (43.0, 52.0, 48.0),
            3: "E",
            4: (125.0, 21.0, 0.0),
        }
    out = io.BytesIO()
    image.save(out, format=kind, exif=exif.tobytes())
    return out.getvalue()


def field_error(response, field: str, row: int | None = None) -> str:
    """The messages an API error body gives for ``field`` (of bulk record ``row``), joined, each
    in Chinese then English."""
    body = response.json()
    return " ".join(
        f"{e['message']['zh']} {e['message']['en']}"
        for e in body["errors"]
        if e["field"] == field and e["row"] == row
    )
