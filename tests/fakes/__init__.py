"""Test-only helpers: pipelines, scripted LLMs, captured logs. The provider fakes are in `fakes/`."""
