# Reference linear SVM for ssereport, computed with e1071::svm (libsvm).
# The Python tests compare against the CSV files this script writes; the tests
# themselves never need R.
#
# Usage (from the repository root):
#   Rscript tests/reference/svm_reference.R tests/reference/svm_train.csv tests/reference/svm
#
# INPUT: z_polymer_wt_pct, z_ls_ratio, z_xylene_vol_pct (standardised,
# oversampled training set written by make_svm_train.py), class (1, 2, 3).
#
# Fit: e1071::svm(x, factor(class), type = "C-classification",
#                 kernel = "linear", cost = 1, scale = FALSE,
#                 tolerance = 1e-10, shrinking = FALSE)
#
# Writes OUTPREFIX_<name>.csv (header row, no comment lines, numbers as
# sprintf("%.17g")) and OUTPREFIX_session.txt:
#   hyperplanes.csv  class_a, class_b (a < b), w_z_polymer_wt_pct, w_z_ls_ratio,
#                    w_z_xylene_vol_pct, b, n_sv: the binary one-vs-one
#                    hyperplane of each pair, decision z . w + b > 0 for class_a.
#                    w = sum over the pair's SVs of coef * SV (libsvm's
#                    one-vs-one layout of model$coefs), b = -rho; signs are
#                    flipped where libsvm's label order puts the higher class
#                    first, so that > 0 always means the lower class.
#   grid.csv         z_polymer_wt_pct, z_ls_ratio, z_xylene_vol_pct, predicted,
#                    dec_1_2, dec_1_3, dec_2_3: predict() on an 11 x 11 x 11
#                    grid over [-1.9, 1.9]^3, with the decision values (same
#                    sign convention).
#
# libsvm keeps the kernel matrix in single precision, so its solution is
# accurate to about 1e-7 (relative) whatever the tolerance; compare at 1e-5.

suppressWarnings(suppressMessages({
  library(stats); library(utils); library(tools); library(e1071)
}))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2) stop("usage: Rscript svm_reference.R INPUT.csv OUTPREFIX")
input <- args[1]
prefix <- args[2]
feats <- c("z_polymer_wt_pct", "z_ls_ratio", "z_xylene_vol_pct")

d <- read.csv(input, stringsAsFactors = FALSE)
x <- as.matrix(d[, feats])
y <- factor(d$class)

fmt_num <- function(v) sprintf("%.17g", as.numeric(v))
write_out <- function(df, name) {
  df <- as.data.frame(lapply(df, function(col) {
    if (is.numeric(col)) fmt_num(col) else as.character(col)
  }), stringsAsFactors = FALSE, check.names = FALSE)
  write.csv(df, paste0(prefix, "_", name, ".csv"), row.names = FALSE, quote = FALSE)
}

t0 <- proc.time()[["elapsed"]]
# libsvm prints "WARNING: reaching max number of iterations" (from C, not
# capturable here) when it stops at its cap of 10,000,000 iterations: 1e-10 is
# below what its single-precision kernel cache can reach. regenerate.sh counts
# these lines into the session file.
m <- svm(x, y, type = "C-classification", kernel = "linear", cost = 1,
         scale = FALSE, tolerance = 1e-10, shrinking = FALSE)
fit_seconds <- proc.time()[["elapsed"]] - t0

# binary hyperplanes from libsvm's one-vs-one coefficient layout
lev <- m$levels[m$labels]  # classes in libsvm's internal order
k <- length(lev)
start <- c(0, cumsum(m$nSV))
rows <- list()
planes <- list()
p <- 0
for (i in 1:(k - 1)) {
  for (j in (i + 1):k) {
    p <- p + 1
    si <- start[i] + seq_len(m$nSV[i])
    sj <- start[j] + seq_len(m$nSV[j])
    coef <- c(m$coefs[si, j - 1], m$coefs[sj, i])
    w <- colSums(coef * m$SV[c(si, sj), , drop = FALSE])
    b <- -m$rho[p]
    a_cls <- as.integer(lev[i]); b_cls <- as.integer(lev[j])
    libsvm_name <- paste(lev[i], lev[j], sep = "/")
    if (a_cls > b_cls) {  # make > 0 mean the lower class
      w <- -w; b <- -b
      tmp <- a_cls; a_cls <- b_cls; b_cls <- tmp
    }
    planes[[paste(a_cls, b_cls, sep = "_")]] <- list(w = w, b = b, libsvm = libsvm_name,
                                                    flipped = as.integer(lev[i]) > as.integer(lev[j]))
    rows[[p]] <- data.frame(class_a = a_cls, class_b = b_cls,
                            w_z_polymer_wt_pct = w[1], w_z_ls_ratio = w[2],
                            w_z_xylene_vol_pct = w[3], b = b,
                            n_sv = length(si) + length(sj))
  }
}
hp <- do.call(rbind, rows)
hp <- hp[order(hp$class_a, hp$class_b), ]
write_out(hp, "hyperplanes")

g1 <- seq(-1.9, 1.9, length.out = 11)
grid <- as.matrix(expand.grid(z_polymer_wt_pct = g1, z_ls_ratio = g1, z_xylene_vol_pct = g1))
pred <- predict(m, grid, decision.values = TRUE)
dv <- attr(pred, "decision.values")
out <- data.frame(grid, predicted = as.integer(as.character(pred)))
for (nm in c("1_2", "1_3", "2_3")) {
  pl <- planes[[nm]]
  col <- dv[, pl$libsvm]
  if (pl$flipped) col <- -col
  # the hyperplane reproduces libsvm's own decision values
  stopifnot(max(abs(grid %*% pl$w + pl$b - col)) < 1e-9)
  out[[paste0("dec_", nm)]] <- col
}
write_out(out, "grid")

writeLines(c(
  paste0("R: ", R.version.string),
  paste0("e1071: ", as.character(packageVersion("e1071"))),
  paste0("date: ", format(Sys.time(), "%Y-%m-%d %H:%M:%S", tz = "UTC"), " UTC"),
  paste0("input: ", input),
  paste0("input_md5: ", unname(md5sum(input))),
  paste0("rows: ", nrow(d)),
  paste0("libsvm_label_order: ", paste(lev, collapse = " ")),
  "call: svm(x, factor(class), type = 'C-classification', kernel = 'linear', cost = 1, scale = FALSE, tolerance = 1e-10, shrinking = FALSE)",
  paste0("fit_seconds: ", format(fit_seconds))
), paste0(prefix, "_session.txt"))
cat("wrote", paste0(prefix, "_hyperplanes.csv"), paste0(prefix, "_grid.csv"), paste0(prefix, "_session.txt"), "\n")
