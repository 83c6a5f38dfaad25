"""Generic list, detail, edit, delete and import views that every app builds its pages from.

An app declares a few attributes (model, columns, filterset, form, importer) and gets:
zone scoping via ``restrict()``, search (``?q=``), filters, sortable columns, pagination,
export of the filtered rows (``?export=xlsx``), a history tab, and all-or-nothing imports.
"""

import uuid
from functools import reduce
from operator import or_

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage, Paginator
from django.db import models
from django.db.models import ProtectedError, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View

from zoneops.core.access.permissions import ADD, CHANGE, DELETE, VIEW, role_may
from zoneops.core.accounts import security
from zoneops.core.accounts.models import SecurityEvent
from zoneops.core.audit.models import ObjectChange
from zoneops.core.files import exports, imports, uploads
from zoneops.core.registries import background, detail_panels, writes
from zoneops.core.templatetags.zoneops import provisional_badge
from zoneops.core.ui.tables import Column


def url_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}:{model._meta.model_name}_{action}"


def optional_reverse(name: str, *args) -> str | None:
    from django.urls import NoReverseMatch

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


class ObjectViewMixin(LoginRequiredMixin):
    model: type[models.Model]
    queryset: models.QuerySet | None = None

    def base_queryset(self) -> models.QuerySet:
        qs = self.queryset if self.queryset is not None else self.model.objects.all()
        return qs.all()

    def restricted(self, action: str = VIEW) -> models.QuerySet:
        return self.base_queryset().restrict(self.request.user, action)

    def get_object(self, action: str = VIEW):
        # Another zone's object is "not found", not "forbidden": its existence is not disclosed.
        return get_object_or_404(self.restricted(action), pk=self.kwargs["pk"])

    def common_context(self) -> dict:
        meta = self.model._meta
        user = self.request.user
        return {
            "model_meta": meta,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": optional_reverse(url_name(self.model, "list")),
            "add_url": optional_reverse(url_name(self.model, "add"))
            if role_may(user, ADD, self.model)
            else None,
            "import_url": optional_reverse(url_name(self.model, "import"))
            if role_may(user, ADD, self.model)
            else None,
        }


def applied_filters(request, filterset) -> list[tuple[str, str]]:
    """(label, value as shown) for the search and every filter the list was narrowed by."""
    found = []
    query = request.GET.get("q", "").strip()
    if query:
        found.append((str(_("Search")), query))
    if filterset is None or not filterset.is_bound or not filterset.is_valid():
        return found
    for name, value in filterset.form.cleaned_data.items():
        if value is None or value == "" or (isinstance(value, list | tuple) and not value):
            continue
        if hasattr(value, "model") and hasattr(value, "exists"):  # a queryset of choices
            value = list(value)
            if not value:
                continue
        field = filterset.form.fields.get(name)
        labels = {}
        for key, label in getattr(field, "choices", ()) or ():
            if not isinstance(label, list | tuple):
                labels[str(key)] = str(label)
        values = value if isinstance(value, list | tuple) else [value]
        shown = []
        for item in values:
            if isinstance(item, bool):
                shown.append("是" if item else "否")
            elif hasattr(item, "start") and hasattr(item, "stop"):  # a range (slice)
                shown.append(f"{item.start or ''}–{item.stop or ''}")
            else:
                shown.append(labels.get(str(item), str(item)))
        label = str(field.label if field is not None and field.label else name)
        found.append((label, "、".join(shown)))
    return found


