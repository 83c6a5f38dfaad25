"""Deterministic synthetic appeals for benchmarks (``zoneops generate --appeals N``).

Written with ``bulk_create`` in batches and, like the other apps' benchmark data, not put in
the audit trail; every record's ``source`` says it is synthetic. A share of the appeals is
closed; the open ones are spread over the loop's states and over two years of due dates, so
that ``zoneops tick`` has every escalation level to compute.
"""

import datetime as dt
import random

from zoneops.appeals import workflow
from zoneops.appeals.models import Appeal, Category, Channel, Submission
from zoneops.core.models import Department, LoopCase, LoopEvent, User, Zone
from zoneops.core.ops.generate import BATCH, Dates, insert_rows, spread_days  # noqa: F401

OPEN_STATES = ["submitted", "accepted", "assigned", "in_progress", "in_progress", "replied"]


def add_arguments(parser) -> None:
    parser.add_argument("--appeals", type=int, default=0, help="appeals in all (default 0)")


def generate(options, *, rng: random.Random, zones: list[Zone], stdout) -> str:
    count = options.get("appeals") or 0
    if not zones or count <= 0:
        return "no appeals"
    source = f"synthetic: zoneops generate --seed {options.get('seed', 1)}"
    return f"{create_appeals(zones, count, rng=rng, source=source)} appeals"


def create_appeals(
    zones: list[Zone],
    count: int,
    *,
    rng: random.Random,
    source: str,
    first: dt.date = dt.date(2025, 1, 2),
    last: dt.date = dt.date(2026, 11, 20),
    closed_share: float = 0.7,
) -> int:
    """``count`` appeals over ``zones`` in turn, a batch at a time: each with its loop case and
    its submission, inserted in that order so the appeal can point at both."""
    draw = _Draw(rng, Dates(), *_people_by_zone(zones), source, first, last, closed_share)
    made = 0
    serial_base = Submission.objects.count()
    while made < count:
        size = min(BATCH, count - made)
        cases, submissions, appeals = [], [], []
        for i in range(size):
            serial = serial_base + made + i
            case, submission, appeal = draw.appeal(serial, zones[serial % len(zones)])
            cases.append(case)
            submissions.append(submission)
            appeals.append(appeal)
        case_ids = insert_rows(LoopCase, cases)
        submission_ids = insert_rows(Submission, submissions)
        for appeal, case_id, submission_id in zip(appeals, case_ids, submission_ids, strict=True):
            appeal["case"], appeal["submission"] = case_id, submission_id
        insert_rows(Appeal, appeals)
        made += size
    return made


