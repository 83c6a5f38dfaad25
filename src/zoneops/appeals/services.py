"""Writes with rules for appeals: submission, the loop, rating, attachments, the public page."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.appeals import registry, workflow
from zoneops.appeals.models import Appeal, Attachment, Channel, Submission
from zoneops.appeals.validators import FILE_KINDS, check_upload, validate_uscc
from zoneops.core.access.permissions import ADD, CHANGE, VIEW, role_may
from zoneops.core.calendar import workdays as calendar
from zoneops.core.loop import services as core_services
from zoneops.core.loop import workflows as loop
from zoneops.core.models import Department, LoopCase, LoopEvent, User, Zone
from zoneops.core.registries import writes as core_writes

TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TAG_SEPARATORS = ",，、;；"


def today() -> dt.date:
    return timezone.localdate()


def normalise_tags(text: str) -> str:
    for sep in TAG_SEPARATORS[1:]:
        text = (text or "").replace(sep, ",")
    seen: list[str] = []
    for tag in (t.strip() for t in (text or "").split(",")):
        if tag and tag not in seen:
            seen.append(tag[:30])
    return ",".join(seen)[:200]


@transaction.atomic
def update_appeal(appeal: Appeal, *, acting_user, fields=None) -> Appeal:
    """Change an appeal's particulars (page, API, import): its tags normalised, its loop case
    keeping its title."""
    appeal.tags = normalise_tags(appeal.tags)
    core_writes.save_object(appeal, acting_user=acting_user, fields=fields)
    core_services.keep_case_title(appeal.case, appeal.title)
    return appeal


def new_tracking_number(day: dt.date) -> str:
    """``SQ`` + date + 6 random characters: unique, and not guessable from a neighbour's."""
    return f"SQ{day:%Y%m%d}" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(6))


def _check_zone(user: User | None, zone: Zone, action: str) -> None:
    if user is None:
        return
    if not role_may(user, action, Appeal) or not (
        user.is_zone_admin or user.visible_zones().filter(pk=zone.pk).exists()
    ):
        raise PermissionDenied(_("You may not record appeals in {zone}.").format(zone=zone))


@dataclass
class Item:
    title: str
    category: str
    description: str
    tags: str = ""
    multi_department: bool = False


@transaction.atomic
def submit(
    *,
    zone: Zone,
    channel: str,
    enterprise_name: str,
    uscc: str,
    contact_name: str,
    contact_phone: str,
    items: list[Item],
    acting_user: User | None,
    link_to: Submission | None = None,
    opened_on: dt.date | None = None,
    client_key: str = "",
    nonce: str | None = None,
    source: str = "",
    enterprise=None,
    visit=None,
) -> Submission:
    """Record a submission and open one appeal per item in the closed loop.

    ``link_to``: add the items to an earlier submission (they share its tracking number).
    """
    _check_zone(acting_user, zone, ADD)
    if not items:
        raise ValidationError(_("A submission needs at least one appeal."), code="empty")
    if uscc:
        uscc = validate_uscc(uscc)
    opened_on = opened_on or today()
    if link_to is not None:
        submission = link_to
        if submission.zone_id != zone.pk:
            raise ValidationError(
                _("A linked appeal must be in the zone of the submission it joins."), code="zone"
            )
    else:
        submission = Submission(
            zone=zone,
            channel=channel,
            enterprise_name=enterprise_name.strip(),
            uscc=uscc,
            contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(),
            client_key=client_key,
            nonce=nonce,
            source=source,
        )
        for _attempt in range(5):
            submission.tracking_number = new_tracking_number(opened_on)
            try:
                with transaction.atomic():
                    submission.save()
                break
            except IntegrityError:
                if nonce and Submission.objects.filter(nonce=nonce).exists():
                    raise
                submission.pk = None
        else:  # pragma: no cover - 32**6 numbers a day
            raise ValidationError(_("No tracking number is free; please try again."))
    for item in items:
        open_appeal(
            submission,
            item,
            zone=zone,
            channel=channel,
            acting_user=acting_user,
            opened_on=opened_on,
            source=source,
            enterprise=enterprise,
            visit=visit,
        )
    return submission