class ObjectListView(ObjectViewMixin, View):
    template_name = "core/object_list.html"
    columns: list[Column] = []
    search_fields: tuple[str, ...] = ()
    filterset_class = None
    default_ordering: tuple[str, ...] = ()
    export_name: str | None = None
    # Columns an export carries beyond the page's: what its import needs to find the record
    # again (e.g. the enterprise's USCC beside its name).
    export_columns: list[Column] = []
    paginate_by = 50

    def bound_columns(self) -> list[Column]:
        return [column.bind(self.model) for column in self.columns]

    def search(self, qs, query: str):
        query = query.strip()
        if not query or not self.search_fields:
            return qs
        terms = query.split()
        for term in terms:
            qs = qs.filter(
                reduce(or_, (Q(**{f"{f}__icontains": term}) for f in self.search_fields))
            )
        return qs

    def sort(self, qs, columns: list[Column]):
        requested = self.request.GET.get("sort", "")
        allowed = {c.name: c for c in columns if c.sortable}
        key = requested.lstrip("-")
        if key in allowed:
            direction = "-" if requested.startswith("-") else ""
            ordering = allowed[key].ordering
            return qs.order_by(f"{direction}{ordering}", f"{direction}pk"), requested
        if self.default_ordering:
            return qs.order_by(*self.default_ordering), ""
        return qs, ""

    def filtered(self):
        qs = self.restricted(VIEW)
        qs = self.search(qs, self.request.GET.get("q", ""))
        filterset = None
        if self.filterset_class is not None:
            filterset = self.filterset_class(self.request.GET, queryset=qs, request=self.request)
            if filterset.is_valid():
                qs = filterset.qs
            else:
                qs = qs.none()
                self.status = 400  # the page shows the filter's errors
        return qs, filterset

    def get(self, request, *args, **kwargs):
        columns = self.bound_columns()
        qs, filterset = self.filtered()
        qs, current_sort = self.sort(qs, columns)
        if request.GET.get("export") == "xlsx":
            self.applied = applied_filters(request, filterset)
            runner = background.export_runner()
            if runner is not None and self.export_in_background(qs):
                return runner(self, request)  # the answer is the job's page
            return self.export(qs, columns)
        paginator = Paginator(qs, self.paginate_by)
        number = request.GET.get("page") or 1
        try:
            page = paginator.page(number)
        except InvalidPage as exc:
            raise Http404(str(exc)) from exc
        rows = [
            (obj, [(column, column.value(obj)) for column in columns]) for obj in page.object_list
        ]
        self.page_rows = rows
        query = request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        context = self.common_context() | {
            "columns": columns,
            "rows": rows,
            "page": page,
            "paginator": paginator,
            "filterset": filterset,
            "q": request.GET.get("q", ""),
            "current_sort": current_sort,
            "query_string": query.urlencode(),
            "sort_query_string": sort_query.urlencode(),
            "has_search": bool(self.search_fields),
        }
        context.update(self.extra_context())
        return render(request, self.template_name, context, status=getattr(self, "status", 200))

    def extra_context(self) -> dict:
        return {}

    def importer_class(self):
        """The importer of this list's records, if the list has an import page."""
        match = getattr(self.request, "resolver_match", None)
        if match is None or not match.url_name or not match.url_name.endswith("_list"):
            return None
        from django.urls import NoReverseMatch, resolve

        name = match.url_name.removesuffix("_list") + "_import"
        try:
            path = reverse(f"{match.namespace}:{name}" if match.namespace else name)
        except NoReverseMatch:
            return None
        return getattr(resolve(path).func, "view_class", None) and getattr(
            resolve(path).func.view_class, "importer_class", None
        )

    def import_columns(self, columns: list[Column]) -> list[Column]:
        """Columns the import takes that the page does not show: an export then carries every
        field the import sets, so that it imports again unchanged."""
        importer_class = self.importer_class()
        if importer_class is None or not issubclass(importer_class, imports.ModelImporter):
            return []
        importer = importer_class(self.request.user)
        try:
            mapping = importer.header_map([str(c.label) for c in columns], strict=False)
        except (TypeError, imports.ImportFileError):  # an importer with a header map of its own
            return []
        covered = set(mapping.values())
        extra = []
        for name in importer.form_fields():
            if name in covered:
                continue
            try:
                self.model._meta.get_field(name)
            except Exception:  # a form-only field: nothing to export
                continue
            label = str(importer.form_fields()[name].label)
            extra.append(Column(name, label).bind(self.model))
        return extra

    def export_in_background(self, qs) -> bool:
        """More rows than a request should write (a job writes them), for the users who follow
        jobs (the administrators of oversight export in the request)."""
        from zoneops.core.access.roles import ADMINISTRATOR_ROLES, Role

        if self.request.user.role in ADMINISTRATOR_ROLES - {Role.ADMIN}:
            return False
        threshold = background.export_min_rows()
        return qs[: threshold + 1].count() > threshold

    def export_file(self, qs, columns: list[Column]):
        """The .xlsx of the rows (at most ``ZONEOPS_EXPORT_MAX_ROWS``), as an open file."""
        from django.conf import settings

        columns = [*columns, *(c.bind(self.model) for c in self.export_columns)]
        columns += self.import_columns(columns)
        limit = settings.ZONEOPS_EXPORT_MAX_ROWS
        total = None if background.current() is None else min(qs.count(), limit)

        def rows():
            for done, row in enumerate(export_rows(self.model, qs[:limit], columns)):
                if not done % 2000:
                    background.report(done, total, background.WRITING)
                yield row

        return exports.write_xlsx(
            [str(c.label) for c in columns],
            rows(),
            sheet_title=str(self.model._meta.verbose_name_plural),
            filters=getattr(self, "applied", ()),
        )

    def export_name_for(self) -> str:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return f"{self.export_name or self.model._meta.model_name}-{stamp}.xlsx"

    def log_export(self) -> None:
        security.log_event(
            SecurityEvent.Type.EXPORT,
            self.request,
            model=self.model._meta.label,
            query=self.request.GET.urlencode()[:500],
        )

    def export(self, qs, columns: list[Column]):
        handle = self.export_file(qs, columns)
        self.log_export()
        return exports.xlsx_response(handle, self.export_name_for())


