"""What the bench measures: (name, path) pairs, all anonymous GETs that must answer 200.

Add an endpoint by adding a line here;
both the load run and the query count pick it up. The first entry is the baseline
that every ratio is computed against, so keep `bare` first.
"""

from __future__ import annotations

ENDPOINTS: list[tuple[str, str]] = [
    ("bare", "/bench/bare"),
    ("catalogue page", "/catalogue/"),
    ("catalogue API list", "/api/v1/catalogue/qualifications"),
    ("cohort page", "/programmes/inspiring-communities/cld-facilitation/2024/"),
    ("learner page", "/bench/learner-page"),  # the demo learner's study page; see bench/urls.py
    ("learner home", "/bench/learner-home"),  # the demo learner's home (dashboard); see bench/urls.py
    ("programmes open now", "/programmes/"),
    ("intakes API list", "/api/v1/programmes/public/intakes"),
    ("programme page", "/programmes/inspiring-communities/cld-facilitation/"),
]

#: The endpoint the ratios are relative to.
BASELINE = ENDPOINTS[0][0]
