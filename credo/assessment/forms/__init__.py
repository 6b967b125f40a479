"""Assessment forms, one module per stage."""
