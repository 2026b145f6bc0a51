"""The coach's machine values shown through translation at run time, kept for `pybabel extract`."""

from attent.core.labels import N_

RUNTIME_MESSAGES = (
    N_("explains_why"), N_("minimal_verification"), N_("narrates"), N_("no_silent_hold"),
    N_("sets_expectation"), N_("empathy"), N_("recovery"), N_("confirms_next_step"), N_("closing_check"),
    N_("met"), N_("missed"), N_("na"),
)  # fmt: skip
