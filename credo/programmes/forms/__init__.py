"""Forms of the programme pages, one module per area, named as in ``views/``."""
