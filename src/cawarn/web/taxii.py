"""The thin FastAPI adapter of the TAXII 2.1 server (``cawarn.network.taxii``) at /taxii2/.

Authentication: HTTP Basic (the peer account's username, an API key as the password) or the API
key as a Bearer token. Only accounts with the peer_node role speak TAXII; any other answers 404,
as a route it may not use. Media types are checked here: 406 for an Accept without the TAXII
type, 415 for a POST whose body is not ``application/taxii+json``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from cawarn.accounts import audit
from cawarn.accounts.apikeys import verify_key
from cawarn.domain import Marking
from cawarn.domain.access import Action, allows
from cawarn.network.taxii import reads, writes
from cawarn.network.taxii.errors import TaxiiError
from cawarn.network.taxii.reads import TAXII_MEDIA, Answer, Caller
from cawarn.web.deps import EngineDep, SettingsDep, transaction

PREFIX = "/taxii2"


def _accepts(request: Request) -> None:
    accept = request.headers.get("accept", "")
    if accept and not any(
        part.strip().startswith(("application/taxii+json", "*/*", "application/*"))
        and ("version=" not in part or "version=2.1" in part.replace(" ", ""))
        for part in accept.split(",")
    ):
        raise TaxiiError(406, f"This server answers {TAXII_MEDIA} only.")


def _credentials(request: Request) -> tuple[str | None, str]:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return None, value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            user, _, key = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise TaxiiError(401, "The Basic credentials are not valid base64.") from None
        return user, key
    raise TaxiiError(
        401, "This needs a peer node's credentials: HTTP Basic (account, API key) or Bearer."
    )


def caller(request: Request, engine: EngineDep, settings: SettingsDep) -> tuple[Caller, str]:
    """The authenticated peer (and its username), after the media type check."""
    _accepts(request)
    username, key = _credentials(request)
    with transaction(engine) as conn:
        verified = verify_key(conn, key)
    if verified is None or (username is not None and username != verified.user.username):
        raise TaxiiError(401, "The account or API key is not valid (unknown, revoked or expired).")
    if not allows(verified.user.role, Action.TAXII_READ):
        raise TaxiiError(404, "Not Found")
    may_write = allows(verified.user.role, Action.TAXII_WRITE) and not verified.read_only
    secret: bytes = request.app.state.taxii_secret
    return Caller(verified.user.org.code, may_write, secret), verified.user.username


CallerDep = Annotated[tuple[Caller, str], Depends(caller)]


def _respond(answer: Answer) -> Response:
    return Response(
        answer.body, status_code=answer.status, media_type=TAXII_MEDIA, headers=answer.headers
    )


def _audit_read(conn: Connection, who: tuple[Caller, str], cid: str, answer: Answer) -> None:
    """One audit row per response that served TLP:AMBER or AMBER+STRICT objects to a peer."""
    if not answer.audited:
        return
    caller_, username = who
    audit.append(
        conn,
        audit.Actor(username, None, caller_.org),
        "taxii.read",
        object_type="taxii_collection",
        object_id=cid,
        marking=Marking.AMBER.value,
        details={"objects": list(answer.audited), "count": len(answer.audited)},
    )


def _params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params


def taxii_router() -> APIRouter:
    """Every TAXII 2.1 route."""
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    @router.get("/")
    def discovery(request: Request, who: CallerDep) -> Response:
        return _respond(reads.discovery(str(request.base_url).rstrip("/") + PREFIX + "/"))

    @router.get("/{root}/")
    def api_root(root: str, who: CallerDep) -> Response:
        return _respond(reads.api_root(root))

    @router.get("/{root}/status/{status_id}/")
    def status(root: str, status_id: str, who: CallerDep, engine: EngineDep) -> Response:
        with transaction(engine) as conn:
            return _respond(writes.get_status(conn, root, status_id, who[0]))

    @router.get("/{root}/collections/")
    def collections(root: str, who: CallerDep) -> Response:
        return _respond(reads.collections(root, who[0]))

    @router.get("/{root}/collections/{cid}/")
    def collection(root: str, cid: str, who: CallerDep) -> Response:
        return _respond(reads.collection(root, cid, who[0]))

    @router.get("/{root}/collections/{cid}/manifest/")
    def manifest(
        request: Request, root: str, cid: str, who: CallerDep, engine: EngineDep
    ) -> Response:
        with engine.connect() as conn:
            return _respond(reads.manifest(conn, root, cid, who[0], _params(request)))

    @router.get("/{root}/collections/{cid}/objects/")
    def get_objects(
        request: Request, root: str, cid: str, who: CallerDep, engine: EngineDep
    ) -> Response:
        with transaction(engine) as conn:
            answer = reads.get_objects(conn, root, cid, who[0], _params(request))
            _audit_read(conn, who, cid, answer)
            return _respond(answer)

    @router.post("/{root}/collections/{cid}/objects/")
    async def post_objects(
        request: Request,
        root: str,
        cid: str,
        who: CallerDep,
        engine: EngineDep,
        settings: SettingsDep,
    ) -> Response:
        if not request.headers.get("content-type", "").startswith("application/taxii+json"):
            raise TaxiiError(415, f"Send the objects as {TAXII_MEDIA}.")
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > reads.MAX_CONTENT_LENGTH:
            raise TaxiiError(413, f"The request is larger than {reads.MAX_CONTENT_LENGTH} bytes.")
        body = await request.body()
        verifier = request.app.state.taxii_verifier
        from starlette.concurrency import run_in_threadpool

        def work() -> Answer:
            caller_, username = who
            with transaction(engine) as conn:
                answer = writes.post_objects(
                    conn,
                    root,
                    cid,
                    caller_,
                    body,
                    node_org=settings.organisation,
                    verifier=verifier,
                )
                status = json.loads(answer.body)
                audit.append(
                    conn,
                    audit.Actor(username, None, caller_.org),
                    "taxii.post",
                    object_type="taxii_status",
                    object_id=status["id"],
                    details={
                        "success": status["success_count"],
                        "failure": status["failure_count"],
                    },
                )
            return answer

        return _respond(await run_in_threadpool(work))

    @router.get("/{root}/collections/{cid}/objects/{object_id}/")
    def get_object(
        request: Request, root: str, cid: str, object_id: str, who: CallerDep, engine: EngineDep
    ) -> Response:
        with transaction(engine) as conn:
            answer = reads.get_objects(
                conn, root, cid, who[0], _params(request), object_id=object_id
            )
            _audit_read(conn, who, cid, answer)
            return _respond(answer)

    @router.delete("/{root}/collections/{cid}/objects/{object_id}/")
    def delete_object(
        request: Request, root: str, cid: str, object_id: str, who: CallerDep, engine: EngineDep
    ) -> Response:
        caller_, username = who
        with transaction(engine) as conn:
            answer = writes.delete_object(conn, root, cid, object_id, caller_, _params(request))
            audit.append(
                conn,
                audit.Actor(username, None, caller_.org),
                "taxii.delete",
                object_type="stix",
                object_id=object_id[:100],
            )
        return _respond(answer)

    @router.get("/{root}/collections/{cid}/objects/{object_id}/versions/")
    def versions(
        request: Request, root: str, cid: str, object_id: str, who: CallerDep, engine: EngineDep
    ) -> Response:
        with engine.connect() as conn:
            return _respond(reads.versions(conn, root, cid, object_id, who[0], _params(request)))

    return router


def install_taxii(app: FastAPI, secret_key: str) -> None:
    """Mount the TAXII server and its error messages on the app."""
    from cawarn.network.taxii.signature import verify_signature

    app.state.taxii_secret = hashlib.sha256(f"taxii-next:{secret_key}".encode()).digest()
    app.state.taxii_verifier = verify_signature

    @app.exception_handler(TaxiiError)
    async def taxii_error(request: Request, err: TaxiiError) -> Response:
        headers = {"WWW-Authenticate": 'Basic realm="taxii"'} if err.http_status == 401 else {}
        return Response(
            err.body(), status_code=err.http_status, media_type=TAXII_MEDIA, headers=headers
        )

    app.include_router(taxii_router())
