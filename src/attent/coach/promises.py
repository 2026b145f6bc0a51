"""Promise extraction: an agent clause that commits to something and names a concrete time.

A clause's kind is the first list of `[promises]` in the rule book that matches (callback, refund,
delivery, follow_up, step, other); its due time comes from the time words of the same clause. Vague
words name no time, so they make no promise.
"""

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from attent.coach.due import resolve
from attent.coach.reading import Reading
from attent.coach.timewords import Bit
from attent.coach.verdicts import FoundPromise

_SLOT = {
    "day": "day", "weekday": "day", "date": "day", "next_week": "week", "this_week": "week",
    "clock": "clock", "part": "part", "duration": "span", "business_days": "span",
}  # fmt: skip
# The order kinds are tried in: who calls, what is written to you, money, someone coming round or service
# restored (`other`), goods, the step at hand, anything else.
KIND_ORDER = ("callback", "written", "refund", "visit", "restored", "follow_up", "delivery", "step", "other")
# Lists that name a kind under another name: a letter is a follow-up, a visit is "other".
KIND_OF = {"written": "follow_up", "visit": "other", "restored": "other"}
SPECIFIC = ("callback", "written", "refund", "visit", "restored", "follow_up", "delivery", "step")
SHORT_STEP_MINUTES = 60  # a short duration with no other kind is the step being done now
REPEAT = timedelta(minutes=5)
_TAG_QUESTION = re.compile(r",? (?:okay|ok|oke|right|alright|goed|prima|is dat goed|yeah|ja|hoor)\?$")
_UNTIL = re.compile(r"\b(?:until|till|tot|t/m|after|well before|long before|ruim voor|ruim op tijd voor)\s*$")
_CLAUSE_END = re.compile(r",? (?:and|en|but|maar|so|dus|dan|then) |[,;]")
_COMBINES = {
    "day": {"clock", "part", "week"},
    "clock": {"day", "part"},
    "part": {"day", "clock"},
    "week": {"day"},
}


def _groups(bits: list[Bit]) -> list[list[Bit]]:
    """Time words that describe one moment together ('morgen' + 'om 10 uur'); a new slot starts a new one,
    except a day named twice in a row ('tomorrow, Wednesday')."""
    groups: list[list[Bit]] = []
    for bit in bits:
        slot = _SLOT[bit.kind]
        if (
            groups
            and slot == "day"
            and _SLOT[groups[-1][-1].kind] == "day"
            and bit.start - groups[-1][-1].end < 4
        ):
            groups[-1].append(bit)
            continue
        if groups:
            slots = {_SLOT[b.kind] for b in groups[-1]}
            if slot not in slots and all(s in _COMBINES.get(slot, set()) for s in slots):
                groups[-1].append(bit)
                continue
        groups.append([bit])
    return groups


def _kind(
    r: Reading, index: int, text: str, group: list[Bit], names: tuple[str, ...] = KIND_ORDER
) -> str | None:
    """The promise kind the verb and object of `text` name, from the lists in `names`, in order."""
    found = next((k for k in names if r.has_text(index, text, "promises", k)), None)
    if found in (None, "step", "other", "restored") and any(
        b.kind == "duration" and b.value <= SHORT_STEP_MINUTES for b in group
    ):
        return "step"  # a short duration with nothing else named is the step at hand
    return KIND_OF.get(found, found) if found else None


def _kind_of_clause(
    r: Reading, i: int, clause: str, sentence: str, before: str, group: list[Bit]
) -> str | None:
    """The clause's own words first, then its sentence, then the sentence before (what "it" refers to)."""
    for text in (clause, sentence, before):
        kind = _kind(r, i, text, group, SPECIFIC)
        if kind:
            return kind
    return _kind(r, i, clause, group) or _kind(r, i, sentence, group)


