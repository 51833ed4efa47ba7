"""The `world` fixture lives in tests/world.py (registered for the whole suite by tests/conftest.py)."""
from tests.world import NOW, PASSWORD, World, world  # noqa: F401
