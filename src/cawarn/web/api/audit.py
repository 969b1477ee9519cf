"""The audit log, for auditors: the node's own see every row, others their organisation's."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from cawarn.accounts import audit
from cawarn.domain.access import Action
from cawarn.web.api import schemas
from cawarn.web.deps import EngineDep, Principal, require, transaction

router = APIRouter(tags=["audit"], responses=schemas.ERRORS)


@router.get("/audit", response_model=list[schemas.AuditRow])
def list_audit(
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.READ_AUDIT))],
    action: Annotated[str | None, Query(max_length=60)] = None,
    organisation: Annotated[str | None, Query(max_length=100)] = None,
    since: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[schemas.AuditRow]:
    """Rows newest first."""
    org = organisation
    if not principal.sees_every_organisation:
        if organisation is not None and organisation != principal.user.org.code:
            return []
        org = principal.user.org.code
    with transaction(engine) as conn:
        rows = audit.list_rows(
            conn, org=org, action=action, since=since, limit=limit, offset=offset
        )
    return [schemas.AuditRow.model_validate(row) for row in rows]
