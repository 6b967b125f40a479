"""Frameworks, qualifications, units, rules of combination, criteria, portfolio templates, progression."""
