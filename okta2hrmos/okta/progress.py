"""The export's progress on stderr: users, pages and rate-limit waits."""

from __future__ import annotations

import sys
import time
from typing import TextIO

# Redraw a terminal line at most this often, in seconds.
REDRAW_EVERY = 0.1
# Without a terminal (a log file), one line per this many pages.
LOG_EVERY_PAGES = 50


class Progress:
    """One line rewritten in place on a terminal; a few plain lines otherwise."""

    def __init__(self, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self._stream = stream or sys.stderr
        self._tty = enabled and self._stream.isatty()
        self._users = 0
        self._pages = 0
        self._drawn_at = 0.0
        self._width = 0

    def page(self, users: int, pages: int) -> None:
        """Report the users and pages read so far."""
        self._users, self._pages = users, pages
        if not self.enabled:
            return
        if self._tty:
            if time.monotonic() - self._drawn_at >= REDRAW_EVERY:
                self._draw(self._counts())
        elif pages % LOG_EVERY_PAGES == 0:
            self._line(f"Okta: {self._counts()} so far")

    def wait(self, seconds: float, reason: str) -> None:
        """Report a wait before the next request."""
        if not self.enabled or seconds < 1:
            return
        text = f"waiting {seconds:.0f} s {reason}"
        if self._tty:
            self._draw(f"{self._counts()}, {text}")
        else:
            self._line(f"Okta: {text} ({self._counts()} so far)")

    def close(self) -> None:
        """Clear the terminal line, leaving the screen for the summary."""
        if self._tty and self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0

    def _counts(self) -> str:
        return f"{self._users:,} users, {self._pages:,} pages"

    def _draw(self, text: str) -> None:
        line = f"Okta: {text}"
        padding = " " * max(self._width - len(line), 0)
        self._stream.write(f"\r{line}{padding}")
        self._stream.flush()
        self._width = len(line)
        self._drawn_at = time.monotonic()

    def _line(self, text: str) -> None:
        self._stream.write(text + "\n")
        self._stream.flush()
