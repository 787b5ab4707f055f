# Independent reference statistics for ssereport, computed with base R only
# (packages base, stats, utils, tools). The Python tests compare against the
# CSV files this script writes; the tests themselves never need R.
#
# Usage (from the repository root):
#   Rscript tests/reference/stats_reference.R INPUT.csv OUTPREFIX [F1_LABELS.csv] [--no-class]
#
# --no-class ignores a `class` column in INPUT (used for the real reference
# data, whose class labels come from Python, so only PCA + ANOVA are written).
#
# Writes OUTPREFIX_<name>.csv (plain CSV, header row, no comment lines, numbers
# as sprintf("%.17g"), missing values as NA) and OUTPREFIX_session.txt.
#
#   pca_explained.csv  component, sdev, explained_variance_ratio, cumulative
#   pca_loadings.csv   feature, PC1..PC8  (rotation %*% diag(sdev), i.e. the
#                      correlation of each standardized variable with each PC)
#   pca_scores.csv     sample_id, PC1, PC2, PC3  (prcomp()$x, scale. = TRUE)
#   log_anova_type1.csv / _type2.csv / _type3.csv
#                      term, df, sum_sq, mean_sq, F, p_value, partial_eta_squared
#   -- only if INPUT has a `class` column:
#   kruskal.csv        variable, H, df, p_value, epsilon_squared, n
#   dunn_holm.csv      variable, group1, group2, z, p_unadjusted, p_holm
#   class_summary.csv  class, variable, n, mean, sd, median
#   silhouette.csv     n_components, mean_silhouette
#   -- only if F1_LABELS.csv is given:
#   confusion.csv      actual, predicted_<level>...  (rows actual, cols predicted)
#   f1.csv             class, precision, recall, f1, support  (+ row "macro")
#
# PCA signs are arbitrary (compare up to the sign of each component).

suppressWarnings(suppressMessages({
  library(stats); library(utils); library(tools)
}))

args <- commandArgs(trailingOnly = TRUE)
no_class <- "--no-class" %in% args
args <- args[args != "--no-class"]
if (length(args) < 2) {
  stop("usage: Rscript stats_reference.R INPUT.csv OUTPREFIX [F1_LABELS.csv]",
       " [--no-class]")
}
input <- args[1]
prefix <- args[2]
f1_path <- if (length(args) >= 3) args[3] else NA_character_

d <- read.csv(input, stringsAsFactors = FALSE, check.names = FALSE)
class_ignored <- no_class && "class" %in% names(d)
if (no_class) d$class <- NULL

feats <- c("ls_ratio", "xylene_vol_pct", "thickness_um", "density_g_cm3",
           "resistance_ohm", "conductivity_s_cm", "dot_um", "rd")
missing_cols <- setdiff(c("sample_id", feats), names(d))
if (length(missing_cols)) {
  stop("input lacks columns: ", paste(missing_cols, collapse = ", "))
}
# Complete cases on the columns used (the reference files are expected to be
# complete; this only guards against stray NA rows and is reported).
cc <- complete.cases(d[, feats])
n_dropped <- sum(!cc)
d <- d[cc, , drop = FALSE]
rownames(d) <- NULL

fmt_num <- function(x) {
  out <- sprintf("%.17g", as.numeric(x))
  out[is.na(x)] <- "NA"
  out
}
write_out <- function(df, name) {
  df <- as.data.frame(lapply(df, function(col) {
    if (is.numeric(col)) fmt_num(col) else as.character(col)
  }), stringsAsFactors = FALSE, check.names = FALSE)
  path <- paste0(prefix, "_", name, ".csv")
  write.csv(df, path, row.names = FALSE, quote = FALSE, na = "NA")
  invisible(path)
}

# ---------------------------------------------------------------------------
# a/b. PCA on the standardized features (correlation-matrix PCA)
# ---------------------------------------------------------------------------
X <- as.matrix(d[, feats])
pc <- prcomp(X, center = TRUE, scale. = TRUE)
ev <- pc$sdev^2
write_out(data.frame(component = seq_along(pc$sdev),
                     sdev = pc$sdev,
                     explained_variance_ratio = ev / sum(ev),
                     cumulative = cumsum(ev) / sum(ev)),
          "pca_explained")

