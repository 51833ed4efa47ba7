"""Events (one-off or series) and their stored occurrences: the one source of truth every view reads."""
