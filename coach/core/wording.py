"""Sentences that must read the same everywhere they appear (app, Learn pages, documents)."""

#: The product has no recording feature at all: the camera picture becomes body points on this
#: computer and is dropped. Used by onboarding, Settings, Learn (checked by a test) and the PDFs.
PRIVACY = (
    "Privacy: the camera picture is turned into body points on this computer and is never stored "
    "or sent anywhere; coach has no recording feature."
)