load_mat <- pc$rotation %*% diag(pc$sdev)
colnames(load_mat) <- paste0("PC", seq_len(ncol(load_mat)))
write_out(data.frame(feature = feats, load_mat[feats, , drop = FALSE],
                     check.names = FALSE),
          "pca_loadings")

# Scores = standardized data (scale() uses the n-1 SD) %*% rotation.
# Note: sklearn's StandardScaler uses the n SD, so its scores are these
# multiplied by sqrt(n / (n - 1)).
sc <- pc$x[, 1:min(3, ncol(pc$x)), drop = FALSE]
write_out(data.frame(sample_id = d$sample_id, sc, check.names = FALSE),
          "pca_scores")

# ---------------------------------------------------------------------------
# c/d. ANOVA of log(rd) ~ xylene_vol_pct * ls_ratio
# ---------------------------------------------------------------------------
d$log_rd <- log(d$rd)
full <- lm(log_rd ~ xylene_vol_pct * ls_ratio, data = d)
rss <- function(fit) sum(residuals(fit)^2)
rss_full <- rss(full)
df_res <- df.residual(full)
mse <- rss_full / df_res
terms_ <- c("xylene_vol_pct", "ls_ratio", "xylene_vol_pct:ls_ratio")

anova_table <- function(ss, df) {
  mean_sq <- ss / df
  Fv <- mean_sq / mse
  data.frame(term = c(terms_, "Residual"),
             df = c(df, df_res),
             sum_sq = c(ss, rss_full),
             mean_sq = c(mean_sq, mse),
             F = c(Fv, NA),
             p_value = c(pf(Fv, df, df_res, lower.tail = FALSE), NA),
             partial_eta_squared = c(ss / (ss + rss_full), NA),
             check.names = FALSE)
}

# Type I (sequential) SS: stats::anova() on the full model, terms in the
# order xylene_vol_pct, ls_ratio, xylene_vol_pct:ls_ratio.
a1 <- anova(full)
stopifnot(identical(rownames(a1), c(terms_, "Residuals")))
t1 <- data.frame(term = c(terms_, "Residual"),
                 df = a1[["Df"]],
                 sum_sq = a1[["Sum Sq"]],
                 mean_sq = a1[["Mean Sq"]],
                 F = a1[["F value"]],
                 p_value = a1[["Pr(>F)"]],
                 partial_eta_squared = c(a1[["Sum Sq"]][1:3] /
                                           (a1[["Sum Sq"]][1:3] + rss_full),
                                         NA),
                 check.names = FALSE)
write_out(t1, "log_anova_type1")

# Type II SS by model comparison (what car::Anova(type = 2) and statsmodels
# anova_lm(typ = 2) compute for this model):
#   SS(xylene | ls)       = RSS(log_rd ~ ls_ratio)       - RSS(~ xylene + ls)
#   SS(ls | xylene)       = RSS(log_rd ~ xylene_vol_pct) - RSS(~ xylene + ls)
#   SS(xylene:ls | both)  = RSS(~ xylene + ls)           - RSS(full)
# F = (SS / df) / (RSS_full / df_resid_full), p = pf(F, df, df_resid_full,
# lower.tail = FALSE); all three terms have 1 df (continuous predictors).
m_ls <- lm(log_rd ~ ls_ratio, data = d)
m_x <- lm(log_rd ~ xylene_vol_pct, data = d)
m_add <- lm(log_rd ~ xylene_vol_pct + ls_ratio, data = d)
ss2 <- c(rss(m_ls) - rss(m_add), rss(m_x) - rss(m_add), rss(m_add) - rss_full)
write_out(anova_table(ss2, c(1, 1, 1)), "log_anova_type2")

