"""The JSON API under /api/v1 for mini programs and scripts, and its OpenAPI document."""
