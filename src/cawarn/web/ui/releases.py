"""The "Release" form on the event and alert pages, for releasing officers.

The form posts to this UI (with the session's CSRF token) and goes through the same store
functions as the CLI and the API (:mod:`cawarn.network.releases`): the same rules, signature and
audit row. A refused decision shows the page with the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from cawarn.accounts.directory import list_organisations
from cawarn.domain import CawarnError, Marking, NotFoundError
from cawarn.domain.access import Action, allows
from cawarn.domain.releases import ItemKind, parse_marking
from cawarn.network import keys
from cawarn.network import releases as store
from cawarn.network.trust import group_members
from cawarn.web.deps import Principal, transaction
from cawarn.web.ui.auth import PageNotFound, UserDep, check_form_csrf, require_page
from cawarn.web.ui.render import render

router = APIRouter(include_in_schema=False)

#: Where each kind of item is shown; the form returns there.
PAGES = {ItemKind.EVENT: "/events/{}", ItemKind.ALERT: "/alerts/{}"}


def release_panel(
    conn: Connection, principal: Principal, kind: ItemKind, item_id: str
) -> dict[str, Any] | None:
    """What the Release form shows: None for users who may not release."""
    if not allows(principal.user.role, Action.RELEASE):
        return None
    own = principal.user.org.code
    now = dt.datetime.now(dt.UTC)
    decided = store.list_releases(conn, owner_org=own, item_kind=kind, item_id=item_id)
    return {
        "kind": kind.value,
        "item": item_id,
        "orgs": [org.code for org in list_organisations(conn) if org.code != own],
        "groups": list(group_members(conn)),
        # RED never leaves its organisation, so it is not offered.
        "markings": [marking.value for marking in Marking if marking is not Marking.RED],
        "releases": [{"release": r, "active": r.is_active(now)} for r in decided],
    }


def _back(kind: ItemKind, item_id: str) -> str:
    return PAGES[kind].format(item_id)


def _refused(
    request: Request, principal: Principal, kind: ItemKind, item: str, err: str
) -> Response:
    return render(
        request,
        "release_refused.html",
        {"principal": principal, "error": err, "back": _back(kind, item)},
        status_code=422,
    )


@router.post("/releases")
def release_form(
    request: Request,
    principal: UserDep,
    csrf: Annotated[str, Form(max_length=100)],
    kind: Annotated[ItemKind, Form()],
    item: Annotated[str, Form(max_length=100)],
    tlp: Annotated[str, Form(max_length=20)],
    to: Annotated[list[str] | None, Form()] = None,
    groups: Annotated[list[str] | None, Form()] = None,
    expires: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Decide a release from an item's page."""
    check_form_csrf(principal, csrf)
    require_page(principal, Action.RELEASE)
    if kind not in PAGES:
        raise PageNotFound
    settings = request.app.state.settings
    try:
        expires_at = (
            dt.datetime.combine(dt.date.fromisoformat(expires), dt.time(), tzinfo=dt.UTC)
            if expires
            else None
        )
    except ValueError:
        return _refused(request, principal, kind, item, f"{expires!r} is not a date.")
    try:
        node_key = keys.load(settings.home)
        with transaction(request.app.state.engine) as conn:
            store.create_release(
                conn,
                kind=kind,
                item_id=item,
                orgs=to or [],
                groups=groups or [],
                marking=parse_marking(tlp),
                expires_at=expires_at,
                officer=principal.user,
                key=node_key,
                node_org=settings.organisation,
            )
    except NotFoundError:
        raise PageNotFound from None
    except CawarnError as err:
        return _refused(request, principal, kind, item, err.message)
    return RedirectResponse(_back(kind, item), status_code=303)


@router.post("/releases/{release_id}/revoke")
def revoke_form(
    request: Request,
    principal: UserDep,
    release_id: int,
    csrf: Annotated[str, Form(max_length=100)],
) -> Response:
    """Revoke a release from its item's page."""
    check_form_csrf(principal, csrf)
    require_page(principal, Action.RELEASE)
    try:
        node_key = keys.load(request.app.state.settings.home)
        with transaction(request.app.state.engine) as conn:
            release = store.revoke_release(conn, release_id, officer=principal.user, key=node_key)
    except NotFoundError:
        raise PageNotFound from None
    except CawarnError as err:
        return render(
            request,
            "release_refused.html",
            {"principal": principal, "error": err.message, "back": "/"},
            status_code=422,
        )
    if release.item_kind not in PAGES:
        return RedirectResponse("/", status_code=303)
    return RedirectResponse(_back(release.item_kind, release.item_id), status_code=303)
