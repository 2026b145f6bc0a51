"""The default verification policy, the facts a policy may never ask for, and reading the stored one.

A policy lives in `organisations.settings["verification"]`, beside the promise timing rules, rather
than in a table of its own: it is small, always read and replaced whole, never queried by its parts,
and an organisation that never edits it simply gets the defaults (no rows to seed, no migration when
a question grows a field). Attempts are not stored apart either: they are the `verification.*`
events on the case's timeline, which is the record the issue asks for anyway.
"""

from typing import Any

from attent.core.errors import FieldError, Invalid
from attent.core.i18n import Label
from attent.core.schemas import Bilingual
from attent.verification.schemas import Policy, Question

SETTINGS_KEY = "verification"

# Asking these exposes more than it protects (the articles' "date of birth and address" lesson), and
# they are what leaks elsewhere; a policy that names one of them is refused.
FORBIDDEN = {
    "birthday": "date of birth",
    "birth_date": "date of birth",
    "birthdate": "date of birth",
    "date_of_birth": "date of birth",
    "dob": "date of birth",
    "geboortedatum": "date of birth",
    "verjaardag": "date of birth",
    "address": "full address",
    "full_address": "full address",
    "home_address": "full address",
    "postal_address": "full address",
    "street_address": "full address",
    "street": "full address",
    "adres": "full address",
    "woonadres": "full address",
    "volledig_adres": "full address",
    "straat": "full address",
}

DEFAULT_POLICY = Policy(
    questions=[
        Question(
            key="email",
            label=Bilingual(nl="e-mailadres bij ons bekend", en="e-mail on file"),
            fact="customer.email",
            sensitivity=1,
            why=Bilingual(
                nl="Ik vraag naar uw e-mailadres om zeker te weten dat ik met de juiste persoon spreek; "
                "dan hoef ik niets gevoeligers te vragen.",
                en="I ask for your e-mail address to be sure I am speaking with the right person; "
                "then I need not ask for anything more personal.",
            ),
        ),
        Question(
            key="order_number",
            label=Bilingual(nl="bestelnummer", en="order number"),
            fact="customer.refs.order",
            sensitivity=1,
            why=Bilingual(
                nl="Met uw bestelnummer weet ik zeker dat het om uw bestelling gaat, "
                "zonder naar persoonlijke gegevens te vragen.",
                en="Your order number tells me it is your order, without asking for personal details.",
            ),
        ),
        Question(
            key="postcode_house_number",
            label=Bilingual(nl="postcode en huisnummer", en="postcode and house number"),
            fact="customer.facts.postcode+customer.facts.house_number",
            sensitivity=2,
            why=Bilingual(
                nl="Ik vraag alleen uw postcode en huisnummer, om te controleren dat ik met u spreek; "
                "uw volledige adres heb ik niet nodig.",
                en="I only ask for your postcode and house number, to check that I am speaking with you; "
                "I do not need your full address.",
            ),
        ),
        Question(
            key="iban_last4",
            label=Bilingual(nl="laatste vier cijfers van de IBAN", en="last four digits of the IBAN"),
            fact="customer.facts.iban_last4",
            sensitivity=3,
            why=Bilingual(
                nl="Omdat het om geld gaat, vraag ik de laatste vier cijfers van uw rekeningnummer; "
                "nooit het hele nummer.",
                en="Because money is involved, I ask for the last four digits of your account number; "
                "never the whole number.",
            ),
        ),
    ]
)


def fact_parts(fact: str) -> list[str]:
    """The sources a fact joins, e.g. ['customer.facts.postcode', 'customer.facts.house_number']."""
    return fact.split("+")


def check_policy(policy: Policy) -> None:
    """Refuse duplicate keys and questions about date of birth or the full address, naming the field."""
    errors, seen = [], set()
    for i, question in enumerate(policy.questions):
        if question.key in seen:
            errors.append(
                FieldError(("questions", i, "key"), "Question “{key}” appears twice.", {"key": question.key})
            )
        seen.add(question.key)
        for part in fact_parts(question.fact):
            name = part.rsplit(".", 1)[-1].replace("-", "_")
            if name in FORBIDDEN:
                errors.append(
                    FieldError(
                        ("questions", i, "fact"),
                        "Attent never asks for the {what} ({fact}); "
                        "ask an e-mail address, order number or postcode and house number instead.",
                        {"what": Label(FORBIDDEN[name], "fact"), "fact": part},
                    )
                )
    if errors:
        raise Invalid(
            "invalid_verification_policy", "The verification policy cannot be saved as given.", errors
        )


def policy_of(settings: dict[str, Any]) -> Policy:
    """The organisation's policy, or the default when it never set one."""
    stored = settings.get(SETTINGS_KEY)
    return Policy.model_validate(stored) if stored else DEFAULT_POLICY


def by_sensitivity(policy: Policy) -> list[Question]:
    """The questions, least sensitive first (the order they are offered in); ties keep policy order."""
    return sorted(policy.questions, key=lambda q: q.sensitivity)
