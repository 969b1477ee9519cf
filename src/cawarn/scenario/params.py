"""Every number of the synthetic scenario, with its default; docs/scenario.md says why each."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

#: Countries the generator knows how to label as UCDP GED does.
SUPPORTED_COUNTRIES = ("AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB")


def _background() -> dict[str, float]:
    # Background violent events per month in the whole country at scale 1 (before excitation).
    return {"AFG": 40.0, "TJK": 0.25, "UZB": 0.25, "KGZ": 0.2, "KAZ": 0.15, "TKM": 0.05}


def _protests() -> dict[str, float]:
    # Protest events per month in the whole country at scale 1.
    return {"AFG": 4.0, "KAZ": 3.0, "KGZ": 3.0, "UZB": 1.0, "TJK": 0.5, "TKM": 0.1}


def _trend() -> dict[str, tuple[tuple[str, float], ...]]:
    # Knots (YYYY-MM, multiplier of the background), linear in between, flat outside.
    return {
        "AFG": (
            ("2000-01", 0.5),
            ("2001-10", 0.9),
            ("2003-01", 0.5),
            ("2006-01", 0.9),
            ("2009-06", 1.5),
            ("2011-06", 1.4),
            ("2014-12", 1.2),
            ("2016-06", 1.6),
            ("2019-06", 1.8),
            ("2021-07", 2.0),
            ("2021-10", 0.25),
            ("2024-12", 0.25),
        )
    }


@dataclass(frozen=True, slots=True)
class ScenarioParams:
    """Parameters of the scenario process; the defaults are the documented scenario."""

    # Background rates: country total x population share of each admin-1 unit.
    background_per_month: dict[str, float] = field(default_factory=_background)
    population_exponent: float = 0.5
    population_floor: float = 50_000.0
    min_city_population: int = 5000
    trend: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=_trend)
    # Excitation: alpha is the expected number of violent events one event triggers later.
    kernel_months: int = 6
    kernel_decay: float = 0.5
    alpha_self_afg: float = 0.45
    alpha_self: float = 0.35
    alpha_neighbour: float = 0.03
    alpha_cross_border: float = 0.005
    alpha_afg_to_central_asia: float = 0.015
    alpha_central_asia_to_afg: float = 0.003
    neighbour_distance_deg: float = 0.02
    neighbour_min_border_deg: float = 0.05
    max_spectral_radius: float = 0.9
    burn_in_months: int = 36
    # Campaigns: rare additive regime shifts in Central Asian provinces.
    campaign_rate_per_year: float = 0.25
    campaign_border_weight: float = 3.0
    campaign_size_median: float = 2.0
    campaign_size_sigma: float = 0.6
    campaign_min_months: int = 3
    campaign_max_months: int = 12
    campaign_decay: float = 0.85
    # Protests: a separate stream that never excites violence.
    protest_per_month: dict[str, float] = field(default_factory=_protests)
    protest_population_exponent: float = 1.0
    protest_wave_rate_per_year: float = 0.08
    protest_wave_multiplier: float = 15.0
    protest_wave_max_months: int = 2
    # Types of violence.
    p_attack_on_civilians: float = 0.2
    p_non_state_afg: float = 0.2
    # Fatalities per violent event.
    p_zero_deaths: float = 0.05
    pareto_exponent: float = 1.6
    max_deaths: int = 2000
    low_share: float = 0.2
    high_share: float = 0.5
    clash_death_shares: tuple[float, float, float, float] = (0.3, 0.4, 0.1, 0.2)
    # Reporting lag in days: a mixture of two geometric distributions.
    lag_mean_days: float = 5.0
    late_share: float = 0.15
    late_mean_days: float = 45.0
    # Space.
    city_share: float = 0.7
    city_kernel_km: float = 25.0
    local_kernel_km: float = 5.0
    near_km: float = 25.0
    min_piece_km2: float = 10.0

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as plain JSON-ready values."""
        data = dataclasses.asdict(self)
        data["trend"] = {k: [list(knot) for knot in v] for k, v in sorted(self.trend.items())}
        data["clash_death_shares"] = list(self.clash_death_shares)
        return data

    def digest(self) -> str:
        """Return a short hash of the parameters (part of the scenario id when not default)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]

    def validate(self) -> None:
        """Raise ValueError naming the first parameter that is out of range."""
        probabilities = {
            "p_attack_on_civilians": self.p_attack_on_civilians,
            "p_non_state_afg": self.p_non_state_afg,
            "p_zero_deaths": self.p_zero_deaths,
            "low_share": self.low_share,
            "high_share": self.high_share,
            "late_share": self.late_share,
            "city_share": self.city_share,
            "kernel_decay": self.kernel_decay,
            "campaign_decay": self.campaign_decay,
        }
        for name, value in probabilities.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], not {value}")
        shares = self.clash_death_shares
        if len(shares) != 4 or min(shares) < 0 or abs(sum(shares) - 1.0) > 1e-9:
            raise ValueError("clash_death_shares must be four non-negative shares summing to 1")
        rates = {**self.background_per_month, **self.protest_per_month}
        if any(v < 0 for v in rates.values()):
            raise ValueError("background and protest rates must not be negative")
        if self.kernel_months < 1 or self.max_deaths < 1 or self.pareto_exponent <= 0:
            raise ValueError("kernel_months and max_deaths must be >= 1, pareto_exponent > 0")
        if not 1 <= self.campaign_min_months <= self.campaign_max_months:
            raise ValueError("need 1 <= campaign_min_months <= campaign_max_months")
        if self.burn_in_months < 0:
            raise ValueError("burn_in_months must not be negative")
        if self.protest_wave_max_months < 1:
            raise ValueError("protest_wave_max_months must be >= 1")
        if min(self.lag_mean_days, self.late_mean_days) < 0:
            raise ValueError("lag means must not be negative")
        if min(self.city_kernel_km, self.local_kernel_km, self.min_piece_km2) <= 0:
            raise ValueError("city_kernel_km, local_kernel_km and min_piece_km2 must be > 0")
