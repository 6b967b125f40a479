"""The front of the house: the home page, the dashboard that draws the panels apps contribute, the health check,
and the demo data (``load_demo``). It may import every app; no domain app imports it."""
