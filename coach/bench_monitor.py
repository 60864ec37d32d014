"""``coach bench-monitor`` lives in :mod:`coach.devtools.bench_monitor`; this name keeps the
command registered while ``coach.cli`` lists the old module path."""

from coach.devtools.bench_monitor import (  # noqa: F401
    DEFAULT_VIDEO,
    FIXED_RATE_HZ,
    add_parser,
    bench,
    bench_memory,
    rss_bytes,
)
