"""Login with lockout, password change, and logging of permission denials."""

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext as _

from zoneops.core import security
from zoneops.core.models import SecurityEvent
from zoneops.core.widgets import style_fields


class LockoutAuthenticationForm(AuthenticationForm):
    """Refuses to even check the password while the account or the address is locked."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        address = security.client_address(self.request)
        remaining = security.lockout_remaining(username, address)
        if remaining is not None:
            security.log_event(SecurityEvent.Type.LOCKED_OUT, self.request, username=username[:150])
            minutes = max(1, int(remaining.total_seconds() // 60) + 1)
            raise forms.ValidationError(
                _(
                    "Too many failed logins. Logins for this account or address are locked; "
                    "try again in {minutes} minutes."
                ).format(minutes=minutes),
                code="locked",
            )
        return super().clean()


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        style_fields(form.fields)
        return form


def permission_denied(request, exception=None):
    security.log_event(
        SecurityEvent.Type.PERMISSION_DENIED, request, reason=str(exception or "")[:300]
    )
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)
