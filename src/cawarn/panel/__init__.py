"""Unit-month panels (country, admin-1, PRIO-GRID) with targets and features, built or imported."""

from cawarn.panel.build import build_panel
from cawarn.panel.model import Panel
from cawarn.panel.months import label, month_id, parse_month
from cawarn.panel.storage import list_panels, load_panel, save_panel
from cawarn.panel.units import LEVELS

__all__ = [
    "LEVELS",
    "Panel",
    "build_panel",
    "label",
    "list_panels",
    "load_panel",
    "month_id",
    "parse_month",
    "save_panel",
]
