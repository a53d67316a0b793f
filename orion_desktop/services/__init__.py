"""Use cases. Each public call is one transaction; they take plain values and return frozen dataclasses."""