def _people_by_zone(zones: list[Zone]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The departments and the granted users of each zone (by id): an assigned appeal goes to
    one of each of its zone."""
    departments: dict[int, list[int]] = {}
    for pk, zone_id in Department.objects.filter(zone__in=zones).values_list("pk", "zone_id"):
        departments.setdefault(zone_id, []).append(pk)
    handlers: dict[int, list[int]] = {}
    for user_id, zone_id in User.zones.through.objects.filter(zone__in=zones).values_list(
        "user_id", "zone_id"
    ):
        handlers.setdefault(zone_id, []).append(user_id)
    return departments, handlers


class _Draw:
    """One appeal's rows drawn from the seeded generator. The draws keep one order (category,
    channel, multi-department, opening day, closed, state, department, handler, answer day,
    rating): the same seed must give the same data, run after run."""

    def __init__(self, rng, dates, departments, handlers, source, first, last, closed_share):
        self.rng, self.dates, self.source = rng, dates, source
        self.departments, self.handlers = departments, handlers
        self.first, self.last, self.closed_share = first, last, closed_share

    def appeal(self, serial: int, zone: Zone) -> tuple[dict, dict, dict]:
        """(loop case, submission, appeal) rows of the appeal numbered ``serial``."""
        rng, dates = self.rng, self.dates
        category = rng.choice(Category.values)
        channel = rng.choice(Channel.values)
        multi = rng.random() < 0.1
        limits = workflow.limits_for(category)
        limit = limits["resolve_multi"] if multi else limits["resolve"]
        opened = spread_days(rng, self.first, self.last)
        closed = opened < self.last - dt.timedelta(days=40) and rng.random() < self.closed_share
        state = "closed" if closed else rng.choice(OPEN_STATES)
        due = dates.add(opened, limit)
        title = f"合成诉求{serial:07d}"
        case = self.case(zone, title, state, closed, opened, limit, due)
        submission = self.submission(serial, zone, channel)
        answered = dates.add(opened, rng.randint(1, limit + 5)) if closed else None
        appeal = {
            "zone": zone.pk,
            "enterprise": None,
            "visit": None,
            "title": title,
            "category": category,
            "channel": channel,
            "tags": "",
            "description": "合成诉求内容。",
            "multi_department": multi,
            "accept_due": dates.add(opened, limits["accept"]),
            "answer_due": dates.add(opened, limits["answer"]),
            "accepted_on": opened if state != "submitted" else None,
            "answered_on": answered,
            "replied_on": answered,
            "coordination": "",
            "closed_by": "confirmation" if closed else "",
            "close_working_days": dates.between(opened, answered) if closed else None,
            "closed_on_time": (answered <= due) if closed else None,
            "reopen_count": 0,
            "rating": rng.choices([5, 4, 3, 2, 1], [50, 30, 10, 6, 4])[0] if closed else None,
            "rating_comment": "",
            "rated_at": None,
            "source": self.source,
        }
        return case, submission, appeal

    def case(self, zone, title, state, closed, opened, limit, due) -> dict:
        """The loop case: assigned (a department and a handler of its zone) once past
        accepted, and escalated as if ``zoneops tick`` had run on the last day of the data."""
        rng, assigned = self.rng, state not in ("submitted", "accepted")
        departments, handlers = self.departments.get(zone.pk), self.handlers.get(zone.pk)
        return {
            "kind": workflow.KIND,
            "zone": zone.pk,
            "title": title,
            "state": state,
            "department": rng.choice(departments) if assigned and departments else None,
            "handler": rng.choice(handlers) if assigned and handlers else None,
            "opened_on": opened,
            "limit_working_days": limit,
            "due_date": due,
            "paused_on": None,
            "closed_at": None,
            "is_open": not closed,
            "escalation": 0
            if closed or state in workflow.APPEAL.waiting_states
            else self.dates.level(workflow.APPEAL, due, self.last),
            "source": self.source,
        }

    def submission(self, serial: int, zone: Zone, channel: str) -> dict:
        return {
            "tracking_number": f"SY{serial:010d}",
            "zone": zone.pk,
            "channel": channel,
            "enterprise_name": f"合成企业{serial % 100000:06d}",
            "uscc": "",
            "contact_name": "联系人",
            "contact_phone": f"139{serial % 100000000:08d}",
            "client_key": "",
            "nonce": None,
            "source": self.source,
        }


# In the database (PostgreSQL, ``zoneops generate`` at province scale) ---------------------------

BULK_MODELS = (LoopCase, LoopEvent, Submission, Appeal)
CHUNK = 250_000
# The way through the loop to each state, as the app's transitions go (events).
PATH = [
    ("open", "", "submitted"),
    ("accept", "submitted", "accepted"),
    ("assign", "accepted", "assigned"),
    ("start", "assigned", "in_progress"),
    ("reply", "in_progress", "replied"),
    ("confirm", "replied", "closed"),
]
STAGE = {to_state: index for index, (_name, _from, to_state) in enumerate(PATH)}
# A department's or handler's id (``kind`` dept or user) drawn among the appeal's zone's, once
# the appeal is past accepted and the zone has any.
PICK = (
    "CASE WHEN r.assigned AND (%({kind}_count)s::int[])[r.zi] > 0 THEN "
    "(%({kind}_ids)s::bigint[])[(%({kind}_start)s::int[])[r.zi] + 1 + floor({draw} * "
    "(%({kind}_count)s::int[])[r.zi])::int] END"
)
# A moment on a day, at a clock time of the project's time zone.
STAMP = "((({day}) + time '{clock}') AT TIME ZONE %(tz)s)"


def expected_rows(options) -> int:
    return (options.get("appeals") or 0) * 8  # case, submission, appeal, about five events


def generate_in_database(
    options,
    *,
    loader,
    zones: list[Zone],
    first: dt.date = dt.date(2025, 1, 2),
    last: dt.date = dt.date(2026, 11, 20),
    closed_share: float = 0.7,
) -> str:
    """The rows ``create_appeals`` makes, made by PostgreSQL: per appeal its loop case (state,
    working-day deadline, escalation as ``zoneops tick`` would have set it on ``last``), its
    submission, and the loop events of the transitions that brought it to its state.

    Every statement draws the same values for appeal ``n`` (``_draws_sql``), so the four tables
    are filled one after the other, each a chunk of appeals per statement, and still agree."""
    from zoneops.core.ops.bulkload import WorkingDays

    count = options.get("appeals") or 0
    if not zones or count <= 0:
        return "no appeals"
    source = f"synthetic: zoneops generate --seed {options.get('seed', 1)}"
    limits = [workflow.limits_for(category) for category in Category.values]
    top_limit = max(max(limit["resolve"], limit["resolve_multi"]) for limit in limits) + 5
    # Working days far enough past ``last`` for the latest deadline and answer.
    cal = WorkingDays(first, last + dt.timedelta(days=3 * top_limit + 30))
    params = _parameters(loader, zones, cal, limits, source, first, last, closed_share)
    zi = f"(1 + mod(%(serial)s + n, {len(zones)}))"
    row = _draws_sql(loader, cal, zi, first, last)
    chunks = list(loader.chunks(count, max(1000, min(CHUNK, -(-count // 8)))))

    def statements(sql: str, extra: dict | None = None) -> list[tuple[str, dict]]:
        return [(sql, {**params, "lo": lo, "hi": hi, **(extra or {})}) for lo, hi in chunks]

    made = loader.parallel("appeals: loop cases", statements(_cases_sql(loader, row)))
    loader.parallel("appeals: submissions", statements(_submissions_sql(loader, zi)))
    loader.parallel("appeals", statements(_appeals_sql(loader, cal, row)))
    made_events = loader.parallel(
        "appeals: loop events",
        statements(
            _events_sql(row),
            {
                "path_from": [from_state for _n, from_state, _t in PATH],
                "path_to": [to_state for _n, _f, to_state in PATH],
            },
        ),
    )
    for model in BULK_MODELS:
        loader.reset_sequence(model)
    return f"{made} appeals with their loop cases, submissions and {made_events} loop events"


def _parameters(loader, zones, cal, limits, source, first, last, closed_share) -> dict:
    """What every statement is given: the choices and their limits, the zones' departments and
    handlers as flat arrays, the escalation level of each due day, and the first id of each
    table (ids are given, gaps allowed, so that the statements can run at once)."""
    from django.conf import settings

    from zoneops.core.ops.bulkload import escalation_levels

    zone_ids = [zone.pk for zone in zones]
    departments, handlers = _people_by_zone(zones)
    dept_start, dept_count, dept_ids = _flat(departments, zone_ids)
    user_start, user_count, user_ids = _flat(handlers, zone_ids)
    return {
        **cal.params(),
        "source": source,
        "serial": Submission.objects.count(),
        "first": first,
        "closing": last - dt.timedelta(days=40),
        "closed_share": closed_share,
        "open_states": OPEN_STATES,
        "open_count": len(OPEN_STATES),
        "categories": Category.values,
        "categories_count": len(Category.values),
        "resolve": [limit["resolve"] for limit in limits],
        "resolve_multi": [limit["resolve_multi"] for limit in limits],
        "accept": [limit["accept"] for limit in limits],
        "answer": [limit["answer"] for limit in limits],
        "zones": zone_ids,
        "levels": escalation_levels(workflow.APPEAL, first, cal.last, last),
        "level_first": first,
        "dept_start": dept_start,
        "dept_count": dept_count,
        "dept_ids": dept_ids,
        "user_start": user_start,
        "user_count": user_count,
        "user_ids": user_ids,
        "path": [name for name, _f, _t in PATH],
        "case": loader.next_id(LoopCase),
        "submission": loader.next_id(Submission),
        "appeal": loader.next_id(Appeal),
        # an id for each step of the path (gaps allowed): statements run at once
        "event": loader.next_id(LoopEvent),
        "tz": settings.TIME_ZONE,
    }


def _flat(by_zone: dict[int, list[int]], zone_ids: list[int]) -> tuple[list, list, list]:
    """Ids per zone as three arrays a statement can index by the zone's place (1-based): where
    the zone's ids start, how many it has, and all the ids (sorted per zone; one 0 if none)."""
    start, count, items = [], [], []
    for pk in zone_ids:
        ids = by_zone.get(pk, [])
        start.append(len(items))
        count.append(len(ids))
        items.extend(sorted(ids))
    return start, count, items or [0]


