"""The SQLite file underneath the history: where it lives, connecting, errors, migrations.

:func:`default_history_path` (``COACH_DATA_DIR`` honoured), the connection settings every
history uses (:func:`_connect`: our own transactions, rows by name), how a ``sqlite3.Error``
becomes one of the :class:`~coach.store.rows.HistoryError` kinds the app acts on (corrupt,
locked, unavailable), :func:`migrate` (one transaction per schema version, safe against two
processes opening a new file at once) and :func:`move_aside`, which renames a damaged file
and its companions and never deletes anything. :mod:`coach.store.history` and
:mod:`coach.store.salvage` build on these.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from coach.store.rows import (
    CorruptHistoryError,
    HistoryError,
    LockedHistoryError,
    NewerHistoryError,
    UnavailableHistoryError,
)
from coach.store.schema import _REBUILDS, HISTORY_FILENAME, MIGRATIONS, SCHEMA_VERSION

__all__ = ["default_history_path", "migrate", "move_aside"]

log = logging.getLogger(__name__)


def _errname(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


def _classify(exc: sqlite3.Error) -> HistoryError:
    name = _errname(exc)
    msg = str(exc)
    low = msg.lower()
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "not a database" in low or "malformed" in low:
        return CorruptHistoryError(msg)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in low:
        return LockedHistoryError(msg)
    return UnavailableHistoryError(msg)


def _connect(target: str, *, uri: bool = False, timeout: float = 5.0) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per call.
    conn = sqlite3.connect(
        target, timeout=timeout, isolation_level=None, check_same_thread=False, uri=uri
    )
    conn.row_factory = sqlite3.Row
    return conn


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema up to ``target`` one migration at a time, each in its own transaction.

    Returns the version found before migrating. Raises :class:`NewerHistoryError` when the
    database is newer than this coach knows.
    """
    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        raise NewerHistoryError(f"schema version {found}; this coach knows up to {SCHEMA_VERSION}")
    for version, script in MIGRATIONS:
        if version <= found or version > target:
            continue
        fk = int(conn.execute("PRAGMA foreign_keys").fetchone()[0])
        if version in _REBUILDS:
            conn.execute("PRAGMA foreign_keys = OFF")  # no effect inside a transaction
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Read the version again under the write lock: two coach processes opening a new
            # history at the same moment must not both run the same migration.
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) >= version:
                conn.execute("COMMIT")
                continue
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            if version in _REBUILDS:
                conn.execute(f"PRAGMA foreign_keys = {'ON' if fk else 'OFF'}")
        log.info("history schema migrated to version %d", version)
    return found


def default_history_path() -> Path:
    """``$COACH_DATA_DIR/history.sqlite3``, else under ``platformdirs.user_data_dir("coach")``."""
    env = os.environ.get("COACH_DATA_DIR")
    if env:
        return Path(env) / HISTORY_FILENAME
    import platformdirs

    return Path(platformdirs.user_data_dir("coach", appauthor=False)) / HISTORY_FILENAME


def _backup_name(path: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    base = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")
    candidate, n = base, 1
    while candidate.exists():
        candidate = base.with_name(f"{path.stem}.corrupt-{stamp}-{n}{path.suffix}")
        n += 1
    return candidate


def move_aside(path: Path, now: datetime | None = None) -> Path:
    """Rename a damaged database (and its ``-wal``/``-shm`` companions) to a timestamped
    backup beside it; never deletes anything. Returns the backup's path."""
    target = _backup_name(path, now or datetime.now())
    path.rename(target)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            with contextlib.suppress(OSError):
                companion.rename(Path(f"{target}{suffix}"))
    return target
