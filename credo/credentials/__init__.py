"""Issuer profiles, achievements, attainments and verifiable credentials (issue: verifiable credentials)."""