def _draws_sql(loader, cal, zi: str, first: dt.date, last: dt.date) -> str:
    """One row of draws per appeal ``n`` of the chunk, the same in every statement: its zone,
    category and limit, opening day, whether closed, state, due and answer days."""
    u, i = loader.u, loader.i
    opened = f"(%(first)s::date + {i('n', 3, 0, (last - first).days)})"
    base = f"""
        SELECT n, z.*, c.*, w.*,
            CASE WHEN w.closed THEN 'closed'
                 ELSE (%(open_states)s::text[])[1 + floor({u("n", 8)} * %(open_count)s)::int]
            END AS state,
            {cal.add("w.opened", "c.limit_days")} AS due,
            CASE WHEN w.closed THEN {cal.add("w.opened", i("n", 11, 1, "c.limit_days + 5"))}
            END AS answered
        FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) n
        CROSS JOIN LATERAL (SELECT {zi} AS zi, %(serial)s + n AS serial) z
        CROSS JOIN LATERAL (
            SELECT 1 + floor({u("n", 4)} * %(categories_count)s)::int AS ci,
                {u("n", 6)} < 0.1 AS multi) c0
        CROSS JOIN LATERAL (
            SELECT c0.ci, c0.multi, (%(categories)s::text[])[c0.ci] AS category,
                CASE WHEN c0.multi THEN (%(resolve_multi)s::int[])[c0.ci]
                     ELSE (%(resolve)s::int[])[c0.ci] END AS limit_days) c
        CROSS JOIN LATERAL (
            SELECT {opened} AS opened,
                {opened} < %(closing)s::date AND {u("n", 7)} < %(closed_share)s AS closed) w
        OFFSET 0
    """
    return f"""
        SELECT b.*, b.state NOT IN ('submitted', 'accepted') AS assigned,
            (%(zones)s::bigint[])[b.zi] AS zone_id, (%(path)s::text[]) AS path
        FROM ({base}) b
    """


