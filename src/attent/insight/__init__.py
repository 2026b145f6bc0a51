"""Insight: the figures a team lead opens every Monday (first-contact resolution, repeat contacts,
promises kept, backlog, first reply) and what customers say in surveys. Never handle time as a target."""
