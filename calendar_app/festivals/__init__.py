"""The Chinese calendar: lunar festivals and solar terms (pure), statutory holidays and 调休 days (table)."""
