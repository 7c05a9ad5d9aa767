"""Real-browser calls against `bot.py`: headless Chromium, a WAV as microphone, only `lo`."""
