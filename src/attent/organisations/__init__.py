"""Organisations: the tenants; every row belongs to exactly one."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies.
from attent.organisations.hours import OpeningHours
from attent.organisations.models import Organisation

__all__ = ["OpeningHours", "Organisation"]
