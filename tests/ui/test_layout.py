"""Every screen fits the common laptop and desktop window sizes, in normal and large text, in the
calm and the high-contrast theme: nothing overlaps, no text is cut, nothing scrolls sideways.

The walk is :func:`coach.ui.tour.tour` (the same one ``coach screenshots`` saves); the rules are
:mod:`coach.ui.layout_check`. The checker itself is shown to catch a forced overlap and a
squeezed label, on synthetic widgets and on a real page.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QVBoxLayout, QWidget

from coach.ui import layout_check
from coach.ui.tour import apply_size, seed_history, settle, tour

# The off-screen platform warns on every window resize; a camera probe may log on no-camera machines.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "Camera index out of range")

SIZES = ((1280, 720), (1366, 768), (1920, 1080))
#: (large text, high contrast)
LOOKS = ((False, False), (True, False), (False, True), (True, True))

#: Screens built by pages that other engineers are rebuilding for issue 14 (the session player and
#: the posture strip, point 4); their findings are reported, not hidden, by a separate test.
OTHERS = ("session-", "summary", "home-posture-strip", "routine-editor")


def _mine(name: str) -> bool:
    return not any(name.startswith(o) for o in OTHERS)


def _walk(qtbot, tmp_path, size, look, only, skipped=None):  # noqa: ANN001, ANN202
    from coach.ui.app import build_window

    win, ctx = build_window(history_path=tmp_path / "data" / "history.sqlite3")
    seed_history(ctx.history)  # charts and tables with something in them
    qtbot.addWidget(win)
    ctx.settings.large_text, ctx.settings.high_contrast = look
    win.apply_theme()
    win.show()
    qtbot.waitExposed(win)
    w, h = size
    apply_size(win, w, h)
    found: list[str] = []
    names: list[str] = []
    try:
        for name in tour(
            win, ctx, workdir=tmp_path / "work", clip=None, only=only, skipped=skipped
        ):
            apply_size(win, w, h)
            names.append(name)
            if (win.width(), win.height()) != (w, h):
                found.append(
                    f"{name}: the window cannot be made {w}x{h}; it needs {win.width()}x{win.height()}"
                )
            found.extend(f"{name}: {p}" for p in layout_check.check(win))
    finally:
        for i in range(win.stack.count()):
            shutdown = getattr(win.stack.widget(i), "shutdown", None)
            if callable(shutdown):
                shutdown()
        win.close()
        if ctx.history is not None:
            ctx.history.close()
    return names, found


@pytest.mark.parametrize(
    "look", LOOKS, ids=("normal", "large-text", "high-contrast", "large-high-contrast")
)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screen_fits(qtbot, strict_ui, no_cameras, size, look) -> None:
    # the session page is someone else's and changing: a walk through it that breaks is checked
    # by the test below, not here
    names, found = _walk(qtbot, strict_ui, size, look, _mine, skipped=[])
    # the walk really visited every kind of screen
    for expected in (
        "onboarding-1-welcome",
        "onboarding-3-back",
        "onboarding-8-done",
        "home",
        "program",
        "exercise",
        "history-sessions",
        "history-progress-pain",
        "history-progress-exercise",
        "history-reports",
        "learn",
        "settings",
        "calculators-1",
    ):
        assert expected in names, (expected, names)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "look", [(False, False), (True, True)], ids=("normal", "large-high-contrast")
)
@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_screens_of_the_session_and_posture_strip_fit(
    qtbot, strict_ui, no_cameras, size, look
) -> None:
    names, found = _walk(qtbot, strict_ui, size, look, lambda n: not _mine(n))
    assert "session-pain-before-with-banner" in names and "home-posture-strip" in names, names
    assert not found, "\n".join(found)


# -- the checker catches what it is for ------------------------------------------------------------


def test_checker_catches_a_forced_overlap(qtbot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    root.resize(400, 300)
    a, b = QPushButton("Start", root), QPushButton("Stop", root)
    a.setGeometry(10, 10, 150, 50)
    b.setGeometry(10, 100, 150, 50)
    root.show()
    settle()
    assert layout_check.check(root) == []
    b.move(60, 30)  # forced on top of the other button
    problems = layout_check.check(root)
    assert [p.kind for p in problems] == ["overlap"], problems
    assert "Start" in problems[0].widget and "Stop" in problems[0].detail


def test_checker_catches_cut_text(qtbot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    lay = QVBoxLayout(root)
    wrapped = QLabel("The pain is spreading down my leg, or I have new numbness or tingling " * 3)
    wrapped.setWordWrap(True)
    box = QCheckBox("I have read and understood these points")
    lay.addWidget(wrapped)
    lay.addWidget(box)
    root.show()
    root.resize(600, 400)
    settle()
    assert layout_check.check(root) == []
    wrapped.setFixedHeight(wrapped.fontMetrics().height())  # one line for three lines of text
    box.setFixedWidth(80)
    settle()
    kinds = {(p.kind, p.widget.split(" ")[0]) for p in layout_check.check(root)}
    assert ("text", "QLabel") in kinds and ("text", "QCheckBox") in kinds, kinds


def test_checker_catches_a_squeezed_tab(qtbot) -> None:
    from PySide6.QtWidgets import QTabWidget

    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    for name in ("Sessions", "Progress and charts", "Reports"):
        tabs.addTab(QWidget(), name)
    tabs.resize(800, 300)
    tabs.show()
    settle()
    assert layout_check.check(tabs) == []
    tabs.tabBar().setElideMode(tabs.tabBar().elideMode().ElideRight)
    tabs.tabBar().setExpanding(False)
    tabs.resize(200, 300)
    settle()
    assert any(p.kind == "text" and "tab" in p.detail for p in layout_check.check(tabs))


def test_checker_catches_a_panel_forced_over_the_home_page(qtbot, window) -> None:
    """The real home page, then one of its cards forced over its neighbour."""
    win, _ctx = window
    apply_size(win, 1366, 768)
    assert layout_check.check(win) == []
    grid = win.home_page.program_grid
    first, second = grid.widgets()[:2]
    # a panel pushed onto the page outside its layout, over two program cards
    from coach.ui.home import card

    panel, lay = card()
    lay.addWidget(QLabel("A warning that was forced over the cards"))
    panel.setParent(grid)
    panel.setGeometry(first.geometry().adjusted(40, 20, 40, 20))
    panel.show()
    settle()
    problems = layout_check.check(win)
    overlaps = [p for p in problems if p.kind == "overlap"]
    assert overlaps and all(
        "forced over" in p.widget + p.detail or "QFrame" in p.widget + p.detail for p in overlaps
    ), problems


def test_checker_catches_sideways_scrolling(qtbot, window) -> None:
    from PySide6.QtWidgets import QScrollArea

    win, _ctx = window
    apply_size(win, 1366, 768)
    area = win.home_page.findChild(QScrollArea)
    wide = QLabel("x" * 400)
    area.widget().layout().addWidget(wide)
    area.setHorizontalScrollBarPolicy(area.horizontalScrollBarPolicy().ScrollBarAsNeeded)
    settle()
    assert any(p.kind == "sideways" for p in layout_check.check(win))


def test_large_text_is_at_least_1_3_times_larger(qtbot, window) -> None:
    win, ctx = window
    label = win.home_page.today_list

    def px() -> float:
        settle()
        return label.fontInfo().pixelSize()

    normal = px()
    ctx.settings.large_text = True
    win.apply_theme()
    large = px()
    assert large / normal >= 1.3, (normal, large)


def test_checker_catches_content_cut_at_the_right_of_a_scroll_area(qtbot, window) -> None:
    """A page that hides its sideways scroll bar but is still too wide: the cut part is found."""
    from PySide6.QtWidgets import QScrollArea

    win, _ctx = window
    apply_size(win, 1366, 768)
    area = win.home_page.findChild(QScrollArea)
    assert area.horizontalScrollBarPolicy() == area.horizontalScrollBarPolicy().ScrollBarAlwaysOff
    wide = QLabel("x" * 400)  # one unbreakable line, far wider than the window
    area.widget().layout().insertWidget(0, wide)
    settle()
    problems = layout_check.check(win)
    assert any(p.kind == "clipped" and "right edge" in p.detail for p in problems), problems
