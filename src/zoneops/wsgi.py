import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneops.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import the URLconf (every app's views, API, filters and serializers) and build the
    working-day calendar now, not on the first request: about a second of imports, and 0.3 s
    for the calendar's table of days (the first list with a deadline in each worker waited
    for it). gunicorn loads this module once in its master (``preload_app``), so every worker
    it forks, including the ones that replace recycled workers (``max_requests``), starts with
    both done instead of one request waiting for them."""
    from django.db import connections
    from django.urls import get_resolver

    from zoneops.core.calendar import workdays

    get_resolver().url_patterns  # noqa: B018  (the property imports the URLconf)
    workdays.reload()  # without the database (before migrate): the file's days, read again later
    connections.close_all()  # no connection may outlive the fork into the workers


_warm_up()
