from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from zoneops.core.ui import auth_views as core_auth
from zoneops.core.ui import views as core_views

handler403 = core_auth.permission_denied

urlpatterns = [
    path("accounts/login/", core_auth.LoginView.as_view(), name="login"),
    path("accounts/login/code/", core_auth.login_code, name="login_code"),
    path("accounts/two-factor/", core_auth.two_factor, name="two_factor"),
    path("accounts/password/", core_auth.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        # Our template: the admin app, listed first, has one of the same name.
        auth_views.PasswordChangeDoneView.as_view(template_name="core/password_changed.html"),
        name="password_change_done",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.healthz, name="healthz"),
    # One way in, with the lockout and the second factor: the admin site's own login form
    # would check the password only.
    path("admin/login/", RedirectView.as_view(url="/accounts/login/", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/", include("zoneops.api.urls")),
    path("enterprises/", include("zoneops.enterprises.urls")),
    path("projects/", include("zoneops.projects.urls")),
    path("investment/", include("zoneops.investment.urls")),
    path("appeals/", include("zoneops.appeals.urls")),
    path("hazards/", include("zoneops.hazards.urls")),
    path("notifications/", include("zoneops.notifications.urls")),
    path("jobs/", include("zoneops.jobs.urls")),
    path("indicators/", include("zoneops.indicators.urls")),
    path("tasks/", include("zoneops.tasks.urls")),
    path("dashboard/", include("zoneops.reports.urls")),
    path("intake/", include("zoneops.intake.urls")),
    path("public/appeals/", include("zoneops.appeals.public_urls")),
    path("", include("zoneops.core.urls")),
]
