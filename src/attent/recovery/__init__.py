"""Service recovery: gestures that turn a failure into a good moment, and check-ins after."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies.
from attent.recovery.models import CheckIn, Gesture, GestureKind
from attent.recovery.schemas import CatalogueGesture, GestureOffer

__all__ = ["CatalogueGesture", "CheckIn", "Gesture", "GestureKind", "GestureOffer"]