def submit_one(data: dict, *, acting_user: User | None, source: str = "") -> Appeal:
    """One appeal entered by staff (the form, a visit, the API): its submission of one item.

    ``data`` holds the cleaned fields: zone, channel, enterprise (or enterprise_name), uscc,
    contact_name, contact_phone, title, category, description, and optionally tags,
    multi_department, link_submission, visit and source.
    """
    enterprise = data.get("enterprise")
    submission = submit(
        zone=data["zone"],
        channel=data["channel"],
        enterprise_name=enterprise.name if enterprise else data["enterprise_name"],
        uscc=data.get("uscc") or "",
        contact_name=data["contact_name"],
        contact_phone=data["contact_phone"],
        items=[
            Item(
                title=data["title"],
                category=data["category"],
                description=data["description"],
                tags=data.get("tags") or "",
                multi_department=data.get("multi_department") or False,
            )
        ],
        acting_user=acting_user,
        link_to=data.get("link_submission"),
        source=data.get("source") or source,
        enterprise=enterprise,
        visit=data.get("visit"),
    )
    return submission.appeals.order_by("-pk").first()


def open_appeal(
    submission, item: Item, *, zone, channel, acting_user, opened_on, source, enterprise, visit
):
    limits = workflow.limits_for(item.category)
    resolve = limits["resolve_multi"] if item.multi_department else limits["resolve"]
    case = core_services.open_case(
        kind=workflow.KIND,
        zone=zone,
        title=item.title[:200],
        acting_user=acting_user,
        opened_on=opened_on,
        limit_working_days=resolve,
    )
    extra = {}
    if enterprise is not None:
        extra["enterprise"] = enterprise
    if visit is not None:
        extra["visit"] = visit
    return Appeal.objects.create(
        case=case,
        submission=submission,
        zone=zone,
        title=item.title.strip()[:200],
        category=item.category,
        channel=channel,
        tags=normalise_tags(item.tags),
        description=item.description.strip(),
        multi_department=item.multi_department,
        accept_due=calendar.add_working_days(opened_on, limits["accept"]),
        answer_due=calendar.add_working_days(opened_on, limits["answer"]),
        source=source,
        **extra,
    )


CLOSED_BY = {
    "confirm": Appeal.ClosedBy.CONFIRMATION,
    "revisit": Appeal.ClosedBy.REVISIT,
    "dismiss": Appeal.ClosedBy.DISMISSED,
}


@transaction.atomic
def transition(
    appeal: Appeal,
    name: str,
    *,
    acting_user: User | None,
    comment: str = "",
    department: Department | None = None,
    handler: User | None = None,
    extra_working_days: int | None = None,
    multi_department: bool | None = None,
    on: dt.date | None = None,
) -> Appeal:
    """One step of the appeal's loop (see ``workflow``), keeping the appeal's own dates."""
    appeal = Appeal.objects.select_for_update().select_related("case").get(pk=appeal.pk)
    day = on or today()
    result = core_services.do_transition(
        appeal.case,
        name,
        acting_user=acting_user,
        comment=comment,
        department=department,
        handler=handler,
        extra_working_days=extra_working_days,
        on=day,
    )
    case = result.case
    appeal.case = case
    fields = set()
    if name == "accept" and appeal.accepted_on is None:
        appeal.accepted_on = day
        fields.add("accepted_on")
    if name in ("start", "reply") and appeal.answered_on is None:
        appeal.answered_on = day
        fields.add("answered_on")
    if name == "escalate_meeting" and appeal.coordination != Appeal.Coordination.LEADER:
        appeal.coordination = Appeal.Coordination.MEETING
        fields.add("coordination")
    if name == "escalate_leader":
        appeal.coordination = Appeal.Coordination.LEADER
        fields.add("coordination")
    if name == "reply":
        appeal.replied_on = day
        fields.add("replied_on")
    if name in CLOSED_BY:
        # The loop is resolved when the (last) answer went out; the enterprise's confirmation
        # or the revisit only closes it.
        done = appeal.replied_on if name != "dismiss" and appeal.replied_on else day
        appeal.closed_by = CLOSED_BY[name]
        appeal.close_working_days = max(calendar.working_days_between(case.opened_on, done), 0)
        appeal.closed_on_time = done <= case.due_date
        fields |= {"closed_by", "close_working_days", "closed_on_time"}
    if name == "reopen":
        appeal.reopen_count += 1
        appeal.closed_by, appeal.close_working_days, appeal.closed_on_time = "", None, None
        fields |= {"reopen_count", "closed_by", "close_working_days", "closed_on_time"}
    if multi_department is not None and multi_department != appeal.multi_department:
        if name not in ("assign", "transfer"):
            raise ValidationError(
                _("Whether several departments are involved is decided when assigning."),
                code="multi_department",
            )
        _relimit(appeal, case, multi_department, acting_user, day)
        appeal.multi_department = multi_department
        fields.add("multi_department")
    if fields:
        appeal.save(update_fields=sorted(fields | {"updated_at"}))
    return appeal


