"""Account security (等保 2.0 level 3): password rules, lockout, idle sessions, security events.

Settings (with their defaults):
ZONEOPS_PASSWORD_HISTORY = 5           previous passwords that may not be reused
ZONEOPS_PASSWORD_MAX_AGE_DAYS = 90     0 turns expiry off
ZONEOPS_LOCKOUT_FAILURES = 5           failed logins of one account from one address ...
ZONEOPS_LOCKOUT_MINUTES = 30           ... within this window lock that pair for this long
ZONEOPS_LOCKOUT_ADDRESS_ACCOUNTS = 10  accounts failing from one address in the window: the
                                       address is throttled (every account) for the window
ZONEOPS_LOCKOUT_ALERT_ADDRESSES = 5    addresses failing on one account in the window: the
                                       security administrator is alerted
ZONEOPS_LOCKOUT_ACCOUNT_CEILING = 50   failures of one account in an hour from all addresses:
                                       beyond it every attempt waits a growing delay (the
                                       owner is slowed, never locked out)
ZONEOPS_SESSION_IDLE_MINUTES = 30      idle time after which a session ends
ZONEOPS_REQUIRE_ADMIN_TOTP = True      administrators need a second factor (core.accounts.twofactor)
ZONEOPS_AUDIT_RETENTION_DAYS = 180     audit rows are kept at least this long (refused below 180)
"""

import datetime as dt
import string

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.hashers import check_password
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.dispatch import Signal, receiver
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.accounts import twofactor
from zoneops.core.accounts.models import PasswordHistory, SecurityEvent
from zoneops.core.rest.errors import error_body

# ``detail["action"]`` of the LOCKED_OUT event that recorded an unlock before UNLOCKED existed.
UNLOCK = "unlock"
MIN_AUDIT_RETENTION_DAYS = 180


def setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _trusted_proxies():
    import ipaddress

    from django.conf import settings

    networks = []
    for item in getattr(settings, "ZONEOPS_TRUSTED_PROXIES", ("127.0.0.1", "::1")):
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _ip(text: str):
    import ipaddress

    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's address: the one function for the audit trail, lockouts and rate limits.

    X-Real-IP and X-Forwarded-For are believed only when the request comes from a proxy in
    ``ZONEOPS_TRUSTED_PROXIES`` (loopback by default: the shipped nginx on the same host);
    from anyone else they are ignored and the socket's address is the client's.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or ""
    remote_ip = _ip(remote)
    if remote_ip is None:
        return None
    proxies = _trusted_proxies()

    def trusted(ip) -> bool:
        return any(ip.version == net.version and ip in net for net in proxies)

    if not trusted(remote_ip):
        return str(remote_ip)
    real = _ip(request.META.get("HTTP_X_REAL_IP", ""))
    if real is not None:
        return str(real)
    # The right-most address a trusted proxy did not add is the client's.
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        ip = _ip(hop)
        if ip is None:
            break
        if not trusted(ip):
            return str(ip)
    return str(remote_ip)


def log_event(event_type: str, request=None, *, user=None, username: str = "", **detail) -> None:
    request_user = getattr(request, "user", None)
    if user is None and request_user is not None and request_user.is_authenticated:
        user = request_user
    SecurityEvent.objects.create(
        type=event_type,
        user=user,
        username=username or (user.get_username() if user else ""),
        address=client_address(request),
        path=(request.get_full_path()[:300] if request is not None else ""),
        detail=detail,
    )


# Passwords ------------------------------------------------------------------------------------


class ComplexityValidator:
    """At least ``min_length`` characters from at least ``min_classes`` of the four classes."""

    def __init__(self, min_length: int = 8, min_classes: int = 3):
        self.min_length, self.min_classes = min_length, min_classes

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c in string.digits for c in password),
            any(not c.isalnum() for c in password),
        ]
        if len(password) < self.min_length or sum(classes) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "The password needs at least {length} characters and at least {classes} of: lower-case "
            "letters, upper-case letters, digits, symbols."
        ).format(length=self.min_length, classes=self.min_classes)


class HistoryValidator:
    """Refuses the current password and the last few; records each change."""

    def __init__(self, history: int | None = None):
        self.history = history

    @property
    def count(self) -> int:
        return self.history or setting("ZONEOPS_PASSWORD_HISTORY", 5)

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        hashes = [user.password] + list(
            PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[
                : self.count
            ]
        )
        if any(h and check_password(password, h) for h in hashes):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.count :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        # ``must_change_password`` is left alone: an administrator setting an initial password
        # (createadmin, a reset) sets it; the user's own change clears it (PasswordChangeView).
        type(user).objects.filter(pk=user.pk).update(password_changed_at=timezone.now())
        user.password_changed_at = timezone.now()
        log_event(SecurityEvent.Type.PASSWORD_CHANGED, user=user)

    def get_help_text(self) -> str:
        return _("The password may not be one of your last {count} passwords.").format(
            count=self.count
        )


