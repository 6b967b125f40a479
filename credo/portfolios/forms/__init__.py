"""Portfolio forms, one module per area: they validate input and say what to fix, and hold no business rules."""
