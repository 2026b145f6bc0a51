"""Promise extraction: an agent clause that commits to something and names a concrete time.

A clause's kind is the first list of `[promises]` in the rule book that matches (callback, refund,
delivery, follow_up, step, other); its due time comes from the time words of the same clause. Vague
words name no time, so they make no promise.
"""

from attent.coach.due import resolve
from attent.coach.reading import Reading
from attent.coach.timewords import Bit
from attent.coach.verdicts import FoundPromise

_SLOT = {
    "day": "day", "weekday": "day", "date": "day", "next_week": "week", "this_week": "week",
    "clock": "clock", "part": "part", "duration": "span", "business_days": "span",
}  # fmt: skip
# The order kinds are tried in: the most specific first ("stuur u een nieuwe" is a delivery, not a mail).
KIND_ORDER = ("callback", "refund", "delivery", "follow_up", "step", "other")
_COMBINES = {
    "day": {"clock", "part", "week"},
    "clock": {"day", "part"},
    "part": {"day", "clock"},
    "week": {"day"},
}


def _groups(bits: list[Bit]) -> list[list[Bit]]:
    """Time words that describe one moment together ('morgen' + 'om 10 uur'); a new slot starts a new one."""
    groups: list[list[Bit]] = []
    for bit in bits:
        slot = _SLOT[bit.kind]
        if groups:
            slots = {_SLOT[b.kind] for b in groups[-1]}
            if slot not in slots and all(s in _COMBINES.get(slot, set()) for s in slots):
                groups[-1].append(bit)
                continue
        groups.append([bit])
    return groups


def _kind(r: Reading, index: int, text: str) -> str | None:
    lang = r.lang(index)
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
            if not inside:
                continue
            whole = _kind(r, i, sentence)
            cursor = start
            for group in _groups(inside):
                clause = r.text[i][cursor : group[-1].end + 25]
                cursor = group[-1].end
                kind = _kind(r, i, clause) or whole
                due = resolve(group, r.transcript.at(i), r.transcript.timezone, r.hours)
                if kind is None or due is None or (kind in best and best[kind].due >= due):
                    continue
                best[kind] = FoundPromise(i, kind, due, raw[i].text)
        found.extend(sorted(best.values(), key=lambda p: p.due))
    return found
