"""Promise extraction: an agent clause that commits to something and names a concrete time.

A clause's kind is the first list of `[promises]` in the rule book that matches (callback, refund,
delivery, follow_up, step, other); its due time comes from the time words of the same clause. Vague
words name no time, so they make no promise.
"""

from collections.abc import Iterator
from datetime import datetime

from attent.coach.engine.due import resolve
from attent.coach.engine.reading import Reading
from attent.coach.engine.rules import Clauses
from attent.coach.engine.timewords import Bit, find_times
from attent.coach.engine.verdicts import FoundPromise

_SLOT = {
    "day": "day", "weekday": "day", "date": "day", "next_week": "week", "this_week": "week",
    "clock": "clock", "part": "part", "duration": "span", "business_days": "span",
}  # fmt: skip
# The order kinds are tried in: who calls, what is written to you, a credit on the bill (`other`), money,
# someone coming round, service restored or a slot booked (`other`), goods, the step at hand; a bare arrival
# verb ("it arrives", "you'll have it") only after the object was looked for, then anything else.
KIND_ORDER = (
    "callback", "written", "credit", "refund", "visit", "restored", "booked", "collect", "follow_up",
    "delivery", "sent", "step", "arrival", "other",
)  # fmt: skip
# Lists that name a kind under another name: a letter is a follow-up, a visit is "other".
KIND_OF = {
    "written": "follow_up", "visit": "other", "restored": "other", "booked": "other", "credit": "other",
    "collect": "other", "arrival": "delivery", "sent": "follow_up",
}  # fmt: skip
SPECIFIC = KIND_ORDER[: KIND_ORDER.index("arrival")]
SEPARATE = ("follow_up",)  # two messages on different days are two promises
# The words that make a time a bound, a condition or a question are the rule book's `[clauses]`; the
# thresholds, its `[promises]` in common.toml (`RuleSet.clauses`).
_COMBINES = {
    "day": {"clock", "part", "week"},
    "clock": {"day", "part"},
    "part": {"day", "clock"},
    "week": {"day"},
}


def _bound_before(clauses: Clauses, text: str, end: int) -> bool:
    """Whether `text` up to `end` ends in a bound ("valid until"): what `bound.search(text, 0, end)` answers,
    searched only where a match can start (its words end where the spaces before `end` begin, and `re`
    reads the text before the search's start for `\\b`), not over the whole line."""
    words_end = len(text[:end].rstrip())
    return clauses.bound.search(text, max(0, words_end - clauses.bound_chars), end) is not None


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


def _short(r: Reading, group: list[Bit]) -> bool:
    return any(b.kind == "duration" and b.value <= r.rules.clauses.short_step_minutes for b in group)


def _holds(r: Reading, i: int, text: str, name: str) -> bool:
    """Whether a part of line `i` holds a phrase of a kind list (none of them anchors at the text's ends, so
    the line's cached answer rules most parts out)."""
    return r.has_text(i, text, "promises", name)


def _found(r: Reading, index: int, text: str, names: tuple[str, ...]) -> str | None:
    """The first list of `names` that `text` holds a phrase of."""
    return next((k for k in names if _holds(r, index, text, k)), None)


def _kind_of_clause(
    r: Reading, i: int, clause: str, context: tuple[str, ...], group: list[Bit]
) -> str | None:
    """The clause's own words first, then its sentence, then the sentences before it, nearest first.

    A short duration with nothing named in the clause is the step at hand. A clause that only says the
    thing arrives ("It arrives within 10 minutes", "je hebt het binnen een half uur") takes its kind from
    what the sentences before named (a link is a follow-up); with nothing named there, it is goods.
    `other` counts only from the clause and its own sentence."""
    short = _short(r, group)
    if short and _holds(r, i, clause, "work_takes"):
        return "step"  # "I'm checking the courier's photos, that takes thirty seconds"
    back = _holds(r, i, clause, "refers_back")
    for n, text in enumerate((clause, *context)):
        if n == 1 and back:
            continue  # "you'll have it": the thing is named before, not later in the same sentence
        found = _found(r, i, text, SPECIFIC)
        if found == "restored" and short:
            return "step"  # "active again in two minutes": the step being done now
        if found:
            return KIND_OF.get(found, found)
        if n == 0 and (short or _holds(r, i, clause, "arrival")) and not back:
            return "step" if short and not _holds(r, i, clause, "arrival") else "delivery"
    if back or any(_holds(r, i, text, "arrival") for text in context[:1]):
        return "delivery"
    if short:
        return "step"
    if any(_holds(r, i, text, "other") for text in (clause, *context[:1])):
        return "other"
    return _slot_booked_before(r, i)


