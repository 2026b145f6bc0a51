"""The timeline events the coach writes on a case."""

from dataclasses import dataclass, field

from attent.timeline import Kind, Say, kind, stored


@kind("coach.scored")
@dataclass(frozen=True, kw_only=True)
class CoachScored(Kind):
    """A contact was scored: how many behaviours met of those that applied, which were missed, and the
    promises heard (made at once or proposed)."""

    contact_id: str
    scorecard_id: str
    met: int
    applicable: int
    missed: list[str] = field(default_factory=list)
    promises: int = 0
    promises_made: int = 0
    language: str | None = None

    def detail(self, say: Say) -> str:
        return say("{met} of {applicable} met", met=self.met, applicable=self.applicable)


@kind("coach.proposal_dismissed")
@dataclass(frozen=True, kw_only=True)
class ProposalDismissed(Kind):
    """An agent said a promise the coach heard was no promise after all."""

    proposal_id: str
    promise_kind: str = stored("kind", "")
    text: str | None = None
