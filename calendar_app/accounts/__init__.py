"""Users, their roles and the area each is scoped to."""
