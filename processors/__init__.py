"""The product's own frame processors: only what Pipecat lacks."""
