"""The session player's old address: :class:`SessionPage` lives in :mod:`coach.ui.session.page`
(its side panels in :mod:`coach.ui.session.panels`); this module re-exports them for existing
imports.
"""

from coach.ui.session.page import SessionPage
from coach.ui.session.panels import ConfirmPanel, HoldRing, PainPanel, RestDayPanel

__all__ = ["ConfirmPanel", "HoldRing", "PainPanel", "RestDayPanel", "SessionPage"]
