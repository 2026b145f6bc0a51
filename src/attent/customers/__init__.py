"""Customers: who we serve, how to reach them, and the facts they consented to."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies.
from attent.customers.events import CustomerReferencesAdded, WhichDetailsAreHidden
from attent.customers.masking import Hidden
from attent.customers.models import Customer, CustomerRef
from attent.customers.schemas import REF_SYSTEM, CustomerCreate, Fact

__all__ = [
    "REF_SYSTEM",
    "Customer",
    "CustomerCreate",
    "CustomerRef",
    "CustomerReferencesAdded",
    "Fact",
    "Hidden",
    "WhichDetailsAreHidden",
]
