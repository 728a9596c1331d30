# Reference fixtures for Cairn's EARS C1/C2/C3 (cairn/surveillance/detection/ears.py).
#
# Runs R package `surveillance` earsC() over
#   - the anchor series of ../shared/SURVEILLANCE.md section 2.3,
#   - count series shipped with `surveillance` (disProg/sts observed counts),
#   - constructed series (all zeros, constant series where the reference sd is 0,
#     a constant series broken by spikes, sparse counts, non-integer values, minimal lengths),
# with the default control and with other baselines, minSigma and alpha values, and
# writes what earsC returns (upper bound and alarm over its range) as CSV.
#
# Run from the repository root (Debian: apt-get install r-cran-surveillance):
#     Rscript scripts/reference/ears_fixtures.R [output directory]
# The default output directory is cairn/surveillance/tests/fixtures/detection.
#
# Files written:
#   ears_series.csv   series,t,observed         every input series, t is 1-based
#   ears_cases.csv    case,series,method,baseline,minSigma,alpha,first,error
#                     one earsC() call; an empty baseline/minSigma/alpha means "not given"
#                     (earsC's own default); first = first index of earsC's range; error =
#                     R's error message when earsC() failed (then no result rows)
#   ears_results.csv  case,t,upperbound,alarm   earsC's output over its range;
#                     upperbound with 17 significant digits (NaN/Inf as R prints them),
#                     alarm TRUE/FALSE/NA
#   ears_provenance.txt  R and surveillance versions used

suppressMessages(library(surveillance))

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[1] else "cairn/surveillance/tests/fixtures/detection"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

series <- list()
add_series <- function(name, y) {
  y <- as.numeric(y)
  stopifnot(!any(is.na(y)))
  series[[name]] <<- y
}

# -- the anchor of SURVEILLANCE.md section 2.3 -------------------------------------------------
add_series("anchor", c(5, 7, 6, 8, 5, 6, 7, 9, 6, 5, 8, 7, 6, 15, 20, 7, 6, 5, 30, 8))

# -- data shipped with surveillance ----------------------------------------------------------
load_counts <- function(name) {
  e <- new.env()
  data(list = name, envir = e)
  o <- get(name, envir = e)
  if (inherits(o, "sts")) as.matrix(o@observed) else as.matrix(o$observed)
}
for (name in c("salmonella.agona", "k1", "m1", "m2", "m3", "m4", "m5", "n1", "n2",
               "q1_nrwh", "q2", "s1", "s2", "s3", "h1_nrwrp", "shadar", "abattoir")) {
  add_series(name, load_counts(name)[, 1])
}
ha <- load_counts("ha")  # 12 Berlin districts, weekly, sparse (max 3)
add_series("ha_total", rowSums(ha))
for (j in 1:4) add_series(paste0("ha_", colnames(ha)[j]), ha[, j])
add_series("measlesDE_1", load_counts("measlesDE")[, 1])
add_series("rotaBB_1", load_counts("rotaBB")[, 1])  # monthly, large counts
add_series("influMen_1", load_counts("influMen")[, 1])

# -- constructed -------------------------------------------------------------------------------
set.seed(20240601)
add_series("zeros", rep(0, 40))
add_series("constant", rep(5, 40))
# constant stretches broken by spikes: reference sd 0 -> C2 = +-Inf or NaN -> C3 bound 0 or NaN
add_series("constant_spikes", c(rep(4, 15), 9, rep(4, 12), 12, 4, 4, 0, rep(4, 10), 6, 4))
add_series("sparse", rpois(150, 0.3))
weeks <- 1:400
lambda <- 20 * (1 + 0.3 * sin(2 * pi * weeks / 52))
lambda[c(100, 101, 250, 330)] <- lambda[c(100, 101, 250, 330)] * 2.5
add_series("poisson_seasonal", rpois(400, lambda))
add_series("noninteger", round(rnorm(120, mean = 50, sd = 6), 3))
add_series("short_c1", c(3, 4, 2, 5, 3, 4, 3, 9))                   # baseline + 1
add_series("short_c2", c(3, 4, 2, 5, 3, 4, 3, 9, 2, 10))             # baseline + 3
add_series("short_c3", c(3, 4, 2, 5, 3, 4, 3, 9, 2, 10, 11, 12))     # baseline + 5

