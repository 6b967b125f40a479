"""Shared helpers every app may import, importing no domain app: HTMX requests (``http``), email as a background
task (``tasks``), the dashboard panels registry (``panels``), the database check (``dbcheck``), and the site's
static files (``static/credo``)."""
