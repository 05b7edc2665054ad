"""The everyday loop, timed: `make run` in a fresh clone (install included, empty uv cache),
`make test-fast` and `make test`. Wall times of the commands as a developer types them."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

from ..settings import PROJECT_ROOT

# what a developer's shell has: no venv on PATH, no project variables
CLEAN_PREFIXES = ("BEIAN_", "DAGSTER_", "DBT_", "VIRTUAL_ENV", "UV_", "PYTEST")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(CLEAN_PREFIXES)}
    venv_bin = str(PROJECT_ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    return {**env, **extra}


def timed(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> tuple[float, int]:
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as out:
        code = subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    return time.perf_counter() - started, code


def bench_fresh_clone(report, target: float) -> None:
    """`git clone` of HEAD beside the shared corpus, then `make run` with an empty uv cache."""
    with tempfile.TemporaryDirectory(prefix="beian-clone-") as tmp:
        root = Path(tmp)
        (root / "shared").symlink_to(PROJECT_ROOT.parent / "shared")
        subprocess.run(["git", "clone", "--quiet", str(PROJECT_ROOT), str(root / "beian")], check=True)
        env = clean_env(UV_CACHE_DIR=str(root / "uv-cache"))
        seconds, code = timed(["make", "run"], root / "beian", env, root / "make-run.log")
        tail = (root / "make-run.log").read_text(encoding="utf-8", errors="replace").splitlines()[-3:]
    print("set-up")
    if code not in (0, 1):  # 1: the corpus's freshness check fails by design
        print("\n".join(tail))
    report.add("make run in a fresh clone (install, dbt parse, the run)", f"{seconds:.0f} s (exit {code})",
               f"<= {target:.0f} s", seconds <= target and code in (0, 1))


def bench_tests(report, targets: dict[str, float], full: bool) -> None:
    """`make test-fast`, then (unless ``full`` is false) `make test`: wall time and the counts."""
    print("tests")
    for name in ("test_fast", "test") if full else ("test_fast",):
        with tempfile.NamedTemporaryFile(prefix=f"beian-{name}-", suffix=".log", delete=False) as log:
            path = Path(log.name)
        seconds, code = timed(["make", name.replace("_", "-")], PROJECT_ROOT, clean_env(), path)
        text = path.read_text(encoding="utf-8", errors="replace")
        counts = re.findall(r"^=* ?(\d+ (?:passed|failed|error).*?) in [\d.]+s", text, re.MULTILINE)
        seed = re.search(r"--randomly-seed=(\d+)", text)
        summary = (counts[-1] if counts else f"exit {code}") + (f", seed {seed.group(1)}" if seed else "")
        report.add(f"make {name.replace('_', '-')} ({summary}; log {path})", f"{seconds:.0f} s",
                   f"<= {targets[name]:.0f} s", seconds <= targets[name] and code == 0)