def password_expired(user) -> bool:
    max_age = setting("ZONEOPS_PASSWORD_MAX_AGE_DAYS", 90)
    if not max_age or user.password_changed_at is None:
        return False
    return timezone.now() - user.password_changed_at > dt.timedelta(days=max_age)


# Lockout ----------------------------------------------------------------------------------------


CEILING_WINDOW = dt.timedelta(hours=1)
MAX_DELAY_SECONDS = 300


def _account_failures(username: str, since: dt.datetime):
    """The account's failed logins since ``since`` and since its last success or unlock.

    Counters are the security events in the database, so every app host sees the same."""
    reset = (
        SecurityEvent.objects.filter(username__iexact=username, time__gte=since)
        .filter(
            Q(type__in=[SecurityEvent.Type.LOGIN, SecurityEvent.Type.UNLOCKED])
            # Unlocks logged before the UNLOCKED type existed (audit rows are never rewritten).
            | Q(type=SecurityEvent.Type.LOCKED_OUT, detail__action=UNLOCK)
        )
        .order_by("-time")
        .values_list("time", flat=True)
        .first()
    )
    failed = SecurityEvent.objects.filter(
        type=SecurityEvent.Type.LOGIN_FAILED, username__iexact=username, time__gte=since
    )
    return failed.filter(time__gt=reset) if reset else failed


def login_gate(username: str, address: str | None) -> tuple[str, dt.timedelta] | None:
    """Why and how long a login attempt must wait, or None when it may be checked.

    ``("locked", t)``: this account failed too often from this address (a colleague's typos
    behind the same NAT lock only the colleague's account from there); ``("address", t)``: the
    address failed on many accounts; ``("slowed", t)``: the account failed more than its
    hourly ceiling from everywhere, and every attempt waits a growing delay."""
    failures = setting("ZONEOPS_LOCKOUT_FAILURES", 5)
    window = dt.timedelta(minutes=setting("ZONEOPS_LOCKOUT_MINUTES", 30))
    now = timezone.now()
    if username and address:
        times = list(
            _account_failures(username, now - window)
            .filter(address=address)
            .order_by("-time")
            .values_list("time", flat=True)[:failures]
        )
        if len(times) >= failures:
            return "locked", times[failures - 1] + window - now
    if address:
        from_address = SecurityEvent.objects.filter(
            type=SecurityEvent.Type.LOGIN_FAILED, address=address, time__gte=now - window
        )
        accounts = from_address.values("username").distinct().count()
        if accounts >= setting("ZONEOPS_LOCKOUT_ADDRESS_ACCOUNTS", 10):
            last = from_address.order_by("-time").values_list("time", flat=True).first()
            return "address", last + window - now
    if username:
        ceiling = setting("ZONEOPS_LOCKOUT_ACCOUNT_CEILING", 50)
        recent = _account_failures(username, now - CEILING_WINDOW)
        count = recent.count()
        if count >= ceiling:
            delay = dt.timedelta(seconds=min(2 ** min(count - ceiling, 9), MAX_DELAY_SECONDS))
            last = recent.order_by("-time").values_list("time", flat=True).first()
            if last + delay > now:
                return "slowed", last + delay - now
    return None


def lockout_remaining(username: str, address: str | None) -> dt.timedelta | None:
    """How long this attempt must wait (``login_gate``), or None."""
    gate = login_gate(username, address)
    return gate[1] if gate else None


