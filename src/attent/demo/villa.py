"""Villa Oleander, a holiday-villa host in Cyprus: guests arriving late, a birthday during a stay."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from attent.agents import AgentCreate, Presence, Role
from attent.agents.service import create_agent, create_team, set_presence
from attent.cases import CaseCreate, CaseStatus, CaseUpdate
from attent.cases.service import add_note, create_case, update_case
from attent.contacts import Channel, ContactCreate, Direction, Outcome, Speaker
from attent.contacts.service import log_contact
from attent.customers import CustomerCreate, Fact
from attent.customers.service import create_customer
from attent.demo.common import PASSWORD, DemoResult, say
from attent.demo.guidance import load_villa_guidance
from attent.organisations.service import create_organisation


def load_villa(db: Session, now: datetime, result: DemoResult) -> None:
    """Villa Oleander: guests arriving late when the shops are closed, a birthday during a stay."""
    org = create_organisation(
        db=db,
        slug="villa-oleander",
        name="Villa Oleander",
        timezone="Asia/Nicosia",
        language="en",
        at=now - timedelta(days=200),
    )
    host = create_agent(
        db=db,
        actor=None,
        organisation_id=org.id,
        data=AgentCreate(
            email="andreas@villaoleander.example",
            name="Andreas Georgiou",
            role=Role.ADMIN,
            language="en",
            password=PASSWORD,
        ),
        at=now - timedelta(days=200),
    )
    result.logins.append((org.name, host.email, host.name, "admin"))
    load_villa_guidance(db, host, now - timedelta(days=200))
    guests = create_team(db=db, actor=host, name="Guest care", at=now - timedelta(days=200))
    staff = {}
    for email, name, role, lang in [
        ("eleni@villaoleander.example", "Eleni Pappas", Role.LEAD, "en"),
        ("joost@villaoleander.example", "Joost Mulder", Role.AGENT, "nl"),
    ]:
        staff[email.split("@")[0]] = create_agent(
            db=db,
            actor=host,
            organisation_id=org.id,
            data=AgentCreate(
                email=email, name=name, role=role, language=lang, password=PASSWORD, team_ids=[guests.id]
            ),
            at=now - timedelta(days=150),
        )
        result.logins.append((org.name, email, name, role.value))
    set_presence(
        db=db,
        actor=staff["joost"],
        agent_id=staff["joost"].id,
        presence=Presence.AVAILABLE,
        at=now - timedelta(hours=1),
    )

    hendriks = create_customer(
        db=db,
        actor=staff["joost"],
        at=now - timedelta(days=30),
        data=CustomerCreate(
            name="Familie Hendriks",
            email="hendriks.gezin@example.nl",
            language="nl",
            external_refs={"booking": "B-5531"},
            facts={
                "verjaardag_anne": Fact(
                    value="Anne wordt 9 tijdens het verblijf (16 juli)", consent="zelf vermeld bij boeking"
                )
            },
        ),
    )
    t0 = now - timedelta(hours=5)
    late = create_case(
        db=db,
        actor=staff["joost"],
        at=t0,
        data=CaseCreate(
            customer_id=hendriks.id,
            subject="Late aankomst: vlucht landt 22:40",
            type="late_arrival",
            team_id=guests.id,
            owner_id=staff["joost"].id,
        ),
    )
    log_contact(
        db=db,
        actor=staff["joost"],
        case_id=late.id,
        at=t0,
        data=ContactCreate(
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            started_at=t0,
            ended_at=t0 + timedelta(hours=1),
            outcome=Outcome.FOLLOW_UP,
            messages=[
                say(
                    Speaker.CUSTOMER,
                    "Onze vlucht landt pas om 22:40. Zijn de winkels dan nog open? We hebben twee kinderen die honger zullen hebben.",
                    t0,
                ),
                say(
                    Speaker.AGENT,
                    "Dank voor het laten weten! De winkels zijn dan dicht, maar geen zorgen: wij zorgen dat er bij aankomst een warme maaltijd en ontbijt voor de volgende ochtend klaarstaan.",
                    t0 + timedelta(hours=1),
                ),
            ],
        ),
    )
    update_case(
        db=db,
        actor=staff["joost"],
        case_id=late.id,
        at=t0 + timedelta(hours=1),
        data=CaseUpdate(
            status=CaseStatus.OPEN,
            next_step="Maaltijd en ontbijt klaarzetten vóór 23:30; sleutel in de sleutelkluis",
        ),
    )

    sarah = create_customer(
        db=db,
        actor=staff["eleni"],
        at=now - timedelta(days=20),
        data=CustomerCreate(
            name="Sarah Miller",
            email="sarah.miller@example.com",
            language="en",
            external_refs={"booking": "B-5540"},
            facts={
                "partner_birthday": Fact(
                    value="Tom turns 50 on the 3rd day of the stay",
                    consent="told us by e-mail, asked us to keep it a surprise",
                )
            },
        ),
    )
    t1 = now - timedelta(days=2)
    bday = create_case(
        db=db,
        actor=staff["eleni"],
        at=t1,
        data=CaseCreate(
            customer_id=sarah.id,
            subject="Husband's 50th birthday during the stay",
            type="surprise",
            team_id=guests.id,
            owner_id=staff["eleni"].id,
        ),
    )
    log_contact(
        db=db,
        actor=staff["eleni"],
        case_id=bday.id,
        at=t1,
        data=ContactCreate(
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            started_at=t1,
            ended_at=t1 + timedelta(hours=3),
            outcome=Outcome.FOLLOW_UP,
            messages=[
                say(
                    Speaker.CUSTOMER,
                    "My husband Tom turns 50 while we're staying with you. Could you help me surprise him? Please don't mention it in your e-mails to him!",
                    t1,
                ),
                say(
                    Speaker.AGENT,
                    "What a lovely occasion. We'll arrange a cake and a bottle of local wine on the terrace on his birthday, and I'll only write to you about it.",
                    t1 + timedelta(hours=3),
                ),
            ],
        ),
    )
    add_note(
        db=db,
        actor=staff["eleni"],
        case_id=bday.id,
        at=t1 + timedelta(hours=3),
        text="Only contact Sarah about this; Tom must not know. Cake from the bakery in Pissouri.",
    )
