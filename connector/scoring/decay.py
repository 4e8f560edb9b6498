"""How positive engagement points lose value with the age of their signal.

Two curves, as a marketer would describe them:
- half-life: points halve every `half_life_days`, continuously
  (factor = 0.5 ** (age / half_life_days));
- "N % per period": points lose `percent` % at the end of each whole period of
  `every_days`, compounding (factor = (1 - percent / 100) ** floor(age / every_days)).
An unknown age (no date) or a future date means no decay (factor 1). Factors are never
above 1, so decay can only lower a score.
"""

from __future__ import annotations

import numpy as np

from connector.scoring.config import Decay


def decay_factor(age_days: np.ndarray, decay: Decay) -> np.ndarray:
    """The fraction of its points a signal of each age keeps (1 for unknown or future ages)."""
    age = np.nan_to_num(np.asarray(age_days, dtype=np.float64), nan=0.0)
    age = np.maximum(age, 0.0)
    if decay.half_life_days is not None:
        return np.power(0.5, age / decay.half_life_days)
    if decay.percent is not None and decay.every_days is not None:
        periods = np.floor(age / decay.every_days)
        return np.power(1.0 - decay.percent / 100.0, periods)
    return np.ones_like(age)
