"""The Dockerfile's steps, outside a container (no engine runs here or in CI).

The wheel is built from the files the Dockerfile copies, with its own command,
and installed into a fresh virtualenv outside the checkout; then that venv runs
`warroom --version`, `warroom migrate`, the image's CMD until its HEALTHCHECK
passes, and `warroom demo`, with the image's ENV. One step differs, for speed:
the image installs the dependencies from wheels built in stage 1; here the
venv borrows them from the test's own environment through a .pth line (a
directory added that way has its own .pth files ignored, so the checkout's
editable Warroom stays out of reach: asserted below).
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]


@dataclass(frozen=True)
class Stage:
    instructions: list[tuple[str, str]]

    def all(self, name: str) -> list[str]:
        return [rest for instruction, rest in self.instructions if instruction == name]


def _stages() -> list[Stage]:
    """The Dockerfile as stages of (INSTRUCTION, arguments), continuations joined."""
    stages: list[Stage] = []
    logical = ""
    for line in DOCKERFILE.read_text("utf-8").splitlines():
        if line.lstrip().startswith("#") and not logical:
            continue
        logical += line.rstrip().removesuffix("\\") + " " if line.strip() else ""
        if line.rstrip().endswith("\\") or not logical.strip():
            continue
        instruction, _, rest = logical.strip().partition(" ")
        logical = ""
        if instruction.upper() == "FROM":
            stages.append(Stage([]))
        stages[-1].instructions.append((instruction.upper(), rest.strip()))
    return stages


def _image_env(runtime: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for rest in runtime.all("ENV"):
        for pair in shlex.split(rest):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


def _exec_form(rest: str) -> list[str]:
    command = json.loads(rest)
    assert isinstance(command, list) and all(isinstance(part, str) for part in command)
    return command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Installed:
    venv: Path
    bin: Path
    wheel: Path
    home: Path
    env: dict[str, str]
    runtime: Stage

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, cwd=self.home, env=self.env, capture_output=True, text=True, timeout=timeout
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Stage 1 (the wheel) and stage 2 (a clean install) of the Dockerfile, built once for
    every pytest-xdist worker (under a lock, in the temporary directory they share); each
    worker gets its own data directory and port."""
    build, runtime = _stages()
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    work = shared / "packaging"
    assert not work.is_relative_to(ROOT), "the venv must live outside the checkout"
    with (shared / "packaging.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (work / "installed").exists():
            shutil.rmtree(work, ignore_errors=True)  # a worker's build that failed halfway
            work.mkdir()
            _build_and_install(build, runtime, work)
            (work / "installed").touch()
    venv = work / "venv"
    (wheel,) = (work / "wheels").glob("warroom-*.whl")

    home = tmp_path_factory.mktemp("data")  # the image's WORKDIR and volume
    env = _image_env(runtime)
    env |= {
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin",
        "HOME": str(home),
        "DATABASE_URL": env["DATABASE_URL"].replace("////data/", f"///{home}/"),
        "PORT": str(_free_port()),
    }
    return Installed(venv, venv / "bin", wheel, home, env, runtime)


def _build_and_install(build: Stage, runtime: Stage, work: Path) -> None:
    context = work / "context"
    context.mkdir()
    copied = [shlex.split(rest)[:-1] for rest in build.all("COPY")]
    assert copied == [["pyproject.toml", "README.md"], ["src/"]]
    let_in = (ROOT / ".dockerignore").read_text("utf-8").splitlines()
    assert {f"!{source}" for group in copied for source in group} <= set(let_in)
    for sources in copied:
        for source in sources:
            if (ROOT / source).is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
                shutil.copytree(ROOT / source, context / source, ignore=ignore)
            else:
                shutil.copy(ROOT / source, context / source)

    (build_wheel,) = build.all("RUN")
    wheel_step = build_wheel.split("&&")[0].split()
    assert wheel_step == ["pip", "wheel", "--no-deps", "--wheel-dir", "/wheels", "."]
    wheels = work / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    started = time.perf_counter()
    subprocess.run([*pip, *wheel_step[1:-2], str(wheels), "."], cwd=context, check=True)
    (wheel,) = wheels.glob("warroom-*.whl")
    print(f"\nwheel built in {time.perf_counter() - started:.1f} s: {wheel.stat().st_size} bytes")

    (install,) = runtime.all("RUN")
    assert "pip install --no-cache-dir --no-index --find-links /wheels /wheels/warroom-" in install
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [*pip, "--python", str(python), "install", "--no-index", "--no-deps", str(wheel)],
        check=True,
    )
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    borrowed = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site / "_dependencies_from_the_test_env.pth").write_text("\n".join(borrowed) + "\n")


