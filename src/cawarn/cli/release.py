"""``cawarn release``: release decisions (create, list, revoke), signed with the node key."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from cawarn.cli.context import state
from cawarn.domain import InputError
from cawarn.domain.releases import ItemKind, Release

app = typer.Typer(help="Release decisions (create, list, revoke).", no_args_is_help=True)


def parse_expiry(text: str, now: dt.datetime) -> dt.datetime:
    """An expiry: a lifetime (30d, 12h, 2w) from now, or an ISO 8601 date or time (UTC)."""
    from cawarn.accounts.apikeys import parse_duration

    text = text.strip()
    if text and text[-1:].lower() in ("d", "h", "w") and text[:-1].isdigit():
        return now + parse_duration(text)
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"The expiry {text!r} is not usable; give a lifetime such as 30d, 12h or 2w, or a "
            "date such as 2027-01-31."
        ) from None
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at


def _codes(text: str | None) -> list[str]:
    return [code.strip() for code in (text or "").split(",") if code.strip()]


def describe(release: Release) -> str:
    """One line about a release."""
    until = release.expires_at.strftime("%Y-%m-%d %H:%M UTC") if release.expires_at else "never"
    groups = f" (groups {', '.join(release.audience_groups)})" if release.audience_groups else ""
    return (
        f"Release {release.id}: {release.item_kind.value} {release.item_id} as "
        f"{release.marking.value} to {', '.join(release.audience)}{groups}, expires {until}, "
        f"signed by {release.key_id}."
    )


@app.command("create")
def create(
    ctx: typer.Context,
    item: Annotated[str, typer.Option("--item", help="The event uid, alert id or report id.")],
    tlp: Annotated[str, typer.Option("--tlp", help="CLEAR, GREEN, AMBER, AMBER+STRICT or RED.")],
    as_user: Annotated[
        str, typer.Option("--as", help="The releasing officer who decides (a username).")
    ],
    kind: Annotated[
        ItemKind, typer.Option("--kind", help="event, alert, assessment or report.")
    ] = ItemKind.EVENT,
    to: Annotated[
        str | None, typer.Option("--to", help="Comma-separated organisation codes.")
    ] = None,
    group: Annotated[
        list[str] | None, typer.Option("--group", help="A trust group (repeatable; not for RED).")
    ] = None,
    expires: Annotated[
        str | None, typer.Option("--expires", help="e.g. 30d, 12h, 2w or 2027-01-31.")
    ] = None,
) -> None:
    """Decide that an item may be shared: its audience, TLP marking and expiry."""
    from cawarn.accounts.directory import get_user
    from cawarn.domain.releases import parse_marking
    from cawarn.network import keys
    from cawarn.network.releases import create_release

    cli = state(ctx)
    now = dt.datetime.now(dt.UTC)
    marking = parse_marking(tlp)
    expires_at = parse_expiry(expires, now) if expires else None
    node_key = keys.load(cli.home_dir)
    with cli.engine().begin() as conn:
        release = create_release(
            conn,
            kind=kind,
            item_id=item.strip(),
            orgs=_codes(to),
            groups=[name for text in group or [] for name in _codes(text)],
            marking=marking,
            expires_at=expires_at,
            officer=get_user(conn, as_user),
            key=node_key,
            node_org=cli.settings.organisation,
            now=now,
        )
    cli.out.print(describe(release))


@app.command("list")
def list_(
    ctx: typer.Context,
    org: Annotated[
        str | None, typer.Option("--org", help="Only releases of this organisation.")
    ] = None,
) -> None:
    """List release decisions, newest first."""
    from cawarn.network.releases import list_releases

    cli = state(ctx)
    with cli.engine().connect() as conn:
        found = list_releases(conn, owner_org=org)
    now = dt.datetime.now(dt.UTC)
    table = Table(title=f"{len(found)} releases", title_justify="left")
    for col in ("id", "item", "marking", "audience", "expires", "status", "decided by"):
        table.add_column(col, no_wrap=col != "audience")
    for r in found:
        status = "revoked" if r.revoked_at else ("active" if r.is_active(now) else "expired")
        table.add_row(
            str(r.id),
            f"{r.item_kind.value} {r.item_id}",
            r.marking.value,
            ", ".join(r.audience),
            r.expires_at.strftime("%Y-%m-%d") if r.expires_at else "never",
            status,
            r.decided_by,
        )
    cli.out.print(table)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    release_id: Annotated[int, typer.Argument(help="The release's id ('cawarn release list').")],
    as_user: Annotated[str, typer.Option("--as", help="The releasing officer who revokes.")],
) -> None:
    """Revoke a release: peers stop receiving the item; the revocation is signed and audited."""
    from cawarn.accounts.directory import get_user
    from cawarn.network import keys
    from cawarn.network.releases import revoke_release

    cli = state(ctx)
    node_key = keys.load(cli.home_dir)
    with cli.engine().begin() as conn:
        release = revoke_release(conn, release_id, officer=get_user(conn, as_user), key=node_key)
    cli.out.print(f"Release {release.id} revoked by {release.revoked_by}.")
