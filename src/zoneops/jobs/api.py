"""/api/jobs/: background jobs (后台作业) with their state and progress; an import file sent
here is queued as a job and answered with 202 and the job's URL."""

import copy
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.urls import Resolver404, resolve
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from zoneops.api.permissions import RolePermission
from zoneops.core.access import context
from zoneops.core.access.permissions import CHANGE, VIEW
from zoneops.core.files import imports, uploads
from zoneops.core.registries import background
from zoneops.jobs import services, tasks
from zoneops.jobs.filters import JobFilterSet
from zoneops.jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "url",
            "page",
            "kind",
            "title",
            "state",
            "progress",
            "file_name",
            "file_size",
            "checksum",
            "created_at",
            "started_at",
            "finished_at",
            "created_count",
            "updated_count",
            "skipped_count",
            "error_count",
            "errors",
            "message",
            "result",
        ]
        read_only_fields = fields

    def get_url(self, job) -> str:
        return f"/api/jobs/{job.pk}/"

    def get_page(self, job) -> str:
        return job.get_absolute_url()

    @extend_schema_field(
        inline_serializer(
            "JobProgress",
            {
                "phase": serializers.CharField(help_text="reading, checking or writing"),
                "done": serializers.IntegerField(),
                "total": serializers.IntegerField(allow_null=True),
                "seconds_left": serializers.IntegerField(allow_null=True),
            },
        )
    )
    def get_progress(self, job) -> dict:
        data = tasks.read_progress(job)
        total = data["total"]
        return {
            "phase": data["phase"],
            "done": data["done"],
            "total": total,
            "seconds_left": data["eta"],
        }

    def get_result(self, job) -> str | None:
        return f"{job.get_absolute_url()}result/" if job.result_name else None


class ImportRequestSerializer(serializers.Serializer):
    page = serializers.CharField(
        help_text="The import page the file is meant for, e.g. /enterprises/import/."
    )
    file = serializers.FileField(help_text=".xlsx or .csv, as on the page.")


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The user's jobs (an administrator: everyone's). Poll a job's ``url`` for its state and
    progress until ``state`` is done, failed or cancelled."""

    serializer_class = JobSerializer
    permission_classes = [RolePermission]
    base_queryset = Job.objects.select_related("user")
    filterset_class = JobFilterSet
    search_fields = ["title", "file_name"]
    ordering_fields = ["created_at", "finished_at"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        ctx = context.current()
        if request.user.is_authenticated and (ctx is None or ctx.user is None):
            context.attribute_to(request.user)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        action_name = CHANGE if self.request.method == "POST" else VIEW
        return self.base_queryset.restrict(self.request.user, action_name)

    def initialize_request(self, request, *args, **kwargs):
        # The parsers are chosen before DRF names the action: name it first, so that only the
        # upload (create) reads multipart and every other body is JSON.
        self.action = self.action_map.get(request.method.lower())
        return super().initialize_request(request, *args, **kwargs)

    def get_parsers(self):
        if getattr(self, "action", None) == "create":
            return [MultiPartParser()]
        return super().get_parsers()

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            202: OpenApiResponse(
                JobSerializer,
                description="Queued (or the job already importing this same file): poll its "
                "url. The Location header names it too.",
            ),
        },
    )
    def create(self, request):
        """Import a file in the background, as its import page would: all rows or none."""
        form = ImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        view_class = self.import_view(form.validated_data["page"], request)
        try:
            uploads.check_upload(upload)
        except uploads.UploadRefused as exc:
            raise exceptions.ValidationError({"file": [str(exc)]}) from exc
        job, _created = services.start_import(
            target=f"{view_class.__module__}.{view_class.__qualname__}",
            name=upload.name,
            content=upload.read(),
            title=services.import_title(view_class.model, upload.name),
            return_url=services.list_url(view_class.model),
            acting_user=request.user,
        )
        data = JobSerializer(job, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})

    def import_view(self, page: str, request):
        """The import page's view class, after the page's own checks for this user (its role,
        and any rule of the page itself): a job may import only where the page would."""
        from zoneops.core.ui.generic import BulkImportView

        try:
            match = resolve(page.split("?")[0])
        except Resolver404:
            match = None
        view_class = getattr(getattr(match, "func", None), "view_class", None)
        if not (isinstance(view_class, type) and issubclass(view_class, BulkImportView)):
            raise exceptions.ValidationError({"page": ["Not an import page."]})
        probe = copy.copy(request._request)
        probe.method = "GET"
        probe.GET = QueryDict()
        probe.user = request.user  # a token's user is known to DRF's request only
        response = view_class.as_view()(probe, *match.args, **match.kwargs)
        if response.status_code != 200:
            raise exceptions.PermissionDenied()
        return view_class

    @extend_schema(request=None, responses={202: JobSerializer, 409: JobSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Stop the job: a queued one at once, a running one at its next step; nothing of it is
        written. 409 if it had already ended."""
        job = self.get_object()
        stopped = services.cancel(job, acting_user=request.user)
        job.refresh_from_db()
        data = JobSerializer(job, context={"request": request}).data
        return Response(
            data, status=status.HTTP_202_ACCEPTED if stopped else status.HTTP_409_CONFLICT
        )


def accepted(job: Job, request) -> Response:
    """202 with the job (its ``url`` to poll, in the Location header too)."""
    data = JobSerializer(job, context={"request": request}).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


def bulk_as_job(request, work: str, *, title: str) -> Response | None:
    """A bulk call of more than ``ZONEOPS_JOB_BULK_MIN_ROWS`` records: queued as the job
    ``work`` (registered with ``bulk_work``) and answered 202; None for a smaller one, which
    the view writes at once. The same records sent again while their job runs: that job."""
    records = request.data
    if not isinstance(records, list) or len(records) <= background.work_min_rows():
        return None
    if len(records) > imports.BULK_MAX_ROWS:
        return None  # refused by the service with its own error, at once
    content = json.dumps(records, ensure_ascii=False, cls=DjangoJSONEncoder).encode()
    queued = background.start_work(
        work, params={}, title=title, acting_user=request.user, content=content
    )
    return None if queued is None else accepted(queued[0], request)


BULK_ACCEPTED = OpenApiResponse(
    JobSerializer,
    description="More records than the server writes at once (ZONEOPS_JOB_BULK_MIN_ROWS): queued "
    "as a background job, all or nothing as ever; poll its url (also in the Location header) "
    "until its state is done or failed, when errors lists every refused record.",
)


def register(router) -> None:
    router.register("jobs", JobViewSet, basename="job")
