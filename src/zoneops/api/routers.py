"""The API's router: plain paths, one prefix per resource (/api/appeals/, /api/visits/ …).

A resource is registered under its own plain name, never under its app's name and then its
own (/api/appeals/appeals/ was the old way). A prefix that moved names its old one in
``moved_from``: for one release the old paths answer 308 Permanent Redirect to the new ones
(method and body kept, query string too), routed before every resource's detail route so that
/api/enterprises/visits/ is not read as an enterprise's id. The schema lists only the new paths.
"""

import re

from django.http.response import HttpResponseRedirectBase
from django.urls import re_path
from rest_framework.routers import DefaultRouter


class HttpResponsePermanentRedirect308(HttpResponseRedirectBase):
    status_code = 308


def moved(new_prefix: str):
    def view(request, rest: str | None = None):
        location = f"/api/{new_prefix}/{rest or ''}"
        if request.META.get("QUERY_STRING"):
            location += "?" + request.META["QUERY_STRING"]
        return HttpResponsePermanentRedirect308(location)

    return view


def check_prefix(prefix: str) -> None:
    """One name per resource: no segment twice (/appeals/appeals/), lower-case words and '-'."""
    segments = prefix.split("/")
    if len(set(segments)) != len(segments):
        raise ValueError(f"API prefix {prefix!r} repeats a name: register it as {segments[-1]!r}")
    for segment in segments:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", segment):
            raise ValueError(f"API prefix {prefix!r}: use lower-case words joined by '-'")


class PlainRouter(DefaultRouter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.moved: list[tuple[str, str]] = []  # (old prefix, new prefix)

    def register(self, prefix, viewset, basename=None, moved_from: str | None = None):
        check_prefix(prefix)
        super().register(prefix, viewset, basename)
        if moved_from:
            self.moved.append((moved_from, prefix))

    def redirect_urls(self) -> list:
        """The old paths, to route before the resources' own."""
        return [
            re_path(
                rf"^{re.escape(old)}(?:/(?P<rest>.*))?$",
                moved(new),
                name=f"moved-{old.replace('/', '-')}",
            )
            for old, new in self.moved
        ]

    def get_urls(self):
        return self.redirect_urls() + super().get_urls()
