"""The one router every catalogue endpoint module adds to.

One router, not one per module: ninja joins the methods of a path (GET and POST
on /qualifications) only within a router.
"""

from ninja import Router

router = Router(tags=["catalogue"])
