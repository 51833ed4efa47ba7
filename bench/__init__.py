"""Benchmark commands that print figures (run as python -m bench.<name>)."""
