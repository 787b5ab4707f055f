"""Write tests/reference/svm_train.csv: the final SVM training set of the bundled reference study.

The rows are the 110 films of data/sse_films_reference.csv as the final
classifier pipeline of the default analysis fits its SVC on them: standardised
by the pipeline's ``StandardScaler`` (mean and n-denominator SD of the 110
films), then oversampled by its ``RandomOverSampler`` (every class grown to
the majority count; ``sample_indices_`` says which film each row copies), with
the quality class from the default analysis. See
:func:`ssereport.analysis.classifier.make_pipeline`.

Usage, from the repository root::

    PYTHONPATH=. python tests/reference/make_svm_train.py tests/reference/svm_train.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
CONDITIONS = ("polymer_wt_pct", "ls_ratio", "xylene_vol_pct")


def final_training_set(seed: int = 42) -> pd.DataFrame:
    from ssereport import Config, analyze, load_films

    cfg = Config(seed=seed, n_bootstrap=0)
    res = analyze(load_films(ROOT / "data" / "sse_films_reference.csv"), cfg)
    pipe = res.classifier.model
    x = res.table.data[list(CONDITIONS)].to_numpy(dtype=float)
    y = res.clusters.labels.loc[res.table.data.index].to_numpy()
    over = pipe.named_steps["oversample"].sample_indices_
    z = pipe.named_steps["scale"].transform(x)[over]
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