def _relimit(appeal: Appeal, case: LoopCase, multi: bool, acting_user, day: dt.date) -> None:
    """Move the resolve deadline between the single- and multi-department limits."""
    limits = workflow.limits_for(appeal.category)
    new_limit = limits["resolve_multi"] if multi else limits["resolve"]
    if new_limit == case.limit_working_days:
        return
    # Extensions granted and paused days stay; only the base limit changes.
    base = calendar.add_working_days(case.opened_on, case.limit_working_days)
    granted = max(calendar.working_days_between(base, case.due_date), 0)
    case.due_date = calendar.add_working_days(
        calendar.add_working_days(case.opened_on, new_limit), granted
    )
    case.limit_working_days = new_limit
    if case.is_open and not case.paused_on:
        case.escalation = loop.escalation_level(workflow.APPEAL, case.due_date, day)
    case.save(update_fields=["limit_working_days", "due_date", "escalation", "updated_at"])
    LoopEvent.objects.create(
        case=case,
        transition="relimit",
        from_state=case.state,
        to_state=case.state,
        actor=acting_user,
        comment=_("Several departments involved") if multi else _("One department"),
        data={"limit_working_days": new_limit, "due": case.due_date},
    )


@transaction.atomic
def rate(
    appeal: Appeal,
    score: int,
    comment: str = "",
    *,
    acting_user: User | None,
    on: dt.date | None = None,
) -> Appeal:
    """The enterprise's satisfaction with the answer, 1–5.

    A low rating reopens the appeal for a revisit; a good rating of a replied appeal closes it
    as confirmed. ``acting_user=None`` is the enterprise on the public page.
    """
    appeal = Appeal.objects.select_for_update().select_related("case").get(pk=appeal.pk)
    if acting_user is not None and not (
        Appeal.objects.restrict(acting_user, CHANGE).filter(pk=appeal.pk).exists()
    ):
        raise PermissionDenied(_("You may not record a rating for this appeal."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError(_("A rating is a whole number from 1 to 5."), code="rating")
    comment = (comment or "").strip()
    state = appeal.case.state
    if state not in ("replied", "closed") or appeal.closed_by == Appeal.ClosedBy.DISMISSED:
        raise ValidationError(
            _("The appeal can be rated once it has been answered."), code="not_answered"
        )
    if state == "closed" and appeal.rating is not None:
        raise ValidationError(_("This answer has already been rated."), code="rated")
    low = score <= workflow.low_rating()
    if low and not comment:
        raise ValidationError(
            _("Please tell us what is still unresolved, so that we can revisit."),
            code="comment_required",
        )
    appeal.rating, appeal.rating_comment, appeal.rated_at = score, comment, timezone.now()
    appeal.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    note = _("Satisfaction {score}/5. {comment}").format(score=score, comment=comment).strip()
    if low:
        appeal = transition(appeal, "reopen", acting_user=acting_user, comment=note, on=on)
    elif state == "replied":
        appeal = transition(appeal, "confirm", acting_user=acting_user, comment=note, on=on)
    return appeal


@transaction.atomic
def add_attachment(appeal: Appeal, upload, *, acting_user: User | None) -> Attachment:
    if acting_user is not None and not (
        Appeal.objects.restrict(acting_user, VIEW).filter(pk=appeal.pk).exists()
        and (
            acting_user.is_zone_admin
            or acting_user.role in ("staff", "liaison")
            or appeal.case.handler_id == acting_user.pk
        )
    ):
        raise PermissionDenied(_("You may not add files to this appeal."))
    if appeal.attachments.count() >= int(getattr(settings, "ZONEOPS_APPEAL_MAX_FILES", 10)):
        raise ValidationError(_("An appeal holds at most 10 files."), code="too_many")
    kind, content = check_upload(upload)
    return Attachment.store(
        content,
        name=upload.name,
        content_type=FILE_KINDS[kind][0],
        uploaded_by=acting_user,
        appeal=appeal,
    )


# The public page ------------------------------------------------------------------------------


def client_key(address: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}|appeal-client|{address}".encode()).hexdigest()


def public_rate_limit() -> tuple[int, int]:
    """(submissions, per seconds) from one address."""
    limit = getattr(settings, "ZONEOPS_APPEAL_PUBLIC_RATE", (5, 3600))
    return int(limit[0]), int(limit[1])


def _serialise_per_address(key: str) -> None:
    """Make the count-then-insert of the per-address limit atomic.

    SQLite runs every transaction here as BEGIN IMMEDIATE, so writers already go one at a time;
    PostgreSQL takes a transaction-scoped advisory lock on the address key instead, so that two
    forms from one address at the same moment cannot both pass a limit of one left.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


@transaction.atomic
def public_submit(
    *,
    uscc: str,
    contact_name: str,
    contact_phone: str,
    title: str,
    category: str,
    description: str,
    address: str,
    nonce: str,
) -> tuple[Submission, bool]:
    """A submission from the public page: (submission, created).

    The enterprise must be in the registry (by its USCC); one address may submit a limited
    number of times per hour; a form token is used once (a resubmitted form returns the
    first submission instead of a duplicate).
    """
    existing = Submission.objects.filter(nonce=nonce).first()
    if existing is not None:
        return existing, False
    code = validate_uscc(uscc)
    enterprise = registry.find_enterprise(code)
    if enterprise is None:
        raise ValidationError(
            _(
                "No enterprise with this unified social credit code is registered in the zone. "
                "Please call the 12345 hotline or your liaison cadre."
            ),
            code="unknown_enterprise",
        )
    key = client_key(address)
    _serialise_per_address(key)
    count, seconds = public_rate_limit()
    since = timezone.now() - dt.timedelta(seconds=seconds)
    if Submission.objects.filter(client_key=key, created_at__gte=since).count() >= count:
        raise ValidationError(
            _("Too many submissions from your network; please try again later."),
            code="rate_limited",
        )
    phone = "".join(ch for ch in contact_phone if ch.isdigit())
    if len(phone) < 7:
        raise ValidationError(_("Please give a phone number we can call."), code="phone")
    try:
        # A form posted twice at once: the second insert of its token fails inside
        # ``submit``'s savepoint and the first submission is returned.
        submission = submit(
            zone=registry.zone_of(enterprise),
            channel=Channel.ONLINE,
            enterprise_name=registry.name_of(enterprise),
            uscc=code,
            contact_name=contact_name,
            contact_phone=phone,
            items=[Item(title=title, category=category, description=description)],
            acting_user=None,
            client_key=key,
            nonce=nonce,
            source="public page",
            enterprise=registry.link_value(enterprise),
        )
    except IntegrityError:
        existing = Submission.objects.filter(nonce=nonce).first()
        if existing is None:
            raise
        return existing, False
    return submission, True


def lookup(tracking_number: str, phone_suffix: str) -> Submission | None:
    """The submission, if the tracking number and the last four phone digits both match."""
    tracking_number = (tracking_number or "").strip().upper()
    suffix = (phone_suffix or "").strip()
    if len(suffix) != 4 or not suffix.isdigit() or not tracking_number:
        return None
    submission = Submission.objects.filter(tracking_number=tracking_number).first()
    if submission is None or not submission.contact_phone.endswith(suffix):
        return None
    return submission


def public_rate(submission: Submission, appeal_id: int, score, comment: str) -> Appeal:
    appeal = submission.appeals.filter(pk=appeal_id).first()
    if appeal is None:
        raise ValidationError(_("No such appeal in this submission."), code="unknown")
    return rate(appeal, score, comment, acting_user=None)


# Personal data -------------------------------------------------------------------------------


def handles(user, appeal: Appeal) -> bool:
    """Whether the user handles the appeal: its handler, or zone staff who may change it.
    Leaders, liaison cadres and the three administrators see the submitter's phone masked."""
    if user is None or not user.is_authenticated or user.is_administrator:
        return False
    if appeal.case.handler_id == user.pk:
        return True
    return (
        user.role == "staff"
        and role_may(user, CHANGE, Appeal)
        and Appeal.objects.restrict(user, CHANGE).filter(pk=appeal.pk).exists()
    )


def reveal_contact(appeal: Appeal, *, acting_user, request=None) -> str:
    """The submitter's full phone number for one who handles the case; the reveal is recorded
    as a security event (who, which appeal)."""
    from zoneops.core.accounts import security
    from zoneops.core.models import SecurityEvent

    if not handles(acting_user, appeal):
        raise PermissionDenied(_("Only those handling the case may see the full phone number."))
    security.log_event(
        SecurityEvent.Type.PERSONAL_DATA_REVEALED,
        request,
        user=acting_user,
        model="appeals.submission",
        object_id=appeal.submission_id,
        appeal=appeal.pk,
        field="contact_phone",
    )
    return appeal.submission.contact_phone


# The public lookup's limits ------------------------------------------------------------------

LOOKUP_WINDOW = 3600  # seconds: a real hour, from each failure's own time


def lookup_limits() -> tuple[int, int]:
    """(wrong phone digits per address, per tracking number) in an hour."""
    return (
        int(getattr(settings, "ZONEOPS_APPEAL_LOOKUP_FAILURES", 20)),
        int(getattr(settings, "ZONEOPS_APPEAL_LOOKUP_FAILURES_PER_NUMBER", 5)),
    )


def _lookup_keys(tracking_number: str, address: str | None) -> list[tuple[str, int]]:
    per_address, per_number = lookup_limits()
    number = hashlib.sha256(f"{settings.SECRET_KEY}|lookup|{tracking_number}".encode())
    return [
        (f"appeal-lookup-fail:{client_key(address or '')}", per_address),
        (f"appeal-lookup-fail-number:{number.hexdigest()}", per_number),
    ]


def _recent(key: str, now: float) -> list[float]:
    """The failures of the last hour under ``key`` (the shared cache: every worker sees them).

    Each failure keeps its own time, so the window does not restart when the cache rewrites
    the entry (the file cache's incr gave a rolling five minutes)."""
    from django.core.cache import cache

    stored = cache.get(key)
    if not isinstance(stored, list):
        return []
    return sorted(t for t in stored if isinstance(t, int | float) and t > now - LOOKUP_WINDOW)


def lookup_retry_after(tracking_number: str, address: str | None) -> int | None:
    """Seconds until a lookup may be tried again, or None when it may be tried now."""
    import time

    now = time.time()
    waits = []
    for key, limit in _lookup_keys(tracking_number, address):
        times = _recent(key, now)
        if len(times) >= limit:
            waits.append(times[-limit] + LOOKUP_WINDOW - now)
    return max(1, int(max(waits)) + 1) if waits else None


def record_lookup_failure(tracking_number: str, address: str | None) -> None:
    """Count one wrong phone suffix, for the address and for the tracking number."""
    import time

    from django.core.cache import cache

    now = time.time()
    for key, limit in _lookup_keys(tracking_number, address):
        times = [*_recent(key, now), now][-max(limit, 1) :]
        cache.set(key, times, LOOKUP_WINDOW)