# Type III SS: drop1(full, scope = . ~ ., test = "F"), i.e. each of the three
# terms is dropped from the full model log_rd ~ xylene_vol_pct * ls_ratio
# while the other two terms (and the intercept) are kept, with the raw
# (uncentred) continuous predictors and default treatment contrasts (which
# do not matter here: there are no factors). SS(term) = RSS(full minus term)
# - RSS(full). For these 1-df terms this equals t^2 * MSE of the coefficient
# in summary(full), i.e. statsmodels anova_lm(typ = 3) / car::Anova(type = 3)
# on the same uncentred formula (without their "(Intercept)" row, which is
# not written here). Note the main-effect SS depend on where 0 lies for the
# other predictor (no centring is done).
a3 <- drop1(full, scope = . ~ ., test = "F")
stopifnot(identical(rownames(a3), c("<none>", terms_)))
ss3 <- a3[terms_, "Sum of Sq"]
df3 <- a3[terms_, "Df"]
t3 <- anova_table(ss3, df3)
# cross-check drop1's F/p against our formula and against the t tests
stopifnot(isTRUE(all.equal(t3$F[1:3], a3[terms_, "F value"])),
          isTRUE(all.equal(t3$p_value[1:3], a3[terms_, "Pr(>F)"])),
          isTRUE(all.equal(t3$F[1:3],
                           unname(coef(summary(full))[terms_, "t value"]^2))))
write_out(t3, "log_anova_type3")

# ---------------------------------------------------------------------------
# e/f. Class-based statistics (only when a `class` column is present)
# ---------------------------------------------------------------------------
has_class <- "class" %in% names(d)
if (has_class) {
  kw_vars <- c("conductivity_s_cm", "rd", "polymer_wt_pct", "ls_ratio",
               "xylene_vol_pct", "thickness_um", "density_g_cm3",
               "resistance_ohm", "dot_um")
  g <- factor(d$class, levels = sort(unique(d$class)))
  lev <- levels(g)

  # Kruskal-Wallis (stats::kruskal.test, tie-corrected H);
  # epsilon^2 = H * (n + 1) / (n^2 - 1) = H / (n - 1)
  kw <- do.call(rbind, lapply(kw_vars, function(v) {
    x <- d[[v]]
    kt <- kruskal.test(x ~ g)
    n <- length(x)
    H <- unname(kt$statistic)
    data.frame(variable = v, H = H, df = unname(kt$parameter),
               p_value = kt$p.value,
               epsilon_squared = H * (n + 1) / (n^2 - 1), n = n,
               stringsAsFactors = FALSE)
  }))
  write_out(kw, "kruskal")

  # Dunn (1964) with tie correction; Holm over the pairs of each variable.
  #   R = rank(x) (average ranks, pooled), Rbar_i = mean rank of group i
  #   z_ij = (Rbar_i - Rbar_j) /
  #          sqrt((N(N+1)/12 - sum(t^3 - t)/(12(N-1))) * (1/n_i + 1/n_j))
  #   p = 2 * pnorm(-|z|); p_holm = p.adjust(p, "holm") within the variable.
  # Same as scikit_posthocs.posthoc_dunn(..., p_adjust = "holm").
  pairs <- t(combn(seq_along(lev), 2))
  dunn <- do.call(rbind, lapply(kw_vars, function(v) {
    x <- d[[v]]
    N <- length(x)
    r <- rank(x)
    tt <- as.numeric(table(x))
    tie <- sum(tt^3 - tt) / (12 * (N - 1))
    rbar <- tapply(r, g, mean)
    ni <- tapply(r, g, length)
    z <- apply(pairs, 1, function(p) {
      i <- p[1]; j <- p[2]
      (rbar[i] - rbar[j]) /
        sqrt((N * (N + 1) / 12 - tie) * (1 / ni[i] + 1 / ni[j]))
    })
    pu <- 2 * pnorm(-abs(z))
    data.frame(variable = v, group1 = lev[pairs[, 1]],
               group2 = lev[pairs[, 2]], z = unname(z),
               p_unadjusted = unname(pu),
               p_holm = p.adjust(unname(pu), method = "holm"),
               stringsAsFactors = FALSE)
  }))
  write_out(dunn, "dunn_holm")

  # Per-class descriptive statistics (sd with n - 1)
  cs <- do.call(rbind, lapply(lev, function(k) {
    do.call(rbind, lapply(kw_vars, function(v) {
      x <- d[[v]][g == k]
      data.frame(class = k, variable = v, n = length(x), mean = mean(x),
                 sd = sd(x), median = median(x), stringsAsFactors = FALSE)
    }))
  }))
  write_out(cs, "class_summary")

  # Mean silhouette width of the class labels, Euclidean distance on the
  # first k PC scores (from the PCA above), as they are: the space K-means
  # clusters in (the scores are not rescaled per column).
  #   a(i) = mean distance to the other members of its own class
  #   b(i) = min over other classes of the mean distance to that class
  #   s(i) = (b - a) / max(a, b); s(i) = 0 for a singleton class (sklearn)
  silhouette_mean <- function(Z, labels) {
    D <- as.matrix(dist(Z, method = "euclidean"))
    labs <- as.character(labels)
    s <- vapply(seq_len(nrow(D)), function(i) {
      own <- labs == labs[i]
      if (sum(own) <= 1) return(0)
      a <- sum(D[i, own]) / (sum(own) - 1)   # D[i, i] = 0
      b <- min(vapply(setdiff(unique(labs), labs[i]), function(k) {
        mean(D[i, labs == k])
      }, numeric(1)))
      (b - a) / max(a, b)
    }, numeric(1))
    mean(s)
  }
  sil <- do.call(rbind, lapply(2:3, function(k) {
    Z <- pc$x[, 1:k, drop = FALSE]
    data.frame(n_components = k, mean_silhouette = silhouette_mean(Z, g))
  }))
  write_out(sil, "silhouette")
}

