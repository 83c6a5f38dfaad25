"""Registering articles and reviewing the statements proposed from them.

Accepting (as proposed, or corrected) writes what the statement maps to — a target, an indicator
value, a campaign goal, or the reviewed fact only — through ``apply`` in the same transaction
as the review: if that write is refused (a locked month, no right), the review is not recorded
either and the statement stays proposed.
"""

import datetime as dt
import hashlib
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.access.permissions import ADD, CHANGE, role_may
from zoneops.core.audit.bulk import log_bulk_create
from zoneops.core.models import Zone
from zoneops.core.registries import background
from zoneops.intake import apply, pipeline
from zoneops.intake.extract import read_article
from zoneops.intake.models import Document, Statement
from zoneops.intake.numerals import plain

S = Statement.State


def _check_zone(user, zone, action: str, model) -> None:
    if not role_may(user, action, model):
        raise PermissionDenied(_("Your role may not do this."))
    if not user.is_zone_admin and not user.visible_zones().filter(pk=zone.pk).exists():
        raise PermissionDenied(_("This zone is not one of yours."))


def fingerprint(zone_id, data: dict) -> str:
    """What makes two proposals the same statement: the figure, what, when, about whom."""
    parts = [
        str(zone_id),
        data.get("subject") or "",
        data.get("indicator") or data.get("measure") or "",
        data.get("period") or "",
        data.get("kind") or "",
        str(data.get("value")),
        data.get("unit") or "",
        str(data.get("growth_pct")),
        data.get("sentence") or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _snapshot(statement: Statement) -> dict:
    return {
        "subject": statement.subject,
        "indicator": statement.indicator,
        "measure": statement.measure,
        "value": plain(statement.value),
        "unit": statement.unit,
        "growth_pct": plain(statement.growth_pct),
        "qualifier": statement.qualifier,
        "period": statement.period,
        "kind": statement.kind,
        "sentence": statement.sentence,
    }


@transaction.atomic
def register_document(
    *,
    acting_user,
    zone,
    text: str,
    title: str = "",
    source: str = "",
    date=None,
    file_name: str = "",
    headed: bool = False,
) -> tuple[Document, bool]:
    """Register an article and propose its statements; ``(document, created)``.

    The same article (same cleaned text in the same zone) is registered once; a statement that
    an earlier article of the zone already proposed is not proposed again.
    """
    _check_zone(acting_user, zone, ADD, Document)
    body = text
    if headed:
        origin, head_title, body = pipeline.reading.split_fixture(text)
        source, title = source or origin, title or head_title
    if not body.strip():
        raise ValidationError(_("The article has no text."))
    article = read_article(body, title=title, date=date, zone=zone.name)
    checksum = hashlib.sha256(article.text.encode()).hexdigest()
    existing = Document.objects.filter(zone=zone, checksum=checksum).first()
    if existing is not None:
        return existing, False
    document = Document(
        zone=zone,
        title=(title or article.title or file_name or _("Untitled article"))[:300],
        date=date or article.date,
        file_name=file_name[:255],
        text=text,
        checksum=checksum,
        registered_by=acting_user,
        source=(source or file_name)[:300],
    )
    document.save()
    _propose_statements(document, article.statements)
    return document, True


def _propose_statements(document: Document, items) -> list[Statement]:
    """Propose the article's statements, in bulk, with their audit rows; a statement that an
    earlier article of the zone proposed (the same fingerprint) is skipped, as a report and
    its reprint say the same. Each one is checked against the accepted facts it contradicts."""
    zone = document.zone
    known = set(Statement.objects.filter(document__zone=zone).values_list("fingerprint", flat=True))
    new = []
    for position, item in enumerate(items):
        data = item.as_dict()
        data["indicator"] = item.indicator or ""
        mark = fingerprint(zone.pk, data)
        if mark in known:
            continue
        known.add(mark)
        new.append(_statement(document, position, item, mark))
    Statement.objects.bulk_create(new)
    created = list(Statement.objects.filter(document=document))
    log_bulk_create(created)
    for statement in created:
        _flag_conflict(statement)
    return created


def _statement(document: Document, position: int, item, mark: str) -> Statement:
    """A proposed statement of what the reader found (cut to the columns' lengths)."""
    return Statement(
        document=document,
        position=position,
        sentence=item.sentence,
        context=item.context,
        clause_start=item.clause_start,
        number_start=item.number_start,
        number_end=item.number_end,
        subject=item.subject[:100],
        indicator=item.indicator or "",
        measure=item.measure[:200],
        value=item.value,
        value_max=item.value_max,
        unit=item.unit or "",
        growth_pct=item.growth_pct,
        qualifier=item.qualifier,
        period=item.period or "",
        kind=item.kind,
        fingerprint=mark,
        source=document.source,
    )


# A long text, read by a job (后台作业) ---------------------------------------------------------

REGISTER_WORK = "intake.register_document"


def is_long(text: str) -> bool:
    return len(text) >= background.intake_min_chars()


def start_register(
    *,
    acting_user,
    zone,
    text: str,
    title: str = "",
    source: str = "",
    date=None,
    file_name: str = "",
):
    """Queue ``register_document`` for a long text: ``(job, created)``; None without a job
    system (the caller registers it in the request)."""
    _check_zone(acting_user, zone, ADD, Document)
    return background.start_work(
        REGISTER_WORK,
        params={
            "zone": zone.pk,
            "title": title,
            "source": source,
            "date": date.isoformat() if date else None,
            "file_name": file_name,
        },
        content=text.encode(),
        title=_("Read “{title}”").format(title=(title or file_name or _("Untitled article"))[:200]),
        acting_user=acting_user,
    )


def register_work(params: dict, *, acting_user, content: bytes = b"") -> background.WorkResult:
    """The job's body: ``register_document`` as its owner, one step of progress per sentence."""
    zone = Zone.objects.filter(pk=params["zone"]).first()
    if zone is None:
        raise PermissionDenied(_("The zone is gone."))
    document, created = register_document(
        acting_user=acting_user,
        zone=zone,
        text=content.decode(),
        title=params.get("title") or "",
        source=params.get("source") or "",
        date=dt.date.fromisoformat(params["date"]) if params.get("date") else None,
        file_name=params.get("file_name") or "",
    )
    if not created:
        message = _("This article was registered before; nothing new to propose.")
    else:
        message = _("Registered “{title}”: {count} statements proposed for review.").format(
            title=document, count=document.statements.count()
        )
    return background.WorkResult(
        created=document.statements.count() if created else 0,
        message=message,
        url=document.get_absolute_url(),
    )


def _same_key(statement: Statement):
    """Reviewed facts about the same thing: zone, subject, indicator, period and kind."""
    what = {"indicator": statement.indicator} if statement.indicator else {}
    if not what:
        what = {"measure": statement.measure}
    return Statement.objects.filter(
        document__zone_id=statement.document.zone_id,
        subject=statement.subject,
        period=statement.period,
        kind=statement.kind,
        unit=statement.unit,
        value__isnull=statement.value is None,
        **what,
    ).exclude(pk=statement.pk)


def _differs(a: Statement, b: Statement) -> bool:
    if a.value is not None:
        return a.value != b.value
    return a.growth_pct != b.growth_pct


def _flag_conflict(statement: Statement) -> None:
    """Point a proposal at an accepted figure it contradicts (or clear the flag)."""
    if statement.is_reviewed_fact or not (statement.indicator or statement.measure):
        return
    other = contradicted_fact(statement)
    if other != statement.conflicts_with:
        statement.conflicts_with = other
        statement.save(update_fields=["conflicts_with", "updated_at"])


def _refresh_conflicts_after(fact: Statement) -> None:
    for other in _same_key(fact).filter(state=S.PROPOSED):
        _flag_conflict(other)


def contradicted_fact(statement: Statement) -> Statement | None:
    """An accepted figure about the same thing (zone, subject, indicator, period, kind) with
    another value; figures accepted into different campaign goals are about different things."""
    if not (statement.indicator or statement.measure):
        return None
    planned = None
    for fact in _same_key(statement).filter(state__in=Statement.REVIEWED_FACTS):
        if not _differs(statement, fact):
            continue
        if fact.goal_id is not None:
            planned = planned or apply.plan(statement)
            if planned.goal is None or planned.goal.pk != fact.goal_id:
                continue
        return fact
    return None


def _check_contradiction(statement: Statement, replace: bool) -> None:
    """A figure contradicting an accepted one is accepted only when the reviewer says it
    replaces it; otherwise it stays proposed and flagged."""
    fact = contradicted_fact(statement)
    if fact is not None and not replace:
        raise ValidationError(
            _(
                "This figure contradicts the accepted figure “{fact}”. Check both; to accept it "
                "anyway, confirm that it replaces the accepted figure."
            ).format(fact=fact),
            code="contradiction",
        )


WRITTEN_FIELDS = ["outcome", "target", "indicator_value", "goal"]


def _check_target_replacement(the_plan, replace_target: bool) -> None:
    """A target already entered is never replaced silently: the reviewer sees the old and the
    new one side by side and says that the new one replaces it."""
    if the_plan.outcome != apply.OUT.TARGET or the_plan.existing is None:
        return
    if the_plan.unchanged or replace_target:
        return
    (old_value, old_growth), (new_value, new_growth) = the_plan.old_values(), the_plan.new_values()
    replaced = [
        old is not None and (new is None or Decimal(new) != Decimal(old))
        for old, new in ((old_value, new_value), (old_growth, new_growth))
    ]
    if not any(replaced):
        return  # only what the target lacked is added
    raise ValidationError(
        _(
            "{year}'s target of {indicator} is entered already (value {old_value}, growth "
            "{old_growth}); this statement would make it value {new_value}, growth "
            "{new_growth}. Keep the old one (reject), or confirm that the new one replaces it."
        ).format(
            year=the_plan.year,
            indicator=the_plan.indicator,
            old_value=apply.fmt(old_value),
            old_growth="—" if old_growth is None else f"{apply.fmt(old_growth)}%",
            new_value=apply.fmt(new_value),
            new_growth="—" if new_growth is None else f"{apply.fmt(new_growth)}%",
        ),
        code="replaces_target",
    )


def _reviewable(statement: Statement, user) -> Statement:
    _check_zone(user, statement.document.zone, CHANGE, Statement)
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.state != S.PROPOSED:
        raise ValidationError(
            _("This statement was already reviewed ({state}).").format(
                state=statement.get_state_display()
            )
        )
    return statement


@transaction.atomic
def accept(
    statement: Statement,
    *,
    acting_user,
    note: str = "",
    replace: bool = False,
    replace_target: bool = False,
) -> Statement:
    """Accept the statement as proposed: it becomes a reviewed fact, and what it maps to is
    created or updated (see ``apply.plan``). ``replace``: the reviewer confirms that a figure
    contradicting an accepted one replaces it; ``replace_target``: that the statement's target
    replaces the different one entered already."""
    statement = _reviewable(statement, acting_user)
    _check_contradiction(statement, replace)
    the_plan = apply.plan(statement)
    _check_target_replacement(the_plan, replace_target)
    apply.apply(statement, the_plan, acting_user=acting_user)
    statement.state = S.ACCEPTED
    statement.reviewed_by = acting_user
    statement.reviewed_at = timezone.now()
    statement.review_note = note
    statement.conflicts_with = None
    statement.save(
        update_fields=[
            "state", "reviewed_by", "reviewed_at", "review_note", "conflicts_with", "updated_at",
            *WRITTEN_FIELDS,
        ]
    )  # fmt: skip
    _refresh_conflicts_after(statement)
    return statement


CORRECTABLE = ("subject", "indicator", "measure", "value", "unit", "growth_pct", "qualifier",
               "period", "kind")  # fmt: skip


def _check_code(code) -> None:
    if code and code not in apply.known_codes():
        raise ValidationError(
            _("“{code}” is not an indicator code of the catalog.").format(code=code),
            code="indicator",
        )


def corrected_copy(statement: Statement, changes: dict) -> Statement:
    """The statement with ``changes`` applied, in memory only (for the page's preview)."""
    copy = Statement.objects.select_related("document__zone").get(pk=statement.pk)
    for name, new in changes.items():
        if name not in CORRECTABLE:
            continue
        if name in ("value", "growth_pct") and new is not None:
            new = Decimal(str(new))
        setattr(copy, name, "" if new is None and name not in ("value", "growth_pct") else new)
    return copy


@transaction.atomic
def correct(
    statement: Statement,
    *,
    acting_user,
    note: str = "",
    replace: bool = False,
    replace_target: bool = False,
    **changes,
) -> Statement:
    """Correct the figure and accept it; the proposal is kept in ``proposed_data``, and what
    the corrected figure maps to is created or updated as for ``accept``."""
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError(
            _("Unknown fields: {fields}").format(fields=", ".join(sorted(unknown)))
        )
    statement = _reviewable(statement, acting_user)
    value, growth = (
        changes.get("value", statement.value),
        changes.get("growth_pct", statement.growth_pct),
    )
    if value is None and growth is None:
        raise ValidationError(_("A statement needs a value or a growth rate."))
    if value is not None and not (changes.get("unit", statement.unit) or "").strip():
        raise ValidationError(_("A value needs a unit."))
    if changes.get("kind", statement.kind) not in Statement.Kind.values:
        raise ValidationError(_("Kind must be target, actual or estimate."))
    _check_code(changes.get("indicator"))
    snapshot = _snapshot(statement)
    for name, new in changes.items():
        if name in ("value", "growth_pct") and new is not None:
            new = Decimal(str(new))
        setattr(statement, name, "" if new is None and name not in ("value", "growth_pct") else new)
    statement.proposed_data = snapshot
    statement.state = S.CORRECTED
    statement.reviewed_by = acting_user
    statement.reviewed_at = timezone.now()
    statement.review_note = note
    statement.conflicts_with = None
    statement.full_clean(
        exclude=["document", "fingerprint", "conflicts_with", "reviewed_by", *WRITTEN_FIELDS]
    )
    _check_contradiction(statement, replace)
    the_plan = apply.plan(statement)
    _check_target_replacement(the_plan, replace_target)
    apply.apply(statement, the_plan, acting_user=acting_user)
    statement.save(
        update_fields=[*changes, "proposed_data", "state", "reviewed_by", "reviewed_at",
                       "review_note", "conflicts_with", "updated_at", *WRITTEN_FIELDS]
    )  # fmt: skip
    _refresh_conflicts_after(statement)
    return statement


@transaction.atomic
def reject(statement: Statement, *, acting_user, note: str = "") -> Statement:
    statement = _reviewable(statement, acting_user)
    statement.state = S.REJECTED
    statement.reviewed_by = acting_user
    statement.reviewed_at = timezone.now()
    statement.review_note = note
    statement.save(
        update_fields=["state", "reviewed_by", "reviewed_at", "review_note", "updated_at"]
    )
    return statement


def reviewed_facts(queryset=None):
    """Accepted and corrected statements, each linked to what accepting it wrote."""
    queryset = queryset if queryset is not None else Statement.objects.all()
    return queryset.filter(state__in=Statement.REVIEWED_FACTS).select_related("document__zone")
