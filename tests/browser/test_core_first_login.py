"""First login with an initial password: the user is made to choose a new one, then works."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_first_login_new_password_then_home(page, users, password, url, screenshot):
    from zoneops.core.models import User

    user = users["staff"]
    user.must_change_password = True
    user.save()

    page.goto(url("/accounts/login/"))
    page.get_by_label("用户名").fill("gx_staff")
    page.get_by_label("密码").fill(password)
    page.locator("#login-form").get_by_role("button", name="登录").click()
    expect(page).to_have_url(url("/accounts/password/"))
    # The bell polls in the background: its answer must not put a second page into this one.
    page.wait_for_load_state("networkidle")
    expect(page.locator("form#password-change-form")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    screenshot("password-page")

    form = page.locator("#password-change-form")
    form.locator("input[name=old_password]").fill(password)
    form.locator("input[name=new_password1]").fill("Neu-Passwort-2025")
    form.locator("input[name=new_password2]").fill("Neu-Passwort-2025")
    form.get_by_role("button").click()
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    expect(page.get_by_role("heading", name="密码已修改")).to_be_visible()
    page.get_by_role("link", name="继续").click()
    expect(page).to_have_url(url("/"))
    expect(page.locator("#current-user")).to_contain_text("gx_staff")
    screenshot("home")

    user = User.objects.get(pk=user.pk)
    assert not user.must_change_password
    assert user.check_password("Neu-Passwort-2025")
    # Other pages open now, without being sent back to the password page.
    page.goto(url("/zones/"))
    expect(page).to_have_url(re.compile(r"/zones/$"))
