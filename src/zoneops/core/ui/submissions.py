"""Forms sent from phones that may retry after a dropped connection: one write per client token."""

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.ui.models import ClientSubmission


class DuplicateSubmission(Exception):
    """The form with this client token was received before: nothing was written again."""

    def __init__(self, submission):
        super().__init__(str(submission.token))
        self.submission = submission


def parse_client_token(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def previous_submission(request, token):
    """The earlier arrival of the form with ``token`` from this user, if there was one.

    A token another user has claimed is refused (it is not theirs to look up).
    """

    token = parse_client_token(token)
    if token is None:
        return None
    found = ClientSubmission.objects.filter(token=token).first()
    if found is not None and found.user_id != request.user.pk:
        raise PermissionDenied(_("This form was sent by someone else; please reload the page."))
    return found


def claim_client_token(request, token, result_url: str):
    """Record that the form with ``token`` has been received and where its result is.

    Call it inside the transaction that writes the form's result: when the token was claimed
    already (a retry, or a second request racing this one), it raises ``DuplicateSubmission``,
    which rolls back the whole write. Without a token (a form from an old page, the API) it
    does nothing and returns None.
    """
    from django.db import IntegrityError

    token = parse_client_token(token)
    if token is None:
        return None
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_client_token() belongs inside the write's transaction")
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            return ClientSubmission.objects.create(
                token=token, user=request.user, path=request.path[:300], result_url=result_url
            )
    except IntegrityError:
        earlier = ClientSubmission.objects.filter(token=token).first()
        if earlier is None or earlier.user_id != request.user.pk:
            raise PermissionDenied(
                _("This form was sent by someone else; please reload the page.")
            ) from None
        raise DuplicateSubmission(earlier) from None


def purge_client_submissions(*, now: dt.datetime | None = None) -> int:
    """Forget client tokens older than ``ZONEOPS_CLIENT_TOKEN_DAYS`` (default 30): a phone
    retries a queued form when it is back online, which is hours or days, not months.
    Returns how many were forgotten.
    """

    days = int(getattr(settings, "ZONEOPS_CLIENT_TOKEN_DAYS", 30))
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _by_model = ClientSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def already_received(request, submission):
    """The answer to a form that arrived before: back to its first result, saying so."""
    from django.contrib import messages
    from django.http import HttpResponseRedirect

    messages.info(request, _("Already received: this form was saved before, not again."))
    return HttpResponseRedirect(submission.result_url or "/")


def submit_once(request, token, write, result_url=lambda obj: obj.get_absolute_url()):
    """Run ``write()`` and claim ``token`` in one transaction.

    Returns ``(result, None)`` after a first arrival, ``(None, response)`` redirecting to the
    first result when the form arrived before (whether found before writing or by losing a
    race to claim the token). ``write`` raises as usual (ValidationError, PermissionDenied).
    """
    earlier = previous_submission(request, token)
    if earlier is not None:
        return None, already_received(request, earlier)
    try:
        with transaction.atomic():
            result = write()
            claim_client_token(request, token, result_url(result))
    except DuplicateSubmission as exc:
        return None, already_received(request, exc.submission)
    return result, None