def export_rows(model, qs, columns: list[Column]):
    """The export's rows, one list of values per record: read with ``values_list`` when every
    column can be given from field values (no model instance per row, a third of the time of
    a long export), else from the instances through each column's getter."""
    sources = [column.value_source(model) for column in columns]
    if all(sources):
        qs = qs.prefetch_related(None)  # tuples: nothing to prefetch into
        # A source's path may be a tuple of paths: its function then takes their values.
        flat = (
            p for path, _function in sources for p in (path if isinstance(path, tuple) else (path,))
        )
        paths = list(dict.fromkeys(flat))
        picks = [
            (
                tuple(paths.index(p) for p in path)
                if isinstance(path, tuple)
                else paths.index(path),
                memoized(function) if column.depends_on else function,
            )
            for column, (path, function) in zip(columns, sources, strict=True)
        ]
        if all(function is None for _index, function in picks) and len(paths) == len(picks):
            return (list(values) for values in qs.values_list(*paths).iterator(chunk_size=2000))
        return (
            [pick(values, i, function) for i, function in picks]
            for values in qs.values_list(*paths).iterator(chunk_size=2000)
        )
    getters = [column.getter(model) for column in columns]
    return ([get(obj) for get in getters] for obj in qs.iterator(chunk_size=2000))


def pick(values, index, function):
    if isinstance(index, tuple):
        return function(tuple(values[i] for i in index))
    return values[index] if function is None else function(values[index])


def memoized(function):
    """``function`` called once per distinct (hashable) argument."""
    memo = {}

    def get(value):
        try:
            return memo[value]
        except KeyError:
            memo[value] = result = function(value)
            return result

    return get


