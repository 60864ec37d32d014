"""Learn: every guide renders and cites its sources; links move between guides."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from coach.ui.learn import LearnPage, list_topics

TOPICS = {
    "why_exercise",
    "posture",
    "lifting",
    "pain_rules",
    "red_flags",
    "follow_up",
    "safety",
    "how_coach_sees",
}


def test_the_guides_exist() -> None:
    assert {t.id for t in list_topics()} >= TOPICS


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_every_topic_renders_with_a_sources_section(qtbot, window, topic: str) -> None:
    win, _ctx = window
    win.open_learn(topic)
    page = win.current_page()
    assert isinstance(page, LearnPage) and page.current == topic
    item = page.list.currentItem()
    assert item is not None and item.text() == next(t.title for t in page.topics if t.id == topic)
    text = page.browser.toPlainText()
    assert item.text() in text
    assert "Sources" in text
    source = next(t for t in page.topics if t.id == topic).text()
    tail = source.split("## Sources", 1)[1]
    entries = re.findall(r"^- .+ https?://", tail, flags=re.MULTILINE)
    assert entries, f"{topic}: no reference entries under Sources"
    # a reader sees titles and addresses, not the specification's internal keys
    assert "domain specification" not in tail and not re.search(r"^- \*\*", tail, re.MULTILINE)
    assert source.rstrip().endswith(tail.rstrip())  # Sources is the last section


def test_key_messages_are_there(qtbot, window) -> None:
    win, _ctx = window
    win.open_learn("pain_rules")
    page = win.current_page()
    assert "next morning" in page.browser.toPlainText()
    assert "0 to 3" in page.browser.toPlainText()
    # the rule before a session, as coach.core.pain.before_session applies it (DOMAIN §5.1)
    before = " ".join(page.browser.toPlainText().split())
    assert "8 or more before a session" in before and "Below 8 the session starts" in before
    page.show_topic("red_flags")
    assert "emergency" in page.browser.toPlainText().lower()
    page.show_topic("safety")
    text = page.browser.toPlainText()
    assert "never stored" in text and "no recording feature" in text

    assert "does not diagnose or treat" in text
    page.show_topic("how_coach_sees")
    assert "cannot see" in page.browser.toPlainText()
    page.show_topic("lifting")
    assert "close to your waist" in page.browser.toPlainText()


def test_the_list_switches_topics_and_links_work(qtbot, window, monkeypatch) -> None:
    win, _ctx = window
    win.open_learn()
    page = win.current_page()
    assert page.current == page.topics[0].id
    page.list.setCurrentRow(2)
    assert page.current == page.topics[2].id
    page._link(QUrl("pain_rules"))
    assert page.current == "pain_rules"
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()))
    )
    page._link(QUrl("https://www.csp.org.uk/"))
    assert opened == ["https://www.csp.org.uk/"] and page.current == "pain_rules"


def test_an_unknown_topic_falls_back_calmly(qtbot, window) -> None:
    win, _ctx = window
    win.open_learn("no_such_topic")
    page = win.current_page()
    assert page.current == page.topics[0].id
    assert page.missing.isVisible() and "not found" in page.missing.text()


def test_home_about_opens_safety(qtbot, window) -> None:
    win, _ctx = window
    win.open_learn("safety")
    assert win.current_page().current == "safety"


def test_one_privacy_text_everywhere(qtbot, window) -> None:
    """The same privacy sentence in Learn, onboarding and Settings; nothing offers to record."""
    from coach.core.wording import PRIVACY
    from coach.ui.onboarding import DISCLAIMER
    from coach.ui.settings_page import PRIVACY_NOTE

    win, _ctx = window
    win.open_learn("safety")
    text = " ".join(win.current_page().browser.toPlainText().split())
    assert PRIVACY in text
    assert PRIVACY in DISCLAIMER and PRIVACY_NOTE.startswith(PRIVACY)
    from coach.ui.learn import list_topics

    for topic in list_topics():
        words = " ".join(topic.text().split()).lower()
        for promise in (
            "choose to record",
            "turn it on in settings",
            "recordings stay",
            "unless you record",
        ):
            assert promise not in words, (topic.id, promise)


def _numbered_lists(doc) -> list[tuple[str, list[str]]]:  # noqa: ANN001
    """Every numbered list of a rendered guide: (the heading above it, its item labels)."""
    from PySide6.QtGui import QTextListFormat

    numbered = {QTextListFormat.Style.ListDecimal}
    lists: dict[int, tuple[str, list[str]]] = {}
    heading = ""
    block = doc.begin()
    while block.isValid():
        if block.blockFormat().headingLevel():
            heading = block.text()
        tl = block.textList()
        if tl is not None and tl.format().style() in numbered:
            lists.setdefault(id(tl), (heading, []))[1].append(tl.itemText(block).strip())
        block = block.next()
    return list(lists.values())


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_numbered_lists_count_from_one(qtbot, topic: str) -> None:
    """As shown: each numbered list starts at 1 and counts up, in its own section (the Privacy
    section once showed "6." because it continued the Safety list)."""
    page = LearnPage(_ctx())
    qtbot.addWidget(page)
    assert page.show_topic(topic)
    for heading, labels in _numbered_lists(page.browser.document()):
        assert labels == [f"{i}." for i in range(1, len(labels) + 1)], (topic, heading, labels)


def test_safety_numbering_is_safety_only(qtbot) -> None:
    page = LearnPage(_ctx())
    qtbot.addWidget(page)
    page.show_topic("safety")
    lists = _numbered_lists(page.browser.document())
    assert [(h, len(items)) for h, items in lists] == [("Safety", 5)]


def _ctx():  # noqa: ANN202
    from coach.routines.catalogue import load_catalogue
    from coach.settings import Settings
    from coach.ui.context import AppContext

    return AppContext(settings=Settings(), catalogue=load_catalogue(), nav=None, history=None)  # type: ignore[arg-type]
