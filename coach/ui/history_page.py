"""The history screen's old address: :class:`HistoryPage` lives in :mod:`coach.ui.history.page`
(with its Progress and Reports tabs beside it); this module re-exports it for existing imports.
"""

from coach.ui.history.page import HistoryPage

__all__ = ["HistoryPage"]
