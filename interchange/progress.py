"""A progress line for long imports, shown only when a person is watching a terminal."""

import sys
import time
from typing import TextIO

from django.core.management.base import OutputWrapper

SHOW_FROM = 200  # records; shorter imports finish before a bar would help


def terminal_progress(stream: TextIO | None = None, label: str = "Writing"):
    """A Progress callback drawing "Writing 1,200/100,000 (1%)", or None off a terminal."""
    stream = stream or sys.stderr
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
        end = "\n" if done == total else ""
        text = f"\r{label} {done:,}/{total:,} ({100 * done // total}%){end}"
        if isinstance(stream, OutputWrapper):
            stream.write(text, ending="")  # a command's stderr adds newlines otherwise
        else:
            stream.write(text)
        stream.flush()

    return show
