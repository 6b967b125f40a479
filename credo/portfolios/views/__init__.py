"""Portfolio pages, one module per area (learner, attestations, submissions, staff)."""
