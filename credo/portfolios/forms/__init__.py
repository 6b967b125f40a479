"""Portfolio forms, one module per area (learner, attestations, submissions, staff)."""
