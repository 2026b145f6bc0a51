"""Promises: every commitment to a customer, with a due time the worker keeps."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies,
# and the kinds of timeline events it writes.
from attent.promises.kinds import (
    PromiseAtRisk,
    PromiseBroken,
    PromiseCancelled,
    PromiseKept,
    PromiseMade,
    PromiseOffered,
    PromiseReassigned,
    PromiseReopened,
)
from attent.promises.models import Promise, PromiseKind, PromiseSource, PromiseState
from attent.promises.schemas import STEP_TYPE, PromiseCreate

__all__ = [
    "STEP_TYPE",
    "Promise",
    "PromiseAtRisk",
    "PromiseBroken",
    "PromiseCancelled",
    "PromiseCreate",
    "PromiseKept",
    "PromiseKind",
    "PromiseMade",
    "PromiseOffered",
    "PromiseReassigned",
    "PromiseReopened",
    "PromiseSource",
    "PromiseState",
]
