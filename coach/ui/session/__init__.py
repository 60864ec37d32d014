"""The session player: the page (:mod:`.page`, :class:`~coach.ui.session.page.SessionPage`,
also importable as ``coach.ui.session_page``) and its side panels (:mod:`.panels`: hold ring,
pain question, end confirmation, rest-day card).
"""
