"""Reports: venue load, program progress and the year summary (read-only aggregate queries + SVG charts).

- `periods`, `hours`, `charts`: pure (no Flask, no database)
- `venue_load`, `progress`, `summary`: the services (one bounded query each)
- `tables`, `exports`: the same numbers as tables, CSV and .xlsx
- `views`: pages under /manage/reports; the API routes live in `calendar_app.api.reports`
"""
