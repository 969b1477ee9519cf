"""The administration page: the users in the administrator's scope and their API keys.

Read-only: accounts and keys are changed with the CLI or the API, where every change is audited.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cawarn.accounts import directory
from cawarn.accounts.apikeys import list_keys
from cawarn.domain.access import Action
from cawarn.web.deps import transaction
from cawarn.web.ui.auth import UserDep, require_page
from cawarn.web.ui.render import render

router = APIRouter(include_in_schema=False)


@router.get("/admin")
def admin_page(request: Request, principal: UserDep) -> Response:
    """Users (of every organisation for the node's own administrators) and their keys."""
    require_page(principal, Action.READ_USERS)
    scope = None if principal.sees_every_organisation else principal.user.org.code
    with transaction(request.app.state.engine) as conn:
        users = directory.list_users(conn, org_code=scope)
        names = {user.username for user in users}
        keys = [key for key in list_keys(conn) if key.username in names]
    return render(request, "admin.html", {"principal": principal, "users": users, "keys": keys})
