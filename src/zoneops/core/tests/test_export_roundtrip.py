"""Every list whose records can be imported exports a file that imports again unchanged.

The demo data is exported from each list page (``?export=xlsx``) and the file is given to the
list's importer as it is: no row may be refused and no record may change.
"""

import pytest
from django.forms.models import model_to_dict
from django.urls import resolve

from zoneops.core.models import Role

# Every list whose records can be imported: its export comes back in unchanged (issue #20).
IMPORT_PAGES = [
    "/zones/import/",
    "/departments/import/",
    "/enterprises/import/",
    "/enterprises/contacts/import/",
    "/enterprises/certifications/import/",
    "/enterprises/liaisons/import/",
    "/enterprises/figures/import/",
    "/projects/import/",
    "/tasks/import/",
    "/indicators/values/import/",
    "/indicators/targets/import/",
    "/investment/leads/import/",
]


def rows_of(model):
    return {
        obj.pk: {k: v for k, v in model_to_dict(obj).items() if k not in ("updated_at",)}
        for obj in model.objects.all()
    }


@pytest.mark.parametrize("import_page", IMPORT_PAGES)
def test_an_export_imports_again_unchanged(
    import_page, demo_for_module, db, make_user, client_for, settings
):
    settings.ZONEOPS_REQUIRE_ADMIN_TOTP = False  # an administrator imports zones
    view = resolve(import_page).func.view_class
    model = view.model
    list_page = import_page.removesuffix("import/")
    role = Role.ADMIN if model._meta.app_label == "core" else Role.STAFF
    from zoneops.core.models import Zone

    user = make_user("roundtrip", role=role, zones=list(Zone.objects.filter(parent=None)))
    if model._meta.label == "enterprises.Contact" and not model.objects.exists():
        # the demo data has no contacts: two of the first enterprise's
        enterprise = view.importer_class.form_class.base_fields["enterprise"].queryset.model
        first = enterprise.objects.order_by("pk").first()
        model.objects.create(enterprise=first, name="张伟", role="总经理", phone="13812341234")
        model.objects.create(enterprise=first, name="李娜", phone="043188600010", is_primary=True)
    response = client_for(user).get(list_page, {"export": "xlsx"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    before = rows_of(model)
    assert before, f"no {model._meta.verbose_name_plural} in the demo data"
    result = view.importer_class(user).run("export.xlsx", content)
    errors = [(e.row, e.field, e.value, e.reason) for e in result.errors[:5]]
    assert result.ok, errors
    assert result.created == 0
    after = rows_of(model)
    changed = {
        pk: {k: (v, after[pk].get(k)) for k, v in fields.items() if after[pk].get(k) != v}
        for pk, fields in before.items()
        if after.get(pk) != fields
    }
    assert changed == {}
