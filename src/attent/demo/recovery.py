"""Recovery in the demo: the coffee shop's missing parcel gets its suggestion from the default ladder
(first failure: a small gift and a replacement); the villa's birthday surprise waits for a lead."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.cases import Case
from attent.core.schemas import Bilingual
from attent.organisations.service import find_organisation
from attent.recovery import CatalogueGesture, GestureKind
from attent.recovery.policy import DEFAULT_CATALOGUE, DEFAULT_POLICY, save_catalogue, save_policy
from attent.recovery.service import suggest_gesture

CAKE = CatalogueGesture(
    code="birthday_cake",
    kind=GestureKind.SMALL_ATTENTION,
    name=Bilingual(nl="Verjaardagstaart en een fles wijn", en="Birthday cake and a bottle of local wine"),
    description=Bilingual(nl="Op het terras, op de dag zelf.", en="On the terrace, on the day itself."),
    cost_cents=4500,
    currency="EUR",
)


def load_recovery(db: Session, now: datetime) -> None:
    """The villa offers a birthday cake (above the threshold, so a lead approves it), and suggests one."""
    villa = find_organisation(db=db, slug="villa-oleander")
    catalogue = DEFAULT_CATALOGUE.model_copy(update={"gestures": [*DEFAULT_CATALOGUE.gestures, CAKE]})
    save_catalogue(org=villa, catalogue=catalogue)
    policy = DEFAULT_POLICY.model_copy(
        update={"failure_types": ["late_arrival", "damaged"], "occasions": {"birthday": "birthday_cake"}}
    )
    save_policy(org=villa, policy=policy)
    birthday = db.scalar(select(Case).where(Case.organisation_id == villa.id, Case.type == "surprise"))
    assert birthday is not None
    why = "Tom turns 50 on the 3rd day of the stay; Sarah asked us to surprise him."
    suggest_gesture(
        db=db,
        organisation_id=villa.id,
        customer_id=birthday.customer_id,
        case_id=birthday.id,
        reason=why,
        occasion="birthday",
        gesture_code=None,
        source="rule:birthday-during-stay",
        at=now,
    )
    db.flush()
