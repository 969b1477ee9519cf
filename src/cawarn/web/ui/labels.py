"""Names the pages show for codes stored in English (categories, markings, roles).

``N_`` marks them for the catalog; templates translate them with ``_`` when they show them.
"""

from __future__ import annotations

from types import SimpleNamespace


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark a text for the catalog without translating it now."""
    return text


CATEGORIES = {
    "armed_clash": N_("Armed clash"),
    "explosion_remote_violence": N_("Explosion / remote violence"),
    "attack_on_civilians": N_("Attack on civilians"),
    "riot": N_("Riot"),
    "protest": N_("Protest"),
    "strategic_development": N_("Strategic development"),
}

MARKINGS = {
    "TLP:CLEAR": N_("may be shared without restriction"),
    "TLP:GREEN": N_("may be shared within the community"),
    "TLP:AMBER": N_("limited disclosure: the recipient's organisation and its clients"),
    "TLP:AMBER+STRICT": N_("limited disclosure: the recipient's organisation only"),
    "TLP:RED": N_("for the eyes of the named recipients only"),
}

ROLES = {
    "reporter": N_("reporter"),
    "verifier": N_("verifier"),
    "releasing_officer": N_("releasing officer"),
    "analyst": N_("analyst"),
    "duty_officer": N_("duty officer"),
    "partner_observer": N_("partner observer"),
    "admin": N_("administrator"),
    "auditor": N_("auditor"),
    "peer_node": N_("peer node"),
}

LABELS = SimpleNamespace(categories=CATEGORIES, markings=MARKINGS, roles=ROLES)
