"""Honest expectations: the customer hears what we promised, and hears it from us when it slips.

Where the organisation has switched customer messages on (`settings["promises"]["tell_customer"]`),
a promise made with `tell_customer` puts a message in the outbox in the same transaction ("We bellen
u vandaag uiterlijk om 14:15 terug"), and the at-risk transition puts an honest update there before
the promise can break. The worker delivers both after commit; each is queued once, by its key.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from attent.cases import Case
from attent.channels.service import queue_message
from attent.core.when import say_when
from attent.customers import Customer
from attent.organisations import Organisation
from attent.promises.kinds import PromiseAtRisk, PromiseMade
from attent.promises.models import Promise
from attent.timeline import Kind

TEMPLATES: dict[type[Kind], str] = {PromiseMade: "promise_made", PromiseAtRisk: "promise_at_risk"}


def tell_customer(*, db: Session, promise: Promise, event: type[Kind], at: datetime) -> None:
    """Queue the customer's message for this moment of the promise (made, or at risk)."""
    case = db.get(Case, (promise.organisation_id, promise.case_id))
    customer = db.get(Customer, (promise.organisation_id, promise.customer_id))
    organisation = db.get(Organisation, promise.organisation_id)
    assert case is not None
    assert customer is not None
    assert organisation is not None
    when = say_when(
        promise.due_by,
        due_from=promise.due_from,
        now=at,
        timezone=organisation.timezone,
        language=customer.language,
        sentence=True,
    )
    queue_message(
        db=db,
        case=case,
        customer=customer,
        template=TEMPLATES[event],
        values={
            "customer_name": customer.name,
            "organisation": organisation.name,
            "kind": promise.kind.value,
            "source": promise.source.value,
            "when": when,
            "words": promise.words,
            "case_subject": case.subject,
        },
        key=f"{event.name}:{promise.id}",
        at=at,
        data={"promise_id": str(promise.id), "event": event.name},
    )
