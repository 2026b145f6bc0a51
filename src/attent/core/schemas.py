"""Base classes for every request and response body."""

from typing import Generic, TypeVar

from fastapi import Response
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


def as_json(body: BaseModel, status_code: int = 200) -> Response:
    """A response body serialised once, straight to JSON bytes, for the hot write paths.

    A route that returns the model itself has FastAPI dump it, validate the dump against the response
    model again and dump that (three passes over an object the route has just built and validated);
    the route's `response_model` still documents the body in the OpenAPI schema (bench/README.md,
    issue 21).
    """
    return Response(content=body.model_dump_json(), status_code=status_code, media_type="application/json")
