# Reference for the Hodges–Lehmann shift of `ssereport compare` (ssereport.analysis.compare.hodges_lehmann),
# base R only (stats, utils). Three splits of the reference films into A and B, every film variable.
#
# OUTPREFIX.csv, the exact method (variables whose pooled values have no ties):
#   wilcox.test(b, a, conf.int = TRUE, exact = TRUE): estimate = median of the pairwise differences B - A,
#   conf.int = two of their order statistics at qwilcox(0.025, n_b, n_a).
# OUTPREFIX_asymptotic.csv, the normal approximation (every variable, ties included; ssereport's path for 50 or
#   more films, or ties): wilcox.test(b, a, conf.int = TRUE, exact = FALSE, correct = TRUE). R finds the
#   estimate and the bounds as roots (uniroot) of the corrected z between two consecutive pairwise differences,
#   where ssereport returns order statistics: the test checks that each of R's values lies within one difference
#   of ssereport's. uniroot runs with tol = 1e-4 (absolute), larger than σ itself (about 1e-4 S/cm): σ is
#   passed in 1e-4 S/cm and the results are scaled back.
#
# Usage (from the repository root):
#   Rscript tests/reference/compare_hl.R data/sse_films_reference.csv tests/reference/compare_hl
# Writes OUTPREFIX.csv (split, variable, n_a, n_b, estimate, conf_low, conf_high, qwilcox),
# OUTPREFIX_asymptotic.csv (split, variable, n_a, n_b, ties, estimate, conf_low, conf_high), numbers as
# sprintf("%.17g"), and OUTPREFIX_session.txt.
args <- commandArgs(trailingOnly = TRUE)
films <- read.csv(args[1])
out <- args[2]
vars <- c("thickness_um", "density_g_cm3", "resistance_ohm", "conductivity_s_cm", "dot_um", "rd")
scale <- c(thickness_um = 1, density_g_cm3 = 1, resistance_ohm = 1, conductivity_s_cm = 1e4, dot_um = 1, rd = 1)
splits <- list(
  p = list(a = films$polymer_wt_pct <= 5, b = films$polymer_wt_pct >= 7),
  ls = list(a = films$ls_ratio <= 0.8, b = films$ls_ratio >= 1.2),
  xb = list(a = films$xylene_vol_pct == 0, b = films$xylene_vol_pct == 100)
)
g <- function(x) sprintf("%.17g", x)
exact <- list()
asymptotic <- list()
for (s in names(splits)) {
  a_all <- films[splits[[s]]$a, ]
  b_all <- films[splits[[s]]$b, ]
  for (v in vars) {
    a <- a_all[[v]]
    b <- b_all[[v]]
    ties <- anyDuplicated(c(a, b)) > 0
    if (!ties) {  # the exact interval needs no ties
      t <- wilcox.test(b, a, conf.int = TRUE, exact = TRUE, conf.level = 0.95)
      exact[[length(exact) + 1]] <- data.frame(
        split = s, variable = v, n_a = length(a), n_b = length(b),
        estimate = g(unname(t$estimate)), conf_low = g(t$conf.int[1]), conf_high = g(t$conf.int[2]),
        qwilcox = qwilcox(0.025, length(b), length(a)))
    }
    k <- scale[[v]]
    # (with ties R warns that it cannot compute exact p-values and intervals: the approximation is what is wanted)
    t <- suppressWarnings(wilcox.test(b * k, a * k, conf.int = TRUE, exact = FALSE, correct = TRUE,
                                      conf.level = 0.95))
    asymptotic[[length(asymptotic) + 1]] <- data.frame(
      split = s, variable = v, n_a = length(a), n_b = length(b), ties = ties,
      estimate = g(unname(t$estimate) / k), conf_low = g(t$conf.int[1] / k), conf_high = g(t$conf.int[2] / k))
  }
}
write.csv(do.call(rbind, exact), paste0(out, ".csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, asymptotic), paste0(out, "_asymptotic.csv"), row.names = FALSE, quote = FALSE)
writeLines(c(R.version.string, "wilcox.test(b, a, conf.int = TRUE, exact = TRUE, conf.level = 0.95)",
             "wilcox.test(b, a, conf.int = TRUE, exact = FALSE, correct = TRUE, conf.level = 0.95); σ in 1e-4 S/cm"),
           paste0(out, "_session.txt"))
