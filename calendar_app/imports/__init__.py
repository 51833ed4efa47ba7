"""Spreadsheets and other calendars in, spreadsheets out.

Every import goes through the same workflow operations as the event form and the API
(`events.workflow.event_data` + `create` / `change_series` / `cancel`), so a row is checked exactly
as a form would be, venue clashes included. A whole file is imported in one transaction or not at
all: each row runs in its own savepoint so that every bad row can be reported, and the outer
savepoint is rolled back when any row failed (or when only a check was asked for).

- `report`: the row report (`RowError`, `ImportResult`) and `ImportRefused` for a file refused as a whole
- `safety`: what a file must be before a parser touches it (a real .xlsx, no zip bomb)
- `repeat`: the small grammar of the 重复 column (每周六、每月第一个周六、元宵节 …)
- `sheet`: reading the bureau's sheet into typed rows (pure, no database)
- `xlsx_import`: rows -> workflow -> one transaction
- `xlsx_export`: occurrences and attendance of a scope and period -> .xlsx; the template sheet
- `ics_import`: VEVENTs -> events of an edition, updated by UID on re-import
- `fetch`: fetching a calendar URL without opening an SSRF hole
"""
