# Reference for ssereport compare's shift tests, base R only (stats, utils).
# A = the reference films with P <= 5 wt%, B = those with P >= 7 wt% (two "periods" of one table).
#
# Usage (from the repository root):
#   Rscript tests/reference/compare_reference.R data/sse_films_reference.csv tests/reference/compare
# Writes OUTPREFIX_shifts.csv: variable, W, p_value, p_holm, rank_biserial, n_a, n_b
# (numbers as sprintf("%.17g")) and OUTPREFIX_session.txt.
args <- commandArgs(trailingOnly = TRUE)
films <- read.csv(args[1])
out <- args[2]
vars <- c("polymer_wt_pct", "ls_ratio", "xylene_vol_pct", "thickness_um", "density_g_cm3", "resistance_ohm",
          "conductivity_s_cm", "dot_um", "rd")
a <- films[films$polymer_wt_pct <= 5, ]
b <- films[films$polymer_wt_pct >= 7, ]
rows <- lapply(vars, function(v) {
  # normal approximation with continuity and tie corrections (what scipy.stats.mannwhitneyu does above n = 8)
  t <- suppressWarnings(wilcox.test(a[[v]], b[[v]], alternative = "two.sided", exact = FALSE, correct = TRUE))
  w <- unname(t$statistic)
  data.frame(variable = v, W = w, p_value = t$p.value,
             rank_biserial = 2 * w / (nrow(a) * nrow(b)) - 1, n_a = nrow(a), n_b = nrow(b))
})
res <- do.call(rbind, rows)
res$p_holm <- p.adjust(res$p_value, method = "holm")
res <- res[, c("variable", "W", "p_value", "p_holm", "rank_biserial", "n_a", "n_b")]
fmt <- res
for (col in c("W", "p_value", "p_holm", "rank_biserial")) fmt[[col]] <- sprintf("%.17g", res[[col]])
write.csv(fmt, paste0(out, "_shifts.csv"), row.names = FALSE, quote = FALSE)
writeLines(c(R.version.string, "wilcox.test(exact = FALSE, correct = TRUE); p.adjust(method = 'holm')"),
           paste0(out, "_session.txt"))
