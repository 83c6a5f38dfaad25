import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zoneops.core.access.permissions import ADD, CHANGE, VIEW, role_may
from zoneops.core.files import exports
from zoneops.core.files.imports import ModelImporter
from zoneops.core.models import Role, Zone
from zoneops.core.ui import generic, submissions
from zoneops.core.ui.tables import Column, located_export_columns
from zoneops.enterprises import filters, forms, importers, services
from zoneops.enterprises.models import (
    Certification,
    Contact,
    CultivationEntry,
    Enterprise,
    IdleRevival,
    IndustrialChain,
    Industry,
    LiaisonAssignment,
    MonthApproval,
    MonthlyFigure,
    RevivalGoal,
    SupportMeasure,
    Tier,
    Visit,
    VisitPhoto,
)

TIER_LABELS = dict(Tier.choices)
RANK_LABELS = {rank: TIER_LABELS[tier] for rank, tier in services.RANK_TIER.items()}


def _messages_of(exc) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


# Industries (GB/T 4754-2017, read only) ---------------------------------------------------------


class IndustryListView(generic.ObjectListView):
    model = Industry
    queryset = Industry.objects.select_related("parent")
    filterset_class = filters.IndustryFilterSet
    search_fields = ("code", "name")
    default_ordering = ("section", "code")
    paginate_by = 100
    columns = [
        Column("code", linkify=True, accessor=lambda i: i.full_code),
        Column("name", linkify=True),
        Column("level"),
        Column("parent", order_by="parent__code"),
    ]

    def search(self, qs, query):
        from zoneops.enterprises.industries import clean_code

        code = clean_code(query)
        if code and (code.isdigit() or (len(code) == 1 and code.isalpha())):
            return qs.filter(code__startswith=code)
        return super().search(qs, query)


class IndustryDetailView(generic.ObjectDetailView):
    model = Industry
    template_name = "enterprises/industry_detail.html"
    fields = ("code", "name", "level", "section", "parent")

    def extra_context(self, obj):
        return {
            "children": obj.children.all(),
            "threshold": services.threshold_for(obj.full_code),
        }


# Industrial chains ----------------------------------------------------------------------------


class IndustrialChainListView(generic.ObjectListView):
    model = IndustrialChain
    queryset = IndustrialChain.objects.select_related("zone")
    filterset_class = filters.IndustrialChainFilterSet
    search_fields = ("name", "zone__name")
    default_ordering = ("zone__path", "name")
    columns = [
        Column("name", linkify=True),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("description", sortable=False),
    ]


class IndustrialChainDetailView(generic.ObjectDetailView):
    model = IndustrialChain
    template_name = "enterprises/chain_detail.html"
    queryset = IndustrialChain.objects.select_related("zone")

    def extra_context(self, obj):
        enterprises = obj.enterprises.restrict(self.request.user, VIEW).order_by(
            "-is_chain_leader", "name"
        )
        return {"enterprises": enterprises[:200], "enterprise_count": enterprises.count()}


class IndustrialChainEditView(generic.ObjectEditView):
    model = IndustrialChain
    form_class = forms.IndustrialChainForm


class IndustrialChainDeleteView(generic.ObjectDeleteView):
    model = IndustrialChain


# Enterprises --------------------------------------------------------------------------------


class EnterpriseListView(generic.ObjectListView):
    """Every enterprise the user sees; a liaison cadre's own enterprises come first."""

    model = Enterprise
    template_name = "enterprises/enterprise_list.html"
    queryset = Enterprise.objects.select_related("zone", "industry", "chain")
    filterset_class = filters.EnterpriseFilterSet
    search_fields = ("name", "uscc", "address")
    default_ordering = ("name",)
    columns = [
        Column("name", linkify=True),
        Column("uscc"),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column(
            "industry",
            order_by="industry__code",
            accessor=lambda e: f"{e.industry.full_code} {e.industry.name}" if e.industry else "",
        ),
        Column("chain__name", gettext_lazy("Industrial chain"), order_by="chain__name"),
        Column("is_chain_leader"),
        Column(
            "tier",
            gettext_lazy("Tier"),
            order_by="tier_rank",
            accessor=lambda e: RANK_LABELS.get(getattr(e, "tier_rank", None), ""),
        ),
        Column("above_scale"),
        Column("status"),
    ]

    def base_queryset(self):
        user = self.request.user
        return (
            super()
            .base_queryset()
            .annotate(
                tier_rank=services.current_tier_rank(),
                is_mine=Exists(
                    LiaisonAssignment.objects.filter(enterprise=OuterRef("pk"), user=user.pk)
                ),
            )
        )

    def export(self, qs, columns):
        return super().export(qs, [*columns, *located_export_columns(self.model)])

    def sort(self, qs, columns):
        qs, current = super().sort(qs, columns)
        if not current and self.request.user.role == Role.LIAISON:
            qs = qs.order_by("-is_mine", *self.default_ordering)
        return qs, current

    def extra_context(self):
        user = self.request.user
        return {
            "mine_count": LiaisonAssignment.objects.filter(user=user).count()
            if user.role == Role.LIAISON
            else None,
            "links": report_links(user),
        }


