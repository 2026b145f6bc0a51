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
    N_("case.created"), N_("case.status_changed"), N_("case.assigned"), N_("case.team_changed"),
    N_("case.priority_changed"), N_("case.next_step_set"), N_("case.updated"), N_("contact.logged"),
    N_("contact.ended"), N_("message.added"), N_("note.added"),
    N_("callback"), N_("delivery"), N_("refund"), N_("step"), N_("other"), N_("at_risk"),
    N_("promise.made"), N_("promise.kept"), N_("promise.at_risk"), N_("promise.broken"),
    N_("promise.cancelled"), N_("promise.reassigned"),
    N_("reassigned"), N_("explicit"), N_("outbound contact"), N_("reply"), N_("promise.offered"),
    N_("the owner is not available and nobody took it"),
    N_("message.sent"), N_("message.failed"), N_("message.not_sent"),
    N_("verification.passed"), N_("verification.failed"), N_("playbook.step_started"),
    N_("available"), N_("away"), N_("offline"), N_("kept"), N_("cancelled"),
)  # fmt: skip
