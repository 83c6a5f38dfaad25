"""Writes with rules on accounts: the second factor, unlocking, roles and zone grants (三员分立)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.access.roles import ADMINISTRATOR_ROLES, Role
from zoneops.core.accounts import security, twofactor
from zoneops.core.accounts.models import SecurityEvent, User


@transaction.atomic
def confirm_second_factor(
    user: User, secret: str, code: str, *, acting_user: User, request=None
) -> User:
    """Turn the second factor on with a code from the new secret (which is then used up)."""

    if acting_user is None or acting_user.pk != user.pk:
        raise PermissionDenied(_("Only the account's owner may set up its second factor."))
    step = twofactor.matching_step(secret, code)
    if step is None:
        raise ValidationError(
            _("The code is wrong or has expired. Check the phone's clock and try again."),
            code="totp",
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    user.totp_secret = twofactor.join(secret, step)
    user.totp_confirmed_at = timezone.now()
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    security.log_event(SecurityEvent.Type.SECOND_FACTOR_ENROLLED, request, user=user)
    return user


@transaction.atomic
def use_second_factor(user: User, code: str) -> bool:
    """Check a login code: right, within its window, and not used before (then it is used up)."""
    from zoneops.core.accounts import twofactor

    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.has_second_factor:
        return False
    secret, last_step = twofactor.split(locked.totp_secret)
    step = twofactor.matching_step(secret, code)
    if step is None or step <= last_step:
        return False
    locked.totp_secret = twofactor.join(secret, step)
    locked.save(update_fields=["totp_secret"])
    return True


@transaction.atomic
def remove_second_factor(user: User, *, acting_user: User, code: str = "", request=None) -> User:
    """Turn the second factor off: the owner with a current code (unless it is required for
    them), or the security administrator for someone who lost their phone (they enrol again).
    """
    from zoneops.core.accounts.models import SecurityEvent

    owner = acting_user is not None and acting_user.pk == user.pk
    if not owner and (acting_user is None or acting_user.role != Role.SECURITY_ADMIN):
        raise PermissionDenied(_("Only the owner or the security administrator may do this."))
    if owner:
        if twofactor.required_for(user):
            raise PermissionDenied(_("Administrators must keep their second factor."))
        if not use_second_factor(user, code):
            raise ValidationError(_("The code is wrong, expired or already used."), code="totp")
    user = User.objects.select_for_update().get(pk=user.pk)
    user.totp_secret, user.totp_confirmed_at = "", None
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    security.log_event(
        SecurityEvent.Type.SECOND_FACTOR_REMOVED,
        request,
        user=user,
        removed_by=acting_user.get_username(),
    )
    return user


@transaction.atomic
def unlock_account(username: str, *, acting_user: User, request=None) -> None:
    """The security administrator lifts a lockout: earlier failures no longer count."""
    from zoneops.core.accounts.models import SecurityEvent

    if acting_user is None or not acting_user.is_active or acting_user.role != Role.SECURITY_ADMIN:
        raise PermissionDenied(_("Only the security administrator may unlock accounts."))
    target = User.objects.filter(username__iexact=username).first()
    if target is None:
        raise ValidationError(_("There is no account “{name}”.").format(name=username))
    security.log_event(
        SecurityEvent.Type.UNLOCKED, request, user=target, unlocked_by=acting_user.get_username()
    )


def administrator_duties(role: str, is_superuser: bool) -> set[str]:
    """The 三员 duties an account would hold: its role's, plus the system administrator's
    for the superuser flag (Django's admin site)."""

    duties = {role} & set(ADMINISTRATOR_ROLES)
    if is_superuser:
        duties.add(Role.ADMIN)
    return duties


@transaction.atomic
def grant_access(target: User, *, role: str, zones, acting_user: User | None, request=None) -> None:
    """Give an account its role and granted zones. Only the security administrator does this,
    never on its own account, and never so that one person holds two administrator duties."""
    from zoneops.core.accounts.models import SecurityEvent

    if acting_user is not None:
        if not acting_user.is_active or acting_user.role != Role.SECURITY_ADMIN:
            raise PermissionDenied(
                _("Only the security administrator gives roles and zone grants.")
            )
        if acting_user.pk == target.pk:
            raise PermissionDenied(_("No account may change its own role, zones or permissions."))
    if role not in Role.values:
        raise ValidationError(_("Unknown role “{role}”.").format(role=role))
    if len(administrator_duties(role, target.is_superuser)) > 1:
        raise ValidationError(
            _("One person may not hold two of the three administrator duties (三员分立).")
        )
    zones = list(zones)
    before = {
        "role": target.role,
        "zones": sorted(target.zones.values_list("code", flat=True)),
    }
    target.role = role
    target.save(update_fields=["role"])
    target.zones.set(zones)
    after = {"role": role, "zones": sorted(z.code for z in zones)}
    if before != after:
        security.log_event(
            SecurityEvent.Type.ACCESS_CHANGED,
            request,
            user=target,
            changed_by=acting_user.get_username() if acting_user else "system",
            before=before,
            after=after,
        )
