"""Synthetic scenarios: a self-exciting point process of political violence on the real geography.

:func:`generate` writes ``events.csv`` in the UCDP GED CSV layout (every row marked
``synthetic:<scenario id>``), the truth the process used (``truth_admin1.csv``, ``truth_pgm.csv``,
``onsets.csv``, ``protest_waves.csv``) and ``scenario.json``. docs/scenario.md describes the model.
"""

from cawarn.scenario.excitation import NonStationaryError
from cawarn.scenario.fatalities import best_pmf, mean_deaths
from cawarn.scenario.ged_csv import EXTRA_COLUMNS, GED_COLUMNS
from cawarn.scenario.generate import SOURCE_PREFIX, ScenarioResult, generate, scenario_id
from cawarn.scenario.params import SUPPORTED_COUNTRIES, ScenarioParams
from cawarn.scenario.truth import ADMIN1_COLUMNS, ONSET_COLUMNS, PGM_COLUMNS, WAVE_COLUMNS

__all__ = [
    "ADMIN1_COLUMNS",
    "EXTRA_COLUMNS",
    "GED_COLUMNS",
    "ONSET_COLUMNS",
    "PGM_COLUMNS",
    "SOURCE_PREFIX",
    "SUPPORTED_COUNTRIES",
    "WAVE_COLUMNS",
    "NonStationaryError",
    "ScenarioParams",
    "ScenarioResult",
    "best_pmf",
    "generate",
    "mean_deaths",
    "scenario_id",
]
