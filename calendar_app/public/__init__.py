"""Read-only public pages (Chinese first)."""
