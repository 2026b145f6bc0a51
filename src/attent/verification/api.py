"""Verification: the organisation's policy, and checking a customer's answer on a case."""

import uuid

from fastapi import APIRouter

from attent.agents import CurrentAgent
from attent.core.deps import ClockDep, DbSession
from attent.core.onethread import OneThreadRoute
from attent.core.openapi import problem_response
from attent.verification import service
from attent.verification.policy import by_sensitivity
from attent.verification.schemas import Policy, VerificationAttempt, VerificationResult, VerificationStatus

router = APIRouter(tags=["verification"], route_class=OneThreadRoute)


def _ordered(policy: Policy) -> Policy:
    return policy.model_copy(update={"questions": by_sensitivity(policy)})


@router.get("/verification/policy")
def get_policy(db: DbSession, actor: CurrentAgent) -> Policy:
    """The questions agents may ask, least sensitive first, each with why it is asked."""
    return _ordered(service.get_policy(db=db, organisation_id=actor.organisation_id))


@router.put("/verification/policy")
def put_policy(body: Policy, db: DbSession, actor: CurrentAgent) -> Policy:
    """Replace the policy (admins); date of birth and full address are refused."""
    return _ordered(service.set_policy(db=db, actor=actor, policy=body))


@router.get("/cases/{case_id}/verifications")
def verification_status(
    case_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> VerificationStatus:
    """Whether the customer is verified, attempts left, and the least sensitive question to ask."""
    return service.verification_status(db=db, actor=actor, case_id=case_id, at=clock.now())


# No Idempotency-Key here on purpose: that store keeps a hash of the request body, and the hash of a
# four-digit answer is no secret at all.
@router.post("/cases/{case_id}/verifications", responses={429: problem_response(429)})
def verify(
    case_id: uuid.UUID, body: VerificationAttempt, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> VerificationResult:
    """Compare what the customer said with the fact on file: match or no match, never the value."""
    return service.verify(db=db, actor=actor, case_id=case_id, data=body, at=clock.now())
