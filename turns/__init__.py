"""Turn strategies and the user-turn parameters, as Pipecat keeps them in `pipecat/turns/`."""
