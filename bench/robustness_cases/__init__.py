"""The robustness suite's cases, one module per group (bench/robustness.py plays them)."""
