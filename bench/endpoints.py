"""What the bench measures: (name, path) pairs, all anonymous GETs that must answer 200.

Add an endpoint by adding a line here (e.g. a cohort page once the demo has cohorts);
both the load run and the query count pick it up. The first entry is the baseline
that every ratio is computed against, so keep `bare` first.
"""

from __future__ import annotations

ENDPOINTS: list[tuple[str, str]] = [
    ("bare", "/bench/bare"),
    ("catalogue page", "/catalogue/"),
    ("catalogue API list", "/api/v1/catalogue/qualifications"),
]

#: The endpoint the ratios are relative to.
BASELINE = ENDPOINTS[0][0]
