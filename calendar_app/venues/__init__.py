"""Venues (plazas, village squares, theatres, 城市书房 ...) and their weekly opening hours."""
