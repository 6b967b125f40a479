"""credo: accredited, portfolio-assessed learning programmes, end to end."""
