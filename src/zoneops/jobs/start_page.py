"""The jobs' section of the start page: the user's recent imports, exports and other
background work, the running ones first (``core.registries.start_page``)."""

import datetime as dt

from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.registries import start_page
from zoneops.jobs.models import Job


def recent_jobs(user, today) -> start_page.StartBlock:
    """The user's own jobs of the last week (two queries), unfinished first, then newest."""
    since = timezone.now() - dt.timedelta(days=7)
    jobs = Job.objects.filter(user=user, created_at__gte=since)
    unfinished_first = Case(
        When(state__in=Job.ACTIVE, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    shown = jobs.annotate(start_rank=unfinished_first).order_by("start_rank", "-created_at", "-pk")
    shown = shown[: start_page.SHOWN]
    items = [
        start_page.StartItem(
            text=job.title,
            url=job.get_absolute_url(),
            note=_("{kind} · {state} · {when}").format(
                kind=job.get_kind_display(),
                state=job.get_state_display(),
                when=timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M"),
            ),
            overdue=job.state == Job.State.FAILED,
        )
        for job in shown
    ]
    return start_page.StartBlock(
        items=items,
        total=jobs.count(),
        more_url=reverse("jobs:job_list"),
        empty=gettext_lazy("No import or other background job in the last seven days."),
    )


def register() -> None:
    start_page.register(
        start_page.StartSection(
            "jobs.recent", gettext_lazy("My recent imports and jobs"), recent_jobs, order=30
        )
    )
