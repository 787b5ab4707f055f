# Generates the small, fixed, synthetic test inputs used for the R reference
# numbers:
#   tests/reference/films_small.csv  (36 synthetic films, with a `class` column)
#   tests/reference/f1_labels.csv    (30 hand-written actual/predicted labels)
#
# Usage (from the repository root):
#   Rscript tests/reference/make_films_small.R [OUTDIR]
# OUTDIR defaults to the directory containing this script.
#
# Deterministic: fixed seed and explicit RNG kinds, base R only.
# Values are rounded to a few decimals so that the CSV round-trips exactly
# (R and Python read the same doubles from the text).

args <- commandArgs(trailingOnly = TRUE)
script_dir <- local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  if (length(f)) dirname(normalizePath(f)) else getwd()
})
outdir <- if (length(args) >= 1) args[1] else script_dir

RNGkind(kind = "Mersenne-Twister", normal.kind = "Inversion",
        sample.kind = "Rejection")
set.seed(20240611)

n <- 36L
sample_id <- sprintf("S%02d", seq_len(n))

# Composition / process variables (discrete levels -> many ties)
polymer_wt_pct <- sample(rep(c(3, 5, 7, 10), each = 9))
ls_ratio <- round(runif(n, 0.6, 1.4), 2)
ls_ratio[c(9, 22)] <- ls_ratio[4]          # forced ties in L:S
ls_ratio[30] <- ls_ratio[15]
xylene_vol_pct <- sample(c(0, 25, 50, 75, 100), n, replace = TRUE)

# Thickness: 9 point measurements per film (um), mean = thickness_um
base_t <- 70 + 45 * (1.4 - ls_ratio) + 1.5 * (polymer_wt_pct - 5) +
  rnorm(n, 0, 6)
thick <- t(sapply(base_t, function(b) round(b + rnorm(9, 0, 3), 1)))
thick[30, ] <- thick[7, ]                   # forced tie in thickness
thickness_um <- round(rowMeans(thick), 2)

# "dot" size (um), one decimal, with forced ties
dot_um <- round(rlnorm(n, log(8), 0.35), 1)
dot_um[c(12, 27)] <- dot_um[2]

# Relative density and density
rd <- 0.78 - 0.10 * (ls_ratio - 1) + 0.0008 * (xylene_vol_pct - 50) -
  0.006 * (polymer_wt_pct - 5) + rnorm(n, 0, 0.03)
rd <- round(pmin(pmax(rd, 0.55), 0.97), 3)
rd[c(18, 33)] <- rd[5]                      # forced ties in rd
theo <- 1.86 * (1 - polymer_wt_pct / 100) + 1.05 * (polymer_wt_pct / 100)
density_g_cm3 <- round(rd * theo + rnorm(n, 0, 0.01), 3)

# Ionic conductivity (S/cm) and resistance (ohm) of a 0.785 cm^2 electrode
area_cm2 <- 0.785
sigma <- 1.5e-3 * rd^3 * exp(-0.09 * (polymer_wt_pct - 3)) *
  exp(rnorm(n, 0, 0.2))
resistance_ohm <- round((thickness_um * 1e-4) / (sigma * area_cm2), 2)
resistance_ohm[26] <- resistance_ohm[10]    # forced tie in resistance
conductivity_s_cm <- signif((thickness_um * 1e-4) /
                              (resistance_ohm * area_cm2), 4)

# Class labels: terciles of L:S (12 each), then two seeded swaps across the
# 1|2 and 2|3 boundaries (keeps 12 per class)
r <- rank(ls_ratio, ties.method = "first")
class <- ifelse(r <= 12, 1L, ifelse(r <= 24, 2L, 3L))
i1 <- sample(which(class == 1L), 2); i2 <- sample(which(class == 2L), 4)
i3 <- sample(which(class == 3L), 2)
class[i1] <- 2L; class[i2[1:2]] <- 1L
class[i3] <- 2L; class[i2[3:4]] <- 3L
stopifnot(all(table(class) == 12L))

d <- data.frame(sample_id, polymer_wt_pct, ls_ratio, xylene_vol_pct,
                thickness_um, density_g_cm3, resistance_ohm,
                conductivity_s_cm, dot_um, rd, stringsAsFactors = FALSE)
for (k in 1:9) d[[paste0("thickness_", k)]] <- thick[, k]
d$class <- class
stopifnot(all(sapply(d[, -1], function(x) all(is.finite(x) & x >= 0))))

num_fmt <- function(x) if (is.numeric(x)) format(x, digits = 15, trim = TRUE,
                                                   scientific = FALSE,
                                                   drop0trailing = TRUE) else x
out <- as.data.frame(lapply(d, num_fmt), stringsAsFactors = FALSE)
write.csv(out, file.path(outdir, "films_small.csv"), row.names = FALSE,
          quote = FALSE)

# Fixed label vectors for the F1 reference (30 rows, 3 classes, 6 errors),
# written out literally so they do not depend on the RNG.
actual    <- c(1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
               2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
               3, 3, 3, 3, 3, 3, 3, 3, 3)
predicted <- c(1, 1, 1, 2, 1, 1, 1, 1, 3, 1,
               2, 2, 1, 2, 2, 2, 3, 2, 2, 2, 2,
               3, 3, 3, 2, 3, 3, 3, 1, 3)
write.csv(data.frame(actual = as.integer(actual),
                     predicted = as.integer(predicted)),
          file.path(outdir, "f1_labels.csv"), row.names = FALSE,
          quote = FALSE)
