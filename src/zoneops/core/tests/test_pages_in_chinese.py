"""Error pages and shown values are in Chinese, inside the site's frame; no code leaks."""

import pytest
from django.template import loader
from django.test import Client, RequestFactory
from django.utils import translation


def test_page_not_found_is_chinese_in_the_site_frame(client_for, users):
    response = client_for(users["staff"]).get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "Not Found" not in page
    assert 'class="navbar' in page and 'id="current-user"' in page


def test_forbidden_and_expired_form_are_chinese_in_the_site_frame(client_for, users):
    response = client_for(users["auditor"]).get("/enterprises/")
    assert response.status_code == 403
    assert "无权操作" in response.content.decode()
    expired = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "gx_staff", "password": "x"}
    )
    page = expired.content.decode()
    assert expired.status_code == 403
    assert "表单已失效" in page and 'class="navbar' in page and "CSRF" not in page


def test_server_error_page_needs_no_context_nor_database(db, django_assert_num_queries):
    from django.views.defaults import server_error

    request = RequestFactory().get("/")
    with translation.override("zh-hans"), django_assert_num_queries(0):
        response = server_error(request)
        bare = loader.get_template("500.html").render()
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in page and "Server Error" not in page and "服务器出错" in bare


@pytest.mark.django_db
def test_a_case_shows_its_workflow_words_not_codes(client_for, users, zone_tree):
    from zoneops.core.loop import services
    from zoneops.core.models import LoopCase

    case = services.open_case(
        kind="standard", zone=zone_tree["hitech"], title="道路积水", acting_user=users["staff"]
    )
    services.do_transition(case, "accept", acting_user=users["staff"])
    client = client_for(users["staff"])
    details = client.get(case.get_absolute_url()).content.decode()
    history = client.get(case.get_absolute_url(), {"tab": "history"}).content.decode()
    case = LoopCase.objects.get(pk=case.pk)
    for page in (details, history):
        assert f">{case.state}<" not in page and f">{case.kind}<" not in page
        assert case.get_state_display() in page
    # The change log names fields by their labels.
    assert ">state<" not in history and ">状态<" in history
