"""Every change to a portfolio: its making, its evidence, and the mapping of evidence to criteria.

Keyword-only and typed; pages, the API and commands call the same functions.
"""
