"""Generate the SYNTHETIC reference data set of doctor-bladed Li6PS5Cl films.

The measured data of Chen, Duquesnoy et al. (ACS Energy Lett. 2021, 6, 1639:
"Machine learning for Li6PS5Cl thin solid-electrolyte films") -- Table S1, 110
slurries -- are not public.  This script writes a synthetic stand-in in the
same format, produced by a small, physically motivated process model with a
seeded random generator.  The numbers are *not* measurements; they reproduce
the trends the paper reports, nothing more.

Running ``python data/generate_reference.py`` (default seed 20210401) writes

* ``data/sse_films_reference.csv``              -- 110 films (the "Table S1")
* ``data/batches/batch_2026-03-02_A.csv``       -- production batch A (good window)
* ``data/batches/batch_2026-03-09_B.csv``       -- production batch B (good window)
* ``data/batches/batch_2026-03-16_C.csv``       -- production batch C (failing)

Options: ``--seed N`` and ``--out-dir DIR`` (batches go to ``DIR/batches``).
Only numpy and pandas are needed.  The output is deterministic for a seed.

Design of experiments (reference set)
-------------------------------------
Full factorial of the three manufacturing conditions, 4 x 5 x 5 = 100 slurries,

* P%  (``polymer_wt_pct``)  binder (PBMA) content of the dry solids: 3, 5, 7, 10 wt%
* L:S (``ls_ratio``)        solvent volume per LPSCl mass: 0.6, 0.8, 1.0, 1.2, 1.4 µL/mg
* X:B (``xylene_vol_pct``)  xylene share of the xylene / isobutyl isobutyrate
                            co-solvent: 0, 25, 50, 75, 100 vol%

plus 10 replicate slurries at centre points (``REPLICATES``), 110 films in all.
Every film is an independent slurry: replicates get fresh process noise.

Process model (per film; all constants are module-level and named)
------------------------------------------------------------------
1. *Slurry solids fraction.*  Per mg of LPSCl the slurry holds 1/ρ_LPSCl µL of
   electrolyte, P/(100-P)/ρ_binder µL of binder and L:S µL of solvent, so the
   solids volume fraction is φ_s = V_solid / (V_solid + L:S).

2. *Two process windows.*  Two critical liquid-to-solid ratios, both linear in
   P% and X:B, bound the good window (paper Fig. 4: sloped boundaries that
   shift with P%):

   - aggregation limit  L_agg = 0.45 + 0.025·P + 0.0025·X:B   (µL/mg)
     Below it the slurry is a paste: there is too little liquid to wet and
     disperse the powder; binder bridges particles (↑ with P%) and xylene, the
     poorer dispersant for the polar sulfide surface, flocculates it (↑ with
     X:B).  The powder aggregates.
   - segregation limit  L_sep = 1.00 + 0.020·P + 0.0015·X:B   (µL/mg)
     Above it the slurry is too thin to hold the particle size distribution
     during drying: fines float up, coarse particles settle (phase separation,
     paper Fig. 5h).  Binder and xylene raise the viscosity and push the limit
     up.

   Each slurry gets its own random offset of both limits (batch-to-batch
   scatter of powder and weighing, SD ``LIMIT_SD``).  The degree of
   aggregation A and of segregation S are logistic functions of the distance
   to the limits (width ``W_AGG``, ``W_SEP``), i.e. ~0 inside the window and
   ~1 well outside it.

3. *Porosity* ε = 0.14 − 0.10·(L:S − 1) + 0.004·(P − 5) + 0.19·A + noise.
   More liquid packs the particles more closely (class-2 films are the
   densest, paper Fig. 5); aggregated films are very porous.

4. *Density* ρ = ρ_skeleton(P) · (1 − ε), with the skeleton density from the
   rule of mixtures of LPSCl (1.86 g/cm³, crystallographic) and PBMA
   (1.05 g/cm³).  Good films come out at ~1.45–1.65 g/cm³, aggregated ones at
   ~1.0–1.3 g/cm³.

5. *Thickness* (target ~40 µm).  The doctor blade (gap 150 µm) leaves a wet
   film of transfer ratio τ·gap, τ growing with slurry viscosity (P%, X:B,
   solids fraction).  Drying keeps the solids: t = τ·gap·φ_s/(1 − ε).  So t
   rises with P% and falls with L:S.  Aggregates stack up and add up to ~50 %
   to the thickness (factor 1 + 0.45·A·(1 + noise)): the drastic rise at high X:B,
   low L:S and P% > 5.  Film-to-film scatter is lognormal (SD ``T_SD``).

6. *Ionic conductivity.*  σ = σ_powder · κ · φ_LPSCl^1.5 · exp(−β·P) ·
   exp(−γ·A) · lognormal noise, where σ_powder = 2.1 mS/cm (milled powder,
   paper), κ the loss of grain contacts in a cast film, φ_LPSCl the LPSCl
   volume fraction of the film (Bruggeman exponent 1.5 for tortuosity),
   exp(−β·P) the blocking of grain boundaries by the insulating binder and
   exp(−γ·A) the poor contact between agglomerates (cracks).  σ falls with P%,
   rises with L:S (through ε) and spans ~1.2e-4 to ~8.7e-4 S/cm
   (paper: 1.5e-4 to 8.6e-4 S/cm).

7. *Resistance* of the film between two blocking electrodes of 10 mm diameter
   (A_el = 0.7854 cm²): R = t / (σ·A_el), computed from the written σ and t.

8. *Thickness uniformity.*  The target relative deviation is
   RD* = (0.022 + 0.30·(L:S − L_mid)² + 0.11·A + 0.085·S) · lognormal noise,
   L_mid = (L_agg + L_sep)/2: lowest in the middle of the window (which moves
   with P% and X:B: an X:B × L:S interaction), high when aggregated (class 3)
   or segregated (class 2).  Nine readings on a 3 × 3 grid are drawn from a
   film-specific profile -- a wedge along the casting direction, a bead at the
   two edges, random local variation and, for aggregated films, a few thick
   lumps -- scaled so that its relative SD is RD*, plus Gaussian gauge noise
   (SD 0.3 µm), and rounded to 0.1 µm.  ``thickness_um`` (mean), ``dot_um``
   (sample SD, ddof=1) and ``rd`` = dot/thickness are computed from the rounded
   readings.

Production batches
------------------
Three example batches cast after the reference study, with a small batch
effect (one powder lot per batch: common factors on σ and thickness):
A and B near the class-1 window, C clearly outside it (P% = 10, L:S ≤ 0.7,
X:B ≥ 75: thick, aggregated, porous, low σ, high RD).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_SEED = 20210401

# --- design ---------------------------------------------------------------
P_LEVELS = (3.0, 5.0, 7.0, 10.0)            # wt% binder in the dry solids
LS_LEVELS = (0.6, 0.8, 1.0, 1.2, 1.4)       # µL solvent per mg LPSCl
XB_LEVELS = (0.0, 25.0, 50.0, 75.0, 100.0)  # vol% xylene in the co-solvent
#: 10 extra slurries at centre points of the design (P%, L:S, X:B).
REPLICATES = (
    (5.0, 1.0, 50.0), (5.0, 1.0, 50.0), (5.0, 0.8, 25.0), (5.0, 1.0, 25.0),
    (3.0, 1.0, 50.0), (3.0, 0.8, 25.0), (7.0, 1.0, 50.0), (7.0, 1.0, 25.0),
    (7.0, 0.8, 0.0), (10.0, 1.0, 50.0),
)

# --- materials and set-up -------------------------------------------------
RHO_LPSCL = 1.86        # g/cm³, Li6PS5Cl (F-43m, a = 9.85 Å, Z = 4)
RHO_BINDER = 1.05       # g/cm³, poly(butyl methacrylate)
SIGMA_POWDER = 2.1e-3   # S/cm, wet-milled LPSCl powder (paper, Fig. S9)
ELECTRODE_DIAMETER_CM = 1.0
ELECTRODE_AREA_CM2 = np.pi * (ELECTRODE_DIAMETER_CM / 2) ** 2  # 0.7854 cm²
BLADE_GAP_UM = 150.0

# --- process windows (µL/mg) ---------------------------------------------
AGG_LIMIT = (0.45, 0.025, 0.0025)    # L_agg = a0 + aP·P + aX·X:B
SEP_LIMIT = (1.00, 0.020, 0.0015)    # L_sep = s0 + sP·P + sX·X:B
LIMIT_SD = 0.025                     # slurry-to-slurry scatter of the limits
W_AGG = 0.035                        # logistic widths
W_SEP = 0.035

# --- film properties ------------------------------------------------------
POROSITY = dict(base=0.14, ls=-0.10, p=0.004, agg=0.19, sd=0.012)
TRANSFER = dict(base=0.60, p=0.030, xb=0.0008, phi=0.40)  # wet film / gap
AGG_SWELL = 0.45          # aggregated films: thickness × (1 + 0.45·A·(1+noise))
T_SD = 0.05               # lognormal film-to-film thickness scatter
SIGMA_CONTACT = 0.60      # κ: grain-contact loss in a cast film
SIGMA_BINDER = 0.075      # β per wt% binder
SIGMA_AGG = 0.45          # γ: agglomerate contact loss
SIGMA_SD = 0.07           # lognormal conductivity scatter
RD = dict(base=0.022, curv=0.30, agg=0.11, sep=0.085, sd=0.15)
GAUGE_SD_UM = 0.3         # micrometer gauge noise per reading

READING_COLS = [f"thickness_{i}" for i in range(1, 10)]
COLUMNS = [
    "sample_id", "polymer_wt_pct", "ls_ratio", "xylene_vol_pct", "thickness_um",
    "density_g_cm3", "resistance_ohm", "conductivity_s_cm", "dot_um", "rd",
    *READING_COLS,
]


@dataclass(frozen=True)
class Batch:
    """A production batch: its name and the set points of its films."""

    batch_id: str
    prefix: str                                   # sample_id prefix
    conditions: tuple[tuple[float, float, float], ...]


BATCHES = (
    Batch("2026-03-02_A", "B26-0302A", (
        (5, 0.90, 25), (5, 0.90, 50), (5, 0.95, 25), (5, 0.95, 50), (5, 1.00, 25),
        (5, 1.00, 50), (5, 1.05, 25), (5, 1.05, 50), (5, 0.95, 25), (5, 1.00, 50),
    )),
    Batch("2026-03-09_B", "B26-0309B", (
        (3, 0.85, 0), (3, 0.95, 25), (3, 1.05, 25), (3, 1.20, 0), (3, 1.00, 50),
        (7, 0.90, 25), (7, 1.00, 25), (7, 1.00, 50), (7, 1.10, 50), (7, 0.95, 0),
        (7, 1.05, 75), (3, 0.90, 50),
    )),
    Batch("2026-03-16_C", "B26-0316C", (
        (10, 0.60, 75), (10, 0.60, 100), (10, 0.65, 75), (10, 0.65, 100),
        (10, 0.70, 100), (10, 0.60, 100), (10, 0.65, 100), (10, 0.70, 75),
        (10, 0.60, 75),
    )),
)


# --- design ---------------------------------------------------------------
def reference_design() -> pd.DataFrame:
    """Conditions of the 110 reference slurries, sorted like a results table."""
    grid = [(p, ls, xb) for p in P_LEVELS for ls in LS_LEVELS for xb in XB_LEVELS]
    rows = sorted(grid + list(REPLICATES))
    return pd.DataFrame(rows, columns=["polymer_wt_pct", "ls_ratio", "xylene_vol_pct"])


# --- process model --------------------------------------------------------
def logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def binder_volume(p: np.ndarray) -> np.ndarray:
    """Binder volume per mg LPSCl (µL/mg) for P wt% binder in the solids."""
    return p / (100.0 - p) / RHO_BINDER


def solids_fraction(p: np.ndarray, ls: np.ndarray) -> np.ndarray:
    """Volume fraction of solids in the slurry."""
    v_solid = 1.0 / RHO_LPSCL + binder_volume(p)
    return v_solid / (v_solid + ls)


def lpscl_solid_fraction(p: np.ndarray) -> np.ndarray:
    """Volume fraction of LPSCl in the pore-free dry film."""
    v_lpscl = 1.0 / RHO_LPSCL
    return v_lpscl / (v_lpscl + binder_volume(p))


def skeleton_density(p: np.ndarray) -> np.ndarray:
    """Pore-free density of the LPSCl + binder composite (g/cm³)."""
    w = p / 100.0
    return 1.0 / ((1.0 - w) / RHO_LPSCL + w / RHO_BINDER)


def window_limits(p, xb, rng, n):
    """Aggregation and segregation limits of L:S for each slurry (µL/mg)."""
    l_agg = AGG_LIMIT[0] + AGG_LIMIT[1] * p + AGG_LIMIT[2] * xb + rng.normal(0, LIMIT_SD, n)
    l_sep = SEP_LIMIT[0] + SEP_LIMIT[1] * p + SEP_LIMIT[2] * xb + rng.normal(0, LIMIT_SD, n)
    return l_agg, l_sep


def porosity(p, ls, agg, rng, n):
    e = (POROSITY["base"] + POROSITY["ls"] * (ls - 1.0) + POROSITY["p"] * (p - 5.0)
         + POROSITY["agg"] * agg + rng.normal(0, POROSITY["sd"], n))
    return np.clip(e, 0.03, 0.6)


def mean_thickness(p, ls, xb, eps, agg, rng, n):
    """Mean dry thickness (µm) of the film."""
    phi = solids_fraction(p, ls)
    tau = TRANSFER["base"] * (1 + TRANSFER["p"] * (p - 5) + TRANSFER["xb"] * (xb - 50)
                              + TRANSFER["phi"] * (phi - 0.37))
    swell = 1.0 + AGG_SWELL * agg * (1.0 + rng.normal(0, 0.2, n))
    return BLADE_GAP_UM * tau * phi / (1.0 - eps) * swell * np.exp(rng.normal(0, T_SD, n))


def conductivity(p, eps, agg, rng, n):
    """Ionic conductivity (S/cm) of the film."""
    phi_lpscl = lpscl_solid_fraction(p) * (1.0 - eps)
    return (SIGMA_POWDER * SIGMA_CONTACT * phi_lpscl ** 1.5 * np.exp(-SIGMA_BINDER * p)
            * np.exp(-SIGMA_AGG * agg) * np.exp(rng.normal(0, SIGMA_SD, n)))


def target_rd(ls, l_agg, l_sep, agg, sep, rng, n):
    """Relative thickness deviation the film is cast with."""
    l_mid = 0.5 * (l_agg + l_sep)
    rd = RD["base"] + RD["curv"] * (ls - l_mid) ** 2 + RD["agg"] * agg + RD["sep"] * sep
    return rd * np.exp(rng.normal(0, RD["sd"], n))


def thickness_profile(agg: float, rng: np.random.Generator) -> np.ndarray:
    """Standardised 3 × 3 thickness pattern (mean 0, sample SD 1), row = casting direction."""
    row = np.repeat([-1.0, 0.0, 1.0], 3)          # position along the cast
    col = np.tile([1.0, 0.0, 1.0], 3)             # edge bead across the cast
    z = (rng.normal(0, 0.8) * row + rng.normal(0.3, 0.3) * col
         + rng.normal(0, 0.7, 9) + agg * rng.exponential(1.0, 9) ** 2)
    z = z - z.mean()
    return z / z.std(ddof=1)


def thickness_readings(t_mean, rd, agg, rng) -> np.ndarray:
    """The 9 rounded readings (µm) of every film."""
    out = np.empty((len(t_mean), 9))
    for i, (t, r, a) in enumerate(zip(t_mean, rd, agg)):
        z = thickness_profile(a, rng)
        out[i] = t * (1.0 + r * z) + rng.normal(0, GAUGE_SD_UM, 9)
    return np.round(np.maximum(out, 1.0), 1)


def simulate_films(cond: pd.DataFrame, rng: np.random.Generator,
                   sigma_factor: float = 1.0, thickness_factor: float = 1.0) -> pd.DataFrame:
    """Cast one film per row of ``cond`` and measure it; returns the table columns."""
    n = len(cond)
    p = cond["polymer_wt_pct"].to_numpy(float)
    ls = cond["ls_ratio"].to_numpy(float)
    xb = cond["xylene_vol_pct"].to_numpy(float)

    l_agg, l_sep = window_limits(p, xb, rng, n)
    agg = logistic((l_agg - ls) / W_AGG)
    sep = logistic((ls - l_sep) / W_SEP)
    eps = porosity(p, ls, agg, rng, n)
    t = mean_thickness(p, ls, xb, eps, agg, rng, n) * thickness_factor
    sigma = conductivity(p, eps, agg, rng, n) * sigma_factor
    rho = skeleton_density(p) * (1.0 - eps) * np.exp(rng.normal(0, 0.01, n))
    readings = thickness_readings(t, target_rd(ls, l_agg, l_sep, agg, sep, rng, n), agg, rng)
    return measured_table(cond, readings, rho, sigma)


def measured_table(cond, readings, rho, sigma) -> pd.DataFrame:
    """Derived columns, computed from the rounded values as they are written."""
    t_mean = readings.mean(axis=1)
    dot = readings.std(axis=1, ddof=1)
    sigma = np.array([float(f"{s:.4g}") for s in sigma])
    df = cond.reset_index(drop=True).copy()
    df["thickness_um"] = np.round(t_mean, 3)
    df["density_g_cm3"] = np.round(rho, 3)
    df["resistance_ohm"] = np.round(t_mean * 1e-4 / (sigma * ELECTRODE_AREA_CM2), 3)
    df["conductivity_s_cm"] = sigma
    df["dot_um"] = np.round(dot, 3)
    df["rd"] = [float(f"{r:.5g}") for r in dot / t_mean]
    for j, name in enumerate(READING_COLS):
        df[name] = readings[:, j]
    return df


# --- data sets ------------------------------------------------------------
def make_reference(rng: np.random.Generator) -> pd.DataFrame:
    df = simulate_films(reference_design(), rng)
    df.insert(0, "sample_id", [f"SSE-{i:03d}" for i in range(1, len(df) + 1)])
    return df[COLUMNS]


def make_batch(batch: Batch, rng: np.random.Generator) -> pd.DataFrame:
    cond = pd.DataFrame(batch.conditions, columns=["polymer_wt_pct", "ls_ratio", "xylene_vol_pct"],
                        dtype=float)
    sigma_factor = float(np.exp(rng.normal(0, 0.04)))       # powder lot
    thickness_factor = float(np.exp(rng.normal(0, 0.02)))   # blade set-up
    df = simulate_films(cond, rng, sigma_factor, thickness_factor)
    df.insert(0, "sample_id", [f"{batch.prefix}-{i:02d}" for i in range(1, len(df) + 1)])
    df.insert(1, "batch_id", batch.batch_id)
    return df[["sample_id", "batch_id", *COLUMNS[1:]]]


def generate(seed: int = DEFAULT_SEED) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The reference table and the production batches (by batch_id) for ``seed``."""
    rng = np.random.default_rng(seed)
    reference = make_reference(rng)
    batches = {b.batch_id: make_batch(b, rng) for b in BATCHES}
    return reference, batches


