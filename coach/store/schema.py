"""The history database's schema: tables, statuses, and the migrations between versions.

Layout (schema version :data:`SCHEMA_VERSION`, kept in ``PRAGMA user_version``)::

    sessions            one row per session: routine, start/end, status, traffic light
    exercise_results    one row per exercise done in a session (planned dose, totals, summary)
    sets                sets within an exercise (optional: the app may not split sets)
    reps                every counted rep: engine times, range, peak, hold, faults, flags
    holds               every hold: times, seconds in position, seconds not visible, faults
    faults              per exercise result: fault id, how often, severity, the cue shown
    pain_ratings        0-10 NRS with its context (before, after_exercise, end, on_demand,
                        next_morning) and whether pain spread down the leg (DOMAIN §5.1)
    posture_days        desk mode: seconds per posture state, breaks, alerts per day
    progression_events  dose changes (progress / regress / hold) with the reason shown
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

SCHEMA_VERSION = 3
HISTORY_FILENAME = "history.sqlite3"
PAIN_CONTEXTS = ("before", "after_exercise", "end", "on_demand", "next_morning")
PainContext = Literal["before", "after_exercise", "end", "on_demand", "next_morning"]
#: in_progress: being recorded now; completed: the plan was done and something was counted;
#: stopped_early: ended before the plan was done (``stop_reason`` says why: pain, the person,
#: no camera, the recording ended, nothing counted); interrupted: the process died (crash, kill).
SESSION_STATUSES = ("in_progress", "completed", "stopped_early", "interrupted")
#: A session still "in progress" this long after it started was cut short by a crash.
STALE_SESSION = timedelta(hours=6)
#: The next-morning question is asked from this local hour on the day after a session.
MORNING_FROM_HOUR = 4

_V1 = """
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    routine_id TEXT,
    routine_version INTEGER,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL DEFAULT 'in_progress'
        CHECK (status IN ('in_progress', 'completed', 'aborted', 'interrupted')),
    app_version TEXT,
    device_json TEXT
);
CREATE INDEX sessions_started ON sessions(started_at);
CREATE TABLE exercise_results (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER,
    exercise_id TEXT NOT NULL,
    side TEXT,
    sets_planned INTEGER,
    reps_planned INTEGER,
    hold_s_planned REAL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    reps INTEGER,
    partial_reps INTEGER,
    holds INTEGER,
    hold_s_total REAL,
    not_visible_s REAL,
    summary_json TEXT
);
CREATE INDEX exercise_results_session ON exercise_results(session_id);
CREATE TABLE reps (
    id INTEGER PRIMARY KEY,
    exercise_result_id INTEGER NOT NULL REFERENCES exercise_results(id) ON DELETE CASCADE,
    rep_index INTEGER NOT NULL,
    start_s REAL,
    end_s REAL,
    range_deg REAL,
    peak REAL,
    hold_s REAL,
    faults TEXT NOT NULL DEFAULT '[]',
    flags TEXT NOT NULL DEFAULT '[]',
    recorded_at TEXT NOT NULL
);
CREATE INDEX reps_result ON reps(exercise_result_id);
CREATE TABLE holds (
    id INTEGER PRIMARY KEY,
    exercise_result_id INTEGER NOT NULL REFERENCES exercise_results(id) ON DELETE CASCADE,
    hold_index INTEGER NOT NULL,
    start_s REAL,
    end_s REAL,
    seconds REAL NOT NULL,
    not_visible_s REAL NOT NULL DEFAULT 0,
    faults TEXT NOT NULL DEFAULT '[]',
    recorded_at TEXT NOT NULL
);
CREATE INDEX holds_result ON holds(exercise_result_id);
CREATE TABLE pain_ratings (
    id INTEGER PRIMARY KEY,
    session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL,
    exercise_result_id INTEGER REFERENCES exercise_results(id) ON DELETE SET NULL,
    recorded_at TEXT NOT NULL,
    context TEXT NOT NULL
        CHECK (context IN ('before', 'after_exercise', 'end', 'on_demand', 'next_morning')),
    value INTEGER NOT NULL CHECK (value BETWEEN 0 AND 10),
    spreading_down_leg INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX pain_session ON pain_ratings(session_id);
CREATE INDEX pain_time ON pain_ratings(recorded_at)
"""

_V2 = """
ALTER TABLE sessions ADD COLUMN classification TEXT
    CHECK (classification IS NULL OR classification IN ('green', 'amber', 'red'));
ALTER TABLE sessions ADD COLUMN next_morning_check INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sessions ADD COLUMN planned_json TEXT;
ALTER TABLE sessions ADD COLUMN notes TEXT;
ALTER TABLE pain_ratings ADD COLUMN stiffness INTEGER CHECK (stiffness IS NULL OR stiffness BETWEEN 0 AND 10);
CREATE TABLE sets (
    id INTEGER PRIMARY KEY,
    exercise_result_id INTEGER NOT NULL REFERENCES exercise_results(id) ON DELETE CASCADE,
    set_index INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    reps INTEGER,
    partial_reps INTEGER
);
CREATE INDEX sets_result ON sets(exercise_result_id);
ALTER TABLE reps ADD COLUMN set_id INTEGER REFERENCES sets(id) ON DELETE SET NULL;
ALTER TABLE holds ADD COLUMN set_id INTEGER REFERENCES sets(id) ON DELETE SET NULL;
CREATE TABLE faults (
    id INTEGER PRIMARY KEY,
    exercise_result_id INTEGER NOT NULL REFERENCES exercise_results(id) ON DELETE CASCADE,
    fault_id TEXT NOT NULL,
    count INTEGER NOT NULL,
    severity TEXT,
    cue TEXT,
    UNIQUE (exercise_result_id, fault_id)
);
CREATE TABLE posture_days (
    day TEXT PRIMARY KEY,
    seconds_json TEXT NOT NULL DEFAULT '{}',
    breaks INTEGER NOT NULL DEFAULT 0,
    alerts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE TABLE progression_events (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL,
    routine_id TEXT,
    exercise_id TEXT NOT NULL,
    position INTEGER,
    kind TEXT NOT NULL CHECK (kind IN ('progress', 'regress', 'hold', 'reset')),
    before_json TEXT,
    after_json TEXT,
    reason TEXT NOT NULL
);
CREATE INDEX progression_exercise ON progression_events(routine_id, exercise_id);
-- v1 kept per-exercise fault counts only inside summary_json: lift them into the new table.
INSERT INTO faults (exercise_result_id, fault_id, count)
    SELECT er.id, j.key, j.value FROM exercise_results er, json_each(er.summary_json, '$.faults') j
    WHERE er.summary_json IS NOT NULL AND json_valid(er.summary_json)
        AND json_type(er.summary_json, '$.faults') = 'object'
"""

# v3: honest statuses. "aborted" becomes "stopped_early" with a reason; the process that records
# a session is noted so a crashed one is marked interrupted at the next start, not hours later.
# SQLite cannot change a CHECK constraint in place: the table is rebuilt (sqlite.org/lang_altertable
# "other kinds of table schema changes"), with foreign keys off for the swap (see migrate()).
_V3 = """
CREATE TABLE sessions_v3 (
    id TEXT PRIMARY KEY,
    routine_id TEXT,
    routine_version INTEGER,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL DEFAULT 'in_progress'
        CHECK (status IN ('in_progress', 'completed', 'stopped_early', 'interrupted')),
    app_version TEXT,
    device_json TEXT,
    classification TEXT
        CHECK (classification IS NULL OR classification IN ('green', 'amber', 'red')),
    next_morning_check INTEGER NOT NULL DEFAULT 1,
    planned_json TEXT,
    notes TEXT,
    stop_reason TEXT,
    owner_pid INTEGER,
    owner_host TEXT
);
INSERT INTO sessions_v3 (id, routine_id, routine_version, started_at, ended_at, status, app_version,
        device_json, classification, next_morning_check, planned_json, notes)
    SELECT id, routine_id, routine_version, started_at, ended_at,
        CASE status WHEN 'aborted' THEN 'stopped_early' ELSE status END,
        app_version, device_json, classification, next_morning_check, planned_json, notes
    FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v3 RENAME TO sessions;
CREATE INDEX sessions_started ON sessions(started_at);
ALTER TABLE exercise_results ADD COLUMN status TEXT;
ALTER TABLE exercise_results ADD COLUMN stop_reason TEXT
"""

#: Each migration takes the database from ``version - 1`` to ``version``.
MIGRATIONS: tuple[tuple[int, str], ...] = ((1, _V1), (2, _V2), (3, _V3))
#: Migrations that rebuild a table: run with foreign keys off so the swap cascades nothing.
_REBUILDS = frozenset({3})
