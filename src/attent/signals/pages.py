"""The rules page (placeholder until the page is built)."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
