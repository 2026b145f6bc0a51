"""The nine behaviours, each a small rule over the shared reading; every verdict names its lines.

The phrase lists live in `rules/{nl,en}.toml`; these functions only say how the lists combine.
"""

from collections.abc import Callable

from attent.coach.engine.care import empathy, recovery
from attent.coach.engine.promises import commits_to_a_time, kind_named, names_a_time, timed_kinds
from attent.coach.engine.reading import Reading
from attent.coach.engine.verdicts import MET, MISSED, NA, Verdict, verdict
from attent.coach.engine.verdicts import lines_text as n

# The kinds of data asking for is a miss (unless the policy asks them) are the rule book's: the keys of
# common.toml's `[policy_facts]`, in its order (`RuleSet.forbidden`), each a list of `[minimal_verification]`.


def _asks_data(r: Reading, i: int, sentence: str) -> bool:
    """A question or request for data: 'Mag ik uw postcode?', 'Order number?', 'Postcode please.'"""
    if not r.has_text(i, sentence, "explains_why", "data"):
        return False
    words, asks = len(sentence.split()), r.has_text(i, sentence, "explains_why", "asks")
    if sentence.rstrip().endswith("?"):
        return asks or words <= 8
    requests = asks and r.has_text(i, sentence, "explains_why", "requests")  # not "which is odd"
    return (requests and words <= 20) or (words <= 8 and r.has_text(i, sentence, "explains_why", "terse"))


def data_requests(r: Reading) -> list[int]:
    """Agent lines that ask the customer for a piece of data."""
    if "asks" not in r.memo:
        r.memo["asks"] = [i for i in r.agent if any(_asks_data(r, i, text) for _, text in r.sentences(i))]
    return r.memo["asks"]  # type: ignore[return-value]


def _neighbours(r: Reading, i: int, window: int) -> list[int]:
    """Agent lines right before and after `i` in the same turn (no customer line between)."""
    out = []
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(r.speaker) and abs(j - i) <= window and r.speaker[j] == "agent":
            out.append(j)
            j += step
    return out


def explains_why(r: Reading) -> Verdict:
    """Met when every request for data comes with a reason in the same turn."""
    asks, window = data_requests(r), r.rules.reason_window_lines
    if not asks:
        return verdict("explains_why", NA, [], "No data was asked for.")
    bare = [
        i for i in asks
        if not any(r.has(j, "explains_why", "reasons") for j in [i, *_neighbours(r, i, window)])
    ]  # fmt: skip
    if bare:
        return verdict(
            "explains_why", MISSED, bare, "Asked for data without saying why (line {lines}).", lines=n(bare)
        )
    return verdict(
        "explains_why", MET, asks, "Said why with every request for data (line {lines}).", lines=n(asks)
    )


def _asks(r: Reading, i: int) -> bool:
    return r.has(i, "explains_why", "asks") or "?" in r.text[i]


def _forbidden(r: Reading, i: int) -> str | None:
    """The kind of data line `i` asks for that the policy does not need, if any."""
    if not _asks(r, i):
        return None
    forbidden = r.rules.forbidden
    if r.has(i, "minimal_verification", "negations") or r.has_none(i, "minimal_verification", forbidden):
        return None
    for kind in forbidden:
        if kind in r.allowed_facts or not r.has(i, "minimal_verification", kind):
            continue
        if kind == "full_address" and r.has(i, "minimal_verification", "shipping"):
            continue  # where a parcel goes is not verification
        return kind
    return None


def minimal_verification(r: Reading) -> Verdict:
    """Missed when the agent asks for a fact the policy does not require (date of birth, PIN, ...)."""
    bad = [i for i in r.agent if _forbidden(r, i)]
    if bad:
        kinds = ", ".join(sorted({k for i in bad if (k := _forbidden(r, i))}))
        return verdict(
            "minimal_verification",
            MISSED,
            bad,
            "Asked for more than the policy needs ({kinds}; line {lines}).",
            lines=n(bad),
            kinds=kinds,
        )
    good = [
        i for i in r.agent
        if r.has(i, "minimal_verification", "allowed") and _asks(r, i)
        and not r.has(i, "minimal_verification", "not_verification")
    ]  # fmt: skip
    if good:
        return verdict(
            "minimal_verification",
            MET,
            good,
            "Asked only what the policy asks (line {lines}).",
            lines=n(good),
        )
    return verdict("minimal_verification", NA, [], "Nothing was verified.")


def _is_filler(r: Reading, i: int) -> bool:
    """'Momentje' (or 'right' before a silence) and nothing else, and no line around says what is done."""
    if r.words(i) > r.lang(i).filler_max_words:
        return False
    if not r.has(i, "narrates", "fillers"):
        nxt = i + 1
        quiet = nxt < len(r.speaker) and (
            (r.gap_before(nxt) or 0) > r.rules.silent_gap_seconds
            or (r.speaker[nxt] == "system" and r.has_any_language(nxt, "holds", "hold"))
        )
        if not (quiet and r.has(i, "narrates", "acknowledgements")):
            return False
    return not any(r.has(j, "narrates", "doing") for j in [i, *_neighbours(r, i, 1)])


