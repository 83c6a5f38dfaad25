"""REST endpoints for intake: the registered articles (/api/articles/) and the statements read
from them (/api/statements/), to read, as the pages show them.

Registering an article and reviewing its statements stay on the pages (``services``): a review
writes targets, values and goals, and is a person's decision on what the article says.
"""

from zoneops.api.viewsets import ScopedModelViewSet
from zoneops.core.rest.fields import CodeChoiceField, CodedReferencesSerializer
from zoneops.intake.filters import DocumentFilterSet, StatementFilterSet
from zoneops.intake.models import Document, Statement

READ_ONLY = ["get", "head", "options"]

DOCUMENT_FIELDS = [
    "id",
    "zone",
    "title",
    "date",
    "file_name",
    "registered_by",
    "created_at",
    "source",
]


class DocumentSerializer(CodedReferencesSerializer):
    """An article in a list: its text only on its own page (``DocumentDetailSerializer``)."""

    class Meta:
        model = Document
        fields = DOCUMENT_FIELDS
        read_only_fields = DOCUMENT_FIELDS


class DocumentDetailSerializer(DocumentSerializer):
    class Meta(DocumentSerializer.Meta):
        fields = [*DOCUMENT_FIELDS, "text", "checksum"]
        read_only_fields = fields


class StatementSerializer(CodedReferencesSerializer):
    serializer_choice_field = CodeChoiceField

    class Meta:
        model = Statement
        fields = [
            "id",
            "document",
            "position",
            "sentence",
            "context",
            "subject",
            "indicator",
            "measure",
            "value",
            "value_max",
            "unit",
            "growth_pct",
            "qualifier",
            "period",
            "kind",
            "state",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "conflicts_with",
            "outcome",
            "target",
            "indicator_value",
            "goal",
            "source",
        ]
        read_only_fields = fields


class DocumentViewSet(ScopedModelViewSet):
    http_method_names = READ_ONLY
    base_queryset = Document.objects.select_related("zone")
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilterSet
    search_fields = ["title", "file_name"]
    ordering_fields = ["date", "title", "id"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return DocumentDetailSerializer
        return DocumentSerializer


class StatementViewSet(ScopedModelViewSet):
    http_method_names = READ_ONLY
    base_queryset = Statement.objects.select_related("document")
    serializer_class = StatementSerializer
    filterset_class = StatementFilterSet
    search_fields = ["sentence", "subject", "measure", "indicator"]
    ordering_fields = ["document", "position", "reviewed_at", "id"]


def register(router) -> None:
    router.register("articles", DocumentViewSet, basename="intake-document")
    router.register("statements", StatementViewSet, basename="intake-statement")