def report_links(user) -> list[tuple[str, str]]:
    links = [
        (_("Pyramid"), reverse("enterprises:pyramid")),
        (_("Scale-up candidates"), reverse("enterprises:candidates")),
        (_("Scale-down risks"), reverse("enterprises:scale_down")),
        (_("Visit coverage"), reverse("enterprises:coverage")),
        (_("Too many visits"), reverse("enterprises:over_visited")),
        (_("Expiring certifications"), reverse("enterprises:expiring")),
        (_("Certifications"), reverse("enterprises:certification_list")),
        (_("Cultivation pool"), reverse("enterprises:cultivationentry_list")),
        (_("Visits"), reverse("enterprises:visit_list")),
        (_("Idle enterprises"), reverse("enterprises:idlerevival_list")),
        (_("Monthly figures"), reverse("enterprises:monthlyfigure_list")),
        (_("Month approvals"), reverse("enterprises:monthapproval_list")),
        (_("Liaison assignments"), reverse("enterprises:liaisonassignment_list")),
        (_("Contacts"), reverse("enterprises:contact_list")),
        (_("Industrial chains"), reverse("enterprises:industrialchain_list")),
        (_("Industry codes"), reverse("enterprises:industry_list")),
    ]
    if user.role == Role.LIAISON:
        links.insert(
            0, (_("My enterprises"), reverse("enterprises:enterprise_list") + "?mine=true")
        )
    return links


class EnterpriseDetailView(generic.ObjectDetailView):
    model = Enterprise
    template_name = "enterprises/enterprise_detail.html"
    queryset = Enterprise.objects.select_related("zone", "industry", "chain")

    def extra_context(self, obj):
        user = self.request.user
        today = services.today()
        certifications = list(obj.certifications.all().order_by("-issued_on"))
        for cert in certifications:
            cert.is_valid = cert.is_valid_on(today)
        contacts = [
            (contact, services.phone_for(user, contact.phone)) for contact in obj.contacts.all()
        ]
        figures = list(services.with_yoy(obj.figures.all()).order_by("-year", "-month")[:24])
        for figure in figures:
            figure.revenue_yoy = services.yoy(figure.main_revenue, figure.prev_main_revenue)
            figure.output_yoy = services.yoy(figure.output_value, figure.prev_output_value)
        tier = services.tier_of(obj, today)
        threshold = services.threshold_for(obj.industry.full_code if obj.industry else None)
        return {
            "tier_label": TIER_LABELS.get(tier, ""),
            "certifications": certifications,
            "contacts": contacts,
            "liaisons": obj.liaison_assignments.select_related("user"),
            "visits": obj.visits.select_related("cadre").annotate(photo_count=Count("photos"))[:20],
            "pool": obj.cultivation_entries.prefetch_related("measures"),
            "revivals": obj.revivals.all(),
            "figures": figures,
            "threshold": threshold,
            "scale_events": obj.scale_up_events.select_related("application", "actor"),
            "may_visit": role_may(user, ADD, Visit),
            "may_pool": role_may(user, ADD, CultivationEntry),
            "may_call": services.may_see_phones(user),
        }


class EnterpriseEditView(generic.ObjectEditView):
    model = Enterprise
    form_class = forms.EnterpriseForm
    template_name = "core/located_edit.html"


class EnterpriseDeleteView(generic.ObjectDeleteView):
    model = Enterprise


class EnterpriseImportView(generic.BulkImportView):
    model = Enterprise
    importer_class = importers.EnterpriseImporter


# Contacts -------------------------------------------------------------------------------------


class ContactListView(generic.ObjectListView):
    model = Contact
    queryset = Contact.objects.select_related("enterprise")
    filterset_class = filters.ContactFilterSet
    search_fields = ("name", "role", "enterprise__name")
    default_ordering = ("enterprise__name", "-is_primary", "name")
    # the contacts' import finds the enterprise by its USCC and the contact by its name alone
    export_columns = [
        Column("enterprise__uscc", gettext_lazy("Unified social credit code")),
        Column("name", gettext_lazy("full name")),  # the import form's label of the name
    ]

    def bound_columns(self):
        user = self.request.user
        return [
            c.bind(Contact)
            for c in [
                Column("name", gettext_lazy("Contact"), linkify=True, accessor=str),
                Column("role"),
                Column(
                    "phone",
                    sortable=False,
                    accessor=lambda c: services.phone_for(user, c.phone),
                ),
                Column("is_primary"),
            ]
        ]


class ContactDetailView(generic.ObjectDetailView):
    model = Contact
    queryset = Contact.objects.select_related("enterprise")

    def detail_rows(self, obj):
        rows = super().detail_rows(obj)
        label = Column("phone").bind(Contact).label
        return [
            (name, services.phone_for(self.request.user, obj.phone) or "—")
            if name == label
            else (name, value)
            for name, value in rows
        ]

    def history(self, obj):
        # The history holds phone numbers in full; whoever may not read them sees none of it.
        if not services.may_see_phones(self.request.user):
            return []
        return super().history(obj)


class ContactEditView(generic.ObjectEditView):
    model = Contact
    form_class = forms.ContactForm


