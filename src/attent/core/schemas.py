"""Base classes for every request and response body."""

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Input(BaseModel):
    """A request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    """A response body, built from ORM rows or dicts."""

    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` back as `cursor` for the next page."""

    items: list[T]
    next_cursor: str | None = None


class Bilingual(Input):
    """A text an agent reads or says, in Dutch and in English."""

    nl: str = Field(min_length=1, max_length=500)
    en: str = Field(min_length=1, max_length=500)

    def in_language(self, language: str) -> str:
        """The text in `language`; Dutch for anything that is not English."""
        return self.en if language == "en" else self.nl
