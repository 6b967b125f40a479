"""PDF documents a programme sends: ``invoice`` and ``grant_letter``, both on ``pdf``'s A4 page."""
