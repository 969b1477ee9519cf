"""The web application: the JSON API under /api/v1 (and later the server-rendered UI)."""

from cawarn.web.app import create_app

__all__ = ["create_app"]