def wait_message(remaining: dt.timedelta) -> str:
    seconds = max(1, int(remaining.total_seconds()) + 1)
    if seconds < 120:
        return _(
            "Too many failed logins. Please wait {seconds} seconds before trying again."
        ).format(seconds=seconds)
    return _(
        "Too many failed logins. Logins for this account or address are locked; "
        "try again in {minutes} minutes."
    ).format(minutes=max(1, seconds // 60 + 1))


account_attacked = Signal()  # sender=None, username=..., addresses=...: to the security admin


def _alert_if_attacked(username: str, request) -> None:
    """One alert per window when one account fails from many addresses."""
    if not username:
        return
    window = dt.timedelta(minutes=setting("ZONEOPS_LOCKOUT_MINUTES", 30))
    since = timezone.now() - window
    addresses = (
        SecurityEvent.objects.filter(
            type=SecurityEvent.Type.LOGIN_FAILED, username__iexact=username, time__gte=since
        )
        .exclude(address=None)
        .values("address")
        .distinct()
        .count()
    )
    if addresses < setting("ZONEOPS_LOCKOUT_ALERT_ADDRESSES", 5):
        return
    if SecurityEvent.objects.filter(
        type=SecurityEvent.Type.ACCOUNT_ATTACKED, username__iexact=username, time__gte=since
    ).exists():
        return
    log_event(SecurityEvent.Type.ACCOUNT_ATTACKED, request, username=username, addresses=addresses)
    account_attacked.send(sender=None, username=username, addresses=addresses)


@receiver(user_login_failed, dispatch_uid="zoneops_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "")[:150]
    log_event(SecurityEvent.Type.LOGIN_FAILED, request, username=username)
    _alert_if_attacked(username, request)


@receiver(user_logged_in, dispatch_uid="zoneops_logged_in")
def _on_logged_in(sender, request, user, **kwargs):
    log_event(SecurityEvent.Type.LOGIN, request, user=user)
    if request is not None and hasattr(request, "session"):
        request.session["last_activity"] = timezone.now().timestamp()


@receiver(user_logged_out, dispatch_uid="zoneops_logged_out")
def _on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        log_event(SecurityEvent.Type.LOGOUT, request, user=user)


def locked_accounts() -> list[tuple[str, dt.timedelta]]:
    """Accounts locked right now, with how long they stay locked."""
    window = dt.timedelta(minutes=setting("ZONEOPS_LOCKOUT_MINUTES", 30))
    names = (
        SecurityEvent.objects.filter(
            time__gte=timezone.now() - window, type=SecurityEvent.Type.LOGIN_FAILED
        )
        .exclude(username="")
        .values_list("username", flat=True)
        .distinct()
    )
    locked = []
    now = timezone.now()
    failures = setting("ZONEOPS_LOCKOUT_FAILURES", 5)
    for name in sorted(set(names)):
        addresses = set(_account_failures(name, now - window).values_list("address", flat=True))
        remaining = [login_gate(name, address) for address in addresses]
        remaining = [gate[1] for gate in remaining if gate and gate[0] != "address"]
        if not remaining and _account_failures(name, now - window).count() >= failures:
            gate = login_gate(name, None)
            remaining = [gate[1]] if gate else []
        if remaining:
            locked.append((name, max(remaining)))
    return locked


def policy() -> list[tuple[str, object]]:
    """The security settings in force, as the security administrator's page shows them."""
    return [
        (_("Password history"), setting("ZONEOPS_PASSWORD_HISTORY", 5)),
        (_("Password maximum age (days)"), setting("ZONEOPS_PASSWORD_MAX_AGE_DAYS", 90)),
        (_("Failed logins before lockout"), setting("ZONEOPS_LOCKOUT_FAILURES", 5)),
        (_("Lockout (minutes)"), setting("ZONEOPS_LOCKOUT_MINUTES", 30)),
        (
            _("Accounts failing from one address before it is throttled"),
            setting("ZONEOPS_LOCKOUT_ADDRESS_ACCOUNTS", 10),
        ),
        (
            _("Addresses failing on one account before the alert"),
            setting("ZONEOPS_LOCKOUT_ALERT_ADDRESSES", 5),
        ),
        (
            _("Failures of one account per hour before attempts are slowed"),
            setting("ZONEOPS_LOCKOUT_ACCOUNT_CEILING", 50),
        ),
        (_("Idle session ends after (minutes)"), setting("ZONEOPS_SESSION_IDLE_MINUTES", 30)),
        (
            _("Administrators need a second factor"),
            _("yes") if getattr(settings, "ZONEOPS_REQUIRE_ADMIN_TOTP", True) else _("no"),
        ),
        (_("Audit retention (days)"), setting("ZONEOPS_AUDIT_RETENTION_DAYS", 180)),
    ]


# Middleware ------------------------------------------------------------------------------------

_OPEN_PREFIXES = ("/static/", "/i18n/", "/healthz", "/accounts/logout/", "/public/")
# 三员分立: the security and audit administrators work on these pages only (the API checks
# their roles itself); every domain page answers 403 to them.
OVERSIGHT_PREFIXES = (
    "/audit/",
    "/security/",
    "/accounts/",
    "/api/",
    "/static/",
    "/i18n/",
    "/notifications/",  # their own notifications (the bell on every page)
)


def oversight_only(user) -> bool:
    """The security and audit administrators: no page of domain data."""
    from zoneops.core.access.roles import Role

    return user.role in (Role.SECURITY_ADMIN, Role.AUDITOR)


def oversight_may_open(path: str) -> bool:
    return path == "/" or path.startswith(OVERSIGHT_PREFIXES) or path == "/healthz"


ACTIVITY_WRITE_SECONDS = 60


def is_background(request) -> bool:
    """A request a script sends (HTMX, ``fetch``, the API), not a page the user opens."""
    accept = request.headers.get("Accept", "")
    return bool(
        request.headers.get("HX-Request")
        or request.headers.get("X-Requested-With")
        or request.headers.get("Sec-Fetch-Dest") == "empty"
        or request.path.startswith("/api/")
        or ("application/json" in accept and "text/html" not in accept)
    )


def background_answer(request, location: str, message: str, status: int) -> HttpResponse:
    """What a background request gets instead of being redirected to a page.

    A page fragment (HTMX: the bell's poll, a partial update) would otherwise have the login or
    password page inserted into the page it belongs to. HTMX gets an empty 204 (nothing is
    swapped, nothing logged as an error) and, unless the page already is that page, an
    ``HX-Redirect`` that takes the whole window there; ``fetch`` and the API get a short JSON
    answer (401 not logged in, 403 something to do first) saying where to go.
    """
    from urllib.parse import urlsplit

    if request.headers.get("HX-Request"):
        answer = HttpResponse(status=204)
        current = urlsplit(request.headers.get("HX-Current-URL", "")).path
        if current != urlsplit(location).path:
            answer["HX-Redirect"] = location
        return answer
    return JsonResponse({"detail": message, "location": location}, status=status)


class SessionSecurityMiddleware:
    """Ends idle sessions and sends users with an initial or expired password to change it.

    Background requests (``is_background``) are never redirected to a page: they get a short
    answer (``background_answer``), also when a view sends an anonymous one to the login page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.check(request)
        if response is None:
            response = self.get_response(request)
        if response.status_code in (301, 302, 303) and is_background(request):
            location = response.get("Location", "")
            path = location.split("?", 1)[0]
            if path == reverse("login") or path.endswith(reverse("login")):
                return background_answer(request, location, _("Please log in again."), 401)
            if path in (reverse("password_change"), reverse("two_factor")):
                return background_answer(
                    request, location, _("Please choose a new password before you go on."), 403
                )
        return response

    def check(self, request):
        """A redirect (or refusal) instead of the page asked for, or None."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            background = is_background(request)
            now = timezone.now().timestamp()
            idle_limit = setting("ZONEOPS_SESSION_IDLE_MINUTES", 30) * 60
            last = request.session.get("last_activity")
            if last is not None and now - last > idle_limit:
                logout(request)
                if not background:
                    messages.info(request, _("You were logged out after a period of inactivity."))
                return redirect(f"{reverse('login')}?next={request.path}")
            # Written at most once a minute: a session save per request makes the bell's and
            # the page's requests queue for SQLite's write lock, and a minute is nothing
            # against a 30-minute limit.
            if last is None or now - last >= ACTIVITY_WRITE_SECONDS:
                request.session["last_activity"] = now
            change_url = reverse("password_change")
            if (
                (user.must_change_password or password_expired(user))
                and not request.path.startswith(_OPEN_PREFIXES)
                and request.path not in (change_url, reverse("password_change_done"))
                and not request.path.startswith("/api/")
            ):
                if not background:
                    messages.warning(request, _("Please choose a new password before you go on."))
                return redirect(change_url)
            enrol_url = reverse("two_factor")
            if (
                twofactor.needs_enrolment(user)
                and not request.path.startswith(_OPEN_PREFIXES)
                and request.path not in (enrol_url, change_url, reverse("password_change_done"))
            ):
                if request.path.startswith("/api/"):
                    message = _("Set up the second factor before you go on.")
                    return JsonResponse(error_body(403, message), status=403)
                if not background:
                    messages.warning(request, _("Set up the second factor before you go on."))
                return redirect(enrol_url)
            if oversight_only(user) and not oversight_may_open(request.path):
                raise PermissionDenied(
                    _("The security and audit administrators do not work on domain data.")
                )
        return None


class SecurityHeadersMiddleware:
    """A Content-Security-Policy without inline scripts; nothing is loaded from elsewhere."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self)")
        return response
