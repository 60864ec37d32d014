"""The first run: disclaimer, health and red-flag questions, camera, done — by keyboard and clicks."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from coach.core import screening
from coach.settings import settings_path
from coach.ui.home import plan_for_program
from coach.ui.onboarding import DISCLAIMER, QUESTION_STEPS, OnboardingPage


def saved() -> dict:
    return json.loads(settings_path().read_text(encoding="utf-8"))


def open_onboarding(win) -> OnboardingPage:
    win.open_onboarding()
    page = win.current_page()
    assert isinstance(page, OnboardingPage)
    return page


def press(qtbot, page: OnboardingPage, key) -> None:
    """A key press where the user's focus is (ignored keys travel up to the page)."""
    qtbot.keyClick(page.focusWidget() or page, key)


def answer_all(page: OnboardingPage, value: bool = False) -> None:
    """Answer every question the current step asks by clicking."""
    for q in page.asked_questions():
        row = page.rows[q.id]
        (row.yes if value else row.no).click()


def walk_to(page: OnboardingPage, step: str) -> None:
    """From the welcome step, click through to ``step`` answering "No" to everything."""
    page.ack.click()
    page.next_btn.click()
    while page.step_id() != step:
        if page.step_id() in QUESTION_STEPS:
            answer_all(page, False)
        page.next_btn.click()


def test_walk_every_step_by_keyboard(qtbot, window) -> None:
    win, ctx = window
    page = open_onboarding(win)
    assert page.step_id() == "welcome"
    assert [lab.text() for lab in page.disclaimer_labels] == list(DISCLAIMER)
    assert all(lab.isVisible() for lab in page.disclaimer_labels)
    assert not page.next_btn.isEnabled()
    assert page.focusWidget() is page.ack

    press(qtbot, page, Qt.Key.Key_Return)  # not ticked yet: stays, and says why
    assert page.step_id() == "welcome"
    assert "tick" in page.hint.text()
    press(qtbot, page, Qt.Key.Key_Space)
    assert page.ack.isChecked()
    press(qtbot, page, Qt.Key.Key_Return)

    for group in ("general", "back", "emergency", "urgent", "review"):
        assert page.step_id() == group
        questions = page.asked_questions()  # "no" to back surgery: no post-operative questions
        assert not page.next_btn.isEnabled()
        for q in screening.questions_in(group):
            assert page.rows[q.id].isVisible() is (q in questions), q.id
        for q in questions:
            assert page.rows[q.id].isVisible()
            press(qtbot, page, Qt.Key.Key_N)
        assert all(page.answers[q.id] is False for q in questions)
        assert page.next_btn.isEnabled()
        assert page.focusWidget() is page.next_btn
        press(qtbot, page, Qt.Key.Key_Return)

    assert page.step_id() == "camera"
    assert "No camera was found" in page.camera_note.text()
    assert "video file" in page.camera_note.text()
    page.profile_name.setFocus()
    page.profile_name.selectAll()
    qtbot.keyClicks(page.profile_name, "kitchen table")
    qtbot.keyClick(page.profile_name, Qt.Key.Key_Return)

    assert page.step_id() == "done"
    assert page.done_title.text() == "You're ready"
    press(qtbot, page, Qt.Key.Key_Return)  # Finish

    s = ctx.settings
    assert s.onboarded and s.screening_done_at is not None
    assert not s.screening_blocked and not s.parq_flagged and s.screening_advice == ""
    assert s.profile().name == "kitchen table" and s.active_profile == "kitchen table"
    on_disk = saved()
    assert on_disk["onboarded"] is True and on_disk["active_profile"] == "kitchen table"
    assert win.current_page() is win.home_page
    assert win.home_page.start_btn.isEnabled()


def test_y_answers_yes_and_the_question_order_is_kept(qtbot, window) -> None:
    win, _ctx = window
    page = open_onboarding(win)
    page.ack.click()
    page.next_btn.click()
    first, second = screening.questions_in("general")[:2]
    press(qtbot, page, Qt.Key.Key_Y)
    press(qtbot, page, Qt.Key.Key_N)
    assert page.answers[first.id] is True and page.answers[second.id] is False
    assert page.rows[first.id].yes.isChecked()