class ObjectDetailView(ObjectViewMixin, View):
    template_name = "core/object_detail.html"
    fields: tuple[str, ...] | None = None  # None: every visible concrete field
    # Working-day deadlines among the fields: marked 暂定 while their year has no notice.
    deadline_fields: tuple[str, ...] = ()
    history_limit = 200

    def detail_rows(self, obj) -> list[tuple[str, object]]:
        names = self.fields
        if names is None:
            names = tuple(
                f.name
                for f in obj._meta.concrete_fields
                if f.editable and not f.primary_key and f.name not in ("source",)
            ) + ("source", "created_at", "updated_at")
        rows = []
        for name in names:
            column = Column(name).bind(type(obj))
            value = column.value(obj)
            if value in (None, ""):
                value = "—"
            elif name in self.deadline_fields:
                value = format_html("{}{}", value.isoformat(), provisional_badge(value))
            rows.append((column.label, value))
        return rows

    def history(self, obj):
        content_type = ContentType.objects.get_for_model(obj)
        return ObjectChange.objects.filter(
            content_type=content_type, object_id=obj.pk
        ).select_related("user")[: self.history_limit]

    def get(self, request, *args, **kwargs):
        obj = self.get_object(VIEW)
        user = request.user
        can_change = self.restricted(CHANGE).filter(pk=obj.pk).exists()
        context = self.common_context() | {
            "object": obj,
            "detail_rows": self.detail_rows(obj),
            "history": self.history(obj),
            "tab": request.GET.get("tab", "details"),
            "edit_url": optional_reverse(url_name(self.model, "edit"), obj.pk)
            if can_change
            else None,
            "delete_url": optional_reverse(url_name(self.model, "delete"), obj.pk)
            if role_may(user, DELETE, self.model) and can_change
            else None,
            "map_url": obj.get_map_url() if hasattr(obj, "get_map_url") else "",
            "detail_panels": detail_panels.panels_for(request, obj),
        }
        context.update(self.extra_context(obj))
        return render(request, self.template_name, context)

    def extra_context(self, obj) -> dict:
        return {}


class ObjectEditView(ObjectViewMixin, View):
    """Create (no ``pk`` in the URL) or update a record through a zone-scoped ModelForm."""

    template_name = "core/object_edit.html"
    form_class = None

    def get_instance(self):
        if "pk" in self.kwargs:
            return self.get_object(CHANGE)
        if not role_may(self.request.user, ADD, self.model):
            raise PermissionDenied(_("Your role may not add records here."))
        return None

    def render_form(self, form, instance):
        context = self.common_context() | {"form": form, "object": instance}
        return render(self.request, self.template_name, context)

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render_form(self.form_class(instance=instance, user=request.user), instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = self.form_class(request.POST, request.FILES, instance=instance, user=request.user)
        if not form.is_valid():
            return self.render_form(form, instance)
        obj = form.save()  # ScopedModelForm: through the model's service (core.registries.writes)
        messages.success(request, _("Saved “{object}”.").format(object=obj))
        return HttpResponseRedirect(obj.get_absolute_url())


class ObjectDeleteView(ObjectViewMixin, View):
    template_name = "core/object_delete.html"

    def get_object_to_delete(self):
        if not role_may(self.request.user, DELETE, self.model):
            raise Http404
        return self.get_object(DELETE)

    def get(self, request, *args, **kwargs):
        obj = self.get_object_to_delete()
        return render(request, self.template_name, self.common_context() | {"object": obj})

    def post(self, request, *args, **kwargs):
        obj = self.get_object_to_delete()
        try:
            writes.delete(obj, acting_user=request.user)
        except ProtectedError as exc:
            blocking = ", ".join(str(o) for o in list(exc.protected_objects)[:5])
            messages.error(
                request,
                _("“{object}” is still used by: {blocking}. Remove those first.").format(
                    object=obj, blocking=blocking
                ),
            )
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, _("Deleted “{object}”.").format(object=obj))
        return HttpResponseRedirect(optional_reverse(url_name(self.model, "list")) or "/")


