"""Recurring series: RRULE (RFC 5545 subset) and lunar-calendar rules, expanded to instances.

Pure package: no Flask, no database. Public API::

    parse_rrule(text) -> str                     # validate + canonicalise an RRULE
    parse_lunar_rule(text) -> LunarRule          # "FESTIVAL=春节;DAYS=6", "农历正月十五", "中秋"
    format_lunar_rule(rule) -> str               # canonical stored text of a LunarRule
    validate(spec, *, horizon_end, max_occurrences=2000) -> list[str]   # warnings, or RecurrenceError
    expand(spec, window_start, window_end) -> list[Instance]            # overlap with a UTC window
    ical_rrule(spec) -> str | None               # RRULE to publish (UNTIL in UTC / as DATE)

Behaviour worth knowing (details in engine.py):

* Rules are evaluated on local wall-clock time in ``spec.tzid``; instants are UTC.
* DTSTART is always the first instance, even when it does not match the rule
  (RFC 5545; recurring-ical-events, Google and Apple agree). ``validate`` warns then.
* A lunar rule yields each year's festival (or lunar month/day) on or after DTSTART,
  at DTSTART's time of day, for ``span_days`` consecutive days; lunar rules cannot be
  published as RRULE (clients do not implement RSCALE), so feeds must list the dates.
"""
from .engine import expand, ical_rrule, validate
from .lunar_text import format_lunar_rule, parse_lunar_rule
from .model import Instance, LunarRule, RecurrenceError, SeriesSpec
from .rrule_text import parse_rrule

__all__ = [
    "Instance",
    "LunarRule",
    "RecurrenceError",
    "SeriesSpec",
    "expand",
    "format_lunar_rule",
    "ical_rrule",
    "parse_lunar_rule",
    "parse_rrule",
    "validate",
]
