"""What the loaded data says: names, subjects and conversation lines in Dutch and English."""

FIRST = [
    "Sanne",
    "Daan",
    "Fatima",
    "Tom",
    "Emma",
    "Noah",
    "Julia",
    "Lucas",
    "Mila",
    "Sem",
    "Eleni",
    "Joost",
    "Priya",
    "James",
    "Yara",
    "Bram",
    "Lotte",
    "Mohammed",
    "Sophie",
    "Finn",
    "Anouk",
    "Ravi",
    "Lisa",
    "Hugo",
]
LAST = [
    "de Vries",
    "Jansen",
    "El Amrani",
    "Bakker",
    "Clarke",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Georgiou",
    "Pappas",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Dijk",
    "Whitfield",
    "Kaya",
    "Dekker",
]
TEAMS = [
    "Bestellingen & bezorging",
    "Klantcontact",
    "Technische dienst",
    "Facturatie",
    "Abonnementen",
    "Retouren",
    "Zakelijk",
    "Escalaties",
]
CASE_TYPES: dict[str, list[str]] = {
    "delivery_missing": [
        "Zending nooit aangekomen (bestelling {n})",
        "Parcel {n} marked delivered but not here",
    ],
    "wrong_item": ["Verkeerde capsules ontvangen ({n})", "Wrong capsules in my order {n}"],
    "machine_fault": ["Machine lekt na ontkalken", "Machine makes a grinding noise"],
    "subscription": ["Vraag over abonnement pauzeren", "Change my subscription to monthly"],
    "refund": ["Terugbetaling retour {n}", "Refund for order {n} not received"],
    "billing": ["Dubbel afgeschreven voor factuur {n}", "Invoice {n} charged twice"],
    "booking_change": ["Aankomst later dan gepland", "Can we arrive after 21:00?"],
    "general": ["Vraag over openingstijden", "Question about my account"],
}
CUSTOMER_SAYS = {
    "nl": [
        "Mijn bestelling is nog steeds niet aangekomen, terwijl de bezorger zegt dat hij is afgeleverd.",
        "Kunt u mij vandaag nog terugbellen?",
        "Ik heb al twee keer gebeld en niemand heeft teruggebeld.",
        "Krijg ik dan vandaag nog een nieuwe zending?",
        "Prima, ik zet u op de speaker.",
        "Dank u wel, fijn!",
        "Het apparaat lekt water sinds ik het heb ontkalkt. Wat moet ik doen?",
        "Wanneer kan ik het geld terug verwachten?",
        "Ik wil graag mijn abonnement een maand pauzeren.",
    ],
    "en": [
        "I ordered the lungo capsules but received decaf. Can you send the right ones before the weekend?",
        "We will arrive around 23:00, is that a problem?",
        "Nobody called me back yesterday.",
        "Great, thank you.",
        "How long will the refund take?",
        "The machine still makes that noise.",
        "Could you put that in an e-mail for me?",
        "That works for me.",
    ],
}
AGENT_SAYS = {
    "nl": [
        "Wat vervelend, zeker als u op uw koffie rekent. Ik zoek het nu voor u uit.",
        "Mag ik het e-mailadres van uw account? Dan weet ik zeker dat ik met de accounthouder spreek.",
        "De volgende stap duurt ongeveer 12 tot 15 minuten. Zet u mij gerust op de speaker.",
        "Ik stuur vandaag nog een nieuwe zending; u ontvangt morgen de track-and-trace.",
        "Ik bel u vóór 16:00 terug met het advies van de technicus.",
        "Graag gedaan, fijne dag nog!",
    ],
    "en": [
        "I am sorry, that is not what you ordered. I am sending the right capsules today.",
        "Let me check with the carrier; this takes about five minutes, I will stay on the line.",
        "I will call you back before 4 pm with the technician's advice.",
        "We will leave the key in the lockbox and dinner ready in the fridge.",
        "You are welcome!",
    ],
}
SYSTEM_SAYS = ["Gesprek doorverbonden naar de technische dienst.", "Call transferred to the second line."]
NOTES = [
    "Vervoerder meldt 'afgeleverd bij buren' maar geen naam.",
    "Klant is al drie keer gebeld, geen gehoor.",
    "Technicus adviseert nieuwe afdichtring; onderdeel besteld.",
    "Customer prefers e-mail over phone.",
    "Refund approved by finance, reference attached.",
    "Zie eerdere zaak over hetzelfde adres.",
]
NEXT_STEPS = [
    "Klant vóór 16:00 terugbellen",
    "Nieuwe zending aanmaken en track-and-trace sturen",
    "Call the customer back with the technician's advice",
    "Check the refund with finance",
]
CHANNELS = ["phone", "email", "chat", "web_form"]
OUTCOMES = ["resolved", "follow_up", "transferred", "dropped"]
FINAL = ["open", "waiting_on_customer", "waiting_on_third_party", "resolved", "resolved", "resolved"]
