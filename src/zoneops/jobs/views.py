"""The job pages: 我的后台作业 (list), a job's page with its live progress, cancel, result."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View

from zoneops.core.access.permissions import CHANGE, VIEW
from zoneops.core.registries import background
from zoneops.jobs import services, tasks
from zoneops.jobs.models import Job


def phase_label(phase: str) -> str:
    from django.utils.translation import gettext

    labels = {
        background.READING: gettext("Reading the file"),
        background.CHECKING: gettext("Checking rows"),
        background.WRITING: gettext("Writing"),
        background.WORKING: gettext("Working"),
    }
    return labels.get(phase, "")


def progress_context(job: Job) -> dict:
    progress = tasks.read_progress(job)
    done, total = progress["done"] or 0, progress["total"]
    percent = None
    if job.state == Job.State.DONE:
        percent = 100
    elif total:
        percent = min(100, int(done * 100 / total))
    eta = progress["eta"]
    return {
        "job": job,
        "progress": progress,
        "percent": percent,
        "phase_label": phase_label(progress["phase"]),
        "eta_minutes": None if eta is None else eta // 60,
        "eta_seconds": None if eta is None else eta % 60,
        "cancelling": job.state == Job.State.RUNNING and tasks.cancel_requested(job),
        "may_cancel": not job.finished,
        # Imports, exports and bulk calls count rows (and records written); other work steps.
        "of_rows": job.kind in (Job.Kind.IMPORT, Job.Kind.EXPORT, Job.Kind.BULK),
        "of_records": job.kind in (Job.Kind.IMPORT, Job.Kind.BULK),
    }


class JobMixin(LoginRequiredMixin):
    def get_job(self, action: str = VIEW) -> Job:
        return get_object_or_404(
            Job.objects.restrict(self.request.user, action).select_related("user"),
            pk=self.kwargs["pk"],
        )


class JobListView(LoginRequiredMixin, View):
    """我的后台作业: the user's jobs; an administrator sees everyone's."""

    template_name = "jobs/job_list.html"
    paginate_by = 50

    def get(self, request):
        jobs = Job.objects.restrict(request.user, VIEW).select_related("user")
        state = request.GET.get("state")
        if state in Job.State.values:
            jobs = jobs.filter(state=state)
        page = Paginator(jobs, self.paginate_by).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {
                "page": page,
                "jobs": page.object_list,
                "states": Job.State.choices,
                "state": state,
                "everyone": request.user.is_zone_admin,
            },
        )


class JobDetailView(JobMixin, View):
    template_name = "jobs/job_detail.html"

    def get(self, request, pk):
        job = self.get_job()
        return render(request, self.template_name, progress_context(job))


class JobProgressView(JobMixin, View):
    """The progress block alone, polled by the job page (HTMX) while the job runs."""

    def get(self, request, pk):
        job = self.get_job()
        return render(request, "jobs/_progress.html", progress_context(job))


class JobCancelView(JobMixin, View):
    def post(self, request, pk):
        job = self.get_job(CHANGE)
        if services.cancel(job, acting_user=request.user):
            messages.info(request, _("Cancelling: nothing of this job will be written."))
        else:
            messages.warning(request, _("The job had already ended."))
        if request.headers.get("HX-Request"):
            job.refresh_from_db()
            return render(request, "jobs/_progress.html", progress_context(job))
        return HttpResponseRedirect(job.get_absolute_url())


class JobResultView(JobMixin, View):
    """The job's file: the list of row errors (.xlsx) of a refused import, an export, a pack.
    Each download is a security event, as the pack's own download is."""

    def get(self, request, pk):
        from zoneops.core.accounts import security
        from zoneops.core.models import SecurityEvent

        job = self.get_job()
        path = tasks.result_path(job)
        if not job.result_name or not path.exists():
            raise Http404
        security.log_event(
            SecurityEvent.Type.EXPORT, request, model="jobs.Job", job=job.pk, kind=job.kind
        )
        return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name)