def test_a_parq_yes_flags_but_does_not_block(qtbot, window) -> None:
    win, ctx = window
    page = open_onboarding(win)
    page.ack.click()
    page.next_btn.click()
    page.rows["parq_heart"].yes.click()
    for q in screening.questions_in("general")[1:]:
        page.rows[q.id].no.click()
    page.next_btn.click()
    while page.step_id() != "done":
        if page.step_id() in QUESTION_STEPS:
            answer_all(page, False)
        page.next_btn.click()
    assert page.done_title.text() == "You're set up"
    assert "check with your doctor before starting" in page.done_advice.text()
    page.next_btn.click()
    s = ctx.settings
    assert s.parq_flagged and not s.screening_blocked and s.onboarded
    assert saved()["parq_flagged"] is True
    assert win.home_page.start_btn.isEnabled()


def test_an_emergency_answer_blocks_sessions_and_says_what_to_do(qtbot, window) -> None:
    win, ctx = window
    page = open_onboarding(win)
    walk_to(page, "emergency")
    banner = page.banners["emergency"]
    assert not banner.isVisible()
    page.rows["rf_saddle"].yes.click()

    # the advice appears at once, in place, and the block is saved before anything else
    assert banner.isVisible()
    assert "emergency care now" in banner.text() and "emergency number" in banner.text()
    assert ctx.settings.screening_blocked
    assert saved()["screening_blocked"] is True
    # what to do now comes first: no need to answer the rest of the page
    assert page.next_btn.isEnabled()
    assert page.focusWidget() is page.next_btn
    press(qtbot, page, Qt.Key.Key_Return)
    assert page.step_id() == "done"  # the urgent, review and camera steps are skipped
    assert "emergency number" in page.done_advice.text()
    page.previous()
    assert page.step_id() == "emergency"  # Previous returns to where the user was
    page.next_btn.click()
    page.next_btn.click()  # Finish

    s = ctx.settings
    assert s.onboarded and s.screening_blocked
    assert "emergency care now" in s.screening_advice
    home = win.home_page
    assert win.current_page() is home
    assert not home.start_btn.isEnabled()
    assert "emergency" in home.start_btn.toolTip()

    # and starting any other way shows the advice instead of a session
    plan, title = plan_for_program(ctx, "core")
    ctx.nav.start_session(plan, title)
    assert win.current_page() is home
    assert win.banner.isVisible() and "emergency care now" in win.banner.text()
    win.open_exercise("glute_bridge")
    assert not win.current_page().start_btn.isEnabled()


def test_leaving_half_way_keeps_an_urgent_block(qtbot, window) -> None:
    win, ctx = window
    page = open_onboarding(win)
    walk_to(page, "urgent")
    page.rows["rf_fever"].yes.click()
    assert "today" in page.banners["urgent"].text()
    win.home()  # the user leaves without finishing
    assert ctx.settings.screening_blocked and not ctx.settings.onboarded
    assert saved()["screening_blocked"] is True
    assert not win.home_page.start_btn.isEnabled()


def test_see_clinician_blocks_and_a_finished_rerun_lifts_it(qtbot, window) -> None:
    win, ctx = window
    page = open_onboarding(win)
    walk_to(page, "review")
    page.rows["rf_cancer"].yes.click()
    for q in screening.questions_in("review")[1:]:
        page.rows[q.id].no.click()
    page.next_btn.click()
    assert page.step_id() == "camera"  # not an emergency: set-up continues
    page.next_btn.click()
    assert "before you start" in page.done_advice.text()
    page.next_btn.click()
    assert ctx.settings.screening_blocked

    # reviewed by the clinician: run it again from Settings
    win.open_settings()
    win.current_page().rerun.click()
    page = win.current_page()
    assert isinstance(page, OnboardingPage)
    walk_to(page, "done")
    assert ctx.settings.screening_blocked  # not lifted until the run is finished
    page.next_btn.click()
    assert not ctx.settings.screening_blocked and ctx.settings.screening_advice == ""
    assert saved()["screening_blocked"] is False
    assert win.home_page.start_btn.isEnabled()


def test_the_camera_is_chosen_into_the_active_profile(qtbot, window, two_cameras) -> None:
    win, ctx = window
    page = open_onboarding(win)
    walk_to(page, "camera")
    assert page.camera_combo.isEnabled() and page.camera_combo.count() == 2
    assert "USB camera" in page.camera_combo.itemText(1)
    page.camera_combo.setCurrentIndex(1)
    page.next_btn.click()
    page.next_btn.click()
    assert ctx.settings.profile().camera == "2"
    assert saved()["profiles"][0]["camera"] == "2"


