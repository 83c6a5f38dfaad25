"""The admin site shows the records of every app and changes none whose rules live in services.

An enterprise's above-scale status, in particular, changes only through
``enterprises.services.set_above_scale`` (a reason, and the same typed event row whoever
changes it): the admin site cannot change it (issue #19).
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin

pytestmark = pytest.mark.django_db

# Apps without models of their own.
NO_MODELS = {"api"}


def test_every_app_with_models_has_its_admin():
    registered = {model._meta.app_label for model in admin.site._registry}
    missing = sorted(set(settings.ZONEOPS_APPS) - NO_MODELS - registered)
    assert not missing, f"apps without admin.py: {missing}"
    for label in set(settings.ZONEOPS_APPS) - NO_MODELS:
        assert list(apps.get_app_config(label).get_models()), label


def test_domain_records_are_read_only_on_the_admin_site(rf, users):
    request = rf.get("/admin/")
    request.user = users["admin"]
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in settings.ZONEOPS_APPS or model._meta.app_label == "core":
            continue
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model


def test_above_scale_cannot_be_changed_on_the_admin_site(client_for, users, zone_tree):
    from zoneops.enterprises.models import Enterprise
    from zoneops.enterprises.tests.factories import code

    firm = Enterprise.objects.create(
        uscc=code(1), name="长春光电科技有限公司", zone=zone_tree["hitech"]
    )
    client = client_for(users["admin"])
    url = f"/admin/enterprises/enterprise/{firm.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="above_scale"' not in page.content.decode()  # shown, not offered
    response = client.post(url, {"name": firm.name, "above_scale": "on"})
    assert response.status_code == 403
    firm.refresh_from_db()
    assert firm.above_scale is False


def test_jobs_are_shown_read_only(client_for, users):
    from zoneops.jobs.models import Job

    job = Job.objects.create(kind=Job.Kind.IMPORT, title="企业名录导入", target="enterprises")
    client = client_for(users["admin"])
    assert client.get("/admin/jobs/job/").status_code == 200
    page = client.get(f"/admin/jobs/job/{job.pk}/change/")
    assert page.status_code == 200 and "企业名录导入" in page.content.decode()
    assert 'name="title"' not in page.content.decode()
    assert client.get("/admin/jobs/job/add/").status_code == 403