def test_the_wheel_carries_the_migrations(installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()

    assert "warroom/migrations/env.py" in names
    assert "warroom/migrations/script.py.mako" in names
    assert "warroom/migrations/versions/0001_initial_schema.py" in names
    assert not [name for name in names if "__pycache__" in name]


def test_the_venv_runs_the_installed_warroom_not_the_checkout(installed: Installed) -> None:
    probe = installed.run(
        str(installed.bin / "python"),
        "-c",
        "import json, sys, importlib.metadata as m, warroom, warroom.migrations as w;"
        "print(json.dumps([warroom.__file__, w.__file__, str(m.distribution('warroom')"
        ".locate_file('')), sys.path]))",
    )
    assert probe.returncode == 0, probe.stderr
    package, migrations, dist, path = json.loads(probe.stdout)

    site = installed.venv.resolve()
    for where in (package, migrations, dist):
        assert Path(where).resolve().is_relative_to(site), where
    assert str(ROOT / "src") not in path, "the checkout's editable install leaked in"
    assert not [entry for entry in path if entry and Path(entry).resolve() == ROOT]


def test_the_borrowed_dependencies_satisfy_the_wheel(installed: Installed) -> None:
    check = installed.run(
        str(installed.bin / "python"),
        "-c",
        "from importlib.metadata import distribution, version\n"
        "from packaging.requirements import Requirement\n"
        "for line in distribution('warroom').requires or []:\n"
        "    req = Requirement(line)\n"
        "    if req.marker is None or req.marker.evaluate({'extra': ''}):\n"
        "        assert req.specifier.contains(version(req.name)), (line, version(req.name))\n",
    )
    assert check.returncode == 0, check.stderr


def test_version(installed: Installed) -> None:
    result = installed.run("warroom", "--version")

    assert (result.returncode, result.stdout) == (0, f"warroom {VERSION}\n"), result.stderr


def test_migrate_then_serve_until_the_healthcheck_passes(installed: Installed) -> None:
    migrated = installed.run("warroom", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert list(installed.home.glob("*.db")), "the SQLite file lands in the data directory"

    (cmd,) = installed.runtime.all("CMD")
    (healthcheck,) = installed.runtime.all("HEALTHCHECK")
    probe = _exec_form(healthcheck[healthcheck.index("CMD ") + 4 :])
    env = installed.env | {
        "SLACK_BOT_TOKEN": "xoxb-packaging-test",
        "SLACK_SIGNING_SECRET": "packaging-test-secret",
        # Nothing listens there: start-up and /healthz must not need Slack.
        "SLACK_API_URL": f"http://127.0.0.1:{_free_port()}/api/",
    }
    with _serving(_exec_form(cmd), env, installed.home) as server:
        url = f"http://127.0.0.1:{env['PORT']}/healthz"
        body = _wait_for_200(url, server)
        assert body == {"ok": True, "database": "sqlite"}
        checked = subprocess.run(probe, cwd=installed.home, env=env, capture_output=True)
        assert checked.returncode == 0, checked.stderr
        server.terminate()
        # Connections drained and the runtime closed, a stop is a clean exit.
        assert server.wait(timeout=20) == 0


def test_demo(installed: Installed) -> None:
    result = installed.run("warroom", "demo", timeout=120)

    assert result.returncode == 0, result.stderr[-2000:]
    assert (installed.home / "warroom-demo-postmortem.md").is_file()


@contextmanager
def _serving(command: list[str], env: dict[str, str], cwd: Path) -> Iterator[subprocess.Popen[str]]:
    with (cwd / "serve.log").open("w+") as log:
        server = subprocess.Popen(command, cwd=cwd, env=env, stderr=log, text=True)
        try:
            yield server
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
            log.seek(0)
            print(log.read()[-3000:], file=sys.stderr)


def _wait_for_200(url: str, server: subprocess.Popen[str]) -> object:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"warroom serve exited with {server.returncode} (log below)")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                assert response.status == 200
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise AssertionError("warroom serve did not answer /healthz in 30 s")
