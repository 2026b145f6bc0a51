"""Kopje Koffie, a capsule-coffee web shop: the story of the shipment that never arrived."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from attent.agents import AgentCreate, Presence, Role
from attent.agents.service import create_agent, create_team, create_token, set_presence
from attent.cases import CaseCreate, CaseStatus, CaseUpdate, Priority
from attent.cases.service import add_note, create_case, update_case
from attent.contacts import Channel, ContactCreate, Direction, Outcome, Speaker
from attent.contacts.service import log_contact
from attent.customers import CustomerCreate, Fact
from attent.customers.service import create_customer
from attent.demo.coaching import load_coaching_history
from attent.demo.coffee_trouble import load_promises_in_trouble
from attent.demo.common import PASSWORD, DemoResult, say
from attent.demo.guidance import load_coffee_guidance
from attent.demo.story import demo_token
from attent.organisations.service import create_organisation
from attent.promises import PromiseCreate, PromiseKind
from attent.promises.service import make_promise


def load_coffee_shop(db: Session, now: datetime, result: DemoResult, secret_key: str | None = None) -> None:
    """Kopje Koffie: a shipment that never arrived, a dropped call, a customer waiting for a callback."""
    org = create_organisation(db=db, slug="kopje-koffie", name="Kopje Koffie", at=now - timedelta(days=90))
    bootstrap = create_agent(
        db=db,
        actor=None,
        organisation_id=org.id,
        data=AgentCreate(
            email="sanne@kopjekoffie.example", name="Sanne de Vries", role=Role.ADMIN, password=PASSWORD
        ),
        at=now - timedelta(days=90),
    )
    result.logins.append((org.name, bootstrap.email, bootstrap.name, "admin"))
    orders = create_team(db=db, actor=bootstrap, name="Bestellingen & bezorging", at=now - timedelta(days=90))
    care = create_team(db=db, actor=bootstrap, name="Klantcontact", at=now - timedelta(days=90))
    people = [
        ("daan@kopjekoffie.example", "Daan Jansen", Role.LEAD, "nl", ["orders"]),
        ("fatima@kopjekoffie.example", "Fatima El Amrani", Role.AGENT, "nl", ["orders"]),
        ("tom@kopjekoffie.example", "Tom Bakker", Role.AGENT, "nl", ["care"]),
        ("emma@kopjekoffie.example", "Emma Clarke", Role.AGENT, "en", ["care", "orders"]),
    ]
    a = {}
    for email, name, role, lang, team_names in people:
        team_ids = [{"orders": orders, "care": care}[t].id for t in team_names]
        agent = create_agent(
            db=db,
            actor=bootstrap,
            organisation_id=org.id,
            data=AgentCreate(
                email=email, name=name, role=role, language=lang, password=PASSWORD, team_ids=team_ids
            ),
            at=now - timedelta(days=60),
        )
        a[email.split("@")[0]] = agent
        result.logins.append((org.name, email, name, role.value))
    for key in ("fatima", "daan", "emma"):
        set_presence(
            db=db, actor=a[key], agent_id=a[key].id, presence=Presence.AVAILABLE, at=now - timedelta(hours=3)
        )
    secret = demo_token(secret_key, org) if secret_key else None  # printed again by `attent demo --show`
    _, result.token = create_token(db=db, agent=bootstrap, name="demo", at=now, secret=secret)
    load_coffee_guidance(db, bootstrap, now - timedelta(days=60))

    marieke = create_customer(
        db=db,
        actor=a["fatima"],
        at=now - timedelta(days=80),
        data=CustomerCreate(
            name="Marieke Visser",
            email="marieke.visser@example.nl",
            phone="+31 6 1234 5678",
            language="nl",
            external_refs={"shop": "C-1042", "order": "88213"},
            facts={
                "voorkeur": Fact(value="Liever gebeld dan gemaild", consent="telefonisch gevraagd, 12-08")
            },
        ),
    )
    old = create_case(
        db=db,
        actor=a["tom"],
        at=now - timedelta(days=40),
        data=CaseCreate(
            customer_id=marieke.id,
            subject="Vraag over abonnement pauzeren",
            type="subscription",
            team_id=care.id,
            owner_id=a["tom"].id,
        ),
    )
    update_case(
        db=db,
        actor=a["tom"],
        case_id=old.id,
        data=CaseUpdate(status=CaseStatus.RESOLVED),
        at=now - timedelta(days=40, minutes=-8),
    )

    # The story from the article: the shipment never arrived, the line dropped, nobody called back.
    t0 = now - timedelta(minutes=12)  # the line dropped three minutes ago: the call-back is due soon
    missing = create_case(
        db=db,
        actor=a["fatima"],
        at=t0,
        data=CaseCreate(
            customer_id=marieke.id,
            subject="Zending nooit aangekomen (bestelling 88213)",
            type="delivery_missing",
            priority=Priority.HIGH,
            team_id=orders.id,
            owner_id=a["fatima"].id,
        ),
    )
    log_contact(
        db=db,
        actor=a["fatima"],
        case_id=missing.id,
        at=t0,
        data=ContactCreate(
            channel=Channel.PHONE,
            direction=Direction.INBOUND,
            started_at=t0,
            ended_at=t0 + timedelta(minutes=9),
            outcome=Outcome.DROPPED,
            messages=[
                say(
                    Speaker.AGENT,
                    "Goedemiddag, u spreekt met Fatima van Kopje Koffie. Waarmee kan ik u helpen?",
                    t0,
                ),
                say(
                    Speaker.CUSTOMER,
                    "Mijn bestelling 88213 is nooit aangekomen, terwijl de bezorger zegt dat hij is afgeleverd.",
                    t0 + timedelta(seconds=20),
                ),
                say(
                    Speaker.AGENT,
                    "Wat vervelend, zeker als u op uw koffie rekent. Mag ik het e-mailadres dat bij uw account hoort? Dan weet ik zeker dat ik met de accounthouder spreek.",
                    t0 + timedelta(seconds=40),
                ),
                say(Speaker.CUSTOMER, "marieke.visser@example.nl", t0 + timedelta(seconds=55)),
                say(  # at once: she says what she does before she goes quiet, not a minute later
                    Speaker.AGENT,
                    "Dank u. Ik zoek nu de zending op bij de vervoerder. De volgende stap, het matchen van de factuur, duurt ongeveer 12 tot 15 minuten. Zet u mij gerust op de speaker en ga verder met uw werk; ik blijf aan de lijn.",
                    t0 + timedelta(seconds=62),
                ),
                say(
                    Speaker.CUSTOMER,
                    "Prima, ik zet u op de speaker. Krijg ik dan vandaag nog een nieuwe zending?",
                    t0 + timedelta(seconds=85),
                ),
            ],
        ),
    )
    add_note(
        db=db,
        actor=a["fatima"],
        case_id=missing.id,
        at=t0 + timedelta(minutes=10),
        text="Verbinding verbroken tijdens factuurmatching. Vervoerder meldt 'afgeleverd bij buren' maar geen naam. Nieuwe zending nog niet aangemaakt.",
    )

    peter = create_customer(
        db=db,
        actor=a["tom"],
        at=now - timedelta(days=10),
        data=CustomerCreate(
            name="Peter de Boer",
            email="p.deboer@example.nl",
            language="nl",
            external_refs={"shop": "C-3311"},
        ),
    )
    t1 = now - timedelta(hours=2)
    due = now + timedelta(minutes=90)
    promised = due.astimezone(ZoneInfo(org.timezone)).strftime("%H:%M")
    callback = create_case(
        db=db,
        actor=a["tom"],
        at=t1,
        data=CaseCreate(
            customer_id=peter.id,
            subject="Machine lekt na ontkalken",
            type="machine_fault",
            team_id=care.id,
            owner_id=a["tom"].id,
            description="Mijn machine lekt water sinds ik hem heb ontkalkt.",
        ),
    )
    log_contact(
        db=db,
        actor=a["tom"],
        case_id=callback.id,
        at=t1,
        data=ContactCreate(
            channel=Channel.CHAT,
            direction=Direction.INBOUND,
            started_at=t1,
            ended_at=t1 + timedelta(minutes=6),
            outcome=Outcome.FOLLOW_UP,
            messages=[
                say(
                    Speaker.CUSTOMER,
                    "Mijn machine lekt water sinds ik hem heb ontkalkt. Kan iemand mij bellen?",
                    t1,
                ),
                say(
                    Speaker.AGENT,
                    "Dat is lastig als u net koffie wilt zetten. Ik vraag het na bij onze technicus "
                    f"en bel u vandaag vóór {promised} terug.",
                    t1 + timedelta(minutes=2),
                ),
                say(Speaker.CUSTOMER, "Graag, dank u.", t1 + timedelta(minutes=3)),
            ],
        ),
    )
    update_case(
        db=db,
        actor=a["tom"],
        case_id=callback.id,
        at=t1 + timedelta(minutes=7),
        data=CaseUpdate(
            status=CaseStatus.WAITING_ON_THIRD_PARTY,
            next_step=f"Peter vóór {promised} terugbellen met het advies van de technicus",
        ),
    )
    make_promise(
        db=db,
        actor=a["tom"],
        case_id=callback.id,
        at=t1 + timedelta(minutes=7),
        data=PromiseCreate(
            kind=PromiseKind.CALLBACK,
            due_at=due,
            words=f"Ik vraag het na bij onze technicus en bel u vandaag vóór {promised} terug.",
        ),
    )

    james = create_customer(
        db=db,
        actor=a["emma"],
        at=now - timedelta(days=3),
        data=CustomerCreate(
            name="James Whitfield",
            email="james.whitfield@example.co.uk",
            language="en",
            external_refs={"shop": "C-2077"},
        ),
    )
    t2 = now - timedelta(minutes=50)
    wrong = create_case(
        db=db,
        actor=a["emma"],
        at=t2,
        data=CaseCreate(
            customer_id=james.id,
            subject="Wrong capsules in my order",
            type="wrong_item",
            team_id=care.id,
        ),
    )
    log_contact(
        db=db,
        actor=a["emma"],
        case_id=wrong.id,
        at=t2,
        data=ContactCreate(
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            started_at=t2,
            messages=[
                say(
                    Speaker.CUSTOMER,
                    "I ordered the lungo capsules but received decaf. Can you send the right ones before the weekend? We have guests.",
                    t2,
                )
            ],
        ),
    )
    load_promises_in_trouble(db, now, org.timezone, orders, a)
    load_coaching_history(db, now, orders.id, a["fatima"], a["emma"])