# ---------------------------------------------------------------------------
# g. Precision / recall / F1 from a fixed pair of label vectors
# ---------------------------------------------------------------------------
if (!is.na(f1_path)) {
  lab <- read.csv(f1_path, stringsAsFactors = FALSE)
  lv <- sort(unique(c(lab$actual, lab$predicted)))
  cm <- table(factor(lab$actual, levels = lv),
              factor(lab$predicted, levels = lv))
  cmm <- matrix(as.numeric(cm), nrow = length(lv))
  conf <- data.frame(actual = as.character(lv), stringsAsFactors = FALSE)
  for (j in seq_along(lv)) conf[[paste0("predicted_", lv[j])]] <- cmm[, j]
  write_out(conf, "confusion")

  tp <- diag(cmm)
  precision <- tp / colSums(cmm)   # column = predicted
  recall <- tp / rowSums(cmm)      # row = actual
  f1 <- ifelse(precision + recall > 0,
               2 * precision * recall / (precision + recall), 0)
  # macro = unweighted mean of the per-class values (sklearn average="macro")
  f1df <- data.frame(class = c(as.character(lv), "macro"),
                     precision = c(precision, mean(precision)),
                     recall = c(recall, mean(recall)),
                     f1 = c(f1, mean(f1)),
                     support = c(rowSums(cmm), sum(cmm)),
                     stringsAsFactors = FALSE)
  write_out(f1df, "f1")
}

# ---------------------------------------------------------------------------
# Session info (separate, human-readable)
# ---------------------------------------------------------------------------
writeLines(c(
  paste0("R: ", R.version.string),
  paste0("date: ", format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z")),
  paste0("input: ", input),
  paste0("input_md5: ", unname(md5sum(input))),
  paste0("rows_used: ", nrow(d)),
  paste0("rows_dropped_incomplete: ", n_dropped),
  paste0("class_column: ", has_class,
         if (class_ignored) " (present in input, ignored: --no-class)" else ""),
  paste0("f1_labels: ", if (is.na(f1_path)) "none" else
    paste0(f1_path, " (md5 ", unname(md5sum(f1_path)), ")"))
), paste0(prefix, "_session.txt"))