def _slot_booked_before(r: Reading, i: int) -> str | None:
    """A bare slot ("This Saturday, between eight and twelve.") answers the agent's offer to book one."""
    for j in range(i - 1, max(-1, i - 1 - r.rules.clauses.confirm_window_lines), -1):
        if r.speaker[j] == "agent":
            return "other" if r.has(j, "promises", "booked") else None
    return None


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


Clause = tuple[str, str, tuple[str, ...], list[Bit]]  # clause, its sentence, the sentences before, times


def _times(r: Reading, i: int) -> list[Bit]:
    """The line's time words; "weken" is looked for here too, as the reading's quick test for time words
    does not know it ("binnen zes weken een besluit")."""
    bits = r.times(i)
    if bits or "weken" not in r.text[i]:
        return bits
    return find_times(r.text[i], r.line_lang[i], r.keys[i])


def _timed_clauses(r: Reading, i: int) -> Iterator[Clause]:
    """The clauses of line `i` that commit to a time: (clause, sentence, the sentences before, time words).

    Left out: questions, recaps and general statements ("normally…"), the customer's situation or own task,
    a clause on a condition ("if the police don't find it within 30 days", and the "then ..." sentence that
    follows one), a bound ("valid until
    Sunday", "well before Saturday", "from the 2nd"), and a time counted back from another moment ("half an
    hour before he arrives", "the evening before")."""
    bits = _times(r, i)
    if not bits:
        return
    clauses = r.rules.clauses
    earlier: tuple[str, ...] = ()
    after_if = False
    for start, sentence in r.sentences(i):
        context = (sentence, *earlier)
        earlier = (sentence, *earlier)
        condition = clauses.condition.match(sentence) is not None or (
            after_if and clauses.condition_then.match(sentence) is not None
        )
        after_if = condition
        inside = [b for b in bits if start <= b.start < start + len(sentence)]
        said = sentence.rstrip()  # a tag ("…, okay?") is taken off a question only: it ends in "?"
        question = said.endswith("?") and clauses.question_tag.sub("", said).endswith("?")
        if not inside or question or _no_commitment(r, i, sentence):
            continue
        cursor = start
        for group in _groups(inside):
            stop = min(group[-1].end + 25, start + len(sentence))
            tail = clauses.clause_end.split(r.text[i][group[-1].end : stop], maxsplit=1)[0]
            clause = r.text[i][cursor : group[-1].end] + tail
            cursor = group[-1].end
            if (  # "if it hasn't come by Friday, ... Monday"
                condition
                or r.has_text(i, clause, "promises", "conditional")
                or _bound_before(clauses, r.text[i], group[0].start)
            ):
                continue
            if all(b.kind in ("duration", "part") for b in group) and clauses.counted_back.match(
                r.text[i][group[-1].end :]
            ):
                continue
            yield clause, sentence, context[1:], group


def timed_clauses(r: Reading, i: int) -> list[Clause]:
    """`_timed_clauses` of line `i`, found once per reading (promises and sets_expectation both ask)."""
    cache = r.memo.setdefault("timed_clauses", {})
    assert isinstance(cache, dict)
    if i not in cache:
        cache[i] = list(_timed_clauses(r, i)) if _times(r, i) else []
    found: list[Clause] = cache[i]
    return found


def names_a_time(r: Reading, i: int) -> bool:
    """Whether line `i` gives a concrete time for something that will happen (what sets an expectation)."""
    return bool(timed_clauses(r, i))


def timed_kinds(r: Reading, i: int) -> set[str]:
    """The kinds line `i` commits to at a concrete time, said for the first time or again."""
    kinds = {
        _kind_of_clause(r, i, clause, (sentence, *context), group)
        for clause, sentence, context, group in timed_clauses(r, i)
    }
    return {kind for kind in kinds if kind is not None}


