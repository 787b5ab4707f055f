#!/usr/bin/env bash
# Regenerates the R reference outputs in tests/reference/.
# Needs base R, and e1071 for step 4:
#   apt-get install -y --no-install-recommends r-base-core r-cran-e1071
# Usage (from anywhere):  bash tests/reference/regenerate.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

command -v Rscript >/dev/null 2>&1 || {
  echo "Rscript not found: apt-get install -y --no-install-recommends r-base-core" >&2
  exit 1
}

# 1. small synthetic input (deterministic; seeded) + fixed F1 labels
Rscript tests/reference/make_films_small.R tests/reference

# 2. all statistics for the small file (it has a `class` column) + F1
rm -f tests/reference/small_*.csv tests/reference/small_session.txt
Rscript tests/reference/stats_reference.R tests/reference/films_small.csv \
  tests/reference/small tests/reference/f1_labels.csv
echo "wrote tests/reference/small_*.csv"

# 3. class-free statistics (PCA, ANOVA) for the real reference data, if present
ref="data/sse_films_reference.csv"
if [ -f "$ref" ]; then
  rm -f tests/reference/reference_*.csv tests/reference/reference_session.txt
  # class labels for this file come from Python: PCA + ANOVA only
  Rscript tests/reference/stats_reference.R "$ref" tests/reference/reference \
    --no-class
  echo "wrote tests/reference/reference_*.csv"
else
  echo "$ref not present: skipped reference_*.csv"
fi

# 4. linear SVM (e1071 / libsvm) on the stored standardised, oversampled
#    training set svm_train.csv (written from Python by make_svm_train.py;
#    rebuild it first if the reference data or the oversampling changed)
if Rscript -e 'quit(status = !requireNamespace("e1071", quietly = TRUE))' >/dev/null 2>&1; then
  rm -f tests/reference/svm_hyperplanes.csv tests/reference/svm_grid.csv tests/reference/svm_session.txt
  log="$(Rscript tests/reference/svm_reference.R tests/reference/svm_train.csv tests/reference/svm 2>&1)"
  echo "$log"
  capped="$(grep -c "max number of iterations" <<<"$log" || true)"
  echo "libsvm_stopped_at_iteration_cap: $capped of 3 pairs (10,000,000 iterations; tolerance 1e-10 is below the reach of its single-precision kernel cache)" \
    >> tests/reference/svm_session.txt
  echo "wrote tests/reference/svm_*.csv"
else
  echo "R package e1071 not installed: skipped svm_*.csv (apt-get install r-cran-e1071)"
fi

# 5. shift tests of `ssereport compare` (wilcox.test, p.adjust holm) on two halves of the reference data
if [ -f "$ref" ]; then
  Rscript tests/reference/compare_reference.R "$ref" tests/reference/compare
  echo "wrote tests/reference/compare_*"
fi

# 6. Hodges–Lehmann shift and its exact interval of `ssereport compare` (wilcox.test(b, a, conf.int = TRUE))
if [ -f "$ref" ]; then
  Rscript tests/reference/compare_hl.R "$ref" tests/reference/compare_hl
  echo "wrote tests/reference/compare_hl*"
fi
