"""Hypothesis strategies for what a hostile or careless client puts in a URL: huge, negative and
non-canonical numbers, digits of other scripts, dates with years 1 to 9999 and offsets of ±14 hours,
and cursors forged from all of these. Shared by the parser unit tests and the HTTP property tests."""
from __future__ import annotations

import base64
from datetime import date, datetime, timedelta, timezone

from hypothesis import strategies as st

#: Offsets as far as ISO 8601 and Python allow (±14:00 is the widest in use; Python allows < 24 h).
OFFSETS = st.sampled_from([timezone.utc, timezone(timedelta(hours=14)), timezone(timedelta(hours=-14)),
                           timezone(timedelta(hours=23, minutes=59)), timezone(timedelta(hours=-23, minutes=-59)),
                           timezone(timedelta(hours=8)), timezone(timedelta(minutes=-30))])

BOUNDARY_INTS = st.sampled_from([0, 1, -1, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**31),
                                 -(2**63), 10**30])
WIDE_INTS = st.one_of(BOUNDARY_INTS, st.integers(), st.integers(min_value=-(10**40), max_value=10**40))
#: More digits than int() will read (Python's limit is 4,300).
LONG_DIGITS = st.builds(lambda digit, n: digit * n, st.sampled_from("190"), st.integers(4000, 6000))
#: Digits that are not ASCII: Arabic-Indic, full-width, Devanagari, superscripts, and so on.
OTHER_DIGITS = st.text(st.characters(categories=["Nd", "No"], exclude_characters="0123456789"), min_size=1,
                       max_size=12)
#: Numbers int() reads but that are not canonical: signs, spaces, underscores, leading zeros.
NON_CANONICAL = st.from_regex(r"[+\- ]?0*[0-9]{1,3}(_[0-9]{1,3})?[ ]?", fullmatch=True)


def numbers() -> st.SearchStrategy[str]:
    """Anything that might be offered where an id, a count or a page size is expected."""
    return st.one_of(WIDE_INTS.map(str), LONG_DIGITS, OTHER_DIGITS, NON_CANONICAL, st.text(max_size=30))


def datetimes() -> st.SearchStrategy[datetime]:
    """Aware datetimes from year 1 to year 9999 with extreme offsets (astimezone overflows at the edges)."""
    return st.builds(lambda naive, tz: naive.replace(tzinfo=tz),
                     st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)), OFFSETS)


def dates() -> st.SearchStrategy[str]:
    """Dates as written by ISO 8601 and by people: any year, week dates, basic format, other digits."""
    return st.one_of(
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
        st.from_regex(r"-?[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}", fullmatch=True),
        st.sampled_from(["2026-W48-1", "2026W481", "20261201", "2026-335", "2026-12-01T00:00", "2026-12-1",
                         "٢٠٢٦-١٢-٠١", "２０２６-１２-０１", "0000-01-01", "9999-12-31", "1900-12-31", "2100-01-01"]),
        st.text(max_size=30),
    )


def months() -> st.SearchStrategy[str]:
    return st.one_of(st.from_regex(r"-?[0-9]{1,6}-[0-9]{1,3}", fullmatch=True),
                     st.sampled_from(["2026-1", "2026-00", "2026-13", "0000-01", "9999-12", "２０２６-１２"]),
                     st.text(max_size=20))


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def api_cursors() -> st.SearchStrategy[str]:
    """The API's `cursor`: forged from extreme instants and ids, or not base64 at all."""
    forged = st.builds(lambda at, ident: b64(f"{at.isoformat()}|{ident}"), datetimes(), WIDE_INTS)
    garbled = st.builds(lambda stamp, ident: b64(f"{stamp}|{ident}"), dates(), numbers())
    return st.one_of(forged, garbled, st.text(max_size=80).map(b64), st.text(max_size=80),
                     st.sampled_from(["MDAwMS0wMS0wMVQwMDowMDowMCsxNDowMHwx",  # 0001-01-01T00:00:00+14:00|1
                                      b64("9999-12-31T23:59:59-14:00|1"), b64("2026-12-01T00:00:00+00:00|2147483648"),
                                      b64("2026-12-01T00:00:00+00:00|9223372036854775808")]))


def page_cursors() -> st.SearchStrategy[str]:
    """The pages' `after` (`seconds-id`), forged from huge and negative numbers."""
    return st.one_of(st.builds(lambda seconds, ident: f"{seconds}-{ident}", WIDE_INTS, WIDE_INTS),
                     st.builds(lambda seconds, ident: f"{seconds}-{ident}", numbers(), numbers()),
                     st.sampled_from(["1764600000-2147483648", "1764600000-9223372036854775808",
                                      "-62135596800-1", "253402300800-1"]),
                     st.text(max_size=40))
