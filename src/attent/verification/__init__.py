"""Verification: the least sensitive question that suffices, and why it is asked."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies,
# and the kinds of timeline events it writes.
from attent.verification.kinds import VerificationFailed, VerificationPassed
from attent.verification.schemas import Question, VerificationAttempt, VerificationResult

__all__ = [
    "Question",
    "VerificationAttempt",
    "VerificationFailed",
    "VerificationPassed",
    "VerificationResult",
]
