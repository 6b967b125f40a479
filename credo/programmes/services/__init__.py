"""Everything that changes programmes' state: programmes and cohorts, registration, enrolments, invoices, support."""
