"""Write a large synthetic film table for benchmarks (default 1,000,000 films).

Films are drawn from the bundled reference set with replacement and jittered
(conditions by a little, measurements by a few per cent, multiplicatively),
keeping RD = DoT / thickness and R = t / (σ·A) consistent. Seeded, so every
run writes the same file. Usage::

    python benchmarks/make_large.py --n 1000000 --out /tmp/films_1m.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
AREA_CM2 = np.pi * 0.5**2


def make_large(n: int, seed: int = 7) -> pd.DataFrame:
    ref = pd.read_csv(ROOT / "data" / "sse_films_reference.csv")
    rng = np.random.default_rng(seed)
    pick = ref.iloc[rng.integers(0, len(ref), n)].reset_index(drop=True)
    jitter = lambda s: rng.lognormal(0.0, s, n)  # noqa: E731
    thickness = pick["thickness_um"].to_numpy() * jitter(0.03)
    sigma = pick["conductivity_s_cm"].to_numpy() * jitter(0.04)
    dot = pick["dot_um"].to_numpy() * jitter(0.05)
    return pd.DataFrame({
        "sample_id": [f"L{i:07d}" for i in range(n)],
        "polymer_wt_pct": pick["polymer_wt_pct"].to_numpy(),
        "ls_ratio": np.clip(pick["ls_ratio"].to_numpy() + rng.normal(0, 0.02, n), 0.5, 1.5).round(3),
        "xylene_vol_pct": np.clip(pick["xylene_vol_pct"].to_numpy() + rng.normal(0, 2.0, n), 0, 100).round(1),
        "thickness_um": thickness.round(3),
        "density_g_cm3": (pick["density_g_cm3"].to_numpy() * jitter(0.01)).round(3),
        "resistance_ohm": (thickness * 1e-4 / (sigma * AREA_CM2)).round(4),
        "conductivity_s_cm": sigma,
        "dot_um": dot.round(4),
        "rd": dot / thickness,
    })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    make_large(args.n, args.seed).to_csv(args.out, index=False, float_format="%.6g")
    print(f"wrote {args.n} films to {args.out}")


if __name__ == "__main__":
    main()
