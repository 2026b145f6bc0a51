"""Where a customer's case is on the customer page: the one address every e-mail about a case links to.

The link is the page's plain address, never one that signs in by itself: an e-mail is forwarded,
quoted and scanned, and whoever has it must still ask for a sign-in link, which only reaches the
customer's own address (`portal.service.send_link`). Opening it without a session leads to the
sign-in page and, after the e-mailed link, back to the case.
"""

import uuid


def case_path(slug: str, case_id: uuid.UUID) -> str:
    """The case on the customer page, relative to Attent's address."""
    return f"/help/{slug}/mine/{case_id}"
