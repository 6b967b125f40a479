"""Portfolios, evidence, attestations and submissions (a later issue)."""