class ContactDeleteView(generic.ObjectDeleteView):
    model = Contact


class ContactImporter(ModelImporter):
    """Contacts from a spreadsheet, all or nothing.

    The enterprise is found by its USCC among the enterprises of the user's zones (any other is
    "not found"). A row whose enterprise already has a contact of the same name updates that
    contact (its role, phone, primary flag), so a corrected list can be imported again; two rows
    for the same person at the same enterprise are refused.
    """

    model = Contact
    form_class = forms.ContactImportForm
    header_aliases = {
        "enterprise": ("统一社会信用代码", "社会信用代码", "信用代码", "uscc", "enterprise"),
        "name": ("姓名", "联系人", "联系人姓名", "name"),
        "role": ("职务", "职位", "岗位", "role"),
        "phone": ("手机/电话", "手机", "电话", "手机号", "手机号码", "联系电话", "phone"),
        "is_primary": ("是否主要联系人", "主要联系人", "is_primary"),
    }

    def run(self, name: str, content: bytes):
        from pathlib import Path

        self.source = f"import: {Path(name).name}"[:300]
        return super().run(name, content)

    def clean_row(self, data):
        data = {key: value.strip() for key, value in data.items()}
        if "enterprise" in data:
            data["enterprise"] = data["enterprise"].upper()
        if not data.get("source"):
            # a new contact comes from this file; one already there keeps where it came from
            current = self.existing(self.row_key(data))
            data["source"] = current.source if current else getattr(self, "source", "")
        return data

    def row_key(self, data) -> str:
        if not data.get("enterprise") or not data.get("name"):
            return ""
        return f"{data['enterprise']} {data['name']}"

    def key_label(self) -> str:
        return str(self.form_fields()["name"].label)

    def existing(self, key: str):
        if not key:
            return None
        uscc, _sep, name = key.partition(" ")
        return (
            Contact.objects.restrict(self.user, "change")
            .filter(enterprise__uscc=uscc, name=name)
            .order_by("pk")
            .first()
        )


class ContactImportView(generic.BulkImportView):
    model = Contact
    importer_class = ContactImporter
    import_help = gettext_lazy(
        "The enterprise is found by its unified social credit code among the enterprises of "
        "your zones. A row for a person who is already a contact of that enterprise (same name) "
        "updates the contact's role, phone and primary flag; any other row adds a contact. "
        "The same person twice in one file is refused. Phones: an 11-digit mobile or a "
        "landline with its area code."
    )


# Certifications ----------------------------------------------------------------------------


CERT_COLUMNS = [
    Column(
        "enterprise__name",
        gettext_lazy("Certification"),
        order_by="enterprise__name",
        linkify=True,
        accessor=str,
    ),
    Column("kind"),
    Column("level"),
    Column("certificate_no"),
    Column("issued_on"),
    Column("expires_on"),
    Column(
        "valid",
        gettext_lazy("Valid today"),
        sortable=False,
        accessor=lambda c: c.is_valid_on(services.today()),
    ),
]


class CertificationListView(generic.ObjectListView):
    model = Certification
    queryset = Certification.objects.select_related("enterprise")
    filterset_class = filters.CertificationFilterSet
    search_fields = ("enterprise__name", "enterprise__uscc", "certificate_no")
    default_ordering = ("expires_on", "id")
    columns = CERT_COLUMNS


class ExpiringCertificationListView(CertificationListView):
    """Certifications running out within 90 (or 60, 30) days: time to re-apply."""

    template_name = "enterprises/expiring_list.html"
    export_name = "expiring-certifications"

    def days(self) -> int:
        try:
            days = int(self.request.GET.get("days", 90))
        except ValueError:
            days = 90
        return days if days in (30, 60, 90) else 90

    def restricted(self, action=VIEW):
        return services.expiring(super().restricted(action), self.days())

    def extra_context(self):
        return {"days": self.days(), "day_choices": (90, 60, 30)}


class CertificationDetailView(generic.ObjectDetailView):
    model = Certification
    queryset = Certification.objects.select_related("enterprise")


class CertificationEditView(generic.ObjectEditView):
    model = Certification
    form_class = forms.CertificationForm


class CertificationDeleteView(generic.ObjectDeleteView):
    model = Certification


class CertificationImporter(ModelImporter):
    model = Certification
    form_class = forms.CertificationForm
    # a renewal has a new issue date: a new certification; the same one again updates it
    key_fields = ("enterprise", "kind", "level", "issued_on")


class CertificationImportView(generic.BulkImportView):
    model = Certification
    importer_class = CertificationImporter


# Liaison assignments ---------------------------------------------------------------------------


class LiaisonAssignmentListView(generic.ObjectListView):
    model = LiaisonAssignment
    queryset = LiaisonAssignment.objects.select_related("enterprise", "user")
    filterset_class = filters.LiaisonAssignmentFilterSet
    search_fields = ("enterprise__name", "user__username", "user__last_name")
    default_ordering = ("enterprise__name", "-is_lead")
    columns = [
        Column(
            "enterprise__name",
            gettext_lazy("Liaison assignment"),
            order_by="enterprise__name",
            linkify=True,
            accessor=str,
        ),
        Column("user", order_by="user__username"),
        Column("is_lead"),
        Column("since"),
    ]


