"""Factories that turn settings into Pipecat services. They know no domain."""
