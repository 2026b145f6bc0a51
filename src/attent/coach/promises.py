"""Promise extraction: an agent clause that commits to something and names a concrete time.

A clause's kind is the first list of `[promises]` in the rule book that matches (callback, refund,
delivery, follow_up, step, other); its due time comes from the time words of the same clause. Vague
words name no time, so they make no promise.
"""

import re
from datetime import timedelta

from attent.coach.due import resolve
from attent.coach.reading import Reading
from attent.coach.timewords import Bit
from attent.coach.verdicts import FoundPromise

_SLOT = {
    "day": "day", "weekday": "day", "date": "day", "next_week": "week", "this_week": "week",
    "clock": "clock", "part": "part", "duration": "span", "business_days": "span",
}  # fmt: skip
# The order kinds are tried in: who calls, money, information, goods, the step at hand, anything else.
KIND_ORDER = ("callback", "refund", "follow_up", "delivery", "step", "other")
SHORT_STEP_MINUTES = 60  # a short duration with no other kind is the step being done now
REPEAT = timedelta(minutes=5)
_TAG_QUESTION = re.compile(r",? (?:okay|ok|oke|right|alright|goed|prima|is dat goed|yeah|ja|hoor)\?$")
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


def _kind(r: Reading, index: int, text: str, group: list[Bit]) -> str | None:
    lang = r.lang(index)
    if any(b.kind == "duration" and b.value <= SHORT_STEP_MINUTES for b in group) and not any(
        lang.p("promises", k).search(text) for k in ("callback", "refund", "follow_up", "delivery")
    ):
        return "step"
    for kind in KIND_ORDER:
        if lang.p("promises", kind).search(text):
            return kind
    return None


def extract(r: Reading) -> list[FoundPromise]:
    """Every promise in the agent's lines: one per line and kind, the latest moment named for it
    ("vandaag verstuurd, morgen voor 12:00 bij u" is one delivery, due tomorrow at noon)."""
    found: list[FoundPromise] = []
    raw = r.transcript.lines
    for i in r.agent:
        bits = r.times(i)
        if not bits:
            continue
        best: dict[str, FoundPromise] = {}
        for start, sentence in r.sentences(i):
            inside = [b for b in bits if start <= b.start < start + len(sentence)]
            question = _TAG_QUESTION.sub("", sentence.rstrip()).endswith("?")
            if not inside or question or r.has_text(i, sentence, "promises", "not_commitment"):
                continue  # an offer or question, a recap, or what a screen says: no commitment
            cursor = start
            for group in _groups(inside):
                tail = _CLAUSE_END.split(r.text[i][group[-1].end : group[-1].end + 25], maxsplit=1)[0]
                clause = r.text[i][cursor : group[-1].end] + tail
                cursor = group[-1].end
                kind = (
                    _kind(r, i, clause, group)
                    or _kind(r, i, sentence, group)
                    or _kind(r, i, r.text[i], group)
                )
                due = resolve(group, r.transcript.at(i), r.transcript.timezone, r.hours)
                if kind is None or due is None or (kind in best and best[kind].due >= due):
                    continue
                best[kind] = FoundPromise(i, kind, due, raw[i].text)
        for promise in sorted(best.values(), key=lambda p: p.due):
            if not any(p.kind == promise.kind and abs(p.due - promise.due) <= REPEAT for p in found):
                found.append(promise)  # said again later, it is the same promise
    return found