# -- which earsC() calls ------------------------------------------------------------------------
cases <- list()
add_case <- function(series_name, method, baseline = NA, minSigma = NA, alpha = NA) {
  cases[[length(cases) + 1]] <<- list(series = series_name, method = method,
                                      baseline = baseline, minSigma = minSigma, alpha = alpha)
}
for (name in names(series)) {
  n <- length(series[[name]])
  for (method in c("C1", "C2", "C3")) {
    needed <- 7 + c(C1 = 1, C2 = 3, C3 = 5)[[method]]
    if (n >= needed) add_case(name, method)
  }
}
variants <- list(
  list("C1", baseline = 3), list("C1", baseline = 14), list("C1", minSigma = 0.5),
  list("C1", minSigma = 1), list("C1", alpha = 0.05), list("C1", alpha = 0.001),
  list("C2", baseline = 5), list("C2", baseline = 10, minSigma = 1), list("C2", alpha = 0.025),
  list("C3", baseline = 3), list("C3", baseline = 10), list("C3", minSigma = 0.5),
  list("C3", minSigma = 1), list("C3", alpha = 0.001), list("C3", alpha = 0.05, minSigma = 1)
)
for (name in c("anchor", "constant_spikes", "sparse", "zeros", "noninteger", "ha_chwi", "m1")) {
  for (v in variants) {
    do.call(add_case, c(list(series_name = name, method = v[[1]]), v[-1]))
  }
}

# -- run and write ------------------------------------------------------------------------------
fmt <- function(x) sprintf("%.17g", x)
fmt_param <- function(x) if (is.na(x)) "" else format(x, digits = 17)

series_rows <- do.call(rbind, lapply(names(series), function(name) {
  y <- series[[name]]
  data.frame(series = name, t = seq_along(y), observed = format(y, digits = 17, trim = TRUE))
}))
write.csv(series_rows, file.path(out_dir, "ears_series.csv"), row.names = FALSE, quote = FALSE)

case_rows <- list()
result_rows <- list()
for (k in seq_along(cases)) {
  cs <- cases[[k]]
  y <- series[[cs$series]]
  control <- list(method = cs$method)
  if (!is.na(cs$baseline)) control$baseline <- cs$baseline
  if (!is.na(cs$minSigma)) control$minSigma <- cs$minSigma
  if (!is.na(cs$alpha)) control$alpha <- cs$alpha
  s <- sts(observed = matrix(y, ncol = 1), frequency = 52, start = c(2000, 1))
  r <- tryCatch(earsC(s, control = control), error = function(e) e)
  failed <- inherits(r, "error")
  case_rows[[k]] <- data.frame(
    case = k, series = cs$series, method = cs$method, baseline = fmt_param(cs$baseline),
    minSigma = fmt_param(cs$minSigma), alpha = fmt_param(cs$alpha),
    first = if (failed) "" else r@control$range[1],
    error = if (failed) gsub("[,\n]", " ", conditionMessage(r)) else ""
  )
  if (!failed) {
    result_rows[[k]] <- data.frame(
      case = k, t = r@control$range, upperbound = fmt(as.vector(r@upperbound)),
      alarm = as.character(as.vector(r@alarm))
    )
  }
}
case_rows <- do.call(rbind, case_rows)
result_rows <- do.call(rbind, result_rows)
result_rows$alarm[is.na(result_rows$alarm)] <- "NA"
write.csv(case_rows, file.path(out_dir, "ears_cases.csv"), row.names = FALSE, quote = FALSE)
write.csv(result_rows, file.path(out_dir, "ears_results.csv"), row.names = FALSE, quote = FALSE)

writeLines(c(
  "Produced by scripts/reference/ears_fixtures.R",
  paste("R:", R.version.string),
  paste("surveillance:", as.character(packageVersion("surveillance"))),
  paste("series:", length(series), " earsC calls:", length(cases),
        " result rows:", nrow(result_rows))
), file.path(out_dir, "ears_provenance.txt"))
cat("wrote", length(cases), "cases,", nrow(result_rows), "result rows to", out_dir, "\n")
