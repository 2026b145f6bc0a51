"""Verification policies, attempts and their results as the API shows and accepts them."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from attent.core.schemas import Bilingual, Input, Output

QUESTION_KEY = r"^[a-z][a-z0-9_]{0,39}$"
# Where a question's stored value lives: customer.email, customer.phone, customer.refs.<system>,
# customer.facts.<key>, or several joined with "+" (postcode and house number are asked together).
_SOURCE = r"customer\.(email|phone|refs\.[a-z][a-z0-9_.-]{0,39}|facts\.[a-z0-9_]{1,60})"
FACT = rf"^{_SOURCE}(\+{_SOURCE}){{0,3}}$"


class Question(Input):
    """One question an agent may ask, the fact it checks, how sensitive it is and why it is asked."""

    key: str = Field(pattern=QUESTION_KEY)
    label: Bilingual = Field(description="What the question checks, e.g. 'e-mail on file'.")
    fact: str = Field(
        pattern=FACT,
        description="Where the stored value comes from: customer.email, customer.phone, "
        "customer.refs.<system>, customer.facts.<key>; join parts with '+'.",
    )
    sensitivity: int = Field(ge=1, le=3, description="1 low … 3 high; ask the lowest that suffices.")
    why: Bilingual = Field(description="The sentence the agent says to explain why it is asked.")


class Policy(Input):
    """An organisation's questions and how many wrong answers a case allows within the window."""

    questions: list[Question] = Field(min_length=1, max_length=20)
    max_failures: int = Field(default=3, ge=1, le=10)
    window_minutes: int = Field(default=15, ge=1, le=1440)


class VerificationAttempt(Input):
    """What the customer answered to one question; it is compared, never stored or shown."""

    question: str = Field(pattern=QUESTION_KEY)
    answer: str = Field(min_length=1, max_length=200)


class VerificationResult(Output):
    """Match or no match, and how many wrong answers are left; never the stored value."""

    result: Literal["match", "no_match"]
    attempts_left: int
    locked_until: datetime | None
    question: str
    label: str = Field(description="What was checked, in the agent's language.")
    why: str = Field(description="Why it is asked, in the customer's language: say it to them.")


class QuestionOnCase(Output):
    """A question of the policy, and whether the customer has a value on file to check it against."""

    key: str
    label: str
    sensitivity: int
    why: str
    on_file: bool


class VerificationStatus(Output):
    """Whether the customer on a case is verified, and which question to ask first if not."""

    case_id: uuid.UUID
    verified: bool
    verified_by: str | None
    verified_at: datetime | None
    attempts_left: int
    locked_until: datetime | None
    suggested: str | None = Field(description="The least sensitive question the customer can answer.")
    questions: list[QuestionOnCase]
