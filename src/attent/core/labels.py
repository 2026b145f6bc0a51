"""Machine values shown through translation at run time, listed so `pybabel extract` keeps them."""


def N_(message: str) -> str:
    """Mark a message for extraction without translating it."""
    return message


RUNTIME_MESSAGES = (
    N_("new"), N_("open"), N_("waiting_on_customer"), N_("waiting_on_third_party"),
    N_("resolved"), N_("closed"),
    N_("phone"), N_("email"), N_("chat"), N_("web_form"), N_("proactive"), N_("inbound"), N_("outbound"),
    N_("follow_up"), N_("transferred"), N_("dropped"), N_("first contact"), N_("customer contacted us again"),
    N_("customer"), N_("agent"), N_("system"),
    N_("callback"), N_("delivery"), N_("refund"), N_("step"), N_("other"), N_("at_risk"),
    N_("reassigned"), N_("explicit"), N_("outbound contact"), N_("reply"),
    N_("the owner is not available and nobody took it"),
    N_("available"), N_("away"), N_("offline"), N_("kept"), N_("cancelled"),
)  # fmt: skip


def NC_(context: str, message: str) -> str:
    """Mark a label in a context (`i18n.Label(message, context)`) for extraction; `make messages` knows
    NC_:1c,2, so a `pybabel update` keeps these entries instead of marking them obsolete."""
    return message


# Machine words an error or a page names by their label, each in the context that separates it.
RUNTIME_LABELS = (
    NC_("role", "agent"), NC_("role", "lead"), NC_("role", "admin"),
    NC_("thing", "agent"), NC_("thing", "case"), NC_("thing", "contact"), NC_("thing", "customer"),
    NC_("thing", "gesture"), NC_("thing", "notification"), NC_("thing", "organisation"),
    NC_("thing", "promise"), NC_("thing", "proposal"), NC_("thing", "signal"), NC_("thing", "team"),
    NC_("thing", "token"), NC_("thing", "failure"),
    NC_("proposal", "proposed"), NC_("proposal", "accepted"), NC_("proposal", "dismissed"),
    NC_("proposal", "made"),
    NC_("value_kind", "string"), NC_("value_kind", "number"), NC_("value_kind", "integer"),
    NC_("value_kind", "boolean"), NC_("value_kind", "datetime"), NC_("value_kind", "date"),
    NC_("fact", "date of birth"), NC_("fact", "full address"),
    NC_("field", "reason"), NC_("field", "source"), NC_("field", "note"),
    NC_("signature", "missing_signature"), NC_("signature", "malformed_signature"),
    NC_("signature", "stale_timestamp"), NC_("signature", "bad_signature"),
    # Case types Attent itself uses (the demo, rules' default); others read as their words.
    NC_("case_type", "delivery_missing"), NC_("case_type", "delivery_late"), NC_("case_type", "damaged"),
    NC_("case_type", "wrong_item"), NC_("case_type", "late_arrival"), NC_("case_type", "subscription"),
    NC_("case_type", "check_in"), NC_("case_type", "return"), NC_("case_type", "machine_fault"),
    NC_("case_type", "surprise"), NC_("case_type", "proactive"),
)  # fmt: skip
