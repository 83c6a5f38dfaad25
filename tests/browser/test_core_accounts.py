"""Logging in and out, and switching the language, as a user does it in the browser."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def current_code(user) -> str:
    from zoneops.core.accounts import twofactor

    secret, _last = twofactor.split(user.totp_secret)
    return pyotp.TOTP(secret).now()


def logout(page):
    return page.locator("form[action='/accounts/logout/']").get_by_role("button")


def test_login_form_wrong_password_then_right_one_then_logout(
    page, users, password, url, screenshot
):
    page.goto(url("/zones/"))
    # Anonymous visitors are sent to the login page, which brings them back afterwards.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/zones/$"))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()

    page.get_by_label("用户名").fill("gx_staff")
    page.get_by_label("密码").fill("not-the-password")
    page.locator("#login-form").get_by_role("button", name="登录").click()
    expect(page.locator("#login-error")).to_contain_text("密码")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_label("密码")).to_have_value("")
    screenshot("wrong-password")

    page.get_by_label("用户名").fill("gx_staff")
    page.get_by_label("密码").fill(password)
    page.locator("#login-form").get_by_role("button", name="登录").click()
    expect(page).to_have_url(url("/zones/"))
    expect(page.locator("#current-user")).to_have_text("gx_staff · 园区工作人员")
    # Staff of 高新区 see their zone and its park, not the other development zone.
    table = page.locator("#object-table tbody")
    expect(table).to_contain_text("长春高新区")
    expect(table).to_contain_text("光电产业园")
    expect(table).not_to_contain_text("长春经开区")
    screenshot("logged-in")

    logout(page).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto(url("/zones/"))
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/zones/$"))


def test_language_switch_chinese_default_english_and_back(page, users, password, url, screenshot):
    language = page.get_by_label("语言")
    page.goto(url("/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()

    # Switching before logging in sticks through the login.
    # Each language is offered in its own name, so that anyone can find theirs.
    expect(language.locator("option")).to_have_text(["简体中文", "English"])
    language.select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill(password)
    page.locator("#login-form").get_by_role("button", name="Log in").click()
    # The administrator has a second factor (the root conftest's admin): its code comes next.
    expect(page.get_by_role("heading", name="Second factor")).to_be_visible()
    page.get_by_label("Code from the authenticator app").fill(current_code(users["admin"]))
    page.locator("#login-code-form").get_by_role("button", name="Log in").click()
    expect(page.locator("#current-user")).to_have_text("admin · Administrator")
    page.goto(url("/zones/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zones")
    headers = page.locator("#object-table thead th:not(.figure-col)")
    expect(headers).to_have_text(
        ["Code", "Name", "Kind", "Parent zone", "Administrative division code", "Level", "Source"]
    )
    expect(page.locator("#object-table thead th.figure-col").first).to_have_text("Enterprises")
    expect(page.locator("#object-table tbody")).to_contain_text("High-tech zone")
    expect(logout(page)).to_have_text("Log out")
    screenshot("english")

    # Back to Chinese, on the same page.
    page.get_by_label("Language").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(url("/zones/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("区域")
    expect(headers).to_have_text(
        ["代码", "名称", "类型", "上级区域", "行政区划代码", "层级", "数据来源"]
    )
    expect(page.locator("#object-table tbody")).to_contain_text("高新区")
    expect(logout(page)).not_to_have_text("Log out")
    screenshot("chinese")


def test_administrator_enrols_the_second_factor_at_first_login(
    page, make_user, password, url, screenshot, settings
):
    from zoneops.core.models import Role

    settings.ZONEOPS_REQUIRE_ADMIN_TOTP = True
    make_user("sysadmin", Role.ADMIN)
    page.goto(url("/accounts/login/"))
    page.get_by_label("用户名").fill("sysadmin")
    page.get_by_label("密码").fill(password)
    page.locator("#login-form").get_by_role("button", name="登录").click()
    # Nothing else until the second factor is set up.
    expect(page).to_have_url(url("/accounts/two-factor/"))
    page.goto(url("/zones/"))
    expect(page).to_have_url(url("/accounts/two-factor/"))
    qr = page.locator("#two-factor-qr")
    expect(qr).to_be_visible()  # an <img> with a data: URI, allowed by the CSP
    assert page.evaluate("document.getElementById('two-factor-qr').naturalWidth") > 0
    screenshot("two-factor-enrolment")
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    page.get_by_label("验证器应用中的验证码").fill(pyotp.TOTP(secret).now())
    page.locator("#two-factor-form").get_by_role("button", name="确认").click()
    expect(page).to_have_url(url("/"))
    page.goto(url("/zones/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("区域")


def test_security_admin_unlocks_and_auditor_reads_the_trail(
    login_as, users, url, screenshot, zone_tree
):
    from django.test import Client

    # Five failures from one address lock the account there (failures are counted per
    # account and address, so colleagues elsewhere are not locked out).
    for _ in range(5):
        Client().post(
            "/accounts/login/",
            {"username": "gx_staff", "password": "wrong"},
            REMOTE_ADDR="10.3.0.7",
        )
    page = login_as(users["security_admin"])
    page.goto(url("/security/"))
    locked = page.locator("#locked-accounts")
    expect(locked).to_contain_text("gx_staff")
    expect(page.locator("#security-policy")).to_contain_text("180")
    screenshot("security-admin")
    locked.get_by_role("button", name="解锁").click()
    expect(page.locator("#locked-accounts")).to_contain_text("当前没有被锁定的账号")
    # 三员分立: no domain page for the security administrator
    nav = page.locator("#nav")
    expect(nav).not_to_contain_text("企业")
    expect(nav).to_contain_text("安全事件")

    page = login_as(users["auditor"])
    page.goto(url("/audit/?q=光电产业园"))
    expect(page.locator("#object-table tbody")).to_contain_text("光电产业园")
    expect(page.locator("#nav")).to_contain_text("审计日志")
    expect(page.locator("#nav")).not_to_contain_text("区域")
    screenshot("auditor")
