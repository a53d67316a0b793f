"""Performance tests: a package so its conftest and budgets have names of their own (perf.conftest, perf.budgets)."""