class LiaisonAssignmentDetailView(generic.ObjectDetailView):
    model = LiaisonAssignment
    queryset = LiaisonAssignment.objects.select_related("enterprise", "user")


class LiaisonAssignmentEditView(generic.ObjectEditView):
    model = LiaisonAssignment
    form_class = forms.LiaisonAssignmentForm


class LiaisonAssignmentDeleteView(generic.ObjectDeleteView):
    model = LiaisonAssignment


class LiaisonAssignmentImporter(ModelImporter):
    model = LiaisonAssignment
    form_class = forms.LiaisonAssignmentForm
    key_fields = ("enterprise", "user")  # one assignment per cadre and enterprise


class LiaisonAssignmentImportView(generic.BulkImportView):
    model = LiaisonAssignment
    importer_class = LiaisonAssignmentImporter


# Visits ---------------------------------------------------------------------------------------


class VisitListView(generic.ObjectListView):
    model = Visit
    queryset = Visit.objects.select_related("enterprise", "cadre")
    filterset_class = filters.VisitFilterSet
    search_fields = ("enterprise__name", "findings", "people_met")
    default_ordering = ("-visited_on", "-id")
    columns = [
        Column("visited_on"),
        Column(
            "enterprise__name",
            gettext_lazy("Visit"),
            order_by="enterprise__name",
            linkify=True,
            accessor=str,
        ),
        Column("cadre", order_by="cadre__username"),
        Column("people_met"),
        Column("findings", sortable=False),
    ]


class VisitDetailView(generic.ObjectDetailView):
    model = Visit
    queryset = Visit.objects.select_related("enterprise", "cadre")
    template_name = "enterprises/visit_detail.html"

    def extra_context(self, obj):
        return {"photos": obj.photos.all()}


