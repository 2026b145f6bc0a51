"""Seven weeks of Kopje Koffie's phone calls, so the coach's card and team trends have a story to show.

Fatima and Emma take a call a week about a leaking box of capsules. In the early weeks they promise a
new box "zo snel mogelijk" / "as soon as we can" and hang up without asking whether there is anything
else; from week four on they give a time and check before ending. The trends show the improvement.
"""

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.cases import CaseCreate, CaseStatus, CaseUpdate
from attent.cases.service import create_case, update_case
from attent.contacts import Channel, ContactCreate, Direction, Outcome, Speaker
from attent.contacts.service import log_contact
from attent.customers import CustomerCreate
from attent.customers.service import create_customer
from attent.demo.common import say

WEEKS = 7
NL_EARLY = [
    (Speaker.CUSTOMER, "Hoi, mijn capsules zijn lek aangekomen, de hele doos zit onder de koffie."),
    (Speaker.AGENT, "Oh nee. Mag ik uw ordernummer? Dan zoek ik de bestelling op."),
    (Speaker.CUSTOMER, "Eh, 77120 geloof ik."),
    (
        Speaker.AGENT,
        "Ik zoek nu uw bestelling op. Ja, ik zie hem. Ik stuur u een nieuwe doos, zo snel mogelijk.",
    ),
    (Speaker.CUSTOMER, "Oké, dank je."),
    (Speaker.AGENT, "Fijne dag!"),
]
NL_LATER = [
    (Speaker.CUSTOMER, "Hoi, mijn capsules zijn lek aangekomen, de hele doos zit onder de koffie."),
    (
        Speaker.AGENT,
        "Wat vervelend, een doos onder de koffie is geen fijn begin. Mag ik uw ordernummer? Dan zoek ik de bestelling op.",
    ),
    (Speaker.CUSTOMER, "Eh, 77120 geloof ik."),
    (
        Speaker.AGENT,
        "Ik zoek nu uw bestelling op. Ik stuur u vandaag een nieuwe doos; die is er morgen voor 12:00.",
    ),
    (Speaker.AGENT, "Kan ik u verder nog ergens mee helpen?"),
    (Speaker.CUSTOMER, "Nee, dat was het. Dank je!"),
]
EN_EARLY = [
    (Speaker.CUSTOMER, "Hi, my capsules arrived leaking, the whole box is covered in coffee."),
    (Speaker.AGENT, "Oh no. Can I have your order number? Then I can pull up the order."),
    (Speaker.CUSTOMER, "Uh, 77131 I think."),
    (Speaker.AGENT, "I'm checking your order now. Yes, got it. I'll send you a new box as soon as we can."),
    (Speaker.CUSTOMER, "Okay, thanks."),
    (Speaker.AGENT, "Have a nice day!"),
]
EN_LATER = [
    (Speaker.CUSTOMER, "Hi, my capsules arrived leaking, the whole box is covered in coffee."),
    (Speaker.AGENT, "That's really annoying, a box covered in coffee is no way to start the day. Can I have your order number? Then I can pull up the order."),
    (Speaker.CUSTOMER, "Uh, 77131 I think."),
    (Speaker.AGENT, "I'm checking your order now. I'll send you a new box today; you'll have it tomorrow before noon."),
    (Speaker.AGENT, "Is there anything else I can help you with?"),
    (Speaker.CUSTOMER, "No, that's all. Thanks!"),
]  # fmt: skip


def load_coaching_history(db: Session, now: datetime, team_id: uuid.UUID, fatima: Agent, emma: Agent) -> None:
    """One call a week each for seven weeks, each its own resolved case."""
    customer = create_customer(
        db=db,
        actor=fatima,
        at=now - timedelta(weeks=WEEKS + 1),
        data=CustomerCreate(name="Joris Mulder", email="joris.mulder@example.nl", language="nl"),
    )
    for back in range(WEEKS, 0, -1):
        for agent, early, later in ((fatima, NL_EARLY, NL_LATER), (emma, EN_EARLY, EN_LATER)):
            t0 = now - timedelta(weeks=back, hours=2 + (agent is emma))
            case = create_case(
                db=db,
                actor=agent,
                at=t0,
                data=CaseCreate(
                    customer_id=customer.id,
                    subject="Lekke capsules" if agent is fatima else "Leaking capsules",
                    type="damaged",
                    team_id=team_id,
                    owner_id=agent.id,
                ),
            )
            lines = early if back > WEEKS // 2 else later
            log_contact(
                db=db,
                actor=agent,
                case_id=case.id,
                at=t0,
                data=ContactCreate(
                    channel=Channel.PHONE,
                    direction=Direction.INBOUND,
                    started_at=t0,
                    ended_at=t0 + timedelta(minutes=4),
                    outcome=Outcome.RESOLVED,
                    messages=[
                        say(s, text, t0 + timedelta(seconds=20 * i)) for i, (s, text) in enumerate(lines)
                    ],
                ),
            )
            update_case(
                db=db,
                actor=agent,
                case_id=case.id,
                data=CaseUpdate(status=CaseStatus.RESOLVED),
                at=t0 + timedelta(minutes=5),
            )
