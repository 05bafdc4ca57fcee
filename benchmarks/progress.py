"""A one-line progress bar for the commands' output (redrawn in place on a terminal, a line per
tenth otherwise, so logs stay short)."""

from __future__ import annotations

import time

from django.core.management.base import OutputWrapper

WIDTH = 30


class Progress:
    def __init__(self, out: OutputWrapper, total: int, label: str) -> None:
        self.out = out
        self.total = max(total, 1)
        self.label = label
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.tenths_shown = -1
        self.interactive = out.isatty()
        self.drawn = False

    def update(self, done: int) -> None:
        now = time.monotonic()
        share = min(done / self.total, 1.0)
        if self.interactive:
            if now - self.drawn_at < 0.5 and done < self.total:
                return
            self.drawn_at, self.drawn = now, True
            self.out.write(f"\r{self._line(done, share, now)}", ending="")
            self.out.flush()
        elif int(share * 10) > self.tenths_shown:
            self.tenths_shown = int(share * 10)
            self.out.write(self._line(done, share, now))

    def finish(self) -> None:
        """Ends the line redrawn in place, before other output."""
        if self.drawn:
            self.out.write("")
            self.drawn = False

    def _line(self, done: int, share: float, now: float) -> str:
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (self.total - done) / rate if rate > 0 else 0.0
        bar = "#" * round(share * WIDTH)
        return (
            f"{self.label} [{bar:<{WIDTH}}] {share:4.0%} {done:,}/{self.total:,} "
            f"{rate:,.0f}/s, {elapsed:.0f}s elapsed, about {left:.0f}s left"
        )
