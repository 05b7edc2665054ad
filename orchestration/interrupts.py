"""SIGTERM and SIGINT answered within a second, whatever the process is doing.

Dagster captures SIGINT while it executes a run and acts on it only inside a step, so a run
waiting for a pool slot, or a step inside a long DuckDB call, would never answer. Here the
signal wakes a thread instead (``signal.set_wakeup_fd`` is written by the C handler, even
while the main thread is busy in C), which ends the child processes (dbt, parse workers),
marks this process's runs failed, frees their pool slots and exits. Stopping that abruptly
is safe because a run killed at any point is (see recovery.py): every write is a
transaction, and publishing is one rename.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Callable, Iterator

EXIT_WITHIN_S = 0.9
_cleanups: list[Callable[[], None]] = []  # what to undo on an abort: this process's runs


@contextlib.contextmanager
def on_abort(cleanup: Callable[[], None]) -> Iterator[None]:
    """Run ``cleanup`` if the process is stopped while inside this block."""
    _cleanups.append(cleanup)
    try:
        yield
    finally:
        _cleanups.remove(cleanup)


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid``, from /proc (no extra dependency); [] elsewhere."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def abort(message: str, code: int) -> None:
    """End this process now, cleanly enough: children stopped, runs marked failed, one line."""
    threading.Timer(EXIT_WITHIN_S, os._exit, [code]).start()  # whatever the clean-up does
    for child in _children(os.getpid()):
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGTERM)
    for cleanup in list(_cleanups):
        with contextlib.suppress(Exception):
            cleanup()
    with contextlib.suppress(Exception):
        sys.__stderr__.write(f"beian: {message}\n")
        sys.__stderr__.flush()
    os._exit(code)


@contextlib.contextmanager
def answer_signals() -> Iterator[None]:
    """Within this block SIGTERM and SIGINT stop the process within a second (exit 128+n)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGTERM, signal.SIGINT)}
    old_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                data = reader.recv(1)
            except OSError:
                return
            if not data or done.is_set():
                return
            signo = data[0]
            if signo in (signal.SIGTERM, signal.SIGINT):
                abort(f"stopped by {signal.Signals(signo).name}; the published warehouse is unchanged",
                      128 + signo)

    thread = threading.Thread(target=watch, name="beian-signals", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        signal.set_wakeup_fd(old_fd)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        writer.close()
        reader.close()
