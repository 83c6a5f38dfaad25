import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneops.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import the URLconf (every app's views, API, filters and serializers) now, not on the
    first request: about a second of imports. gunicorn loads this module once in its master
    (``preload_app``), so every worker it forks, including the ones that replace recycled
    workers (``max_requests``), starts with it done instead of one request waiting for it."""
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the property imports the URLconf)
    connections.close_all()  # no connection may outlive the fork into the workers


_warm_up()