def test_tab_moves_between_questions_and_arrows_reach_no(qtbot, window) -> None:
    win, _ctx = window
    page = open_onboarding(win)
    walk_to(page, "general")
    rows = [page.rows[q.id] for q in screening.questions_in("general")]
    assert page.focusWidget() is rows[0]  # the question, not an answer
    press(qtbot, page, Qt.Key.Key_Right)  # into its answers
    assert page.focusWidget() is rows[0].yes
    press(qtbot, page, Qt.Key.Key_Right)  # within the question: Yes -> No
    assert page.focusWidget() is rows[0].no
    press(qtbot, page, Qt.Key.Key_Space)  # choose No
    assert rows[0].answer() is False
    page.focusWidget().clearFocus()
    rows[0].no.setFocus()
    press(qtbot, page, Qt.Key.Key_Tab)  # Tab goes to the next question, not to another answer
    assert page.focusWidget() is rows[1].yes
    press(qtbot, page, Qt.Key.Key_Backtab)
    assert page.focusWidget() is rows[0].no  # back to the chosen answer of the question before
    press(qtbot, page, Qt.Key.Key_Left)
    assert page.focusWidget() is rows[0].yes


def test_advice_banner_does_not_move_the_questions(qtbot, window) -> None:
    win, _ctx = window
    page = open_onboarding(win)
    walk_to(page, "general")
    rows = [page.rows[q.id] for q in screening.questions_in("general")]
    before = [r.yes.mapTo(win, r.yes.rect().topLeft()) for r in rows]
    rows[0].yes.click()  # a "yes" brings up the advice banner
    qtbot.waitUntil(page.banners["general"].isVisible)
    after = [r.yes.mapTo(win, r.yes.rect().topLeft()) for r in rows]
    assert before == after


def test_back_surgery_asks_when_and_which_and_sets_the_safety_rules(qtbot, window) -> None:
    from coach.ui.home import plan_for_program

    win, ctx = window
    page = open_onboarding(win)
    walk_to(page, "back")
    assert not page.surgery_card.isVisible()
    page.answer("back_surgery", True)
    assert page.surgery_card.isVisible()
    for q in screening.questions_in("back")[1:]:
        page.answer(q.id, False)
    assert not page.next_btn.isEnabled()  # when and which are still unanswered
    assert page.focusWidget() is page.surgery_when.buttons[0]
    press(qtbot, page, Qt.Key.Key_Space)  # "Less than 6 weeks ago"
    assert page.surgery_when.value() == "under_6_weeks"
    assert page.focusWidget() is page.surgery_type.buttons[0]
    press(qtbot, page, Qt.Key.Key_Space)  # discectomy
    assert "leaves out" in page.surgery_note.text()
    assert page.next_btn.isEnabled()
    page.next_btn.click()
    while page.step_id() != "done":
        if page.step_id() in QUESTION_STEPS:
            answer_all(page, False)
        page.next_btn.click()
    assert "operation" in page.done_more.text()
    page.next_btn.click()  # Finish
    assert saved()["surgery_when"] == "under_6_weeks" and saved()["surgery_type"] == "discectomy"
    core = [it.exercise for it in plan_for_program(ctx, "flexibility")[0]]
    assert core and not any(
        {"loads_flexion", "loads_rotation", "lifting"} & set(e.tags) for e in core
    )


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_window_title_names_each_step(qtbot, window) -> None:
    from coach.ui.tour import apply_size

    win, ctx = window
    ctx.settings.large_text = True  # the longest title still fits beside the buttons
    win.apply_theme()
    page = open_onboarding(win)
    qtbot.waitUntil(lambda: win.title.text() == "Welcome — step 1 of 8: About coach")
    seen = [win.title.text()]

    def fits() -> None:
        apply_size(win, 1366, 768)
        assert (win.width(), win.height()) == (1366, 768)
        assert win.title.width() >= win.title.sizeHint().width(), win.title.text()

    page.ack.click()
    page.next_btn.click()
    while page.step_id() != "done":
        seen.append(win.title.text())
        fits()
        if page.step_id() in QUESTION_STEPS:
            answer_all(page, False)
        page.next_btn.click()
    seen.append(win.title.text())
    assert seen == [
        "Welcome — step 1 of 8: About coach",
        "Welcome — step 2 of 8: Your health",
        "Welcome — step 3 of 8: Your back",
        "Welcome — step 4 of 8: Emergency signs",
        "Welcome — step 5 of 8: Signs for a doctor today",
        "Welcome — step 6 of 8: Things to check first",
        "Welcome — step 7 of 8: Camera",
        "Welcome — step 8 of 8: Done",
    ]
    page.prev_btn.click()
    assert win.title.text() == "Welcome — step 7 of 8: Camera"


