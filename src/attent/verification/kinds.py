"""The timeline events verification writes: which question was asked, and whether the answer matched."""

from dataclasses import dataclass
from typing import Any

from attent.timeline import Kind, Say, kind


@dataclass(frozen=True, kw_only=True)
class Verified(Kind):
    """One attempt: the question's key, its label in both languages and its sensitivity (never the answer)."""

    question: str
    label: dict[str, Any] | str
    sensitivity: int | None = None

    def detail(self, say: Say) -> str:
        return say.pick(self.label)


@kind("verification.passed")
@dataclass(frozen=True, kw_only=True)
class VerificationPassed(Verified):
    """The customer's answer matched what is on file."""


@kind("verification.failed")
@dataclass(frozen=True, kw_only=True)
class VerificationFailed(Verified):
    """The answer did not match (attempts are counted, and lock after too many)."""
