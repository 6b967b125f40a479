"""Assessment: one module per stage."""
