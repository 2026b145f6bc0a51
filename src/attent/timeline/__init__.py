"""The append-only record of what happened on a case; the handoff brief is folded from it."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies.
from attent.timeline.kinds import Kind, Line, Say, kind, line_of, stored
from attent.timeline.models import ActorKind, TimelineEvent
from attent.timeline.schemas import EventRead

__all__ = ["ActorKind", "EventRead", "Kind", "Line", "Say", "TimelineEvent", "kind", "line_of", "stored"]
