"""Benchmarks (`make bench`): speed targets measured on the real region trees, never in
timed tests. Each benchmark is a function returning rows of (name, figure, unit, target)."""
