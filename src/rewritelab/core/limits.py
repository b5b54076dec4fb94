"""A time limit on a piece of work that may not return: a signal alarm.

:func:`time_limit_of` raises :class:`TimedOut` (a BaseException, so no
``except Exception`` in PyTensor or the checker swallows it) in the main
thread when the seconds are spent; where the platform has no interval
timer, the work runs without a limit.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Any

__all__ = ["TimedOut", "time_limit_of"]


class TimedOut(BaseException):
    """Raised by the alarm: a BaseException, so no ``except Exception`` in
    PyTensor or the checker swallows it."""


@contextlib.contextmanager
def time_limit_of(seconds: float | None) -> Iterator[None]:
    if not seconds or not hasattr(signal, "setitimer"):
        yield
        return

    def alarm(signum: int, frame: Any) -> None:
        raise TimedOut

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
