"""The organisation's promise rules as admins read and set them (timings, customer messages)."""

from typing import Any

from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import require_role
from attent.organisations import Organisation
from attent.promises.schemas import PromiseSettings
from attent.promises.service import policy_for


def promise_settings(*, db: Session, actor: Agent) -> dict[str, Any]:
    """The organisation's promise rules with every default filled in, as the settings page shows them."""
    policy = policy_for(db=db, organisation_id=actor.organisation_id)
    return {
        "at_risk_minutes": {kind: int(t.total_seconds() // 60) for kind, t in policy.at_risk_before.items()},
        "grace_minutes": int(policy.grace.total_seconds() // 60),
        "dropped_callback_minutes": int(policy.dropped_callback_within.total_seconds() // 60),
        "tell_customer": policy.tell_customer,
    }


def set_promise_settings(*, db: Session, actor: Agent, data: PromiseSettings) -> dict[str, Any]:
    """Admins set the rules; they apply to promises made from now on (made ones keep their times)."""
    require_role(actor, Role.ADMIN)
    org = db.get(Organisation, actor.organisation_id)
    assert org is not None
    org.settings = {**org.settings, "promises": data.model_dump(mode="json")}
    db.flush()
    return promise_settings(db=db, actor=actor)
