"""Salvage a damaged history, and open a history for reading without ever changing it.

A history with a few damaged pages still holds most of its sessions and reps. Replacing it by an
empty file would lose them all, so :func:`salvage` copies every row that can still be read into
a fresh database (per table, in rowid order; when a scan stops at a damaged page, the rest is
found by looking rows up one by one and through the table's indexes — the idea of SQLite's
``.recover``, with nothing but the ``sqlite3`` module). Rows whose parent row was lost (a rep
whose exercise is gone) are left out, so the new file passes its foreign-key check.

The copy is made at the damaged file's own schema version and then migrated, so every upgrade
rule (status renames, new columns) applies to salvaged rows exactly as to healthy ones.

:func:`open_history_readonly` is for commands that only read (``coach history list``, exports,
reports): it never creates, moves, migrates or writes the file. It returns an in-memory copy
(salvaged if the file is damaged) and a warning for the person.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from coach.store.database import _classify, _connect, migrate
from coach.store.history import SCHEMA_VERSION, History

log = logging.getLogger(__name__)

#: Parents before children, so the foreign-key check afterwards sees every parent copied.
TABLES = (
    "sessions",
    "exercise_results",
    "sets",
    "reps",
    "holds",
    "faults",
    "pain_ratings",
    "posture_days",
    "progression_events",
)
#: After a scan stops at a damaged page, rows are looked up one by one until this many rowids
#: in a row are missing or unreadable (rowids are dense: ids are assigned 1, 2, 3...).
PROBE_WINDOW = 2000


@dataclass
class SalvageReport:
    """What :func:`salvage` copied: rows per table, rows left out, tables that were damaged."""

    copied: dict[str, int] = field(default_factory=dict)
    orphans_dropped: int = 0
    damaged_tables: list[str] = field(default_factory=list)
    schema_version: int = 0

    @property
    def sessions(self) -> int:
        return self.copied.get("sessions", 0)

    @property
    def reps(self) -> int:
        return self.copied.get("reps", 0)

    @property
    def total(self) -> int:
        return sum(self.copied.values())

    def sentence(self) -> str:
        """``"12 sessions, 340 reps and 24 pain ratings"``."""
        parts = [
            f"{self.copied.get(t, 0)} {label}"
            for t, label in (
                ("sessions", "sessions"),
                ("reps", "reps"),
                ("holds", "holds"),
                ("pain_ratings", "pain ratings"),
            )
            if self.copied.get(t, 0) or t == "sessions"
        ]
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _ro_uri(path: Path, *, immutable: bool = False) -> str:
    return f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")


def open_source(path: Path, *, immutable: bool | None = None) -> sqlite3.Connection:
    """A read-only connection to ``path`` that never changes it.

    ``immutable`` (default: when no ``-wal`` file holds recent writes) also keeps SQLite from
    creating ``-shm``/``-wal`` files beside it; with a non-empty ``-wal`` the file is opened
    read-only but not immutable, so the writes still in the WAL are read too.
    """
    if immutable is None:
        wal = Path(f"{path}-wal")
        immutable = not (wal.exists() and wal.stat().st_size > 0)
    conn = _connect(_ro_uri(path, immutable=immutable), uri=True, timeout=1.0)
    conn.execute("PRAGMA query_only = ON")
    conn.execute("PRAGMA cell_size_check = ON")  # notice damaged cells instead of reading junk
    return conn


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})").fetchall()]


def _indexes(conn: sqlite3.Connection, table: str) -> list[str]:
    with contextlib.suppress(sqlite3.DatabaseError):
        return [str(r[1]) for r in conn.execute(f"PRAGMA index_list({table})").fetchall()]
    return []


def _copy_table(src: sqlite3.Connection, dst: sqlite3.Connection, table: str) -> tuple[int, bool]:
    """Copy every readable row of ``table``; return (rows copied, whether damage was met)."""
    try:
        src_cols = set(_columns(src, table))
    except sqlite3.DatabaseError:
        return 0, True
    cols = [c for c in _columns(dst, table) if c in src_cols]
    if not cols:
        return 0, False
    copier = _TableCopier(src, dst, table, cols)
    last, damaged = copier.scan()
    if damaged:
        copier.rescue(last)
    return copier.copied, damaged


class _TableCopier:
    """Copies the readable rows of one table into ``dst``, each rowid at most once."""

    def __init__(
        self, src: sqlite3.Connection, dst: sqlite3.Connection, table: str, cols: list[str]
    ) -> None:
        self.src, self.dst, self.table = src, dst, table
        col_sql = ", ".join(f'"{c}"' for c in cols)
        self.select = f"SELECT rowid, {col_sql} FROM {table}"
        self.insert = (
            f"INSERT OR IGNORE INTO {table} ({col_sql}) VALUES ({', '.join('?' * len(cols))})"
        )
        self.done: set[int] = set()
        self.copied = 0

    def put(self, row: sqlite3.Row | tuple[object, ...]) -> None:
        rowid = int(row[0])  # type: ignore[arg-type]
        if rowid in self.done:
            return
        self.done.add(rowid)
        try:
            if self.dst.execute(self.insert, tuple(row[1:])).rowcount:
                self.copied += 1
        except sqlite3.Error:  # garbage that fails a CHECK or NOT NULL: not a row worth keeping
            pass

    def scan(self) -> tuple[int, bool]:
        """Read the table in rowid order; (last rowid read, whether the scan broke off)."""
        last = 0
        try:
            for row in self.src.execute(f"{self.select} ORDER BY rowid"):
                self.put(row)
                last = int(row[0])
        except sqlite3.DatabaseError:
            return last, True
        return last, False

    def probe(self, rowid: int) -> bool:
        """Copy the row ``rowid`` if it can be read; False when it cannot (or is not there)."""
        try:
            row = self.src.execute(f"{self.select} WHERE rowid = ?", (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            return False
        if row is None:
            return False
        self.put(row)
        return True

    def rescue(self, last: int) -> None:
        """After a broken scan: fetch the rows the indexes still know, then probe past ``last``."""
        # Rowids the indexes still know (each index is a separate b-tree, often undamaged).
        for index in _indexes(self.src, self.table):
            rowids: list[int] = []
            with contextlib.suppress(sqlite3.DatabaseError):
                for (rid,) in self.src.execute(
                    f"SELECT rowid FROM {self.table} INDEXED BY {index}"
                ):
                    rowids.append(int(rid))
            for rid in rowids:
                if rid not in self.done:
                    self.probe(rid)
        # Then every rowid after the point where the scan broke off.
        misses, rid = 0, last + 1
        while misses < PROBE_WINDOW:
            if rid in self.done or self.probe(rid):
                misses = 0
            else:
                misses += 1
            rid += 1


def _drop_orphans(dst: sqlite3.Connection) -> int:
    """Delete rows whose parent was not recovered (repeat: deleting may orphan others)."""
    dropped = 0
    for _ in range(len(TABLES)):
        bad = dst.execute("PRAGMA foreign_key_check").fetchall()
        if not bad:
            break
        for table, rowid, _parent, _fk in bad:
            if rowid is not None:
                dropped += dst.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,)).rowcount
    return dropped


def salvage(src_path: Path, dst: sqlite3.Connection) -> SalvageReport:
    """Copy every readable row of the database at ``src_path`` into the empty database ``dst``.

    ``dst`` gets the source's schema version, the rows, and is then migrated to the current
    schema. Never raises for damage in the source: what cannot be read is counted as lost.

    Raises
    ------
    sqlite3.Error
        Only when ``dst`` itself cannot be written.
    """
    report = SalvageReport()
    try:
        src = open_source(src_path)
        version = int(src.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError:  # e.g. a damaged -wal: read the main file alone
        try:
            src = open_source(src_path, immutable=True)
            version = int(src.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            log.info("nothing can be salvaged from %s: %s", src_path, exc)
            migrate(dst)
            return report
    try:
        if not 1 <= version <= SCHEMA_VERSION:
            # Page 1 unreadable or a newer coach: nothing can be copied into our schema safely.
            migrate(dst)
            return report
        report.schema_version = version
        migrate(dst, target=version)
        dst.execute("PRAGMA foreign_keys = OFF")
        dst.execute("BEGIN IMMEDIATE")
        try:
            for table in TABLES:
                n, damaged = _copy_table(src, dst, table)
                report.copied[table] = n
                if damaged:
                    report.damaged_tables.append(table)
            report.orphans_dropped = _drop_orphans(dst)
            dst.execute("COMMIT")
        except BaseException:
            dst.execute("ROLLBACK")
            raise
        finally:
            dst.execute("PRAGMA foreign_keys = ON")
        migrate(dst)
    finally:
        src.close()
    for table in report.copied:
        report.copied[table] = _count(dst, table)  # dst started empty; orphans are gone
    # INFO: the person is told in one sentence by the caller; the log file keeps the detail.
    log.info(
        "salvaged %s from %s (damaged tables: %s; %d orphaned rows left out)",
        report.copied,
        src_path,
        ", ".join(report.damaged_tables) or "none",
        report.orphans_dropped,
    )
    return report


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def open_history_readonly(path: str | Path) -> tuple[History, str | None]:
    """Open the history only to read it: never create, move, migrate or write the file.

    Returns an in-memory :class:`History` (``persistent`` is False) holding a copy of the file
    — salvaged row by row if it is damaged — and a warning for the person, or None.
    A missing file gives an empty history and no warning.
    """
    p = Path(path)
    if not p.exists():
        return History.in_memory(), None
    mem = _connect(":memory:")
    try:
        src = open_source(p)
        try:
            version = int(src.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                mem.close()
                return History.in_memory(), (
                    "Your exercise history was written by a newer version of coach; "
                    "please update coach to read it."
                )
            check = src.execute("PRAGMA quick_check").fetchone()[0]
            if check == "ok":
                src.backup(mem)
                mem.execute("PRAGMA foreign_keys = ON")
                migrate(mem)
                return History(mem, None), None
        finally:
            src.close()
    except sqlite3.Error as exc:
        err = _classify(exc)
        if type(err).__name__ == "LockedHistoryError":
            mem.close()
            return History.in_memory(p), (
                "Your exercise history is in use by another program; showing what was saved."
            )
        if type(err).__name__ != "CorruptHistoryError":
            mem.close()
            return History.in_memory(), f"Your exercise history ({p}) cannot be read ({exc})."
    # Damaged: show what can still be read, and leave the file exactly as it is.
    mem.close()
    mem = _connect(":memory:")
    report = salvage(p, mem)
    mem.execute("PRAGMA foreign_keys = ON")
    if not report.schema_version:
        return History(mem, None), (
            f"Your exercise history ({p}) cannot be read: it is damaged beyond repair or not a "
            "coach history. It was left as it is."
        )
    return History(mem, None), (
        f"Your exercise history ({p}) is damaged; showing the {report.sentence()} that could be "
        "read. Start the coach app to repair it (the damaged file is kept)."
    )
