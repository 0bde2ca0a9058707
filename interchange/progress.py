"""A progress line for long imports, shown only when a person is watching a terminal."""

import sys
import time
from typing import TextIO

SHOW_FROM = 200  # records; shorter imports finish before a bar would help


def terminal_progress(stream: TextIO = sys.stderr, label: str = "Writing"):
    """A Progress callback drawing "Writing 1,200/100,000 (1%)", or None off a terminal."""
    if not stream.isatty():
        return None
    last = 0.0

    def show(done: int, total: int) -> None:
        nonlocal last
        if total < SHOW_FROM:
            return
        now = time.monotonic()
        if done < total and now - last < 0.2:
            return
        last = now
        stream.write(f"\r{label} {done:,}/{total:,} ({100 * done // total}%)")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show
