"""How many examples a property test draws: its own count, or fewer in a mutation run (scripts/mutation).

A mutation run repeats a module's tests for each of hundreds of mutants on a 2-core machine; there the
properties draw a fixed, derandomised sample of at most MUTATION_MAX_EXAMPLES (default 25) examples.
"""
from __future__ import annotations

import os


def examples(count: int) -> int:
    if os.environ.get("MUTATION_RUN"):
        return min(count, int(os.environ.get("MUTATION_MAX_EXAMPLES", "25")))
    return count
