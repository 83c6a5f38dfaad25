"""Login with lockout, password change, and logging of permission denials."""

import time

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.accounts import security, twofactor
from zoneops.core.accounts import services as account_services
from zoneops.core.accounts.models import SecurityEvent, User
from zoneops.core.ui.widgets import style_fields

PENDING_KEY = "zoneops_pending_second_factor"
PENDING_SECONDS = 300
ENROL_KEY = "zoneops_totp_enrolment"


class LockoutAuthenticationForm(AuthenticationForm):
    """Refuses to even check the password while the account or the address is locked."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        address = security.client_address(self.request)
        remaining = security.lockout_remaining(username, address)
        if remaining is not None:
            security.log_event(SecurityEvent.Type.LOCKED_OUT, self.request, username=username[:150])
            raise forms.ValidationError(security.wait_message(remaining), code="locked")
        return super().clean()


class LoginView(auth_views.LoginView):
    """The password first; with a second factor set up, the code next (``LoginCodeView``)."""

    form_class = LockoutAuthenticationForm

    def form_valid(self, form):
        user = form.get_user()
        if not user.has_second_factor:
            return super().form_valid(form)
        # Not logged in yet: no login event, so failed codes keep counting toward the lockout.
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "since": time.time(),
        }
        return redirect("login_code")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the authenticator app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.fields)


def login_code(request):
    """Second step of a login: the six-digit code; failures count toward the lockout."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["since"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Please log in again."))
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("login")
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        address = security.client_address(request)
        remaining = security.lockout_remaining(user.get_username(), address)
        if remaining is not None:
            security.log_event(SecurityEvent.Type.LOCKED_OUT, request, username=user.username)
            request.session.pop(PENDING_KEY, None)
            messages.error(request, security.wait_message(remaining))
            return redirect("login")
        if account_services.use_second_factor(user, form.cleaned_data["code"]):
            request.session.pop(PENDING_KEY, None)
            auth_login(request, user, backend=pending["backend"])
            target = pending.get("next") or reverse("core:home")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("core:home")
            return HttpResponseRedirect(target)
        security.log_event(
            SecurityEvent.Type.LOGIN_FAILED, request, username=user.username, factor="totp"
        )
        error = _("The code is wrong, expired or already used.")
    return render(
        request, "registration/login_code.html", {"form": form, "error": error}, status=200
    )


@login_required
def two_factor(request):
    """Set up (or, where it is not required, turn off) the second factor."""
    user = request.user
    form = CodeForm(request.POST or None)
    if user.has_second_factor:
        if request.method == "POST" and form.is_valid():
            try:
                account_services.remove_second_factor(
                    user, acting_user=user, code=form.cleaned_data["code"], request=request
                )
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                form.add_error("code", text)
            else:
                messages.success(request, _("The second factor is off."))
                return redirect("two_factor")
        return render(
            request,
            "registration/two_factor.html",
            {"form": form, "enabled": True, "required": twofactor.required_for(user)},
        )
    secret = request.session.get(ENROL_KEY) or twofactor.new_secret()
    request.session[ENROL_KEY] = secret
    if request.method == "POST" and form.is_valid():
        try:
            account_services.confirm_second_factor(
                user, secret, form.cleaned_data["code"], acting_user=user, request=request
            )
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            form.add_error("code", text)
        else:
            request.session.pop(ENROL_KEY, None)
            messages.success(request, _("The second factor is on: logins ask for a code now."))
            return redirect("core:home")
    uri = twofactor.provisioning_uri(user, secret)
    return render(
        request,
        "registration/two_factor.html",
        {
            "form": form,
            "enabled": False,
            "required": twofactor.required_for(user),
            "secret": twofactor.grouped(secret),
            "qr": twofactor.qr_data_uri(uri),
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        style_fields(form.fields)
        return form

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:  # the initial password is replaced: the user chose one
            get_user_model().objects.filter(pk=user.pk).update(must_change_password=False)
            user.must_change_password = False
        return response


def csrf_failure(request, reason=""):
    """A form sent from a page that is too old (the session ended, another login since): in
    the site's frame and in Chinese, instead of Django's English page."""
    return render(
        request,
        "403.html",
        {
            "reason": _(
                "The form has expired (the page was open too long, or you logged in again "
                "elsewhere). Go back, reload the page and send it again."
            )
        },
        status=403,
    )


def permission_denied(request, exception=None):
    security.log_event(
        SecurityEvent.Type.PERMISSION_DENIED, request, reason=str(exception or "")[:300]
    )
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)
