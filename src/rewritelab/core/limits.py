"""A time limit on a piece of work that may not return.

:func:`time_limit_of` raises :class:`TimedOut` (a BaseException, so no
``except Exception`` in PyTensor or the checker swallows it) in the thread
doing the work when the seconds are spent: by a signal alarm in the main
thread; elsewhere (a Dask worker runs its tasks in threads) by a timer that
raises it in that thread (``PyThreadState_SetAsyncExc``), which Python
delivers at the thread's next bytecode, so a long call into C ends first.
Where the platform has no interval timer, the main thread runs without a
limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["TimedOut", "time_limit_of"]


class TimedOut(BaseException):
    """Raised by the alarm: a BaseException, so no ``except Exception`` in
    PyTensor or the checker swallows it."""


@contextlib.contextmanager
def time_limit_of(seconds: float | None) -> Iterator[None]:
    """Raise :class:`TimedOut` in this thread after ``seconds`` (None or 0:
    no limit).

    Examples
    --------
    >>> import time, threading
    >>> def slow(out):
    ...     try:
    ...         with time_limit_of(0.05):
    ...             while True:
    ...                 time.sleep(0.001)
    ...     except TimedOut:
    ...         out.append("timed out")
    >>> out = []
    >>> t = threading.Thread(target=slow, args=(out,)); t.start(); t.join()
    >>> out
    ['timed out']
    """
    if not seconds:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        with _thread_limit(seconds):
            yield
        return
    if not hasattr(signal, "setitimer"):
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


@contextlib.contextmanager
def _thread_limit(seconds: float) -> Iterator[None]:
    """The limit in a thread that is not the main one: a timer thread that
    raises TimedOut in it, unless the work ended first."""
    ident = threading.get_ident()
    lock = threading.Lock()
    live = [True]

    def fire() -> None:
        with lock:
            if live[0]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(ident), ctypes.py_object(TimedOut)
                )

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            live[0] = False
            timer.cancel()
    # a TimedOut set but not yet raised (the work ended between the timer
    # firing and here) must not escape into the caller: clear it
    with lock:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)
