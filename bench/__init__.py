"""Benchmarks: each writes JSON to bench/results/ (run them all with `make bench`)."""