def _left_waiting(r: Reading, i: int) -> bool:
    """Whether agent line `i` left the customer waiting on the agent: a few words ("right.", "one moment"), a
    hold, or work begun now ("ik kijk het even na"). After a whole answer, or a promise to come back later
    ("ik bel u vóór 16:30 terug"), the next turn is the customer's, and a pause before it is theirs."""
    if r.words(i) <= r.lang(i).filler_max_words or r.has(i, "narrates", "fillers"):
        return True
    if r.has_any_language(i, "holds", "hold"):
        return True
    later = r.has(i, "promises", "callback") or r.has(i, "promises", "follow_up")
    return r.has(i, "narrates", "doing") and not later


def hold_events(r: Reading) -> list[int]:
    """Lines where a hold starts or a silence ends that the customer sat through."""
    if "holds" not in r.memo:
        r.memo["holds"] = _hold_events(r)
    return r.memo["holds"]  # type: ignore[return-value]


def _hold_events(r: Reading) -> list[int]:
    events = []
    for i in range(len(r.speaker)):
        gap = r.gap_before(i)
        if gap is not None and gap > r.rules.silent_gap_seconds:
            prev = i - 1
            customer_was_busy = r.speaker[prev] == "agent" and (
                "?" in r.text[prev] or r.has(prev, "explains_why", "asks")
            )
            if r.speaker[i] != "customer" or (
                r.speaker[prev] == "agent" and not customer_was_busy and _left_waiting(r, prev)
            ):
                events.append(i)
                continue
        if r.speaker[i] != "customer" and r.has_any_language(i, "holds", "hold"):
            events.append(i)
    return events


def narrates(r: Reading) -> Verdict:
    """Met when the agent says what they are doing; missed on a bare 'momentje' or silent work."""
    if r.transcript.channel == "email":
        return verdict("narrates", NA, [], "An e-mail: no live work to narrate.")
    fillers = [i for i in r.agent if _is_filler(r, i)]
    mute = [i for i in _mute_holds(r) if i not in fillers]  # a silent hold is work unsaid
    if fillers:
        return verdict(
            "narrates",
            MISSED,
            fillers + mute,
            "Said only 'one moment', not what was happening (line {lines}).",
            lines=n(fillers),
        )
    if mute:  # no 'momentje' was said: the reason must not claim one
        return verdict(
            "narrates",
            MISSED,
            mute,
            "Hold or silence without saying what was being done (line {lines}).",
            lines=n(mute),
        )
    doing = [i for i in r.agent if r.has(i, "narrates", "doing")]
    if doing:
        return verdict("narrates", MET, doing, "Said what was being done (line {lines}).", lines=n(doing))
    work = hold_events(r) + data_requests(r)
    if work:
        return verdict("narrates", MISSED, hold_events(r), "Worked without saying what was happening.")
    return verdict("narrates", NA, [], "Nothing had to be looked up.")