def _cases_sql(loader, row: str) -> str:
    """The loop cases: assigned once past accepted, escalated as ``zoneops tick`` would."""
    u = loader.u
    waiting = ", ".join(f"'{state}'" for state in workflow.APPEAL.waiting_states)
    return f"""
        INSERT INTO core_loopcase (id, created_at, updated_at, source, kind, title, state,
            opened_on, limit_working_days, due_date, paused_on, closed_at, is_open,
            escalation, department_id, handler_id, zone_id)
        SELECT %(case)s + r.n, now(), now(), %(source)s, '{workflow.KIND}',
            '合成诉求' || lpad(r.serial::text, 7, '0'), r.state, r.opened, r.limit_days,
            r.due, NULL,
            CASE WHEN r.closed THEN {STAMP.format(day="r.answered", clock="17:00")} END,
            NOT r.closed,
            CASE WHEN r.closed OR r.state IN ({waiting}) THEN 0
                 ELSE (%(levels)s::int[])[r.due - %(level_first)s::date + 1] END,
            {PICK.format(kind="dept", draw=u("r.n", 9))},
            {PICK.format(kind="user", draw=u("r.n", 10))},
            r.zone_id
        FROM ({row}) r
    """


def _submissions_sql(loader, zi: str) -> str:
    """The submissions: only the zone and the channel are drawn (not the rest of the row)."""
    return f"""
        INSERT INTO appeals_submission (id, created_at, updated_at, source,
            tracking_number, channel, enterprise_name, uscc, contact_name, contact_phone,
            client_key, nonce, zone_id)
        SELECT %(submission)s + n, now(), now(), %(source)s,
            'SY' || lpad(z.serial::text, 10, '0'), {loader.pick("n", 5, Channel.values)},
            '合成企业' || lpad(mod(z.serial, 100000)::text, 6, '0'), '', '联系人',
            '139' || lpad(mod(z.serial, 100000000)::text, 8, '0'), '', NULL,
            (%(zones)s::bigint[])[z.zi]
        FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) n
        CROSS JOIN LATERAL (SELECT {zi} AS zi, %(serial)s + n AS serial) z
    """