def commits_to_a_time(r: Reading, i: int) -> bool:
    """Whether line `i` commits to something at a concrete time, said for the first time or again (a recap
    of a promise still tells the customer what happens next; a wish for a good Sunday does not)."""
    return bool(timed_kinds(r, i))


def kind_named(r: Reading, i: int) -> str | None:
    """The kind of commitment line `i` names, time or not ("an adjuster will be in touch shortly")."""
    found = _found(r, i, r.text[i], SPECIFIC)
    return KIND_OF.get(found, found) if found else None


def _confirmed_slot(r: Reading, i: int) -> FoundPromise | None:
    """A slot confirmed without naming it ("Ik zet het vast", "I've booked it") is due when the slot offered
    or chosen in the lines just before says: the nearest one with a clock time, else the nearest."""
    if any(b.kind != "duration" for b in _times(r, i)) or not r.has(i, "promises", "confirmed"):
        return None  # the line names its own moment
    slots = []
    for j in range(i - 1, max(-1, i - 1 - r.rules.clauses.confirm_window_lines), -1):
        groups = _groups(_times(r, j))
        if groups:
            slots.append((j, groups[-1]))
    slots.sort(key=lambda slot: not any(b.kind == "clock" for b in slot[1]))
    for j, group in slots:
        due = resolve(group, r.transcript.at(j), r.transcript.timezone, r.hours, r.rules.clauses.past_days)
        if due is not None:
            return FoundPromise(i, "other", due, r.transcript.lines[i].text)
    return None


def _later_day(group: list[Bit]) -> bool:
    return any(b.kind in ("weekday", "date", "next_week") or (b.kind == "day" and b.value) for b in group)


def _fold_other(best: dict[str, FoundPromise], precise: dict[str, bool]) -> None:
    """An `other` (mostly a clause that names no kind of its own) due on the day a named kind of the same
    line is due is that commitment said again ("it'll be Monday; it arrives Monday before 13:00")."""
    other = best.get("other")
    if other is None:
        return
    same_day = [k for k, p in best.items() if k not in ("other", "step") and p.due.date() == other.due.date()]
    if not same_day:
        return
    kept = best[same_day[0]]
    if _better(other.due, precise["other"], kept.due, precise[same_day[0]]):
        best[same_day[0]] = FoundPromise(kept.line, kept.kind, other.due, kept.words)
    del best["other"]


def extract(r: Reading) -> list[FoundPromise]:
    """Every promise in the agent's lines: one per line and kind, the latest moment named for it
    ("vandaag verstuurd, morgen voor 12:00 bij u" is one delivery, due tomorrow at noon), except messages
    on different days, which are different messages. A duration in a
    line that books a later day is how long that visit takes, not a step under way now."""
    found: list[FoundPromise] = []
    raw = r.transcript.lines
    for i in r.agent:
        best: dict[str, FoundPromise] = {}
        precise: dict[str, bool] = {}  # whether the kept moment named a clock time
        kinds = [
            (_kind_of_clause(r, i, clause, (sentence, *context), group), group)
            for clause, sentence, context, group in timed_clauses(r, i)
        ]
        later = any(kind not in (None, "step") and _later_day(group) for kind, group in kinds)
        for kind, group in kinds:
            if kind == "step" and later:
                continue  # how long the booked visit takes, not a step under way now
            due = resolve(
                group, r.transcript.at(i), r.transcript.timezone, r.hours, r.rules.clauses.past_days
            )
            if kind is None or due is None:
                continue
            exact = any(b.kind == "clock" for b in group)
            key = kind
            if kind in SEPARATE and kind in best and best[kind].due.date() != due.date():
                key = f"{kind}@{due.date()}"  # "the contract by e-mail within the hour, the pack next week"
            if key in best and not _better(due, exact, best[key].due, precise.get(key, False)):
                continue
            best[key] = FoundPromise(i, kind, due, raw[i].text)
            precise[key] = exact
        _fold_other(best, precise)
        slot = _confirmed_slot(r, i)
        if slot is not None and "other" not in best:
            best["other"] = slot
        for promise in sorted(best.values(), key=lambda p: p.due):
            repeated = promise.kind != "step" and any(  # a step said again is the next step
                p.kind == promise.kind and abs(p.due - promise.due) <= r.rules.clauses.repeat for p in found
            )
            if not repeated:
                found.append(promise)  # said again later, it is the same promise
    return found
