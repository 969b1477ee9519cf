"""Admin-1 units of the region, with their English and Russian names."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from cawarn.domain.access import Action
from cawarn.store.tables import admin_units
from cawarn.web.api import schemas
from cawarn.web.deps import EngineDep, Principal, require, transaction

router = APIRouter(tags=["geography"], responses=schemas.ERRORS)


@router.get("/units", response_model=list[schemas.Unit])
def list_units(
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.READ_UNITS))],
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
) -> list[schemas.Unit]:
    """Admin-1 units by code, optionally of one country."""
    query = select(
        admin_units.c.code, admin_units.c.country, admin_units.c.name_en, admin_units.c.name_ru
    ).order_by(admin_units.c.code)
    if country is not None:
        query = query.where(admin_units.c.country == country)
    with transaction(engine) as conn:
        return [schemas.Unit.model_validate(dict(row)) for row in conn.execute(query).mappings()]
