"""The coach: scores conversations, extracts promises, and trains each agent on one detail a day.

The scoring itself is the engine (`attent.coach.engine`, pure and compiled); this package is the product
around it: storage, the queue and its job, cards, pages, API, CLI and the evaluation.
"""

from attent.coach.kinds import CoachScored, ProposalDismissed  # the timeline events the coach writes

__all__ = ["CoachScored", "ProposalDismissed"]
