"""Run a student's function so that nothing it does can break the check or the notebook.

:func:`call` returns an :class:`Outcome` instead of raising: the value, or the exception
(SystemExit and other BaseExceptions included), whether the time limit stopped it, what it
printed, and which floating-point events numpy saw (overflow, invalid, divide). numpy's
error state and print options are the same afterwards as before.

The time limit is a timer thread that interrupts the main thread (``_thread.interrupt_main``,
the same path as Ctrl-C), so it works on every system; a real Ctrl-C still stops the check. A process
that ignores SIGINT (started in the background) gets Python's handler for the call, then its own back.
Outside the main thread there is no limit.
"""

import _thread
import contextlib
import io
import signal
import threading
import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Outcome", "call"]


@dataclass
class Outcome:
    value: object = None
    error: BaseException = None
    timed_out: bool = False
    printed: str = ""
    fp_events: set = field(default_factory=set)


class _Timer:
    """Interrupts the main thread after ``limit`` seconds unless :meth:`stop` came first."""

    def __init__(self, limit):
        self.fired = self.done = False
        self._lock = threading.Lock()
        self._timer, self._ignored = None, None
        if limit and threading.current_thread() is threading.main_thread():
            # interrupt_main acts through Python's SIGINT handler, which a process started in the background
            # (a shell's job, nohup, a CI runner) does not have: SIGINT ignored, the limit would never stop a loop
            if not callable(handler := signal.getsignal(signal.SIGINT)):
                self._ignored = handler
                signal.signal(signal.SIGINT, signal.default_int_handler)
            self._timer = threading.Timer(limit, self._fire)
            self._timer.daemon = True
            self._timer.start()

    def _fire(self):
        with self._lock:
            if not self.done:
                self.fired = True
                _thread.interrupt_main()

    def stop(self):
        with self._lock:
            self.done = True
        if self._timer is not None:
            self._timer.cancel()

    def restore(self):
        """The SIGINT handling the process had (an interrupt still pending is then dropped, if ignored)."""
        if self._ignored is not None:
            signal.signal(signal.SIGINT, self._ignored)
            self._ignored = None


def _absorb_pending_interrupt():
    """The timer fired as the call ended: let its interrupt arrive here, not in the caller."""
    try:
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            time.sleep(0.005)
    except KeyboardInterrupt:
        pass


def call(fn, args, limit=None):
    """``fn(*args)`` with output captured, numpy's state kept, errors and a time limit caught."""
    out = Outcome()
    buffer = io.StringIO()
    printopts = np.get_printoptions()
    timer, delivered = None, False

    def record(kind, flag):
        out.fp_events.add(kind)

    try:
        try:
            with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer), \
                    np.errstate(all="call", call=record):
                timer = _Timer(limit)
                try:
                    out.value = fn(*args)
                finally:
                    timer.stop()
        except KeyboardInterrupt as exc:
            if timer is None or not timer.fired:
                raise
            delivered, out.timed_out, out.error = True, True, exc
        except BaseException as exc:  # noqa: BLE001  (SystemExit too: reported, never obeyed)
            out.error = exc
        if timer is not None and timer.fired and not delivered:
            _absorb_pending_interrupt()
            out.timed_out, out.value = True, None
    except KeyboardInterrupt:
        if timer is None or not timer.fired:
            raise
        out.timed_out, out.value = True, None
    finally:
        np.set_printoptions(**printopts)
        if timer is not None:
            timer.restore()
    out.printed = buffer.getvalue()
    return out
