"""Search: one box for customers, cases, messages and notes, only what the agent may see."""

# What other domains may use besides `service`: the vocabulary of search results.
from attent.search.schemas import Hit, HitGroup, SearchKind, SearchResults

__all__ = ["Hit", "HitGroup", "SearchKind", "SearchResults"]
