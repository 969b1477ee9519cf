"""The JSON API under /api/v1: one module per resource, each a router."""

from __future__ import annotations

from fastapi import APIRouter

from cawarn.web.api import (
    alerts,
    apikeys,
    audit,
    auth,
    events,
    forecasts,
    gazetteer,
    geography,
    organisations,
    panels,
    releases,
    reports,
    trust_groups,
    users,
)

PREFIX = "/api/v1"


def api_router() -> APIRouter:
    """Every /api/v1 route.

    Forecasts, evaluations and alerts join here as their own modules (``forecasts.py``,
    ``evaluations.py``, ``alerts.py``) once those packages have storage to read. A new route
    names one :class:`cawarn.domain.access.Action` (add it, with the roles that may take it, to
    ``PERMISSIONS``, and to ``WRITES`` if it changes anything) through
    :func:`cawarn.web.deps.require`, answers 404 for objects outside the caller's organisation or
    marking, audits every write, and gets a rule in ``tests/web/test_matrix.py`` (that test fails
    for a route without one).
    """
    router = APIRouter(prefix=PREFIX)
    for module in (
        auth,
        apikeys,
        events,
        geography,
        gazetteer,
        panels,
        reports,
        alerts,
        forecasts,
        organisations,
        users,
        releases,
        trust_groups,
        audit,
    ):
        router.include_router(module.router)
    return router