class VisitEditView(generic.ObjectEditView):
    """Recording a visit goes through ``services.record_visit``, once per rendered form (the
    phone may send it again after a dropped connection); editing one is a plain save."""

    model = Visit
    form_class = forms.VisitForm
    template_name = "enterprises/visit_edit.html"

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        initial = {}
        uscc = request.GET.get("enterprise")
        if instance is None and uscc:
            initial["enterprise"] = uscc
        form = self.form_class(instance=instance, user=request.user, initial=initial)
        return self.render_form(form, instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        if instance is not None:
            if request.user.role == Role.LIAISON and instance.cadre_id != request.user.pk:
                raise PermissionDenied(_("A liaison cadre changes their own visits only."))
            form = self.form_class(
                request.POST, request.FILES, instance=instance, user=request.user
            )
            if not form.is_valid():
                return self.render_form(form, instance)
            try:
                with transaction.atomic():
                    visit = form.save()
                    for upload in form.cleaned_data["photos"]:
                        services.add_visit_photo(visit, upload, acting_user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
                return self.render_form(form, instance)
            messages.success(request, _("Saved “{object}”.").format(object=visit))
            return HttpResponseRedirect(visit.get_absolute_url())
        token = request.POST.get("client_token")
        earlier = submissions.previous_submission(request, token)
        if earlier is not None:
            return submissions.already_received(request, earlier)
        form = self.form_class(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_form(form, None)
        data = form.cleaned_data
        try:
            visit, duplicate = submissions.submit_once(
                request,
                token,
                lambda: services.record_visit(
                    data["enterprise"],
                    acting_user=request.user,
                    visited_on=data["visited_on"],
                    cadre=data.get("cadre"),
                    people_met=data["people_met"],
                    findings=data["findings"],
                    appeals_raised=data["appeals_raised"],
                    photos=data["photos"],
                ),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render_form(form, None)
        if duplicate is not None:
            return duplicate
        messages.success(request, _("Saved “{object}”.").format(object=visit))
        return HttpResponseRedirect(visit.get_absolute_url())


class VisitPhotoView(generic.ObjectViewMixin, View):
    """A visit photo, for users who may see the visit (never from a public folder)."""

    model = VisitPhoto

    def get(self, request, pk):
        from django.http import FileResponse

        photo = self.get_object(VIEW)
        return FileResponse(
            photo.file.open("rb"), filename=photo.name, content_type=photo.content_type
        )


class VisitDeleteView(generic.ObjectDeleteView):
    model = Visit


# Cultivation pool and support measures -------------------------------------------------------


class CultivationEntryListView(generic.ObjectListView):
    model = CultivationEntry
    queryset = CultivationEntry.objects.select_related("enterprise")
    filterset_class = filters.CultivationEntryFilterSet
    search_fields = ("enterprise__name", "enterprise__uscc", "progress")
    default_ordering = ("target_year", "enterprise__name")
    columns = [
        Column(
            "enterprise__name",
            gettext_lazy("Cultivation pool entry"),
            order_by="enterprise__name",
            linkify=True,
            accessor=str,
        ),
        Column("target"),
        Column("target_year"),
        Column("status"),
        Column("entered_on"),
    ]


class CultivationEntryDetailView(generic.ObjectDetailView):
    model = CultivationEntry
    template_name = "enterprises/cultivationentry_detail.html"
    queryset = CultivationEntry.objects.select_related("enterprise")
    fields = ("enterprise", "target", "target_year", "status", "entered_on", "source")

    def extra_context(self, obj):
        may_change = self.restricted(CHANGE).filter(pk=obj.pk).exists()
        return {
            "measures": obj.measures.select_related("cadre", "department"),
            "note_form": forms.ProgressNoteForm() if may_change else None,
            "progress_lines": [line for line in obj.progress.splitlines() if line.strip()],
            "add_measure_url": reverse("enterprises:supportmeasure_add") + f"?entry={obj.pk}"
            if role_may(self.request.user, ADD, SupportMeasure) and may_change
            else None,
        }

    def post(self, request, *args, **kwargs):
        entry = self.get_object(VIEW)
        form = forms.ProgressNoteForm(request.POST)
        if form.is_valid():
            try:
                services.add_progress_note(
                    entry, form.cleaned_data["text"], acting_user=request.user
                )
                messages.success(request, _("Note added."))
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, _messages_of(exc))
        else:
            messages.error(request, _("Write the note first."))
        return HttpResponseRedirect(entry.get_absolute_url())


class CultivationEntryEditView(generic.ObjectEditView):
    model = CultivationEntry
    form_class = forms.CultivationEntryForm

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        # A new entry aims at this year; an existing one shows its own year.
        initial = {} if instance is not None else {"target_year": services.today().year}
        if instance is None and request.GET.get("enterprise"):
            initial["enterprise"] = request.GET["enterprise"]
        form = self.form_class(instance=instance, user=request.user, initial=initial)
        return self.render_form(form, instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        if instance is not None:
            return super().post(request, *args, **kwargs)
        form = self.form_class(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_form(form, None)
        data = form.cleaned_data
        try:
            entry = services.add_to_pool(
                data["enterprise"],
                acting_user=request.user,
                target=data["target"],
                target_year=data["target_year"],
                progress=data.get("progress", ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render_form(form, None)
        messages.success(request, _("Saved “{object}”.").format(object=entry))
        return HttpResponseRedirect(entry.get_absolute_url())


class CultivationEntryDeleteView(generic.ObjectDeleteView):
    model = CultivationEntry


class SupportMeasureListView(generic.ObjectListView):
    model = SupportMeasure
    queryset = SupportMeasure.objects.select_related("entry__enterprise", "cadre", "department")
    filterset_class = filters.SupportMeasureFilterSet
    search_fields = ("measure", "entry__enterprise__name")
    default_ordering = ("due_on", "id")
    columns = [
        Column("measure", linkify=True),
        Column(
            "entry__enterprise__name",
            gettext_lazy("Enterprise"),
            order_by="entry__enterprise__name",
        ),
        Column("cadre", order_by="cadre__username"),
        Column("department__name", gettext_lazy("Responsible department")),
        Column("due_on"),
        Column("status"),
        Column("done_on"),
    ]


class SupportMeasureDetailView(generic.ObjectDetailView):
    model = SupportMeasure
    queryset = SupportMeasure.objects.select_related("entry__enterprise", "cadre", "department")


class SupportMeasureEditView(generic.ObjectEditView):
    model = SupportMeasure
    form_class = forms.SupportMeasureForm

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        initial = {}
        if instance is None and request.GET.get("entry"):
            initial["entry"] = request.GET["entry"]
        form = self.form_class(instance=instance, user=request.user, initial=initial)
        return self.render_form(form, instance)


class SupportMeasureDeleteView(generic.ObjectDeleteView):
    model = SupportMeasure


# Idle enterprises -------------------------------------------------------------------------------


class IdleRevivalListView(generic.ObjectListView):
    model = IdleRevival
    template_name = "enterprises/idlerevival_list.html"
    queryset = IdleRevival.objects.select_related("enterprise__zone", "cadre")
    filterset_class = filters.IdleRevivalFilterSet
    search_fields = ("enterprise__name", "enterprise__uscc", "plan")
    default_ordering = ("-year", "enterprise__name")
    columns = [
        Column(
            "enterprise__name",
            gettext_lazy("Idle enterprise"),
            order_by="enterprise__name",
            linkify=True,
            accessor=str,
        ),
        Column("enterprise__zone__name", gettext_lazy("Zone"), order_by="enterprise__zone__path"),
        Column("year"),
        Column("status"),
        Column("cadre", order_by="cadre__username"),
        Column("resolved_on"),
    ]

    def extra_context(self):
        year = services.today().year
        goals = RevivalGoal.objects.restrict(self.request.user, VIEW).filter(year=year)
        return {
            "progress": [services.revival_progress(goal.zone, year) for goal in goals],
            "goal_list_url": reverse("enterprises:revivalgoal_list"),
        }


class IdleRevivalDetailView(generic.ObjectDetailView):
    model = IdleRevival
    template_name = "enterprises/idlerevival_detail.html"
    queryset = IdleRevival.objects.select_related("enterprise", "cadre")

    def extra_context(self, obj):
        may_change = self.restricted(CHANGE).filter(pk=obj.pk).exists()
        moves = sorted(services.REVIVAL_MOVES.get(obj.status, set()))
        return {
            "moves": [(m, IdleRevival.Status(m).label) for m in moves] if may_change else [],
        }

    def post(self, request, *args, **kwargs):
        revival = self.get_object(VIEW)
        form = forms.RevivalStatusForm(request.POST)
        if form.is_valid():
            try:
                services.set_revival_status(
                    revival, form.cleaned_data["status"], acting_user=request.user
                )
                messages.success(request, _("Done."))
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, _messages_of(exc))
        return HttpResponseRedirect(revival.get_absolute_url())


class IdleRevivalEditView(generic.ObjectEditView):
    model = IdleRevival
    form_class = forms.IdleRevivalForm


class IdleRevivalDeleteView(generic.ObjectDeleteView):
    model = IdleRevival


class RevivalGoalListView(generic.ObjectListView):
    model = RevivalGoal
    queryset = RevivalGoal.objects.select_related("zone")
    filterset_class = filters.RevivalGoalFilterSet
    search_fields = ("zone__name",)
    default_ordering = ("-year", "zone__path")
    columns = [
        Column(
            "zone__name",
            gettext_lazy("Revival goal"),
            order_by="zone__path",
            linkify=True,
            accessor=str,
        ),
        Column("target"),
    ]


class RevivalGoalDetailView(generic.ObjectDetailView):
    model = RevivalGoal
    queryset = RevivalGoal.objects.select_related("zone")

    def extra_context(self, obj):
        return {"progress": services.revival_progress(obj.zone, obj.year)}


class RevivalGoalEditView(generic.ObjectEditView):
    model = RevivalGoal
    form_class = forms.RevivalGoalForm


class RevivalGoalDeleteView(generic.ObjectDeleteView):
    model = RevivalGoal


# Monthly figures and approvals ----------------------------------------------------------------


def _yoy_column(name, label, field):
    return Column(
        name,
        label,
        sortable=False,
        accessor=lambda f: services.yoy(getattr(f, field), getattr(f, f"prev_{field}", None)),
    )


class MonthlyFigureListView(generic.ObjectListView):
    model = MonthlyFigure
    queryset = MonthlyFigure.objects.select_related("enterprise")
    filterset_class = filters.MonthlyFigureFilterSet
    search_fields = ("enterprise__name", "enterprise__uscc")
    default_ordering = ("-year", "-month", "enterprise__name")
    columns = [
        Column(
            "enterprise__name",
            gettext_lazy("Monthly figure"),
            order_by="enterprise__name",
            linkify=True,
            accessor=str,
        ),
        Column("main_revenue"),
        _yoy_column("revenue_yoy", gettext_lazy("Revenue yoy %"), "main_revenue"),
        Column("output_value"),
        _yoy_column("output_yoy", gettext_lazy("Output yoy %"), "output_value"),
        Column("tax_paid"),
        Column("employees"),
        Column("rd_expense"),
        Column("energy_use"),
    ]
    # the figures' import finds the enterprise by its USCC and the month by year and month
    export_columns = [
        Column("enterprise__uscc", gettext_lazy("Unified social credit code")),
        Column("year"),
        Column("month"),
    ]

    def base_queryset(self):
        return services.with_yoy(super().base_queryset())


class MonthlyFigureDetailView(generic.ObjectDetailView):
    model = MonthlyFigure
    template_name = "enterprises/monthlyfigure_detail.html"
    queryset = MonthlyFigure.objects.select_related("enterprise__zone")

    def extra_context(self, obj):
        return {
            "yoy": services.figure_yoy(obj),
            "locked": services.is_locked(obj.enterprise, obj.year, obj.month),
        }


class MonthlyFigureEditView(generic.ObjectEditView):
    model = MonthlyFigure
    form_class = forms.MonthlyFigureForm


class MonthlyFigureDeleteView(generic.ObjectDeleteView):
    model = MonthlyFigure

    def get_object_to_delete(self):
        figure = super().get_object_to_delete()
        if services.is_locked(figure.enterprise, figure.year, figure.month):
            raise PermissionDenied(services.locked_message(figure.year, figure.month))
        return figure


class MonthlyFigureImportView(generic.BulkImportView):
    model = MonthlyFigure
    importer_class = importers.FigureImporter


class MonthApprovalListView(generic.ObjectListView):
    model = MonthApproval
    queryset = MonthApproval.objects.select_related("zone", "approved_by", "reopened_by")
    filterset_class = filters.MonthApprovalFilterSet
    search_fields = ("zone__name", "reason")
    default_ordering = ("-year", "-month", "zone__path")
    columns = [
        Column(
            "zone__name",
            gettext_lazy("Month approval"),
            order_by="zone__path",
            linkify=True,
            accessor=str,
        ),
        Column("approved"),
        Column("approved_by", order_by="approved_by__username"),
        Column("approved_at"),
        Column("reopened_by", order_by="reopened_by__username"),
        Column("reason", sortable=False),
    ]


class MonthApprovalDetailView(generic.ObjectDetailView):
    model = MonthApproval
    template_name = "enterprises/monthapproval_detail.html"
    queryset = MonthApproval.objects.select_related("zone", "approved_by", "reopened_by")
    fields = (
        "zone",
        "year",
        "month",
        "approved",
        "approved_by",
        "approved_at",
        "reopened_by",
        "reopened_at",
        "reason",
    )

    def extra_context(self, obj):
        user = self.request.user
        return {
            "reopen_form": forms.ReopenForm()
            if obj.approved and role_may(user, CHANGE, MonthApproval)
            else None,
            "may_approve": not obj.approved and self.restricted(CHANGE).filter(pk=obj.pk).exists(),
        }

    def post(self, request, *args, **kwargs):
        approval = self.get_object(VIEW)
        try:
            if request.POST.get("action") == "approve":
                if not self.restricted(CHANGE).filter(pk=approval.pk).exists():
                    raise PermissionDenied(_("Your role may not approve months."))
                services.approve_month(
                    approval.zone, approval.year, approval.month, acting_user=request.user
                )
            else:
                form = forms.ReopenForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Give the reason for reopening."))
                services.reopen_month(
                    approval, acting_user=request.user, reason=form.cleaned_data["reason"]
                )
            messages.success(request, _("Done."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _messages_of(exc))
        return HttpResponseRedirect(approval.get_absolute_url())


class MonthApprovalEditView(generic.ObjectEditView):
    """Adding an approval approves the month; approvals are not edited, only reopened."""

    model = MonthApproval
    form_class = forms.MonthApprovalForm

    def get_instance(self):
        if "pk" in self.kwargs:
            raise Http404
        return super().get_instance()


# Reports: pyramid, candidates, coverage --------------------------------------------------------


def _zone_choice(request) -> tuple[Zone | None, list[Zone]]:
    """The zone a report is about (``?zone=<id>``), among the zones the user sees."""
    visible = request.user.visible_zones()
    zones = list(visible.order_by("path")[:500])
    zone = None
    wanted = request.GET.get("zone")
    if wanted and wanted.isdigit():
        zone = visible.filter(pk=int(wanted)).first()
        if zone is None:
            raise Http404
    if zone is None:
        granted = (
            list(request.user.zones.order_by("path")[:1]) if not request.user.is_zone_admin else []
        )
        zone = granted[0] if granted else (zones[0] if zones else None)
    return zone, zones


class PyramidView(LoginRequiredMixin, View):
    """The gradient pyramid of a zone: counts per tier, this year's changes, sub-zones."""

    def get(self, request):
        if not role_may(request.user, VIEW, Enterprise):
            raise PermissionDenied
        zone, zones = _zone_choice(request)
        result = services.pyramid(zone) if zone else None
        list_url = reverse("enterprises:enterprise_list")
        return render(
            request,
            "enterprises/pyramid.html",
            {
                "zone": zone,
                "zones": zones,
                "pyramid": result,
                "list_url": list_url,
                "tiers": Tier.choices,
                "links": report_links(request.user),
            },
        )


def _decimal_param(request, name, default) -> Decimal:
    try:
        value = Decimal(request.GET.get(name, default))
    except (InvalidOperation, TypeError):
        return Decimal(default)
    return value if 0 <= value <= 100 else Decimal(default)


class ScaleDownRiskView(LoginRequiredMixin, View):
    """退规 risks: enterprises marked above scale whose revenue is below their sector's
    threshold (last full year) or heading below it (this year's pace); ``?export=xlsx``."""

    def get(self, request):
        if not role_may(request.user, VIEW, Enterprise):
            raise PermissionDenied
        zone, zones = _zone_choice(request)
        qs = Enterprise.objects.restrict(request.user, VIEW)
        if zone is not None:
            qs = qs.filter(zone_id__in=zone.subtree_ids())
        period = None
        if request.GET.get("period"):
            try:
                period = importers._period(request.GET["period"])
            except ValueError:
                period = None
        risks = services.scale_down_risks(
            qs, year=period[0] if period else None, month=period[1] if period else None
        )
        export = request.GET.get("export") == "xlsx"
        shown = risks if export else risks[:100]
        services.attach_enterprises(shown)
        if export:
            headers = [
                _("Enterprise"),
                _("Unified social credit code"),
                _("Zone"),
                _("Sector"),
                _("Year"),
                _("Threshold (10k yuan)"),
                _("Revenue of the year (10k yuan)"),
                _("Revenue, year to date"),
                _("Projected for the year"),
                _("Gap (10k yuan)"),
                _("Reason"),
            ]
            rows = [
                [
                    r.enterprise.name,
                    r.enterprise.uscc,
                    r.enterprise.zone.name,
                    r.sector,
                    r.full_year,
                    r.threshold,
                    r.full_revenue,
                    r.ytd_revenue,
                    r.projected,
                    r.gap,
                    r.reason,
                ]
                for r in shown
                if r.enterprise is not None
            ]
            handle = exports.write_xlsx(headers, rows, sheet_title=_("Scale-down risks"))
            return exports.xlsx_response(handle, "scale-down-risks.xlsx")
        return render(
            request,
            "enterprises/scale_down.html",
            {
                "zone": zone,
                "zones": zones,
                "risks": shown,
                "count": len(risks),
                "period": request.GET.get("period", ""),
                "query_string": request.GET.urlencode(),
                "links": report_links(request.user),
            },
        )


class CandidateListView(LoginRequiredMixin, View):
    """升规入统: scale-up candidates with the reason for each; ``?export=xlsx``."""

    def get(self, request):
        if not role_may(request.user, VIEW, Enterprise):
            raise PermissionDenied
        zone, zones = _zone_choice(request)
        margin_percent = _decimal_param(request, "margin", "20")
        qs = Enterprise.objects.restrict(request.user, VIEW)
        within = None if request.user.sees_all_zones else request.user.visible_zone_ids()
        if zone is not None:
            subtree = zone.subtree_ids()
            qs = qs.filter(zone_id__in=subtree)
            # Chosen among the visible ones, so its subtree is visible: whole_zones reads it.
            within = subtree
        period = None
        if request.GET.get("period"):
            try:
                period = importers._period(request.GET["period"])
            except ValueError:
                period = None
        candidates = services.scale_up_candidates(
            qs,
            year=period[0] if period else None,
            month=period[1] if period else None,
            margin=margin_percent / 100,
            within=within,
            whole_zones=True,  # the page filters by zone only
        )
        if request.GET.get("export") == "xlsx":
            headers = [
                _("Enterprise"),
                _("Unified social credit code"),
                _("Zone"),
                _("Sector"),
                _("Threshold (10k yuan)"),
                _("Revenue, last 12 months"),
                _("Revenue, year to date"),
                _("Yoy %"),
                _("Projected for the year"),
                _("Reason"),
            ]
            # Written a chunk at a time: a province holds hundreds of thousands of candidates.
            rows = (
                [
                    c.enterprise.name,
                    c.enterprise.uscc,
                    c.enterprise.zone.name,
                    c.sector,
                    c.threshold,
                    c.ttm_revenue,
                    c.ytd_revenue,
                    c.yoy,
                    c.projected,
                    c.reason,
                ]
                for chunk in candidates.chunks()
                for c in services.attach_enterprises(chunk)
                if c.enterprise is not None
            )
            handle = exports.write_xlsx(headers, rows, sheet_title=_("Scale-up candidates"))
            return exports.xlsx_response(handle, "scale-up-candidates.xlsx")
        shown = services.attach_enterprises(candidates[:100])
        return render(
            request,
            "enterprises/candidates.html",
            {
                "zone": zone,
                "zones": zones,
                "candidates": shown,
                "count": len(candidates),
                "margin": margin_percent,
                "period": request.GET.get("period", ""),
                "query_string": request.GET.urlencode(),
                "links": report_links(request.user),
            },
        )


class CoverageListView(EnterpriseListView):
    """Above-scale enterprises without a visit in the last N days (``?days=``)."""

    template_name = "enterprises/coverage_list.html"
    export_name = "visit-coverage"
    default_ordering = ("last_visit", "name")

    def days(self) -> int:
        try:
            return max(1, min(int(self.request.GET.get("days", 90)), 3650))
        except ValueError:
            return 90

    def restricted(self, action=VIEW):
        return services.without_recent_visit(super().restricted(action), self.days())

    def bound_columns(self):
        return [
            *super().bound_columns()[:3],
            Column("last_visit", gettext_lazy("Last visit"), order_by="last_visit").bind(
                Enterprise
            ),
            *super().bound_columns()[3:],
        ]

    def extra_context(self):
        return super().extra_context() | {"days": self.days()}


class OverVisitedListView(EnterpriseListView):
    """无事不扰: enterprises visited more than M times in a month (``?times=&month=YYYY-MM``)."""

    template_name = "enterprises/over_visited_list.html"
    export_name = "visited-too-often"
    default_ordering = ("-visits_in_month", "name")

    session_key = "enterprises.over_visited.month"

    def params(self) -> tuple[int, int, int]:
        try:
            times = max(0, min(int(self.request.GET.get("times", 3)), 100))
        except ValueError:
            times = 3
        try:
            year, month = importers._period(self.request.GET.get("month", ""))
            dt.date(year, month, 1)
        except (ValueError, TypeError):
            year, month = self.default_month()
        else:
            self.request.session[self.session_key] = f"{year}-{month:02d}"
        return times, year, month

    def default_month(self) -> tuple[int, int]:
        """The month chosen last, else the latest month with visits the user sees (this month
        has few until it is under way), else this month."""
        remembered = self.request.session.get(self.session_key, "")
        try:
            return importers._period(remembered)
        except (ValueError, TypeError):
            pass
        visits = Visit.objects.restrict(self.request.user, VIEW)
        latest = visits.filter(visited_on__lte=services.today()).aggregate(m=Max("visited_on"))["m"]
        day = latest or services.today()
        return day.year, day.month

    def restricted(self, action=VIEW):
        times, year, month = self.params()
        return services.visited_too_often(super().restricted(action), times, year, month)

    def bound_columns(self):
        return [
            *super().bound_columns()[:3],
            Column(
                "visits_in_month", gettext_lazy("Visits in the month"), order_by="visits_in_month"
            ).bind(Enterprise),
        ]

    def extra_context(self):
        times, year, month = self.params()
        return super().extra_context() | {"times": times, "month": f"{year}-{month:02d}"}