def _appeals_sql(loader, cal, row: str) -> str:
    """The appeals, pointing at the case and the submission of the same ``n``; the closed ones
    with their working days, on-time flag and a rating (weights as ``_Draw.appeal``'s)."""
    return f"""
        INSERT INTO appeals_appeal (id, created_at, updated_at, source, title, category,
            channel, tags, description, multi_department, accept_due, answer_due,
            accepted_on, answered_on, replied_on, coordination, closed_by,
            close_working_days, closed_on_time, reopen_count, rating, rating_comment,
            rated_at, case_id, enterprise_id, visit_id, zone_id, submission_id)
        SELECT %(appeal)s + r.n, now(), now(), %(source)s,
            '合成诉求' || lpad(r.serial::text, 7, '0'), r.category,
            {loader.pick("r.n", 5, Channel.values)}, '', '合成诉求内容。', r.multi,
            {cal.add("r.opened", "(%(accept)s::int[])[r.ci]")},
            {cal.add("r.opened", "(%(answer)s::int[])[r.ci]")},
            CASE WHEN r.state <> 'submitted' THEN r.opened END, r.answered, r.answered,
            '', CASE WHEN r.closed THEN 'confirmation' ELSE '' END,
            CASE WHEN r.closed THEN {cal.between("r.opened", "r.answered")} END,
            CASE WHEN r.closed THEN r.answered <= r.due END, 0,
            CASE WHEN r.closed THEN (
                SELECT CASE WHEN d < 0.5 THEN 5 WHEN d < 0.8 THEN 4 WHEN d < 0.9 THEN 3
                            WHEN d < 0.96 THEN 2 ELSE 1 END
                FROM (SELECT {loader.u("r.n", 12)} AS d) x) END,
            '', NULL, %(case)s + r.n, NULL, NULL, r.zone_id, %(submission)s + r.n
        FROM ({row}) r
    """


def _events_sql(row: str) -> str:
    """The case's history: opened, then each transition up to its state (times on its days),
    ``len(PATH)`` ids kept per appeal."""
    at = {
        k: STAMP.format(day=day, clock=clock)
        for k, day, clock in [
            (0, "r.opened", "09:00"),
            (1, "r.opened", "10:00"),
            (2, "r.opened", "11:00"),
            (3, "r.opened", "15:00"),
            (4, "COALESCE(r.answered, r.opened)", "16:00"),
            (5, "r.answered", "17:00"),
        ]
    }
    return f"""
        INSERT INTO core_loopevent (id, type, transition, from_state, to_state, actor_id,
            time, comment, data, case_id)
        SELECT %(event)s + r.n * {len(PATH)} + s.k, 'transition', s.name, s.from_state,
            s.to_state, NULL,
            CASE s.k
              WHEN 0 THEN {at[0]}
              WHEN 1 THEN {at[1]}
              WHEN 2 THEN {at[2]}
              WHEN 3 THEN {at[3]}
              WHEN 4 THEN {at[4]}
              ELSE {at[5]} END,
            CASE s.name WHEN 'reply' THEN '合成答复。' ELSE '' END,
            CASE s.k WHEN 0 THEN jsonb_build_object('due', r.due::text)
                 ELSE '{{}}'::jsonb END,
            %(case)s + r.n
        FROM ({row}) r
        CROSS JOIN LATERAL (
            SELECT k, (%(path)s::text[])[k + 1] AS name,
                (%(path_from)s::text[])[k + 1] AS from_state,
                (%(path_to)s::text[])[k + 1] AS to_state
            FROM generate_series(0, array_position(%(path_to)s::text[], r.state) - 1) k
        ) s
    """
