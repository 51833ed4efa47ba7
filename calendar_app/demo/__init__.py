"""Demo data (`flask demo load`) and synthetic benchmark data (`flask demo generate`)."""
