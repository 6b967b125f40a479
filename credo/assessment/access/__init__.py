"""Assessment access, one module per stage."""
