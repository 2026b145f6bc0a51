"""The erasure request as the API takes it."""

from pydantic import Field

from attent.core.schemas import Input, Output


class Erasure(Input):
    """The customer's name, typed by the person who erases: erasure cannot be undone."""

    confirmation: str = Field(min_length=1, max_length=200)


class Erased(Output):
    """What the erasure did."""

    customer_id: str
    rows: int
