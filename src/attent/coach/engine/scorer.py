"""Score one transcript: nine verdicts with evidence, the promises made, and the contact's language."""

from collections.abc import Iterable

from attent.coach.engine.behaviours import RULES, confirms_next_step
from attent.coach.engine.due import BusinessHours
from attent.coach.engine.promises import extract
from attent.coach.engine.reading import Reading
from attent.coach.engine.rules import RuleSet, load_rules
from attent.coach.engine.transcript import Transcript
from attent.coach.engine.verdicts import NA, Scorecard, verdict


def allowed_by_policy(facts: Iterable[str], rules: RuleSet | None = None) -> frozenset[str]:
    """The kinds of sensitive data the organisation's verification policy does ask for.

    `facts` are policy fact paths such as 'customer.facts.iban' or 'customer.email+customer.phone'.
    """
    rules = rules or load_rules()
    names = {part.rsplit(".", 1)[-1].replace("-", "_") for fact in facts for part in fact.split("+")}
    return frozenset(kind for kind, known in rules.policy_facts.items() if names & known)


def score(
    transcript: Transcript,
    *,
    policy_facts: Iterable[str] = (),
    hours: BusinessHours | None = None,
    rules: RuleSet | None = None,
) -> Scorecard:
    """The scorecard for one contact; an empty transcript gets nine 'na' verdicts and no promises."""
    rules = rules or load_rules()
    reading = Reading(
        transcript,
        rules,
        hours or BusinessHours(rules.business_days, rules.business_start, rules.business_end),
        allowed_by_policy(policy_facts, rules),
    )
    promises = extract(reading)
    verdicts = tuple(
        confirms_next_step(reading, bool(promises)) if name == "confirms_next_step" else RULES[name](reading)
        for name in rules.behaviours
    )
    if not reading.agent:  # nothing the agent said can be judged
        verdicts = tuple(verdict(v.behaviour, NA, [], "No agent lines.") for v in verdicts)
    return Scorecard(
        language=reading.language,
        mixed=reading.mixed,
        verdicts=verdicts,
        promises=tuple(promises),
        line_languages=tuple(reading.line_lang),
    )
