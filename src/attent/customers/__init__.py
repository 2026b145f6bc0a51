"""Customers: who we serve, how to reach them, and the facts they consented to."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies,
# and the kinds of timeline events it writes.
from attent.customers.events import CustomerReferencesAdded, CustomersMerged, WhichDetailsAreHidden
from attent.customers.kinds import CustomerCreated, CustomerMerged, CustomerMergedInto, CustomerUpdated
from attent.customers.masking import Hidden
from attent.customers.models import Customer, CustomerRef
from attent.customers.schemas import REF_SYSTEM, CustomerCreate, CustomerMerge, CustomerUpdate, Fact

__all__ = [
    "REF_SYSTEM",
    "Customer",
    "CustomerCreate",
    "CustomerCreated",
    "CustomerMerge",
    "CustomerMerged",
    "CustomerMergedInto",
    "CustomerRef",
    "CustomerReferencesAdded",
    "CustomerUpdate",
    "CustomerUpdated",
    "CustomersMerged",
    "Fact",
    "Hidden",
    "WhichDetailsAreHidden",
]