@pytest.mark.parametrize("step", list(QUESTION_STEPS))
def test_enter_never_answers_a_safety_question(qtbot, window, step: str) -> None:
    """Focus starts on the question, not on "Yes"; Enter there, or on a highlighted answer,
    answers nothing and does not move on."""
    win, _ctx = window
    page = open_onboarding(win)
    walk_to(page, step)
    rows = [page.rows[q.id] for q in page.asked_questions()]  # the ones shown
    assert page.focusWidget() is rows[0]
    assert page.focusWidget() not in (rows[0].yes, rows[0].no)
    for _ in range(3):
        press(qtbot, page, Qt.Key.Key_Return)
    assert all(r.answer() is None for r in rows) and page.step_id() == step
    assert "every question" in page.hint.text()
    press(qtbot, page, Qt.Key.Key_Down)  # into the answers: "Yes" is highlighted, not chosen
    assert page.focusWidget() is rows[0].yes
    press(qtbot, page, Qt.Key.Key_Enter)
    press(qtbot, page, Qt.Key.Key_Return)
    assert rows[0].answer() is None and page.step_id() == step
    assert "press Y for yes or N for no" in page.hint.text()
    press(qtbot, page, Qt.Key.Key_N)  # a deliberate answer moves on to the next question
    assert rows[0].answer() is False
    if len(rows) > 1:
        assert page.focusWidget() is rows[1]


def test_each_step_names_itself_in_the_title_bar_at_once(qtbot, window) -> None:
    """The window opens the onboarding under its step's name and each step renames it through
    ``MainWindow.set_page_title`` at once (nothing overwrites it later); while another page is
    shown the step leaves the title alone, and Back brings the step's name back."""
    win, _ctx = window
    page = open_onboarding(win)
    assert win.title.text() == "Welcome — step 1 of 8: About coach"  # no event-loop turn
    page.ack.click()
    page.next_btn.click()
    assert win.title.text() == "Welcome — step 2 of 8: Your health"
    win.open_learn()
    page._show_title()  # a step renaming itself while Learn is shown
    assert win.title.text() == "Learn"
    win.back()
    assert win.current_page() is page
    assert win.title.text() == "Welcome — step 2 of 8: Your health"


def test_the_last_step_says_finish_starts_the_session_that_was_asked_for(qtbot, window) -> None:
    from coach.core.session import plan_for_recording

    win, ctx = window
    page = open_onboarding(win)
    walk_to(page, "done")
    assert page.done_more.text().endswith("Press Finish to go to the home screen.")
    win.start_session([plan_for_recording(ctx.catalogue.get("mini_squat"))], "Mini-squat")
    page = win.current_page()
    assert isinstance(page, OnboardingPage)
    walk_to(page, "done")
    assert page.done_more.text().endswith("Press Finish to start the session you chose.")


POST_OP = ("rf_wound", "rf_postop_numb", "rf_headache")


def test_no_back_surgery_leaves_out_the_post_operative_questions(qtbot, window) -> None:
    """After "no operation on my back", the wound, numbness-since-surgery and headache-since-
    surgery questions are not shown, not waited for and not flagged; the fever question (and
    every other red flag) is still asked."""
    win, ctx = window
    page = open_onboarding(win)
    walk_to(page, "urgent")
    assert page.answers["back_surgery"] is False
    shown = [q.id for q in screening.questions_in("urgent") if page.rows[q.id].isVisible()]
    assert shown == ["rf_fever", "rf_breathless", "rf_trauma"]
    assert [q.id for q in page.asked_questions()] == shown
    assert page.focusWidget() is page.rows["rf_fever"]
    for qid in shown:  # by keyboard: N answers the question in focus, then the next shown one
        assert page.focusWidget() is page.rows[qid]
        press(qtbot, page, Qt.Key.Key_N)
    assert page.next_btn.isEnabled() and page.focusWidget() is page.next_btn
    assert all(page.answers[q] is None for q in POST_OP)
    with pytest.raises(ValueError, match="rf_wound"):
        page.answer("rf_wound", True)
    page.rows["rf_wound"].yes.click()  # a hidden button cannot answer it either
    assert page.answers["rf_wound"] is None and not page.result.blocked
    assert page.not_applicable() == POST_OP
    walk_to_done(page)
    page.next_btn.click()  # Finish
    assert ctx.settings.onboarded and not ctx.settings.screening_blocked


