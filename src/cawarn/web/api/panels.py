"""Unit-month panel builds and their provenance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy import desc, select

from cawarn.domain import NotFoundError
from cawarn.domain.access import Action
from cawarn.store.tables import panels
from cawarn.web.api import schemas
from cawarn.web.deps import EngineDep, Principal, require, transaction

router = APIRouter(tags=["panels"], responses=schemas.ERRORS)

Reader = Annotated[Principal, Depends(require(Action.READ_PANELS))]


@router.get("/panels", response_model=list[schemas.Panel])
def list_panels(engine: EngineDep, principal: Reader) -> list[schemas.Panel]:
    """Panel builds, newest first."""
    with transaction(engine) as conn:
        rows = conn.execute(select(panels).order_by(desc(panels.c.id))).mappings()
        return [schemas.Panel.model_validate(dict(row)) for row in rows]


@router.get("/panels/{panel_id}", response_model=schemas.PanelDetail)
def get_panel(
    engine: EngineDep, principal: Reader, panel_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> schemas.PanelDetail:
    """One panel build with its columns and sources."""
    with transaction(engine) as conn:
        row = conn.execute(select(panels).where(panels.c.id == panel_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"There is no panel {panel_id}.")
    return schemas.PanelDetail.model_validate(dict(row))
