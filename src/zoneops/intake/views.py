from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access.permissions import CHANGE
from zoneops.core.ui import generic
from zoneops.core.ui.tables import Column
from zoneops.intake import apply, services
from zoneops.intake.data import indicator_labels
from zoneops.intake.filters import DocumentFilterSet, StatementFilterSet
from zoneops.intake.forms import DocumentForm, ReviewForm
from zoneops.intake.models import Document, Statement


def _error_text(exc) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


# Articles ------------------------------------------------------------------------------------


class DocumentListView(generic.ObjectListView):
    model = Document
    queryset = Document.objects.select_related("zone")
    filterset_class = DocumentFilterSet
    search_fields = ("title", "source", "file_name")
    default_ordering = ("-date", "-id")
    columns = [
        Column("title", linkify=True),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("date"),
        Column("source", sortable=False),
        Column("file_name"),
    ]


class DocumentDetailView(generic.ObjectDetailView):
    model = Document
    template_name = "intake/document_detail.html"
    queryset = Document.objects.select_related("zone", "registered_by")
    fields = ("title", "zone", "date", "source", "file_name", "registered_by", "created_at")

    def extra_context(self, obj):
        statements = obj.statements.select_related(
            "reviewed_by", "conflicts_with", "target__zone", "target__indicator",
            "indicator_value__zone", "indicator_value__indicator", "goal",
        )  # fmt: skip
        counts = {state: 0 for state in Statement.State.values}
        for statement in statements:
            counts[statement.state] += 1
        return {
            "statements": statements,
            "state_counts": [(Statement.State(s).label, n) for s, n in counts.items()],
            "labels": indicator_labels(),
        }


class DocumentEditView(generic.ObjectEditView):
    model = Document
    form_class = DocumentForm

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = self.form_class(request.POST, request.FILES, instance=instance, user=request.user)
        if not form.is_valid():
            return self.render_form(form, instance)
        if instance is None and services.is_long(form.cleaned_data["text"]):
            data = form.cleaned_data
            try:
                queued = services.start_register(
                    acting_user=request.user,
                    zone=data["zone"],
                    text=data["text"],
                    title=data.get("title") or "",
                    source=data.get("source") or "",
                    date=data.get("date"),
                    file_name=data.get("file_name", ""),
                )
            except PermissionDenied as exc:
                form.add_error(None, _error_text(exc))
                return self.render_form(form, instance)
            if queued is not None:  # read by a job: its page shows the progress
                return HttpResponseRedirect(queued[0].get_absolute_url())
        try:
            obj = form.save()
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                form.add_error(None, _error_text(exc))
            return self.render_form(form, instance)
        if instance is None and not form.created:
            messages.info(request, _("This article was registered before; nothing new to propose."))
        elif instance is None:
            messages.success(
                request,
                _("Registered “{title}”: {count} statements proposed for review.").format(
                    title=obj, count=obj.statements.count()
                ),
            )
        else:
            messages.success(request, _("Saved “{object}”.").format(object=obj))
        return HttpResponseRedirect(obj.get_absolute_url())


class DocumentDeleteView(generic.ObjectDeleteView):
    model = Document


# Statements (the review queue) ----------------------------------------------------------------


class StatementListView(generic.ObjectListView):
    model = Statement
    queryset = Statement.objects.select_related("document__zone", "reviewed_by")
    filterset_class = StatementFilterSet
    search_fields = ("sentence", "measure", "indicator", "document__title")
    default_ordering = ("document__id", "position", "id")
    columns = [
        Column("statement", gettext_lazy("Statement"), linkify=True, sortable=False, accessor=str),
        Column("kind"),
        Column("period"),
        Column("subject"),
        Column("state"),
        Column("outcome"),
        Column(
            "conflicts_with",
            gettext_lazy("Contradicts"),
            sortable=False,
            accessor=lambda s: "⚠" if s.conflicts_with_id else "",
        ),
        Column("sentence", sortable=False),
        Column("document__title", gettext_lazy("Article"), order_by="document__title"),
        Column("reviewed_by", order_by="reviewed_by__username"),
    ]


