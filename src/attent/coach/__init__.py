"""The coach: scores conversations, extracts promises, and trains each agent on one detail a day."""

from attent.coach.kinds import CoachScored, ProposalDismissed  # the timeline events the coach writes
from attent.coach.native import activate

activate(__path__)  # the compiled scoring modules, when built from these sources (see attent.coach.native)

__all__ = ["CoachScored", "ProposalDismissed"]
