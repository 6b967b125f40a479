"""Programmes, cohorts, fees, enrolments, invoices, workshops and check-ins (issue: programmes and cohorts)."""
