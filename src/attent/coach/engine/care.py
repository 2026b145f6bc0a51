"""Empathy and recovery: what the customer went through, and what we do about what went wrong on our side.

Split from `engine.behaviours` (which lists all nine rules) to keep files small; same reading, same
rule book sections (`[empathy]`, `[recovery]`).
"""

import re

from attent.coach.engine.reading import Reading
from attent.coach.engine.verdicts import MET, MISSED, NA, Verdict, verdict
from attent.coach.engine.verdicts import lines_text as n

_CONTENT = re.compile(r"[a-z][a-z'-]{3,}")


def _content_words(r: Reading, text: str) -> set[str]:
    """The first five letters of the words of `text` that can name a situation (the rule book's
    `[empathy] not_content` and the language words cannot)."""
    stop = r.rules.empathy.not_content
    return {w[:5] for w in _CONTENT.findall(text) if w not in stop}


def _failures(r: Reading) -> list[int]:
    """Lines that report something of ours going wrong: the customer's report, or the agent's admission
    (naming our fault, or naming the failure and saying sorry for it)."""
    if "failures" not in r.memo:
        r.memo["failures"] = [
            i for i in range(len(r.speaker))
            if (r.speaker[i] == "customer" and r.has(i, "recovery", "failure"))
            or (r.speaker[i] == "agent" and r.has(i, "recovery", "admitted"))
            or (r.speaker[i] == "agent" and r.has(i, "recovery", "failure")
                and (r.has(i, "recovery", "apology") or _ours(r, i) or _found(r, i)))
        ]  # fmt: skip
    return r.memo["failures"]  # type: ignore[return-value]


def _ours(r: Reading, i: int) -> bool:
    """An agent sentence that names a failure and our side in one breath ("the courier left it next door",
    "het magazijn heeft de verkeerde gestuurd"): an admission without the words 'our fault'."""
    return r.has(i, "recovery", "our_side") and any(
        r.has_text(i, text, "recovery", "failure") and r.has_text(i, text, "recovery", "our_side")
        for _, text in r.sentences(i)
    )


def _found(r: Reading, i: int) -> bool:
    """An agent sentence that reports a failure found in our records ("our records show the debit was
    collected twice", "ik zie in de scans dat de doos al kapot was"): a finding, not an echo."""
    return r.has(i, "recovery", "found") and any(
        r.has_text(i, text, "recovery", "failure") and r.has_text(i, text, "recovery", "found")
        for _, text in r.sentences(i)
    )


def _sorry(r: Reading) -> list[int]:
    """Agent lines that say sorry, formulas included; not for the wait, not 'sorry, what did you say?'."""
    return [
        i for i in r.agent
        if r.has(i, "recovery", "apology")
        and not r.has(i, "recovery", "wait_apology")
        and not r.has(i, "recovery", "pardon")
    ]  # fmt: skip


def _apologies(r: Reading) -> list[int]:
    """Sorry for something of ours: not a formula ('sorry for the inconvenience', 'sorry to hear that')."""
    return [i for i in _sorry(r) if not r.has(i, "recovery", "not_about_us")]


# The thresholds below (how many words make a statement, a situation, a backchannel, a mirrored answer)
# are the rule book's `[empathy]` in common.toml (`RuleSet.empathy`).


def _statements(r: Reading, i: int) -> list[str]:
    """The sentences of an agent line that say something (not a question, not "Beste mevrouw Smit,")."""
    return [
        text
        for _, text in r.sentences(i)
        if not text.rstrip().endswith("?") and len(text.split()) >= r.rules.empathy.min_words
    ]


def _mirrors(r: Reading, i: int, turn: set[str]) -> bool:
    """A sentence of the agent's repeats the customer's own situation ("seven people and only cold
    showers") rather than asking for data."""
    need = r.rules.empathy.mirrored_words
    return any(len(_content_words(r, text) & turn) >= need for text in _statements(r, i))


def _situation(r: Reading, i: int) -> bool:
    """An acknowledgement that goes on to name the situation ("wat akelig, en dan ook nog 's avonds laat
    onderweg"), not a formula on its own: the long sentence is the acknowledgement's own, not the plan that
    follows it ("Wat jammer! Ik mail u morgen een retourlabel; ..." names no situation)."""
    return any(
        len(text.split()) >= r.rules.empathy.situation_words and r.has_text(i, text, "empathy", "acknowledge")
        for text in _statements(r, i)
    )


