"""Place names from the GeoNames gazetteer, in English or Russian, for locating reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from cawarn.domain.access import Action
from cawarn.geo.gazetteer import ATTRIBUTION, search
from cawarn.web.api import schemas
from cawarn.web.deps import EngineDep, Principal, SettingsDep, require, transaction

router = APIRouter(tags=["gazetteer"], responses=schemas.ERRORS)

Reader = Annotated[Principal, Depends(require(Action.READ_GAZETTEER))]


class Place(BaseModel):
    """A populated place (feature class P) or an administrative area (A)."""

    geonameid: int
    name: str
    name_ru: str | None
    latitude: float
    longitude: float
    feature_class: str
    feature_code: str
    country: str
    population: int


class Places(BaseModel):
    """Places whose name starts with the query, best first, and the data's attribution."""

    items: list[Place]
    attribution: str


@router.get("/gazetteer", response_model=Places)
def find_places(
    engine: EngineDep,
    settings: SettingsDep,
    principal: Reader,
    q: Annotated[str, Query(min_length=1, max_length=100, description="Start of a place name")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Places:
    """Places of the node's region by the start of their name, any case, English or Russian."""
    with transaction(engine) as conn:
        found = search(conn, q, region=settings.region, limit=limit)
    return Places(
        items=[Place.model_validate(match, from_attributes=True) for match in found],
        attribution=ATTRIBUTION,
    )
