"""The history screen's parts: data (the Qt-free numbers), charts and cards; the page itself is
:class:`coach.ui.history_page.HistoryPage`.
"""
