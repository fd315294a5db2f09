"""What threads wait on: `Cancel` (an event that wakes whatever waits on it; nothing polls) and
`Turns` (a lock taken in turns, urgent callers first). The model worker is in `worker.py`.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import threading
from collections.abc import Callable

__all__ = ["Cancel", "Turns"]


class Cancel:
    """A flag a worker checks between chunks; setting it stops the work within one chunk.

    Setting it also runs the callbacks given to `on_set`: how a worker waiting for its turn or
    for its consumer is woken at once (nothing polls the flag).

    Args:
        parent: a flag whose setting also sets this one.
    """

    def __init__(self, parent: Cancel | None = None) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], object]] = []
        self._parent = parent
        self._unlink: Callable[[], None] | None = None
        if parent is not None:
            self._unlink = parent.on_set(self.set)

    def set(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    @property
    def is_set(self) -> bool:
        return self._event.is_set()

    def on_set(self, callback: Callable[[], object]) -> Callable[[], None]:
        """Run ``callback()`` when the flag is set (at once, here, if it is already); returns
        a function that takes the callback back."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return functools.partial(self._forget, callback)
        callback()
        return lambda: None

    def detach(self) -> None:
        """Stop following the parent (the work this flag stops is over)."""
        if self._unlink is not None:
            self._unlink()
            self._unlink = None

    def _forget(self, callback: Callable[[], object]) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._callbacks.remove(callback)


class Turns:
    """A lock taken in turns: urgent callers first, then first come first served. It says who
    waits, so a holder with more to do can let them go first. Also a context manager."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._queue: collections.deque[object] = collections.deque()
        self._urgent = 0
        self._held = False

    @property
    def waiting(self) -> int:
        """How many wait for their turn."""
        return len(self._queue)

    @property
    def urgent(self) -> int:
        """How many of those are urgent."""
        return self._urgent

    def acquire(self, cancel: Cancel | None = None, *, urgent: bool = False) -> bool:
        """Wait for our turn; ``False`` (and no turn) if ``cancel`` is set meanwhile. An
        ``urgent`` caller goes before every caller that is not."""
        if cancel is not None and cancel.is_set:
            return False
        me = object()
        forget = cancel.on_set(self._wake) if cancel is not None else None
        try:
            with self._changed:
                if urgent:
                    self._queue.insert(self._urgent, me)
                    self._urgent += 1
                else:
                    self._queue.append(me)
                try:
                    while self._held or self._queue[0] is not me:
                        if cancel is not None and cancel.is_set:
                            self._changed.notify_all()  # the next in line may be first now
                            return False
                        self._changed.wait()  # woken by a release, or by the cancel
                    self._held = True
                    return True
                finally:
                    self._queue.remove(me)
                    self._urgent -= urgent
        finally:
            if forget is not None:
                forget()

    def _wake(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def release(self) -> None:
        with self._changed:
            self._held = False
            self._changed.notify_all()

    def __enter__(self) -> Turns:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