class BulkImportView(ObjectViewMixin, View):
    template_name = "core/object_import.html"
    importer_class: type[imports.ModelImporter]
    session_key = "zoneops_import_errors"
    # Shown above the columns: what a row does (e.g. which rows update a record).
    import_help = ""

    def check_role(self):
        if not role_may(self.request.user, ADD, self.model):
            raise PermissionDenied(_("Your role may not import records here."))

    def context(self, **extra) -> dict:
        importer = self.importer_class(self.request.user)
        fields = importer.form_fields()
        return (
            self.common_context()
            | {
                "columns": [
                    (str(f.label), f.required, str(f.help_text or "")) for f in fields.values()
                ],
                "template_url": f"{self.request.path}?template=xlsx",
                "import_help": str(self.import_help),
            }
            | extra
        )

    def get(self, request, *args, **kwargs):
        self.check_role()
        if request.GET.get("template") == "xlsx":
            importer = self.importer_class(request.user)
            labels = [str(f.label) for f in importer.form_fields().values()]
            handle = exports.write_xlsx(
                labels, [], sheet_title=str(self.model._meta.verbose_name_plural)
            )
            return exports.xlsx_response(
                handle, f"{self.model._meta.model_name}-import-template.xlsx"
            )
        token = request.GET.get("errors")
        if token:
            stored = request.session.get(self.session_key, {}).get(token)
            if stored is None:
                raise Http404
            rows = [[e["row"], e["field"], e["value"], e["reason"]] for e in stored]
            handle = exports.write_xlsx([_("Row"), _("Field"), _("Value"), _("Reason")], rows)
            return exports.xlsx_response(
                handle, f"{self.model._meta.model_name}-import-errors.xlsx"
            )
        return render(request, self.template_name, self.context())

    def post(self, request, *args, **kwargs):
        self.check_role()
        upload = request.FILES.get("file")
        if upload is None:
            return render(
                request, self.template_name, self.context(file_error=_("Choose a file to import."))
            )
        try:
            uploads.check_upload(upload)  # before a byte is read
        except uploads.UploadRefused as exc:
            return render(request, self.template_name, self.context(file_error=str(exc)))
        runner = background.import_runner()
        if runner is not None and upload.size >= background.import_min_bytes():
            # A large file: checked and written by a background job; the answer is its page.
            # A zip bomb is refused here, from the zip's directory (the rest in the job).
            if upload.name.lower().endswith(uploads.ZIP_SUFFIXES):
                try:
                    uploads.check_zip(upload.read())
                except uploads.UploadRefused as exc:
                    return render(request, self.template_name, self.context(file_error=str(exc)))
                upload.seek(0)
            return runner(self, request, upload)
        importer = self.importer_class(request.user)
        try:
            result = importer.run(upload.name, upload.read())
        except imports.ImportFileError as exc:
            return render(request, self.template_name, self.context(file_error=str(exc)))
        if result.ok:
            messages.success(
                request,
                _("Imported {created} new and {updated} updated records.").format(
                    created=result.created, updated=result.updated
                ),
            )
            return HttpResponseRedirect(optional_reverse(url_name(self.model, "list")) or "/")
        token = uuid.uuid4().hex
        store = request.session.get(self.session_key, {})
        store = dict(list(store.items())[-4:])  # keep the last few reports only
        store[token] = [e.__dict__ for e in result.errors[:10000]]
        request.session[self.session_key] = store
        return render(
            request,
            self.template_name,
            self.context(
                errors=result.errors[:500],
                error_count=len(result.errors),
                errors_url=f"{request.path}?errors={token}",
            ),
            status=422,
        )


def crud_urls(
    prefix: str,
    name: str,
    *,
    list_view,
    detail_view,
    edit_view=None,
    delete_view=None,
    import_view=None,
    editable: bool = True,
) -> list:
    """The URL patterns of one model's pages, named ``<name>_list``, ``<name>_detail`` …

    ``editable=False``: the edit view only adds records (no ``<name>_edit`` page, so that
    detail pages offer no edit link for records that are never edited)."""
    from django.urls import path

    lead = f"{prefix}/" if prefix else ""
    patterns = [
        path(lead, list_view.as_view(), name=f"{name}_list"),
        path(f"{lead}<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
    ]
    if edit_view is not None:
        patterns.append(path(f"{lead}add/", edit_view.as_view(), name=f"{name}_add"))
        if editable:
            patterns.append(path(f"{lead}<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"))
    if delete_view is not None:
        patterns.append(
            path(f"{lead}<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete")
        )
    if import_view is not None:
        patterns.append(path(f"{lead}import/", import_view.as_view(), name=f"{name}_import"))
    return patterns
