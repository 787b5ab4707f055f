# Reference for the asymptotic path of the Hodges–Lehmann shift of `ssereport compare`
# (ssereport.analysis.compare.hodges_lehmann(method = "asymptotic"): 50 or more films, or ties), base R only.
# The same three splits of the reference films as compare_hl.R, every film variable, ties included:
# wilcox.test(b, a, conf.int = TRUE, exact = FALSE, correct = TRUE) — the normal approximation with tie and
# continuity corrections. R finds the estimate and the bounds as roots (uniroot) of the corrected z between
# two consecutive pairwise differences, where ssereport returns order statistics of the differences: the test
# checks that each of R's values lies within one difference of ssereport's.
# uniroot runs with tol = 1e-4 (absolute), larger than σ itself (about 1e-4 S/cm): σ is passed in 1e-4 S/cm
# and the results are scaled back.
#
# Usage (from the repository root):
#   Rscript tests/reference/compare_hl_asymptotic.R data/sse_films_reference.csv tests/reference/compare_hl_asymptotic
# Writes OUTPREFIX.csv: split, variable, n_a, n_b, ties, estimate, conf_low, conf_high
# (numbers as sprintf("%.17g")) and OUTPREFIX_session.txt.
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
rows <- list()
for (s in names(splits)) {
  for (v in vars) {
    a <- films[splits[[s]]$a, v] * scale[[v]]
    b <- films[splits[[s]]$b, v] * scale[[v]]
    # (with ties R warns that it cannot compute exact p-values and intervals: the approximation is what is wanted)
    t <- suppressWarnings(wilcox.test(b, a, conf.int = TRUE, exact = FALSE, correct = TRUE, conf.level = 0.95))
    rows[[length(rows) + 1]] <- data.frame(
      split = s, variable = v, n_a = length(a), n_b = length(b), ties = anyDuplicated(c(a, b)) > 0,
      estimate = sprintf("%.17g", unname(t$estimate) / scale[[v]]),
      conf_low = sprintf("%.17g", t$conf.int[1] / scale[[v]]),
      conf_high = sprintf("%.17g", t$conf.int[2] / scale[[v]]))
  }
}
write.csv(do.call(rbind, rows), paste0(out, ".csv"), row.names = FALSE, quote = FALSE)
writeLines(c(R.version.string,
             "wilcox.test(b, a, conf.int = TRUE, exact = FALSE, correct = TRUE, conf.level = 0.95); σ in 1e-4 S/cm"),
           paste0(out, "_session.txt"))
