"""The `beian` command as a user runs it: a subprocess with no virtual environment on PATH
(dbt is found beside the Python), a full run, then an update that takes only the new list."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline_harness import writable_copy

pytestmark = pytest.mark.slow  # pipeline runs of its own

BEIAN = str(Path(sys.executable).parent / "beian")
ALGORITHM_PAGE = "www.cac.gov.cn/2022-08/12/c_1661927474338504.htm"


def beian(*args: str, data: Path, mirror: Path) -> subprocess.CompletedProcess:
    env = {"HOME": str(data.parent), "PATH": "/usr/bin:/bin", "BEIAN_DATA_DIR": str(data),
           "BEIAN_SOURCE": str(mirror), "BEIAN_ENTRY_PAGES": f"https://{ALGORITHM_PAGE}"}
    return subprocess.run([BEIAN, *args], env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def world(tmp_path_factory, mirror_root):
    root = tmp_path_factory.mktemp("cli")
    mirror = writable_copy(mirror_root / "www.cac.gov.cn", root / "mirror" / "www.cac.gov.cn")
    page = mirror / ALGORITHM_PAGE.removeprefix("www.cac.gov.cn/")
    full = page.read_text(encoding="utf-8")
    latest = re.search(r'<p>[^<]*<a href="/files/2026-01/[^"]+">[^<]+</a></p>\n?', full).group(0)
    page.write_text(full.replace(latest, ""), encoding="utf-8")  # as it was before 2026年1月
    data = root / "data"
    first = beian("run", data=data, mirror=root / "mirror")
    page.write_text(full, encoding="utf-8")  # the CAC adds the 2026年1月 list to its living page
    second = beian("update", data=data, mirror=root / "mirror")
    return {"data": data, "mirror": root / "mirror", "first": first, "second": second}


def test_beian_run_works_without_a_virtual_environment_on_path(world):
    run = world["first"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert "dbt executable" not in run.stderr and "Traceback" not in run.stderr
    assert "beian run succeeded" in run.stdout and "15 new" in run.stdout
    assert re.search(r"algorithm_recommendation\s+751\s+751", run.stdout), run.stdout  # 794 - 43
    assert "[1/" in run.stderr  # live progress: steps done of how many, the current step


def test_beian_update_takes_only_the_new_list(world):
    update = world["second"]
    assert update.returncode == 0, update.stdout + update.stderr
    assert "lists: 1 new, 0 changed, 15 unchanged, 0 failed" in update.stdout
    assert re.search(r"algorithm_recommendation\s+43\s+794", update.stdout), update.stdout
    assert "list algorithm_recommendation/2026-01" in update.stderr  # its own run, then the marts
    again = beian("update", data=world["data"], mirror=world["mirror"])
    assert again.returncode == 0 and "nothing new" in again.stdout


def test_the_report_command_names_the_report(world):
    done = beian("report", data=world["data"], mirror=world["mirror"])
    assert done.returncode == 0 and done.stdout.strip() == str(world["data"] / "report" / "index.html")
    assert Path(done.stdout.strip()).is_file()
