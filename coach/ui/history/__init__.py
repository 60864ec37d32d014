"""The history screen: the page (:mod:`.page`, with its Sessions tab), its Progress tab
(:mod:`.progress`) and Reports tab (:mod:`.reports`), the charts (:mod:`.charts`), the cards
(:mod:`.cards`) and the Qt-free numbers (:mod:`.data`). The page is
:class:`coach.ui.history.page.HistoryPage` (also importable as ``coach.ui.history_page``).
"""