# --- output ---------------------------------------------------------------
def to_csv_text(df: pd.DataFrame) -> str:
    """CSV text with the documented number formats (no index, '\\n' line ends)."""
    out = df.copy()
    fmt = {
        "polymer_wt_pct": "{:g}", "ls_ratio": "{:.2f}", "xylene_vol_pct": "{:g}",
        "thickness_um": "{:.3f}", "density_g_cm3": "{:.3f}", "resistance_ohm": "{:.3f}",
        "conductivity_s_cm": "{:.4g}", "dot_um": "{:.3f}", "rd": "{:.5g}",
        **{c: "{:.1f}" for c in READING_COLS},
    }
    for col, f in fmt.items():
        out[col] = [f.format(v) for v in out[col]]
    return out.to_csv(index=False, lineterminator="\n")


def write_all(seed: int, out_dir: Path) -> list[Path]:
    reference, batches = generate(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "batches").mkdir(exist_ok=True)
    paths = [out_dir / "sse_films_reference.csv"]
    paths[0].write_text(to_csv_text(reference), encoding="utf-8")
    for batch_id, df in batches.items():
        path = out_dir / "batches" / f"batch_{batch_id}.csv"
        path.write_text(to_csv_text(df), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parent,
                        help="output directory (default: the directory of this script)")
    args = parser.parse_args(argv)
    for path in write_all(args.seed, args.out_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