def _better(due: datetime, exact: bool, kept: datetime, kept_exact: bool) -> bool:
    """Whether a moment replaces the one kept for the same kind: a clock time on the same day says more
    than the day alone ("vandaag ... voor 13:00 bij je"); otherwise the latest moment named counts."""
    if due.date() == kept.date() and exact != kept_exact:
        return exact
    return due > kept


def _no_commitment(r: Reading, i: int, sentence: str) -> bool:
    """A recap, a general statement, or the agent naming the customer's situation ("and that while you
    need it tomorrow") rather than committing to a time."""
    return r.has_text(i, sentence, "promises", "not_commitment") or r.has_text(
        i, sentence, "empathy", "acknowledge"
    )


def _timed_clauses(r: Reading, i: int) -> Iterator[tuple[str, str, str, list[Bit]]]:
    """The clauses of line `i` that commit to a time: (clause, sentence, the sentence before, time words).

    Left out: questions, recaps and general statements ("normally…"), the customer's situation or own task,
    a clause on a condition ("if the police don't find it within 30 days"), and a bound ("valid until
    Sunday", "well before Saturday")."""
    bits = r.times(i)
    if not bits:
        return
    before = ""
    for start, sentence in r.sentences(i):
        previous, before = before, sentence
        inside = [b for b in bits if start <= b.start < start + len(sentence)]
        question = _TAG_QUESTION.sub("", sentence.rstrip()).endswith("?")
        if not inside or question or _no_commitment(r, i, sentence):
            continue
        cursor = start
        for group in _groups(inside):
            stop = min(group[-1].end + 25, start + len(sentence))
            tail = _CLAUSE_END.split(r.text[i][group[-1].end : stop], maxsplit=1)[0]
            clause = r.text[i][cursor : group[-1].end] + tail
            cursor = group[-1].end
            if r.has_text(i, clause, "promises", "conditional") or _UNTIL.search(
                r.text[i], 0, group[0].start
            ):
                continue
            yield clause, sentence, previous, group


def timed_clauses(r: Reading, i: int) -> list[tuple[str, str, str, list[Bit]]]:
    """`_timed_clauses` of line `i`, found once per reading (promises and sets_expectation both ask)."""
    cache = r.memo.setdefault("timed_clauses", {})
    assert isinstance(cache, dict)
    if i not in cache:
        cache[i] = list(_timed_clauses(r, i)) if r.times(i) else []
    found: list[tuple[str, str, str, list[Bit]]] = cache[i]
    return found


def names_a_time(r: Reading, i: int) -> bool:
    """Whether line `i` gives a concrete time for something that will happen (what sets an expectation)."""
    return bool(timed_clauses(r, i))


def extract(r: Reading) -> list[FoundPromise]:
    """Every promise in the agent's lines: one per line and kind, the latest moment named for it
    ("vandaag verstuurd, morgen voor 12:00 bij u" is one delivery, due tomorrow at noon)."""
    found: list[FoundPromise] = []
    raw = r.transcript.lines
    for i in r.agent:
        best: dict[str, FoundPromise] = {}
        precise: dict[str, bool] = {}  # whether the kept moment named a clock time
        for clause, sentence, previous, group in timed_clauses(r, i):
            kind = _kind_of_clause(r, i, clause, sentence, previous, group)
            due = resolve(group, r.transcript.at(i), r.transcript.timezone, r.hours)
            if kind is None or due is None:
                continue
            exact = any(b.kind == "clock" for b in group)
            if kind in best and not _better(due, exact, best[kind].due, precise.get(kind, False)):
                continue
            best[kind] = FoundPromise(i, kind, due, raw[i].text)
            precise[kind] = exact
        for promise in sorted(best.values(), key=lambda p: p.due):
            repeated = promise.kind != "step" and any(  # a step said again is the next step
                p.kind == promise.kind and abs(p.due - promise.due) <= REPEAT for p in found
            )
            if not repeated:
                found.append(promise)  # said again later, it is the same promise
    return found
