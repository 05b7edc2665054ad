"""The real `beian` command in a process of its own, as a user starts it: no virtual
environment on PATH, killed or signalled like any process. For the faults that only a
separate process shows: kill -9 mid-run, SIGTERM, another program holding a file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from adversarial_harness import Result

BEIAN = str(Path(sys.executable).parent / "beian")


def process_env(env: dict[str, str], **extra: str) -> dict[str, str]:
    data = Path(env["BEIAN_DATA_DIR"])
    return {"HOME": str(data.parent), "PATH": "/usr/bin:/bin", **env, **extra}


def beian_process(env: dict[str, str], *args: str, timeout: float = 600, **extra: str) -> Result:
    """`beian ARGS` in a subprocess; its exit code, stdout and stderr."""
    done = subprocess.run([BEIAN, *args], env=process_env(env, **extra), capture_output=True, text=True,
                          timeout=timeout)
    return Result(done.returncode, done.stdout, done.stderr)


class Running:
    """A `beian` process being watched: its output read as it comes, so a test can act at a
    given moment (a step starting) instead of sleeping blindly."""

    def __init__(self, env: dict[str, str], *args: str, **extra: str):
        self.process = subprocess.Popen([BEIAN, *args], env=process_env(env, **extra), text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [threading.Thread(target=self._read, args=(stream, into), daemon=True)
                         for stream, into in ((self.process.stdout, self.out), (self.process.stderr, self.err))]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, into: list[str]) -> None:
        for line in stream:
            into.append(line)

    @property
    def text(self) -> str:
        return "".join(self.out) + "".join(self.err)

    def wait_for(self, condition, timeout: float = 300) -> None:
        """Until ``condition()`` holds (or, given a string, the output shows it)."""
        test = (lambda: condition in self.text) if isinstance(condition, str) else condition
        deadline = time.monotonic() + timeout
        while not test():
            if self.process.poll() is not None:
                raise AssertionError(f"beian ended ({self.process.returncode}) first:\n{self.text}")
            if time.monotonic() > deadline:
                raise AssertionError(f"not seen in {timeout} s:\n{self.text}")
            time.sleep(0.05)

    def descendants(self) -> list[int]:
        """The pids of the processes this one started (dbt, Dagster's log tails)."""
        parents: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(stat.parent.name))
        found, todo = [], [self.process.pid]
        while todo:
            for child in parents.get(todo.pop(), []):
                found.append(child)
                todo.append(child)
        return found

    def signal(self, signo: int) -> float:
        """Send ``signo``; seconds until the process ended."""
        started = time.monotonic()
        self.process.send_signal(signo)
        self.process.wait(timeout=30)
        for reader in self._readers:
            reader.join(timeout=5)
        return time.monotonic() - started

    def kill_hard(self) -> list[int]:
        """kill -9 of beian alone, as an OOM killer does; the children it leaves behind."""
        children = self.descendants()
        self.signal(signal.SIGKILL)
        return children

    def result(self, timeout: float = 600) -> Result:
        self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=5)
        return Result(self.process.returncode, "".join(self.out), "".join(self.err))


def end_orphans(pids: list[int]) -> None:
    """Stop what a killed beian left running (Dagster's `tail -F` of its compute logs): by pid,
    only those of the test's own killed process."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            continue


def warehouse_fingerprint(query) -> dict[str, tuple[int, str]]:
    """Row count and checksum of every mart (load times left out), via ``query(sql)``."""
    from pipeline_harness import fingerprints

    return fingerprints(query)
