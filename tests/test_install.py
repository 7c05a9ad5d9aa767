"""The image's install, run for real: deploy/install.sh (the Dockerfile's one install step, also
`make`'s) into a fresh virtual environment, from a copy of exactly what .dockerignore lets into the
image, then the bot's entry point imported and started from there, the way Pipecat Cloud's base
image does it (its server, /app/app.py, imports bot.py beside our `app/` package).

uv installs from its cache (warm after `make`'s own install), offline: a few seconds.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_SECS = 300

BASE_IMAGE_SERVER = """\
# What Pipecat Cloud's base image does at start (daily-co/pipecat-cloud-images, pipecat-base/app.py),
# then bot.py started as `python bot.py --list-parts`: one interpreter, as importing the bot
# costs seconds of CPU.
import inspect
import runpy
import sys

import bot as bot_module
from bot import bot

assert inspect.iscoroutinefunction(bot), "bot() must be async"
print("bot", list(inspect.signature(bot).parameters))
sys.argv = ["bot.py", "--list-parts"]
runpy.run_path("bot.py", run_name="__main__")
"""


def image_paths() -> list[str]:
    """The paths .dockerignore lets into the image (its `!` lines)."""
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line[1:] for line in lines if line.startswith("!")]


def copy_image_files(target: Path):
    skip = shutil.ignore_patterns("__pycache__", "node_modules", "src", "package*.json")
    for path in image_paths():
        source, copy = ROOT / path, target / path
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, copy, ignore=skip)
        else:
            shutil.copy2(source, copy)


def uv() -> str | None:
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.exists() else shutil.which("uv")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the image's /app, its environment's python) after deploy/install.sh."""
    uv_binary = uv()
    if uv_binary is None:
        pytest.skip("uv is not installed (make installs it into .venv)")
    base = tmp_path_factory.mktemp("image")
    app, venv = base / "app", base / "venv"
    copy_image_files(app)
    # Made by uv, so without pip: the script takes the uv on the PATH, as fast as it gets.
    subprocess.run([uv_binary, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    env = {
        **os.environ,
        "PATH": f"{Path(uv_binary).parent}:{os.environ['PATH']}",
        "UV_OFFLINE": "1",
    }
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        ["sh", str(app / "deploy/install.sh"), str(venv / "bin/python"), "piper"],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECS,
    )
    if done.returncode != 0 and "offline" in done.stderr.lower():
        pytest.skip(f"uv's cache lacks a package (run `make` first): {done.stderr.strip()[-300:]}")
    assert done.returncode == 0, done.stderr
    return app, venv / "bin/python"


def run(python: Path, app: Path, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(
        [str(python), *args], cwd=app, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_base_image_server_imports_bot_and_the_bot_starts(installed):
    app, python = installed
    (app / "app.py").write_text(BASE_IMAGE_SERVER)  # beside our app/ package, as in the image

    done = run(python, app, "app.py")

    assert done.returncode == 0, done.stderr
    assert "bot ['runner_args']" in done.stdout
    assert "state_extractor" in done.stdout  # the parts bot.py --list-parts prints


def test_the_install_leaves_no_build_leftovers_in_the_image(installed):
    app, _ = installed

    assert not (app / "build").exists()
    assert not list(app.glob("*.egg-info"))
