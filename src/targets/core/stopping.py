"""What to undo when a signal stops the run: the CLI's handler calls `undo_all` and exits.

Raising KeyboardInterrupt from a signal handler unwinds the run only when the exception
lands in ordinary code: a signal that arrives while a finalizer (`__del__`, a weakref
callback) runs is printed as "Exception ignored" and lost, and the run goes on as if never
stopped. So the handler undoes what is registered here and ends the process itself.
"""
from __future__ import annotations

import signal
from contextlib import contextmanager, suppress
from itertools import count
from typing import Callable, Iterator

_pending: dict[int, Callable[[], None]] = {}
_ids = count()


@contextmanager
def undone_if_stopped(action: Callable[[], None]) -> Iterator[None]:
    """Within the block, a stopped run calls `action` (remove a staging folder, stop workers)."""
    key = next(_ids)
    _pending[key] = action
    try:
        yield
    finally:
        _pending.pop(key, None)


def undo_all() -> None:
    """Every pending action, the latest first; one that fails costs none of the others."""
    for key in sorted(_pending, reverse=True):
        action = _pending.pop(key, None)
        if action is not None:
            with suppress(Exception):
                action()


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for the block: they arrive, as usual, when it ends."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: nothing to hold
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
