"""Drive the real pipeline with recorded audio, for tests and benchmarks."""