def empathy(r: Reading) -> Verdict:
    """Met when the agent names the impact in the customer's own terms; formulaic politeness misses.

    In their terms: an acknowledgement that repeats a word of the customer's, or the agent's first words
    after the customer showed an impact repeating that situation back.
    """
    heard: set[str] = set()
    turn: set[str] = set()  # the customer's words since the agent last spoke
    in_their_terms, plain = [], []
    impact = pending = False
    for i in range(len(r.speaker)):
        if r.speaker[i] == "customer":
            words = _content_words(r, r.text[i])
            heard |= words
            turn |= words
            if r.has(i, "empathy", "impact") or r.has(i, "recovery", "failure"):
                impact = pending = True
        elif r.speaker[i] == "agent":
            acknowledges = r.has(i, "empathy", "acknowledge")
            if (
                (acknowledges and _content_words(r, r.text[i]) & heard)
                or (pending and _mirrors(r, i, turn))
                or (acknowledges and _situation(r, i))
            ):
                in_their_terms.append(i)
            elif acknowledges or r.has(i, "empathy", "formulaic"):
                plain.append(i)
            if r.words(i) > r.rules.empathy.backchannel_words:
                turn, pending = set(), False
    if in_their_terms:
        return verdict(
            "empathy",
            MET,
            in_their_terms,
            "Named what it means for the customer (line {lines}).",
            lines=n(in_their_terms),
        )
    said_sorry = any(r.has(i, "empathy", "acknowledge") or r.has(i, "recovery", "apology") for i in plain)
    if impact or _failures(r) or _apologies(r) or said_sorry:
        if plain:
            return verdict("empathy", MISSED, plain, "Only politeness, not what it means for the customer.")
        return verdict("empathy", MISSED, plain, "The impact went unnamed.")
    return verdict("empathy", NA, [], "Nothing went wrong for the customer.")


def _offer_sentence(r: Reading, i: int, text: str) -> bool:
    """A sentence that offers a remedy: says it (not asks it), without a refusal or a mere intention to
    look ("I'll see what I can do"), and more than the normal service (an engineer to fix what broke)."""
    if text.rstrip().endswith("?") or r.has_text(i, text, "recovery", "remedy_refused"):
        return False
    if r.has_text(i, text, "recovery", "service"):  # "the engineer replaces the modem": the repair itself
        return False
    return r.has_text(i, text, "recovery", "remedy") or r.has_text(i, text, "recovery", "gesture")


def _offers(r: Reading) -> list[int]:
    """Agent lines that offer to make it right; a recap ("So: ...") repeats an offer, it makes none,
    and counts only where no earlier line made one (worked out once: `recovery` may ask twice)."""
    if "offers" not in r.memo:
        r.memo["offers"] = _find_offers(r)
    return r.memo["offers"]  # type: ignore[return-value]


def _find_offers(r: Reading) -> list[int]:
    offers: list[int] = []
    recaps: list[int] = []
    for i in r.agent:
        if not (r.has(i, "recovery", "remedy") or r.has(i, "recovery", "gesture")):
            continue
        ruled_out = r.has(i, "recovery", "remedy_refused") or r.has(i, "recovery", "service")
        plain = "?" not in r.text[i] and not ruled_out  # no sentence to rule out
        if plain or any(_offer_sentence(r, i, text) for _, text in r.sentences(i)):
            (recaps if r.has(i, "next_step", "recap") else offers).append(i)
    return offers or recaps


def _limitation(r: Reading, i: int) -> bool:
    """Sorry for what cannot be done ("eerder is niet mogelijk, sorry"): a limit, not a failure of ours."""
    return (
        r.has(i, "recovery", "remedy_refused")
        and any(
            r.has_text(i, text, "recovery", "apology") and r.has_text(i, text, "recovery", "remedy_refused")
            for _, text in r.sentences(i)
        )
        and not r.has(i, "recovery", "failure")
    )


def _stated(r: Reading) -> list[int]:
    """Agent lines that state a failure as a fact, not as an echo of the customer's situation."""
    return [
        i for i in r.agent
        if r.has(i, "recovery", "failure") and not r.has(i, "empathy", "acknowledge")
    ]  # fmt: skip


def _not_ours(r: Reading) -> bool:
    """The agent says it is not ours, or the customer owns the mistake ("sorry, I typed it wrong"), and the
    agent admits nothing of ours."""
    return (
        any(r.has(i, "recovery", "not_ours") for i in r.agent)
        or any(r.has(i, "recovery", "own_fault") for i in r.customer)
    ) and not any(r.has(i, "recovery", "admitted") for i in r.agent)


def recovery(r: Reading) -> Verdict:
    """Where something went wrong on our side, met when the agent offers to make it right, not only sorry.

    Our side went wrong when a line reports a failure of ours (never arrived, charged twice, our mistake),
    or the agent apologises for something (not a formula, not a limit) or compensates "for the trouble";
    an agent who says it is not ours (the employer paid late), or a customer who owns the mistake ("I typed
    the wrong house number"), makes it `na` when the agent admits nothing. A remedy alone does not say
    something went wrong; a remedy after the agent stated a failure as a fact (not an echo of the customer's
    situation: "the box was damaged in transit") does. The remedy must be offered: stated, not asked or
    refused, and more than the service itself (the engineer who repairs what broke, the policy paying out up
    to its limit, is the service, not its recovery).
    """
    went_wrong = (
        _failures(r)
        or [i for i in _apologies(r) if not _limitation(r, i)]
        or [i for i in r.agent if r.has(i, "recovery", "gesture")]
        or (_stated(r) and _offers(r))
    )
    if not went_wrong or _not_ours(r):
        return verdict("recovery", NA, [], "Nothing went wrong on our side.")
    remedies = _offers(r)
    if remedies:
        return verdict(
            "recovery", MET, remedies, "Offered to make it right (line {lines}).", lines=n(remedies)
        )
    said = _sorry(r)
    if said:
        return verdict("recovery", MISSED, said, "Only an apology, no remedy offered.")
    return verdict("recovery", MISSED, said, "Something went wrong, no remedy offered.")
