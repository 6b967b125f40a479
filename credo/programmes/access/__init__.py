"""Permission-checked loaders: views and endpoints load programmes' objects only through these.

``common`` holds the loaders and role checks every area shares (a public cohort, a cohort for its staff, a
learner's own enrolment); each area has its own module, named as in ``views/``, plus ``api`` for the API's lists.
"""
