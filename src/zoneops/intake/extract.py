"""Finding every quantitative statement in an article.

``read_article(text, title=..., date=..., zone=...)`` cleans the page (``clutter``), splits it
(``sentences``) and proposes one ``Statement`` per figure: value and unit (money in 万元), the
qualifier (约/近/超/以上), what it measures (an indicator code from ``data/indicators.yaml`` or
the article's own words), the subject zone, the period, an attached growth rate, and its kind:
a target, an actual or an estimate (预计…), read from the statement's modality (the last cue
before it in the sentence) and its period. Which words mean what is kept in ``data/*.yaml``.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from zoneops.core.registries import background
from zoneops.intake import clutter, data, period, sentences
from zoneops.intake.numerals import is_chinese, plain, to_number

TARGET, ACTUAL, ESTIMATE = "target", "actual", "estimate"
_NUM = (
    r"(?<![\d.A-Za-z])(?:\d+(?:,\d{3})*(?:\.\d+)?"
    r"|[零〇一二两三四五六七八九十百千](?:[零〇一二两三四五六七八九十百千]|点(?=[零〇一二三四五六七八九]))*)"
)
_MULT = {"千亿": 10**11, "万亿": 10**12, "千万": 10**7, "百万": 10**6, "万": 10**4, "亿": 10**8}
_QUALIFIER = {
    "约": "约", "左右": "约", "近": "近", "接近": "近", "将近": "近",
    "超过": "超", "超": "超", "逾": "超", "突破": "超", "多": "超", "余": "超",
    "以上": "以上", "不少于": "以上", "至少": "以上", "以下": "以下", "不超过": "以下",
}  # fmt: skip
_QUOTES = {"“": "”", "‘": "’", "「": "」", "『": "』", '"': '"'}
_SEPARATORS = re.compile(r"[、,，和及与以及;；﹔\s]*")
_RANK_BEFORE = re.compile(r"(?:居|位居|排名|排|位列|列|居于|名列)$")


@dataclass
class Statement:
    sentence: str  # the clause (or clauses) the figure was read from
    context: str  # the whole sentence
    clause_start: int  # offset of ``sentence`` in ``context``
    number_start: int  # offsets of the figure's words in ``context``
    number_end: int
    sentence_index: int
    value: Decimal | None
    unit: str | None
    kind: str = ACTUAL
    value_max: Decimal | None = None
    growth_pct: Decimal | None = None
    qualifier: str = ""
    growth_qualifier: str = ""
    subject: str = ""
    indicator: str | None = None  # indicator code, when a rule maps it
    measure: str = ""  # what it measures in the article's own words
    period: str | None = None
    unit_kind: str = ""  # money, count, measure, percent, points, times, rank, growth
    kind_cued: bool = False  # the kind was read from a cue, not guessed from period or mood

    @property
    def number_text(self) -> str:
        return self.context[self.number_start : self.number_end]

    def as_dict(self) -> dict:
        return {
            "sentence": self.sentence,
            "subject": self.subject,
            "indicator": self.indicator or self.measure or None,
            "value": plain(self.value),
            "unit": self.unit,
            "growth_pct": plain(self.growth_pct),
            "period": self.period,
            "kind": self.kind,
            "qualifier": self.qualifier or None,
            "value_max": plain(self.value_max),
            "measure": self.measure,
            "number": self.number_text,
        }


@dataclass
class Article:
    text: str  # cleaned, simplified
    title: str
    date: dt.date | None
    year: int | None
    zone: str
    statements: list[Statement] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


# Rules compiled from the data files ---------------------------------------------------------


@dataclass
class _Rules:
    token: re.Pattern
    unit_kind: dict[str, str]
    keep_prefixed: set[str]
    threshold: re.Pattern
    target: re.Pattern
    estimate: re.Pattern
    compared: re.Pattern
    this_year_in_frame: frozenset[str]
    not_growth_after: re.Pattern
    actual: re.Pattern
    actual_clause: re.Pattern
    weak: re.Pattern
    not_cues: re.Pattern
    not_actual: re.Pattern
    growth: re.Pattern
    decline: re.Pattern
    growth_prefix_ok: re.Pattern
    indicators: list[tuple[str, tuple[str, ...], frozenset[str]]]
    zones: list[tuple[str, re.Pattern]]
    wider: re.Pattern
    period_words: re.Pattern
    verbs: re.Pattern
    follow_stop: re.Pattern


@cache
def rules() -> _Rules:
    u, c = data.units(), data.cues()
    unit_kind: dict[str, str] = {"元": "money", "美元": "foreign_money"}
    for name in u["percent"]:
        unit_kind[name] = "percent"
    for name in u["points"]:
        unit_kind[name] = "points"
    for name in u["times"]:
        unit_kind[name] = "times"
    for name in u["measure"]:
        unit_kind[name] = "measure"
    for name in u["count"]:
        unit_kind[name] = "count"
    for name in u["rank"]:
        unit_kind.setdefault(name, "rank")
    for name in u["never"]:
        unit_kind.setdefault(name, "never")
    units = data.alternation(unit_kind)
    pre = data.alternation(
        ["约", "近", "接近", "将近", "超过", "超", "逾", "突破", "不少于", "至少"]
    )
    token = re.compile(
        rf"(?P<pre>{pre})?(?:(?P<fd>{_NUM})分之(?P<fn>{_NUM})|(?P<half>一半)"
        rf"|(?P<ord>第)?(?P<num>{_NUM})(?:[%％]?(?P<rsep>[-—–~～至])(?P<num2>{_NUM}))?"
        rf"(?P<mid>多|余)?(?P<mult>千亿|万亿|千万|百万|万|亿)?(?P<unit>{units})?)"
        rf"(?P<post>以上|以下|左右|多|余)?"
    )
    zone_data = data.zones()
    zones = [
        (names[0], re.compile(data.alternation(names))) for names in zone_data["names"] if names
    ]
    labels = {
        rule["code"]: (tuple(rule["keywords"]), frozenset(rule["kinds"]))
        for rule in data.indicators()
    }
    return _Rules(
        token=token,
        unit_kind=unit_kind,
        keep_prefixed=set(u["keep_prefixed"]),
        threshold=re.compile(rf"^(?:{data.alternation(u['threshold_nouns'])})"),
        target=re.compile(data.alternation(c["target"])),
        estimate=re.compile(data.alternation(c["estimate"])),
        compared=re.compile(data.alternation(c["compared"])),
        this_year_in_frame=frozenset(c["this_year_in_frame"]),
        not_growth_after=re.compile(data.alternation(c["not_growth_after"])),
        actual=re.compile(data.alternation(c["actual"])),
        actual_clause=re.compile(data.alternation(c["actual_in_clause"])),
        weak=re.compile(data.alternation(c["weak_target"])),
        not_cues=re.compile(data.alternation(c["not_cues"])),
        not_actual=re.compile(data.alternation(c["not_actual"])),
        growth=re.compile(rf"(?:{data.alternation(c['growth'])})(?!值)"),
        decline=re.compile(rf"(?:{data.alternation(c['decline'])})$"),
        growth_prefix_ok=re.compile(
            rf"(?:{data.alternation(c['growth_prefix_ok'])}|(?:近|过去)?\d+年|[近过去]?[一二三四五六七八九十]+年)"
        ),
        indicators=[(code, kw, kinds) for code, (kw, kinds) in labels.items()],
        zones=zones,
        wider=re.compile(rf"(?<!高于)(?<!低于)(?<!占)(?:{data.alternation(zone_data['wider'])})$"),
        period_words=re.compile(
            r"今年以来|年初以来|今年|年内|全年|本年|当年|去年|上年|(?:19|20)\d{2}年|近\d+年|近[一二三四五六七八九十]+年"
        ),
        verbs=re.compile(
            r"共实施|推进实施|实施|力争|完成|实现|达到|拥有|其中|引入|改造|生产|筛选出|推动|推进"
            r"|新建了|建设|盘活|累计|共|有|的|、|和|及|与|是|占到|占|为|达|至"
        ),
        follow_stop=re.compile(
            r"[,，。;；﹔、及与等(（]|和|将|已|陆续|开工|复工|快速|全部|集中|投入|实现|完成|是|在"
            r"|为|贡献|占|提质|的资源|飙升|以上|以下"
        ),
    )


# The pipeline ------------------------------------------------------------------------------


def find_zone(title: str, text: str) -> str:
    """The zone the article is about: the one its title names, else the one named most."""
    r = rules()
    for head in (title, text[:300]):
        found = [(m.start(), name) for name, p in r.zones for m in [p.search(head)] if m]
        if found:
            return min(found)[1]
    counts = {name: len(pattern.findall(text)) for name, pattern in r.zones}
    best = max(counts, key=counts.get, default="")
    return best if counts.get(best) else ""


def read_article(
    text: str, *, title: str = "", date: dt.date | None = None, zone: str | None = None
) -> Article:
    cleaned = clutter.clean(text)
    title = clutter.normalise(title).strip() if title else ""
    if not title:  # a page's first line of text is its title when it is short enough
        first = cleaned.text.split("\n", 1)[0].strip()
        title = first if len(first) <= 60 else ""
    date = date or cleaned.date
    year = period.infer_year(title, cleaned.text, date)
    zone = zone or find_zone(title, cleaned.text)
    article = Article(cleaned.text, title, date, year, zone, removed=cleaned.removed)
    article.statements = extract(cleaned.text, year=year, zone=zone, date=date)
    return article


def extract(
    text: str, *, year: int | None, zone: str, date: dt.date | None = None
) -> list[Statement]:
    split = sentences.split(text)
    mood = _mood(split)
    out: list[Statement] = []
    frame, paragraph = None, -1
    for done, sentence in enumerate(split):
        background.report(done, len(split), background.WORKING)  # a job's progress, if any
        if sentence.paragraph != paragraph:
            frame, paragraph = None, sentence.paragraph
        opening = [p for p in period.mentions(sentence.text[:8], year) if p.start <= 4]
        if opening and opening[0].start <= 2 and opening[-1].period:
            # 今年前三季度,… / 2021年,… at a sentence's start frames the paragraph after it;
            # 全年… after 2018年,… is the whole of 2018, and keeps the frame
            last = opening[-1]
            if not (frame and frame.isdigit() and _in_frame(sentence.text, last)):
                frame = last.period
        out.extend(
            _sentence_statements(sentence, year=year, zone=zone, mood=mood, frame=frame, date=date)
        )
    return out


def _masked(text: str) -> str:
    """The sentence with look-alike cue words blanked out (offsets kept)."""
    r = rules()
    text = r.not_cues.sub(lambda m: "□" * len(m.group()), text)
    return r.not_actual.sub(lambda m: "□" * len(m.group()), text)


def _mood(split) -> str:
    r = rules()
    targets = actuals = 0
    for sentence in split:
        masked = _masked(sentence.text)
        targets += bool(r.target.search(masked))
        actuals += bool(
            r.actual.search(masked) or r.actual_clause.search(masked) or r.compared.search(masked)
        )
    return TARGET if targets > actuals else ACTUAL


def _in_frame(text: str, mention) -> bool:
    """Whether a period mention is a "whole year" word (全年, 当年 …) that means the year the
    paragraph is about."""
    return text[mention.start : mention.end] in rules().this_year_in_frame


def _quoted_spans(text: str, limit: int = 14) -> list[tuple[int, int]]:
    """Short quotations: slogans and names (“三个五”, ‘四个基地’), not figures."""
    spans, i = [], 0
    while i < len(text):
        close = _QUOTES.get(text[i])
        if close:
            j = text.find(close, i + 1)
            if j != -1 and j - i - 1 <= limit:
                spans.append((i, j + 1))
                i = j + 1
                continue
        i += 1
    return spans


@dataclass
class _Token:
    match: re.Match
    start: int
    end: int
    value: Decimal | None
    value_max: Decimal | None
    unit: str | None
    unit_kind: str
    qualifier: str


def _tokens(text: str) -> list[_Token]:
    """The numbers of a sentence that state a figure: shares (三分之一, 一半), ranks (第3位) and
    amounts with a unit, each in the unit the catalog keeps. Left out: numbers inside quotes,
    the count of names just listed, small Chinese numerals (五个原则: an enumeration) and a
    class of what follows (5000万元以上项目)."""
    r = rules()
    quoted = None
    out = []
    for m in r.token.finditer(text):
        if m.group() == "" or not (m["num"] or m["fd"] or m["half"]):
            continue
        start, end = m.span()
        qualifier = _QUALIFIER.get(m["pre"] or "", "")
        if m["fd"] or m["half"] or m["ord"]:
            token = _share_or_rank(m, text, start, end, qualifier)
            if token is not None:
                out.append(token)
            continue
        unit, unit_kind, mult_word, end = _unit_of(m, r, text, end)
        if unit_kind == "never":
            continue
        if quoted is None:
            quoted = _quoted_spans(text)
        if any(a < start < b for a, b in quoted):
            continue
        if start and text[start - 1] in "”’」』":
            continue  # “…、…、…”4个工程: a count of the names just listed
        number = to_number(m["num"])
        if number is None:
            continue
        if is_chinese(m["num"]) and not mult_word and number <= 10:
            continue  # 五个原则, 两大产业: enumerations, not statistics
        number_max = to_number(m["num2"]) if m["num2"] else None
        post = m["post"] or ""
        if m["mid"]:
            qualifier = qualifier or "超"
        if post:
            qualifier = _QUALIFIER[post] if not qualifier or post in ("以上", "以下") else qualifier
        scaled = _scaled(m, r, text, end, unit, unit_kind, mult_word, number, number_max)
        if scaled is not None:
            value, value_max, unit = scaled
            out.append(_Token(m, start, end, value, value_max, unit, unit_kind, qualifier))
    return out


def _share_or_rank(m, text: str, start: int, end: int, qualifier: str) -> _Token | None:
    """A fraction (三分之一) or a half (一半) as a percentage; an ordinal (第3) only as a rank
    (位, 名) after words that rank (居, 排名…)."""
    if m["fd"]:
        den, num = to_number(m["fd"]), to_number(m["fn"])
        if not den or num is None:
            return None
        value = (num / den * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return _Token(m, start, end, value, None, "%", "percent", qualifier)
    if m["half"]:
        return _Token(m, start, end, Decimal(50), None, "%", "percent", qualifier)
    before = text[max(0, start - 3) : start]
    if _RANK_BEFORE.search(before) and m["unit"] in (None, "位", "名"):
        value = to_number(m["num"])
        if value is not None:
            return _Token(m, start, end, value, None, "位", "rank", "")
    return None


def _unit_of(m, r, text: str, end: int) -> tuple[str | None, str, str, int]:
    """(unit, its kind — "never" for a unit that states no figure —, the multiplier word, the
    token's end), with the spoken forms read: 30个亿 is 30亿元, 6.42亿度 is electricity."""
    unit = m["unit"]
    if unit is None:
        return None, "never", "", end
    unit_kind = r.unit_kind.get(unit, "never")
    mult_word = m["mult"] or ""
    if unit == "个" and not mult_word and not m["post"] and text.startswith("亿", end):
        # 产值突破30个亿: spoken for 30亿元
        end += 2 if text.startswith("亿元", end) else 1
        unit, unit_kind, mult_word = "元", "money", "亿"
    if unit == "度" and m["mult"] in ("万", "亿"):
        unit_kind = "measure"  # 6.42亿度: electricity, 1度 = 1千瓦时
    return unit, unit_kind, mult_word, end


def _scaled(m, r, text, end, unit, unit_kind, mult_word, number, number_max):
    """(value, upper value of a range, unit) in the unit the catalog keeps: money in 万元,
    foreign money and prefixed units (万吨) as written, electricity in 千瓦时; None for money
    that names a class of what follows (5000万元以上项目, 产值过10亿元企业)."""
    mult = _MULT.get(mult_word, 1)
    post = m["post"] or ""
    if unit_kind == "money":
        if r.threshold.match(text[end:]) and (
            post in ("以上", "以下") or not (post or text.startswith("的", end))
        ):
            return None
        factor = Decimal(mult) / Decimal(10000)
        value_max = number_max * factor if number_max is not None else None
        return number * factor, value_max, "万元"
    if unit_kind == "foreign_money":
        return number, number_max, f"{m['mult'] or ''}{unit}"
    if unit == "度":
        value_max = number_max * mult if number_max is not None else None
        return number * mult, value_max, "千瓦时"
    if m["mult"] and f"{m['mult']}{unit}" in r.keep_prefixed:
        return number, number_max, f"{m['mult']}{unit}"
    value_max = number_max * mult if number_max is not None else None
    if unit in ("个百分点",):
        unit = "百分点"
    if unit == "％":
        unit = "%"
    return number * mult, value_max, unit


def _sentence_statements(sentence, *, year, zone, mood, frame=None, date=None) -> list[Statement]:
    """The statements of one sentence, a number at a time: each is a value or a growth rate;
    a growth rate goes to the value before it (or, after 分别, to the listed values in turn),
    and the numbers of a list (甲…、乙…) share what the list's first one was said of."""
    text = sentence.text
    tokens = _tokens(text)
    if not tokens:
        return []
    r = rules()
    masked = _masked(text)
    modal_cues, actual_cues, clause_cues = _cues(masked, r)
    periods = period.mentions(text, year)
    statements: list[Statement] = []
    previous: Statement | None = None
    previous_end = 0
    previous_growth = False
    list_run: list[Statement] = []
    shared: list[Statement] = []  # values that a 分别 run of growth rates goes to, in order
    for index, token in enumerate(tokens):
        clause_no = sentence.clause_at(token.start)
        clause_start, clause_end = sentence.clauses[clause_no]
        local_start = max(previous_end, clause_start)
        local = text[local_start : token.start]
        is_list_item = (
            previous is not None
            and previous_end > clause_start
            and _SEPARATORS.fullmatch(local) is not None
        )
        growth_match, is_growth = _growth_cue(token, local, r, is_list_item and previous_growth)
        statement = _token_statement(
            token, sentence, clause_start, clause_end, local, is_growth, growth_match, r
        )
        statement.period = _period(
            periods, token.start, year, statement, list_run, is_list_item, frame, text
        )
        statement.kind, statement.kind_cued = _kind(
            token.start, clause_start, clause_end, masked, modal_cues,
            actual_cues + [c for c in clause_cues if c[0] >= clause_start], statement.period,
            year, mood, date,
        )  # fmt: skip
        statement.subject = _subject(local, zone)
        _measure(statement, text, clause_start, clause_end, local, token, previous, is_list_item)
        if is_growth and not shared and growth_match and "分别" in local[: growth_match.start()]:
            # 甲14.86亿元、乙10.27亿元,分别同比增长80.73%、28.65%: one rate to each value
            shared = _shared_values(statements, tokens, index, sentence, clause_no)
        if is_growth and shared:
            _attach_growth(shared.pop(0), statement, text, clause_end)
            previous_end, previous_growth = token.end, True
            continue
        if is_growth and _takes_growth(previous, sentence, clause_no, local, growth_match):
            _attach_growth(previous, statement, text, clause_end)
            previous_end = token.end
            previous_growth = True
            continue
        list_run = [*list_run, statement] if is_list_item else [statement]
        statements.append(statement)
        previous, previous_end, previous_growth = statement, token.end, is_growth
    return statements


def _takes_growth(previous, sentence, clause_no: int, local: str, growth_match) -> bool:
    """Whether a growth rate belongs to the value just before it: an amount, count or measure
    without a rate yet, in the same clause or the one before, with nothing of its own named
    between them (甲14.86亿元,增长8%)."""
    return (
        previous is not None
        and previous.growth_pct is None
        and previous.unit_kind in ("money", "foreign_money", "count", "measure")
        and sentence.clause_at(previous.number_start) >= clause_no - 1
        and _growth_prefix_empty(local, growth_match)
    )


def _cues(masked: str, r) -> tuple[list, list, list]:
    """Where the sentence (its quotes masked) says a figure is a target or an estimate (in
    order, with which), that it was reached, and the clause-wide cues of having been reached."""
    modal_cues = sorted(
        [(*m.span(), TARGET) for m in r.target.finditer(masked)]
        + [(*m.span(), ESTIMATE) for m in r.estimate.finditer(masked)]
    )
    actual_cues = [m.span() for m in r.actual.finditer(masked)]
    clause_cues = [m.span() for m in r.actual_clause.finditer(masked)]
    return modal_cues, actual_cues, clause_cues


def _growth_cue(token, local: str, r, follows_growth_in_list: bool):
    """(the words that make a percentage a growth rate, whether it is one): a percentage after
    增长/下降… is a rate unless what follows says it is a share (呈增长势头企业占…75.8%); a
    list item after a rate is a rate too."""
    if token.unit_kind != "percent":
        return None, False
    growth_match = _last(r.growth, local)
    if growth_match is not None and r.not_growth_after.search(local, growth_match.end()):
        growth_match = None
    return growth_match, growth_match is not None or follows_growth_in_list


def _token_statement(token, sentence, clause_start, clause_end, local, is_growth, growth_match,
                     r) -> Statement:  # fmt: skip
    """The statement of one number: a value with its unit and qualifier, or a growth rate
    (negative after 下降/减少…), in its clause of the sentence."""
    text = sentence.text
    return Statement(
        sentence=text[clause_start:clause_end].rstrip(",，;；﹔:：。"),
        context=text,
        clause_start=clause_start,
        number_start=token.start,
        number_end=token.end,
        sentence_index=sentence.index,
        value=None if is_growth else token.value,
        unit=None if is_growth else token.unit,
        value_max=None if is_growth else token.value_max,
        growth_pct=(
            -token.value
            if is_growth and growth_match and r.decline.search(local[: growth_match.end()])
            else token.value
        )
        if is_growth
        else None,
        qualifier="" if is_growth else token.qualifier,
        growth_qualifier=token.qualifier if is_growth else "",
        unit_kind="growth" if is_growth else token.unit_kind,
    )


def _attach_growth(value: Statement, growth: Statement, text: str, clause_end: int) -> None:
    value.growth_pct = growth.growth_pct
    value.growth_qualifier = growth.growth_qualifier
    value.sentence = text[value.clause_start : clause_end].rstrip(",，;；﹔:：。")
    if growth.kind_cued and not value.kind_cued:
        # 完成343.64亿元,同比增长4.3%: the comparison says the value was achieved
        value.kind, value.kind_cued = growth.kind, True


def _shared_values(statements, tokens, index, sentence, clause_no) -> list[Statement]:
    """The values a 分别 run of rates starting at ``tokens[index]`` goes to: as many values
    without a rate as the run has rates, right before it in the sentence; none when they
    do not pair up."""
    run = 1
    for later, before in zip(tokens[index + 1 :], tokens[index:], strict=False):
        gap = sentence.text[before.end : later.start]
        if later.unit_kind != "percent" or _SEPARATORS.fullmatch(gap) is None:
            break
        run += 1
    values = []
    for statement in reversed(statements):
        if (
            statement.growth_pct is not None
            or statement.value is None
            or statement.unit_kind not in ("money", "foreign_money", "count", "measure")
            or sentence.clause_at(statement.number_start) < clause_no - 1
        ):
            break
        values.append(statement)
    if run < 2 or len(values) < run:
        return []
    return list(reversed(values))[-run:]


def _last(pattern: re.Pattern, text: str):
    found = None
    for found in pattern.finditer(text):  # noqa: B007 - the last one is wanted
        pass
    return found


def _growth_prefix_empty(local: str, growth_match) -> bool:
    if growth_match is None:
        return False
    prefix = local[: growth_match.start()]
    prefix = rules().growth_prefix_ok.sub("", prefix)
    prefix = re.sub(r"[^\u4e00-\u9fff A-Za-z]", "", prefix)
    return len(prefix) <= 1


def _period(
    periods, position, year, statement, list_run, is_list_item, frame, text=""
) -> str | None:
    before = [p for p in periods if p.end <= position]
    if before:
        mention = before[-1]
        if frame and frame.isdigit() and _in_frame(text, mention):
            return frame  # 2018年,…。全年技工贸总收入…: the whole of 2018
        if mention.years and is_list_item and list_run:
            index = len(list_run)
            if index < len(mention.years):
                if index == 1:  # 过去五年…分别增长a、b…: the first item is the first year
                    list_run[0].period = str(mention.years[0])
                return str(mention.years[index])
        return mention.period
    after = [p for p in periods if p.start >= position and p.period]
    if after and after[0].start - position < 12:
        return after[0].period
    if frame:
        return frame
    return str(year) if year else None


def _kind(
    position, clause_start, clause_end, masked, modal, actuals, when, year, mood, date=None
) -> tuple[str, bool]:
    """``(kind, read from a cue)`` of the figure at ``position``.

    The last target or estimate cue before the figure in the sentence governs it (力争…实现,
    目标是实现…, 确保完成… stay targets: 实现/完成 are neutral), unless an actual cue (已, 累计,
    提高到 …) follows it; with no such cue, a comparison with last year in the clause
    (同比增长) or a past period makes it an actual; programme language makes it a target; else
    the article's mood decides."""
    r = rules()
    modal_before = [c for c in modal if c[1] <= position]
    actuals_before = [s for s in actuals if s[1] <= position]
    if modal_before:
        _start, last_end, kind = max(modal_before, key=lambda c: c[1])
        if any(start >= last_end for start, _end in actuals_before):
            return ACTUAL, True
        return kind, True
    if actuals_before:
        return ACTUAL, True
    if "目标" in masked[position:clause_end]:
        return TARGET, True  # 实现…50个的…目标: the goal is named after its figures
    if r.compared.search(masked, clause_start, clause_end):
        return ACTUAL, True  # 同比增长: compared with last year's actual
    if period.is_past(when, year, date):
        return ACTUAL, False
    if r.weak.search(masked, clause_start, position):
        return TARGET, False
    return mood, False


def _subject(local: str, zone: str) -> str:
    r = rules()
    stripped = re.sub(r"(?:约|近|接近|将近|超过|超|逾|突破|不少于|至少)$", "", local)
    match = r.wider.search(stripped)
    if match:
        return match.group()
    for name, pattern in r.zones:
        if pattern.search(local):
            return name
    return zone


def _measure(statement, text, clause_start, clause_end, local, token, previous, is_list_item):
    """What the figure measures: the words after it (631家高新技术企业) or before it."""
    r = rules()
    following = text[token.end : clause_end]
    for quote in "“”‘’「」":
        following = following.replace(quote, "")
    stop = r.follow_stop.search(following)
    words = following[: stop.start()] if stop else following
    words = words.lstrip("的")[:16]
    if statement.unit_kind in ("percent", "growth", "points", "times", "rank", "money"):
        words = ""
    if len(words) < 2:
        cleaned = r.period_words.sub("", local)
        cut = 0
        for match in r.verbs.finditer(cleaned):
            if match.end() < len(cleaned):
                cut = match.end()
        words = cleaned[cut:]
        words = re.sub(r"[,，;；﹔:：、。“”‘’\s]", "", words)
        if statement.unit_kind == "growth":
            growth = _last(r.growth, words)
            if growth is not None:
                words = words[: growth.start()]
        words = words.rstrip("的由从较比")
    if words and r.verbs.fullmatch(words):
        words = ""  # 累计达到412家: the words are a verb; the thing is the one before
    if (
        len(words) < 2
        and previous is not None
        and (is_list_item or previous.unit_kind == statement.unit_kind)
    ):
        words = previous.measure
    statement.measure = words
    kind = statement.unit_kind
    haystacks = [words, text[clause_start : token.start]]
    if kind in ("growth", "percent", "points", "times"):
        haystacks.append(text[clause_start:clause_end])
    for haystack in haystacks:
        for code, keywords, kinds in r.indicators:
            if kind in kinds and any(k in haystack for k in keywords):
                statement.indicator = code
                return
    if previous is not None and previous.indicator:
        same_kind = previous.unit_kind == kind
        if is_list_item or kind == "points" or (len(words) < 2 and same_kind):
            statement.indicator = previous.indicator
            statement.measure = statement.measure or previous.measure