def walk_to_done(page: OnboardingPage) -> None:
    while page.step_id() != "done":
        if page.step_id() in QUESTION_STEPS:
            answer_all(page, False)
        page.next_btn.click()


def to_urgent_after_surgery(win) -> OnboardingPage:
    """Onboarding up to the emergency questions, with "yes" to back surgery (and its details)."""
    page = open_onboarding(win)
    walk_to(page, "back")
    page.answer("back_surgery", True)
    for q in screening.questions_in("back")[1:]:
        page.answer(q.id, False)
    page.surgery_when.buttons[3].click()
    page.surgery_type.buttons[0].click()
    page.next_btn.click()
    return page


def test_yes_to_back_surgery_asks_the_post_operative_questions(qtbot, window) -> None:
    win, ctx = window
    page = to_urgent_after_surgery(win)
    answer_all(page, False)  # emergency
    page.next_btn.click()
    assert page.step_id() == "urgent"
    urgent = screening.questions_in("urgent")
    assert all(page.rows[q.id].isVisible() for q in urgent)
    assert page.asked_questions() == urgent
    for _ in range(2):  # the fever question, then the wound question
        press(qtbot, page, Qt.Key.Key_N)
    assert page.answers["rf_fever"] is False and page.answers["rf_wound"] is False
    assert not page.next_btn.isEnabled()  # the other post-operative questions are waited for
    page.answer("rf_headache", True)
    assert page.result.blocked and "today" in page.banners["urgent"].text()
    assert ctx.settings.screening_blocked  # saved at once, as for every red flag
    assert page.not_applicable() == ()


def test_changing_the_surgery_answer_to_no_drops_the_post_operative_answers(qtbot, window) -> None:
    """A "yes" to the wound question, then "no operation" after all: that answer no longer
    applies and is cleared; the screening finishes without a block. Run again from Settings with
    "yes", the questions are asked afresh."""
    win, ctx = window
    page = to_urgent_after_surgery(win)
    answer_all(page, False)
    page.next_btn.click()
    page.answer("rf_wound", True)
    assert page.result.blocked
    page.next_btn.click()
    assert page.step_id() == "done"  # an urgent answer goes straight to what to do
    page.previous()
    page.previous()
    page.previous()
    assert page.step_id() == "back"
    page.rows["back_surgery"].no.click()
    assert page.answers["rf_wound"] is None and not page.rows["rf_wound"].yes.isChecked()
    assert not page.result.blocked and page.result.not_applicable == POST_OP
    assert page.banners["urgent"].isHidden()
    page.next_btn.click()
    page.next_btn.click()
    assert page.step_id() == "urgent"
    assert not any(page.rows[q].isVisible() for q in POST_OP)
    walk_to_done(page)
    assert page.done_title.text() == "You're ready"
    page.next_btn.click()
    assert not ctx.settings.screening_blocked and ctx.settings.surgery_when == ""

    win.open_settings()
    win.current_page().rerun.click()
    page = win.current_page()
    assert isinstance(page, OnboardingPage)
    walk_to(page, "back")
    page.answer("back_surgery", True)
    page.rows["back_surgery"].no.click()
    page.rows["back_surgery"].yes.click()  # no, then yes again: asked afresh, none pre-answered
    assert all(page.answers[q] is None for q in POST_OP)
    for q in screening.questions_in("back")[1:]:
        page.answer(q.id, False)
    page.surgery_when.buttons[3].click()
    page.surgery_type.buttons[0].click()
    page.next_btn.click()
    answer_all(page, False)
    page.next_btn.click()
    assert page.step_id() == "urgent"
    assert all(page.rows[q].isVisible() and page.rows[q].answer() is None for q in POST_OP)
