"""A customer's details that answer a verification question are shown masked, to everyone.

Whoever verifies a caller must not be able to read the answer off the screen: the value on file is
only ever compared (verification/service.py). Which details those are is the verification domain's
to say (the questions of the organisation's policy, plus dates of birth and addresses, which a
policy may never ask but which are the classic answers elsewhere); this module only hides them. An
e-mail address keeps its first letter and domain and a phone number its last two digits, so a
colleague can still say where a message went; everything else is hidden whole.
"""

from dataclasses import dataclass
from typing import Any

MASK = "••••"


def _name(key: str) -> str:
    return key.strip().lower().replace("-", "_").replace(" ", "_")


def mask_email(value: str) -> str:
    """'m••••@example.nl': enough to say where a message went, not enough to answer the question."""
    local, at, domain = value.partition("@")
    return f"{local[:1] if len(local) > 1 else ''}{MASK}{at}{domain}"


def mask_phone(value: str) -> str:
    """'••••67': the last two digits, as a bank's letter shows them."""
    digits = [c for c in value if c.isdigit()]
    return MASK + "".join(digits[-2:]) if len(digits) > 4 else MASK


@dataclass(frozen=True)
class Hidden:
    """Which details of an organisation's customers are verification answers.

    `sources` are fact paths as verification policies write them (`customer.email`, `customer.phone`,
    `customer.refs.<system>`, `customer.facts.<key>`); `fact_names` are fact keys hidden whatever the
    policy asks (compared after lowercasing, with '-' and spaces as '_').
    """

    sources: frozenset[str]
    fact_names: frozenset[str] = frozenset()

    @property
    def hides_email(self) -> bool:
        """Whether the e-mail address answers a question."""
        return "customer.email" in self.sources

    @property
    def hides_phone(self) -> bool:
        """Whether the phone number answers a question."""
        return "customer.phone" in self.sources

    def email(self, value: str | None) -> str | None:
        """The e-mail address as it may be shown."""
        return mask_email(value) if value and self.hides_email else value

    def phone(self, value: str | None) -> str | None:
        """The phone number as it may be shown."""
        return mask_phone(value) if value and self.hides_phone else value

    def hides_ref(self, system: str) -> bool:
        """Whether a reference in this system answers a question."""
        return f"customer.refs.{system}" in self.sources

    def hides_fact(self, key: str) -> bool:
        """Whether this consented fact answers a question (or is a date of birth or an address)."""
        return f"customer.facts.{key}" in self.sources or _name(key) in self.fact_names

    def refs(self, refs: dict[str, str]) -> dict[str, str]:
        """The references as they may be shown."""
        return {system: MASK if self.hides_ref(system) else value for system, value in refs.items()}

    def facts(self, facts: dict[str, Any]) -> dict[str, Any]:
        """Stored facts ({key: {value, consent, recorded_at}}) with the hidden values masked."""
        shown: dict[str, Any] = {}
        for key, fact in facts.items():
            if not self.hides_fact(key):
                shown[key] = fact
            elif isinstance(fact, dict):
                shown[key] = {**fact, "value": MASK}
            else:
                shown[key] = MASK
        return shown

    def masked(
        self, *, email: str | None, phone: str | None, refs: dict[str, str], facts: dict[str, Any]
    ) -> list[str]:
        """JSON pointers of the details shown masked, so a client knows a value is not the real one."""
        paths = ["/email"] if email and self.hides_email else []
        paths += ["/phone"] if phone and self.hides_phone else []
        paths += [f"/external_refs/{_pointer(s)}" for s in sorted(refs) if self.hides_ref(s)]
        paths += [f"/facts/{_pointer(k)}" for k in sorted(facts) if self.hides_fact(k)]
        return paths


def _pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
