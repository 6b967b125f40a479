"""Programme pages, one module per area: ``public`` (programme and cohort pages, registration, the learner's own
enrolment pages), ``staff`` (a cohort's staff dashboard, enrolments, invoices, roster), ``setup`` (programmes and
cohorts), ``checkins``, ``workshops``, ``support`` and ``pages`` (a programme page's sections, information sessions,
resources). Each area's URLs are in ``urls/<area>.py``.

Every object is loaded through ``access/``; every change is a call to ``services/``.
"""
