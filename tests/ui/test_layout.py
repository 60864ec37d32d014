"""Every screen fits the common laptop and desktop window sizes, in normal and large text, in the
calm and the high-contrast theme: nothing overlaps, no text is cut, nothing scrolls sideways.

The walk is :func:`coach.ui.tour.tour` (the same one ``coach screenshots`` saves); the rules are
:mod:`coach.ui.layout_check`. One walk per look checks each screen at every size (the window is
resized on each screen), and each size is the starting size of at least one look's walk. The
checker itself is shown to catch a forced overlap and a squeezed label, on synthetic widgets and
on a real page.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication
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


Size = tuple[int, int]
Look = tuple[bool, bool]
#: What one walk found, per size: (the screens it visited, the problems at that size).
Found = dict[Size, tuple[list[str], list[str]]]


def _resize(win, width: int, height: int) -> None:  # noqa: ANN001
    """Make the window this size and let Qt lay it out (the events a resize posts, a few rounds).

    Unlike :func:`apply_size` it does not also wait 60 ms for the pages' timers: the walk has
    just let the screen settle (60 ms, :func:`coach.ui.tour.tour`). Measured on every screen,
    look and size, at the walk's own size and after a resize: the geometry of every visible
    widget and the checker's findings after this are exactly those after a further 120 ms of
    settling (about 1,000 widgets per screen walk and size).
    """
    win.setMinimumSize(0, 0)
    win.resize(width, height)
    app = QCoreApplication.instance()
    for _ in range(5):
        QCoreApplication.sendPostedEvents()
        app.processEvents()


def _walk(qtbot, tmp_path, look: Look, sizes, only, skipped=None) -> Found:  # noqa: ANN001
    """Walk every screen once in ``look`` and check each one at every size in ``sizes``.

    The walk itself runs at its own size (the one in ``sizes`` this look starts from, so across
    the looks every size is also the size of a fresh walk); each screen is checked at that size,
    then the window is made each other size in turn (:func:`_resize`), checked, and given back
    its own size before the walk goes on.
    """
    from coach.ui.app import build_window

    base = sizes[LOOKS.index(look) % len(sizes)]
    order = [base, *(s for s in sizes if s != base)]
    win, ctx = build_window(history_path=tmp_path / "data" / "history.sqlite3")
    seed_history(ctx.history)  # charts and tables with something in them
    qtbot.addWidget(win)
    ctx.settings.large_text, ctx.settings.high_contrast = look
    win.apply_theme()
    win.show()
    qtbot.waitExposed(win)
    apply_size(win, *base)
    found: Found = {size: ([], []) for size in sizes}
    try:
        for name in tour(
            win, ctx, workdir=tmp_path / "work", clip=None, only=only, skipped=skipped
        ):
            for w, h in order:
                _resize(win, w, h)
                names, problems = found[(w, h)]
                names.append(name)
                if (win.width(), win.height()) != (w, h):
                    problems.append(
                        f"{name}: the window cannot be made {w}x{h}; "
                        f"it needs {win.width()}x{win.height()}"
                    )
                problems.extend(f"{name}: {p}" for p in layout_check.check(win))
            if len(order) > 1:
                _resize(win, *base)  # the walk goes on at its own size (its next screen settles)
    finally:
        for i in range(win.stack.count()):
            shutdown = getattr(win.stack.widget(i), "shutdown", None)
            if callable(shutdown):
                shutdown()
        win.close()
        if ctx.history is not None:
            ctx.history.close()
    return found


def _problems(found: Found) -> list[str]:
    return [f"{w}x{h}: {p}" for (w, h), (_names, problems) in found.items() for p in problems]


@pytest.mark.slow
@pytest.mark.parametrize(
    "look", LOOKS, ids=("normal", "large-text", "high-contrast", "large-high-contrast")
)
def test_every_screen_fits(qtbot, strict_ui, no_cameras, look) -> None:
    """Every screen at every size in ``SIZES``, in one look (one walk, see :func:`_walk`)."""
    # the session page is someone else's and changing: a walk through it that breaks is checked
    # by the test below, not here
    found = _walk(qtbot, strict_ui, look, SIZES, _mine, skipped=[])
    # the walk really visited every kind of screen, at every size
    for size, (names, _problems_at_size) in found.items():
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
            assert expected in names, (size, expected, names)
    problems = _problems(found)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize(
    "look", [(False, False), (True, True)], ids=("normal", "large-high-contrast")
)
def test_screens_of_the_session_and_posture_strip_fit(qtbot, strict_ui, no_cameras, look) -> None:
    """At 1280x720 and 1366x768 (one walk per look)."""
    found = _walk(qtbot, strict_ui, look, SIZES[:2], lambda n: not _mine(n))
    for names, _problems_at_size in found.values():
        assert "session-pain-before-with-banner" in names and "home-posture-strip" in names, names
    problems = _problems(found)
    assert not problems, "\n".join(problems)


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