def _episodes(events: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for i in events:
        if out and i - out[-1][-1] <= 2:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def _classified_holds(r: Reading) -> tuple[list[int], list[int], list[int]]:
    """Hold and silence lines split into silent ones, announced ones, and holds to catch up on a colleague."""
    if "classified_holds" in r.memo:
        return r.memo["classified_holds"]  # type: ignore[return-value]
    silent: list[int] = []
    told: list[int] = []
    colleague: list[int] = []
    mute: list[int] = []
    for episode in _episodes(hold_events(r)):
        first = episode[0]
        before = [
            j for j in range(max(0, first - r.rules.announce_window_lines), first) if r.speaker[j] == "agent"
        ]
        own = [j for j in episode if r.speaker[j] == "agent" and r.has_any_language(j, "holds", "hold")]
        window = before + own
        if any(r.has(j, "holds", "colleague") for j in window):
            colleague += episode + [j for j in window if r.has(j, "holds", "colleague")]
            continue
        what = any(r.has(j, "narrates", "doing") or r.has(j, "holds", "purpose") for j in window)
        how_long = any(r.times(j) for j in window)
        if what and how_long:
            told.extend(episode + window)
        else:
            silent.extend(episode)
            if not what:
                mute.extend(episode)
    r.memo["classified_holds"] = (silent, told, colleague)
    r.memo["mute_holds"] = mute
    return silent, told, colleague


def _mute_holds(r: Reading) -> list[int]:
    """Holds and silences with no word of what the agent was doing (how long aside): a narrates miss."""
    _classified_holds(r)
    return r.memo["mute_holds"]  # type: ignore[return-value]


def no_silent_hold(r: Reading) -> Verdict:
    """Every hold or long silence announced first with what and how long; never to catch up on a colleague."""
    if not hold_events(r):
        return verdict("no_silent_hold", NA, [], "No hold and no silence.")
    silent, told, colleague = _classified_holds(r)
    if colleague:
        return verdict(
            "no_silent_hold",
            MISSED,
            colleague,
            "Put the customer on hold to find out what a colleague already did (line {lines}).",
            lines=n(colleague),
        )
    if silent:
        return verdict(
            "no_silent_hold",
            MISSED,
            silent,
            "Hold or silence without first saying what and how long (line {lines}).",
            lines=n(silent),
        )
    return verdict(
        "no_silent_hold",
        MET,
        told,
        "Every hold announced first with what and how long (line {lines}).",
        lines=n(told),
    )


def _at_known_moment(r: Reading, i: int) -> bool:
    """A commitment for a moment both sides know without a clock ("bij aankomst", "on his birthday")."""
    return r.has(i, "expectation", "anchored") and r.has(i, "next_step", "commit")


def commitments(r: Reading) -> list[int]:
    """Agent lines that say what happens next (someone will do something)."""
    return [i for i in r.agent if r.has(i, "next_step", "commit")]


def _timed_later(r: Reading, i: int, concrete: list[int]) -> bool:
    """'An appointment soon', then 'booked for tomorrow at 10:40': the same step got a concrete time later."""
    kind = kind_named(r, i)
    return kind is not None and any(j > i and kind in timed_kinds(r, j) for j in concrete)


def sets_expectation(r: Reading) -> Verdict:
    """Met on a concrete time or duration for the next step; vague times ('zo snel mogelijk') miss."""
    vague = [i for i in r.agent if r.has(i, "expectation", "vague") and not r.times(i)]
    # Not "normally 3 to 5 days", not "see you soon"; "on his birthday" is a moment both sides know.
    concrete = [i for i in r.agent if names_a_time(r, i) or _at_known_moment(r, i)]
    vague = [i for i in vague if not _timed_later(r, i, concrete)]
    if vague:
        return verdict(
            "sets_expectation", MISSED, vague, "Gave only a vague time (line {lines}).", lines=n(vague)
        )
    if concrete:
        return verdict(
            "sets_expectation",
            MET,
            concrete,
            "Gave a concrete time or duration (line {lines}).",
            lines=n(concrete),
        )
    if commitments(r):
        return verdict("sets_expectation", MISSED, [], "There was a next step, but no time for it.")
    return verdict("sets_expectation", NA, [], "No next step to time.")


NEXT_STEP_CUES = (("next_step", "commit"), ("promises", "other"))


def _recap(r: Reading, i: int) -> bool:
    """A sentence of line `i` opens a recap ("Gelukt. Dus: maandag ..."), not only the line's first one."""
    return any(r.has_text(i, sentence, "next_step", "recap") for _, sentence in r.sentences(i))


def _ending(r: Reading) -> list[int]:
    end = r.dropped if r.dropped is not None else len(r.speaker)
    agent = [i for i in r.agent if i < end]
    return agent[-r.rules.closing_agent_lines :]


def confirms_next_step(r: Reading, promised: bool = False) -> Verdict:
    """Before the end, the agent says what happens next, who does it and when."""
    ending = _ending(r)
    timeless_recap = [
        i for i in ending
        if _recap(r, i) and r.has(i, "next_step", "commit") and not r.times(i)
    ]  # fmt: skip
    if timeless_recap:  # "So we'll send you a new box.": the closing recap leaves out when
        return verdict(
            "confirms_next_step",
            MISSED,
            timeless_recap,
            "Summed up the next step without saying when (line {lines}).",
            lines=n(timeless_recap),
        )
    confirmed = [
        i for i in ending
        if (r.times(i) and _recap(r, i))
        or (names_a_time(r, i) and any(r.has(i, section, name) for section, name in NEXT_STEP_CUES))
        or commits_to_a_time(r, i)
        or _at_known_moment(r, i)
    ]  # fmt: skip
    if confirmed:
        return verdict(
            "confirms_next_step",
            MET,
            confirmed,
            "Ended with what happens next, who does it and when (line {lines}).",
            lines=n(confirmed),
        )
    if (  # a dropped call is judged on what happened before the drop
        commitments(r) or promised or any(r.has(i, "expectation", "vague") for i in ending)
    ):
        return verdict(
            "confirms_next_step", MISSED, [], "Ended without confirming the next step (what, who, when)."
        )
    return verdict("confirms_next_step", NA, [], "Nothing happens next.")


def closing_check(r: Reading) -> Verdict:
    """Met when the agent checks whether everything is answered before ending."""
    half = len(r.speaker) // 2
    asked = [i for i in r.agent if i >= half and r.has(i, "closing_check", "ask")]
    if asked:
        return verdict(
            "closing_check",
            MET,
            asked,
            "Checked whether everything was answered (line {lines}).",
            lines=n(asked),
        )
    if r.dropped is not None:
        return verdict("closing_check", NA, [r.dropped], "The contact was cut off.")
    return verdict("closing_check", MISSED, [], "Ended without checking whether everything was answered.")


RULES: dict[str, Callable[[Reading], Verdict]] = {
    "explains_why": explains_why,
    "minimal_verification": minimal_verification,
    "narrates": narrates,
    "no_silent_hold": no_silent_hold,
    "sets_expectation": sets_expectation,
    "empathy": empathy,
    "recovery": recovery,
    "confirms_next_step": confirms_next_step,
    "closing_check": closing_check,
}
