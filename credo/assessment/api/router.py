"""The one router every assessment endpoint module adds to (ninja joins a path's methods only within a router)."""

from ninja import Router

router = Router(tags=["assessment"])
