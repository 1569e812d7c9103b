"""`warroom serve` under a profiler, for bench/declare_round_trips.py --profile (bench only).

    python bench/profile_serve.py OUT serve --port 3000

SIGUSR1 starts profiling, SIGUSR2 stops it and writes OUT:
- `OUT.pstats`: yappi, CPU clock, every thread (aiosqlite's worker too); read it
  with `python -m pstats OUT.pstats`. Exact call counts, but its overhead
  inflates code that makes many small calls (SQLAlchemy, slack_sdk models);
- anything else: pyinstrument's sampler (1 ms, main thread, async-aware) as
  text, the event loop's idle wait included: the cheaper and truer share.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from warroom.cli import main

OUT = Path(sys.argv[1])
_profiler: Any = None


def _start(_signum: int, _frame: FrameType | None) -> None:
    global _profiler
    if OUT.suffix == ".pstats":
        import yappi  # type: ignore[import-untyped]

        yappi.set_clock_type("cpu")
        yappi.start(builtins=False, profile_threads=True)
    else:
        from pyinstrument import Profiler

        _profiler = Profiler(interval=0.001, async_mode="disabled")
        _profiler.start()


def _stop(_signum: int, _frame: FrameType | None) -> None:
    if OUT.suffix == ".pstats":
        import yappi

        yappi.stop()
        yappi.get_func_stats().save(str(OUT), type="pstat")
        yappi.clear_stats()
    else:
        _profiler.stop()
        OUT.write_text(_profiler.output_text(unicode=True, show_all=False))


if __name__ == "__main__":
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
    sys.exit(main(sys.argv[2:]))
