"""/api/dispatch-packs/: the dispatch packs (调度通报) a user may see; a new one is made by a
background job (后台作业): 202 with the job's URL, whose result is the pack's .docx."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from zoneops.api.viewsets import ScopedModelViewSet
from zoneops.core.models import Zone
from zoneops.core.rest.fields import CodedReferencesSerializer, service_call
from zoneops.jobs.api import JobSerializer
from zoneops.reports import services
from zoneops.reports.filters import DispatchPackFilterSet
from zoneops.reports.models import DispatchPack


class DispatchPackSerializer(CodedReferencesSerializer):
    class Meta:
        model = DispatchPack
        fields = [
            "id",
            "zone",
            "year",
            "month",
            "title",
            "document_number",
            "issued_at",
            "created_at",
        ]
        read_only_fields = fields


class DispatchPackCreateSerializer(serializers.Serializer):
    zone = serializers.SlugRelatedField(slug_field="code", queryset=Zone.objects.all())
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)

    def validate_zone(self, zone):
        user = self.context["request"].user
        if not user.visible_zones().filter(pk=zone.pk).exists():
            raise serializers.ValidationError(f'Zone "{zone.code}" not found.')
        return zone


class DispatchPackViewSet(ScopedModelViewSet):
    """The dispatch packs (调度通报) of the zones the user sees; POST makes a new one in the
    background and answers 202 with its job."""

    base_queryset = DispatchPack.objects.select_related("zone")
    serializer_class = DispatchPackSerializer
    filterset_class = DispatchPackFilterSet
    search_fields = ["title", "document_number"]
    ordering_fields = ["year", "month", "created_at"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        request=DispatchPackCreateSerializer,
        responses={
            202: OpenApiResponse(
                JobSerializer,
                description="Queued (or the same pack already being made): poll the job's url "
                "until its state is done; its result is the pack's .docx, and its page leads to "
                "the pack. The Location header names the job too.",
            )
        },
    )
    def create(self, request, *args, **kwargs):
        """Make the zone's pack for a month in the background, as the dashboard's button does."""
        incoming = DispatchPackCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        queued = service_call(
            lambda: services.start_pack(
                zone=data["zone"], year=data["year"], month=data["month"], acting_user=request.user
            )
        )
        job = queued[0]
        body = JobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


def register(router) -> None:
    router.register("dispatch-packs", DispatchPackViewSet, basename="reports-dispatchpack")
