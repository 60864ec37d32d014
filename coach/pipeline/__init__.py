"""Qt-free threads shared by the app, the CLI and the benchmarks.

- :mod:`coach.pipeline.live`: capture thread -> latest-wins mailbox -> pose + scoring thread.
- :mod:`coach.pipeline.session`: :class:`LiveSession`, one guided session over a source.
- :mod:`coach.pipeline.sampled`: the posture monitor's adaptive, grab-don't-decode sampling.
"""

from coach.pipeline.live import (
    Consumer,
    LivePipeline,
    LiveResult,
    PipelineEvent,
    PipelineEventKind,
    PipelineStats,
)

__all__ = [
    "Consumer",
    "LivePipeline",
    "LiveResult",
    "PipelineEvent",
    "PipelineEventKind",
    "PipelineStats",
]
