"""QA's scripted eval conversations: scenarios, the suite manifest, the offline plumbing and the report.

`make evals` runs them (`python -m evals.run`); docs/evals.md says how.
"""
