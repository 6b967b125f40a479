"""Assessment views, one module per stage."""
