# Reference for the Hodges–Lehmann shift of `ssereport compare` (ssereport.analysis.compare.hodges_lehmann),
# base R only (stats, utils).
# Three splits of the reference films into A and B; for every variable whose pooled values have no ties, the
# exact method of wilcox.test: estimate = median of the pairwise differences B - A, conf.int = two of their
# order statistics at qwilcox(0.025, n_b, n_a).
#
# Usage (from the repository root):
#   Rscript tests/reference/compare_hl.R data/sse_films_reference.csv tests/reference/compare_hl
# Writes OUTPREFIX.csv: split, variable, n_a, n_b, estimate, conf_low, conf_high, qwilcox
# (numbers as sprintf("%.17g")) and OUTPREFIX_session.txt.
args <- commandArgs(trailingOnly = TRUE)
films <- read.csv(args[1])
out <- args[2]
vars <- c("thickness_um", "density_g_cm3", "resistance_ohm", "conductivity_s_cm", "dot_um", "rd")
splits <- list(
  p = list(a = films$polymer_wt_pct <= 5, b = films$polymer_wt_pct >= 7),
  ls = list(a = films$ls_ratio <= 0.8, b = films$ls_ratio >= 1.2),
  xb = list(a = films$xylene_vol_pct == 0, b = films$xylene_vol_pct == 100)
)
rows <- list()
for (s in names(splits)) {
  a_all <- films[splits[[s]]$a, ]
  b_all <- films[splits[[s]]$b, ]
  for (v in vars) {
    a <- a_all[[v]]
    b <- b_all[[v]]
    if (anyDuplicated(c(a, b)) > 0) next  # the exact interval needs no ties
    t <- wilcox.test(b, a, conf.int = TRUE, exact = TRUE, conf.level = 0.95)
    rows[[length(rows) + 1]] <- data.frame(
      split = s, variable = v, n_a = length(a), n_b = length(b),
      estimate = sprintf("%.17g", unname(t$estimate)),
      conf_low = sprintf("%.17g", t$conf.int[1]), conf_high = sprintf("%.17g", t$conf.int[2]),
      qwilcox = qwilcox(0.025, length(b), length(a)))
  }
}
res <- do.call(rbind, rows)
write.csv(res, paste0(out, ".csv"), row.names = FALSE, quote = FALSE)
writeLines(c(R.version.string, "wilcox.test(b, a, conf.int = TRUE, exact = TRUE, conf.level = 0.95)"),
           paste0(out, "_session.txt"))
