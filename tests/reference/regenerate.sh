#!/usr/bin/env bash
# Regenerates the R reference outputs in tests/reference/.
# Needs base R only:  apt-get install -y --no-install-recommends r-base-core
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
