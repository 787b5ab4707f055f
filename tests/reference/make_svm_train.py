"""Write tests/reference/svm_train.csv: the final SVM training set of the bundled reference study.

The rows are the 110 films of data/sse_films_reference.csv after random
oversampling (every class grown to the majority count), in the standardised
conditions the SVM is fitted on (z = (x - mean) / sd, n denominator, over the
110 films), with the quality class from the default analysis. That is the set
``svm_classifier`` fits its final model on: the third stream of
``numpy.random.default_rng(seed).spawn(3)`` drives the oversampling (see the
Notes of :func:`ssereport.analysis.classifier.svm_classifier`).

Usage, from the repository root::

    PYTHONPATH=. python tests/reference/make_svm_train.py tests/reference/svm_train.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
CONDITIONS = ("polymer_wt_pct", "ls_ratio", "xylene_vol_pct")


def final_training_set(seed: int = 42) -> pd.DataFrame:
    from ssereport import Config, analyze, load_films
    from ssereport.analysis.svm import random_oversample, standardize

    cfg = Config(seed=seed, n_bootstrap=0)
    res = analyze(load_films(ROOT / "data" / "sse_films_reference.csv"), cfg)
    x = res.table.data[list(CONDITIONS)].to_numpy(dtype=float)
    y = res.clusters.labels.loc[res.table.data.index].to_numpy()
    rng_final = np.random.default_rng(seed).spawn(3)[2]
    over = random_oversample(y, rng_final)
    mean, scale = standardize(x)
    z = (x[over] - mean) / scale
    out = pd.DataFrame(z, columns=["z_" + c for c in CONDITIONS])
    out["class"] = y[over]
    out["film_row"] = over  # position of the film in the reference file (0-based)
    return out


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "reference" / "svm_train.csv"
    df = final_training_set()
    df.to_csv(path, index=False, float_format="%.17g")
    print(f"wrote {len(df)} rows to {path}")


if __name__ == "__main__":
    main()
