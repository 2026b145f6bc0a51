"""Verification: the least sensitive question that suffices, and why it is asked."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies.
from attent.verification.schemas import Question, VerificationAttempt, VerificationResult

__all__ = ["Question", "VerificationAttempt", "VerificationResult"]
