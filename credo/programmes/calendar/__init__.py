"""iCalendar files: ``feeds`` for workshops and check-ins, ``information_sessions`` for information sessions."""
