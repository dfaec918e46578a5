"""A one-line progress display for long runs: property, elements sent to the target, elapsed time and a
rough estimate of the time left. It draws only on a terminal and stays silent otherwise (CI logs, pipes)."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}"


class ProgressLine:
    """The ``progress`` callback of ``verify``; a background thread redraws the line twice a second."""

    def __init__(self, stream: TextIO | None = None, interval: float = 0.5) -> None:
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval
        self.started = time.monotonic()
        self.state: tuple[str, int, int] = ("", 0, 1)
        self.adapter: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, name: str, index: int, count: int, adapter: Any) -> None:
        self.state, self.adapter = (name, index, count), adapter
        if not self.enabled:
            return
        if name == "done":
            self.close()
        elif self._thread is None:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()

    def line(self) -> str:
        name, index, count = self.state
        elapsed = time.monotonic() - self.started
        elements = getattr(self.adapter, "elements", 0)
        left = f", about {_clock(elapsed * (count - index) / index)} left" if index else ""
        return f"[{index + 1}/{count}] {name}: {elements / 1e6:,.1f}M elements, {_clock(elapsed)} elapsed{left}"

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.stream.write("\r\033[K" + self.line())
            self.stream.flush()

    def close(self) -> None:
        """Stop redrawing and clear the line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            self.stream.write("\r\033[K")
            self.stream.flush()