class StatementDetailView(generic.ObjectDetailView):
    model = Statement
    template_name = "intake/statement_detail.html"
    queryset = Statement.objects.select_related(
        "document__zone",
        "reviewed_by",
        "conflicts_with__document",
        "target__zone",
        "target__indicator",
        "indicator_value__zone",
        "indicator_value__indicator",
        "goal",
    )
    fields = (
        "document",
        "subject",
        "indicator",
        "measure",
        "value",
        "value_max",
        "unit",
        "qualifier",
        "growth_pct",
        "period",
        "kind",
        "state",
        "outcome",
        "reviewed_by",
        "reviewed_at",
        "review_note",
        "source",
    )

    # A correction being previewed: (bound form, the statement with the changes in memory).
    preview = None

    def extra_context(self, obj):
        can_review = (
            obj.state == Statement.State.PROPOSED
            and self.restricted(CHANGE).filter(pk=obj.pk).exists()
        )
        form, planned, contradiction = None, None, None
        if obj.state == Statement.State.PROPOSED:
            subject = obj
            if self.preview is not None:
                form, subject = self.preview
            planned = apply.plan(subject)
            contradiction = services.contradicted_fact(subject)
        if can_review and form is None:
            form = ReviewForm(statement=obj)
        return {
            "parts": obj.highlighted(),
            "review_form": form if can_review else None,
            "previewing": self.preview is not None,
            "plan": planned,
            "contradiction": contradiction,
            "written": obj.written if obj.is_reviewed_fact else None,
            "fact_reason": self._fact_reason(obj),
            "indicator_codes": apply.catalog_choices(),
            "indicator_label": indicator_labels().get(obj.indicator, ""),
            "contradicted_by": obj.contradicted_by.select_related("document")[:20],
            "next_url": self._next_proposed(obj),
        }

    @staticmethod
    def _fact_reason(obj) -> str:
        """Why an accepted statement wrote nothing but the reviewed fact (as things stand)."""
        if not obj.is_reviewed_fact or obj.outcome != Statement.Outcome.FACT:
            return ""
        return apply.plan(obj).reason

    def _next_proposed(self, obj):
        following = (
            self.restricted("view")
            .filter(
                document=obj.document, state=Statement.State.PROPOSED, position__gt=obj.position
            )
            .order_by("position", "id")
            .first()
        )
        return following.get_absolute_url() if following else obj.document.get_absolute_url()

    def post(self, request, *args, **kwargs):
        statement = self.get_object("view")
        form = ReviewForm(request.POST, statement=statement)
        if not form.is_valid():
            messages.error(request, _("Please check the form."))
            return HttpResponseRedirect(statement.get_absolute_url())
        action, note = form.cleaned_data["action"], form.cleaned_data["note"]
        replace = bool(form.cleaned_data.get("replace"))
        replace_target = bool(form.cleaned_data.get("replace_target"))
        try:
            if action == "preview":
                self.preview = (form, services.corrected_copy(statement, form.changes()))
                return self.get(request, *args, **kwargs)
            if action == "accept":
                done = services.accept(
                    statement,
                    acting_user=request.user,
                    note=note,
                    replace=replace,
                    replace_target=replace_target,
                )
                messages.success(request, _("Accepted.") + " " + apply.outcome_text(done))
            elif action == "correct":
                done = services.correct(
                    statement, acting_user=request.user, note=note, replace=replace,
                    replace_target=replace_target, **form.changes(),
                )  # fmt: skip
                messages.success(
                    request, _("Corrected and accepted.") + " " + apply.outcome_text(done)
                )
            else:
                services.reject(statement, acting_user=request.user, note=note)
                messages.success(request, _("Rejected."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
            return HttpResponseRedirect(statement.get_absolute_url())
        return HttpResponseRedirect(self._next_proposed(statement))
