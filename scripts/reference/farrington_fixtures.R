# Reference fixtures for Cairn's Farrington methods (cairn/surveillance/detection/farrington.py).
#
# Runs R package `surveillance` farringtonFlexible() and algo.farrington() (through farrington()
# for series with dates) over
#   - weekly count series shipped with `surveillance` (with their dates where the sts has them,
#     and the population of momo), plus the monthly rotaBB,
#   - constructed series (all zeros, mostly zeros, a strong trend, spikes, a population that
#     grows, daily counts),
# with the default control and with each option (thresholdMethod nbPlugin and muan, noPeriods
# with pastWeeksNotIncluded, populationOffset, trend=FALSE, alpha, b and w, powertrans 1/2 and
# none, reweight=FALSE, weightsThreshold, pThresholdTrend, limit54, fitFun), and writes what
# R returns as CSV.
#
# Run from the repository root (Debian: apt-get install r-cran-surveillance):
#     Rscript scripts/reference/farrington_fixtures.R [output directory]
# The default output directory is cairn/surveillance/tests/fixtures/farrington.
#
# Files written:
#   farrington_series.csv   series,t,observed,date,population   every input series (t 1-based;
#                           date empty when the series has none; population empty when none)
#   farrington_cases.csv    case,series,method,dates,params,first,last,error
#                           method "flexible" or "classic"; dates TRUE when the series was given
#                           to R with its dates (epochAsDate), FALSE when as plain periods;
#                           params the control entries other than the defaults, "name=value"
#                           separated by ";" (vectors as "a,b"); first/last the range R ran;
#                           error R's message when the call failed (then no result rows)
#   farrington_results.csv  case,t,upperbound,alarm,expected,p_value,trend
#                           upperbound and alarm: what R returns (17 significant digits, NA);
#                           expected: the fitted mean mu0 at t, from a second run with
#                             limit54 = c(0, 4) (flexible: control$expected; classic:
#                             control$pd[, 2]), so it exists also where too few cases leave the
#                             upper bound NA (or 0 in algo.farrington); where farringtonFlexible
#                             has no model (p_value NA) control$expected keeps its initial 0;
#                           p_value: flexible control$pvalue; classic 1 - control$pd[, 1]
#                             (algo.farrington stores the lower tail);
#                           trend: 1 when the trend was kept, 0 when not, NA when no model
#   farrington_glm.csv      problem,row,y,x,weight,offset,mu,hat,coef0,coef1,dispersion,se0,se1,iter,converged
#                           plain glm(y ~ x, quasipoisson, weights, offset) fits for glm.py
#   farrington_provenance.txt  R and surveillance versions used

suppressMessages(library(surveillance))

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[1] else "cairn/surveillance/tests/fixtures/farrington"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

# -- series -----------------------------------------------------------------------------------
series <- list()
add_series <- function(name, y, dates = NULL, population = NULL, freq = 52) {
  y <- as.numeric(y)
  stopifnot(!any(is.na(y)))
  series[[name]] <<- list(y = y, dates = dates, population = population, freq = freq)
}
load_data <- function(name) {
  e <- new.env()
  data(list = name, envir = e)
  get(name, envir = e)
}

add_series("salmonella.agona", as.matrix(load_data("salmonella.agona")$observed)[, 1])
add_series("shadar", as.matrix(load_data("shadar")$observed)[, 1])
ha <- load_data("ha")$observed
add_series("ha_total", rowSums(ha))
add_series("ha_chwi", ha[, "chwi"])  # sparse: 34 cases in 290 weeks
influMen <- load_data("influMen")$observed
add_series("influMen_influenza", influMen[, 1])
add_series("influMen_meningococcus", influMen[, 2])
add_series("fluBYBW_1", load_data("fluBYBW")@observed[, 1])

momo <- load_data("momo")  # weekly deaths by age, with population, dates
momo_dates <- as.Date(epoch(momo), origin = "1970-01-01")
add_series("momo_85plus", momo@observed[, 8], momo_dates, momo@populationFrac[, 8])
add_series("momo_under1", momo@observed[, 1], momo_dates, momo@populationFrac[, 1])
salmNewport <- load_data("salmNewport")
newport_dates <- as.Date(epoch(salmNewport), origin = "1970-01-01")
add_series("salmNewport_total", rowSums(salmNewport@observed), newport_dates)
add_series("salmNewport_bremen", salmNewport@observed[, "Bremen"], newport_dates)
stsNewport <- load_data("stsNewport")
add_series("stsNewport", stsNewport@observed[, 1], as.Date(epoch(stsNewport), origin = "1970-01-01"))
salmHosp <- load_data("salmHospitalized")
add_series("salmHospitalized", salmHosp@observed[, 1], as.Date(epoch(salmHosp), origin = "1970-01-01"))
campyDE <- load_data("campyDE")
add_series("campyDE", campyDE$case, as.Date(campyDE$date))
rotaBB <- load_data("rotaBB")
add_series("rotaBB_1", rotaBB@observed[, 1], as.Date(epoch(rotaBB), origin = "1970-01-01"),
           freq = 12)

# constructed series, weekly from Monday 2018-01-01
set.seed(20240715)
mondays <- seq(as.Date("2018-01-01"), by = "1 week", length.out = 364)
add_series("zeros", rep(0, 312), mondays[1:312])
add_series("mostly_zeros", rpois(364, 0.08), mondays)
add_series("sparse_then_cluster", c(rpois(300, 0.15), 0, 2, 3, 1, 4, 0, 6, 1, 0, 0, 1, 5),
           mondays[1:312])
weeks <- 1:364
add_series("strong_trend", rpois(364, exp(0.5 + 0.008 * weeks)), mondays)
add_series("declining", rpois(364, exp(3.2 - 0.006 * weeks)), mondays)
seasonal <- rpois(364, 12 * (1 + 0.5 * sin(2 * pi * weeks / 52)))
seasonal[c(290, 291, 330, 350)] <- seasonal[c(290, 291, 330, 350)] + c(15, 25, 30, 12)
add_series("seasonal_spikes", seasonal, mondays)
pop <- round(40000 * exp(0.002 * weeks))
add_series("growing_population", rpois(364, pop * 4e-4), mondays, pop)
days <- seq(as.Date("2018-01-01"), by = "1 day", length.out = 1900)
add_series("daily", rpois(1900, 3 + sin(2 * pi * (1:1900) / 365)), days, freq = 365)
# nothing for five years, then counts: trends that run away, fits that do not converge
add_series("emerging", c(rep(0, 270), rpois(94, 2)), mondays, rep(5000, 364))

# -- R objects ----------------------------------------------------------------------------------
as_sts <- function(s, with_dates) {
  pop <- if (is.null(s$population)) NULL else matrix(as.numeric(s$population))
  if (with_dates) {
    x <- sts(observed = matrix(s$y), epoch = as.numeric(s$dates), epochAsDate = TRUE,
             frequency = s$freq, population = pop)
  } else {
    x <- sts(observed = matrix(s$y), frequency = s$freq, population = pop)
  }
  x
}
as_disProg <- function(s) {
  d <- create.disProg(week = seq_along(s$y), observed = s$y, state = rep(0, length(s$y)),
                      freq = s$freq)
  if (!is.null(s$population)) d$populationFrac <- matrix(as.numeric(s$population))
  d
}

run_flexible <- function(s, with_dates, control) {
  x <- as_sts(s, with_dates)
  r <- farringtonFlexible(x, control = control)
  control0 <- control
  control0$limit54 <- c(0, 4)
  r0 <- farringtonFlexible(x, control = control0)
  list(range = control$range,
       upperbound = as.numeric(upperbound(r)), alarm = as.logical(r@alarm),
       expected = as.numeric(r0@control$expected), p_value = as.numeric(r@control$pvalue),
       trend = as.numeric(r@control$trend))
}
run_classic <- function(s, with_dates, control) {
  run <- function(ctrl) {
    if (with_dates) {
      r <- farrington(as_sts(s, TRUE), control = ctrl)
      list(upperbound = as.numeric(upperbound(r)), alarm = as.logical(r@alarm),
           pd = r@control$pd, trend = NULL)
    } else {
      r <- algo.farrington(as_disProg(s), control = ctrl)
      if (is.null(r)) return(NULL)
      list(upperbound = as.numeric(r$upperbound), alarm = as.logical(r$alarm),
           pd = r$control$pd, trend = as.numeric(r$trend))
    }
  }
  r <- run(control)
  control0 <- control
  control0$limit54 <- c(0, 4)
  r0 <- run(control0)
  n_out <- length(control$range)
  if (is.null(r)) {
    return(list(range = control$range, upperbound = rep(NA, n_out), alarm = rep(NA, n_out),
                expected = rep(NA, n_out), p_value = rep(NA, n_out), trend = rep(NA, n_out)))
  }
  list(range = control$range, upperbound = r$upperbound, alarm = r$alarm,
       expected = r0$pd[, 2], p_value = 1 - r$pd[, 1],
       trend = if (is.null(r$trend)) rep(NA, n_out) else r$trend)
}

# -- cases ------------------------------------------------------------------------------------------
cases <- list()
add_case <- function(series_name, method, params = list(), with_dates = NULL, range = NULL) {
  s <- series[[series_name]]
  if (is.null(with_dates)) with_dates <- !is.null(s$dates)
  cases[[length(cases) + 1]] <<- list(series = series_name, method = method, params = params,
                                      with_dates = with_dates, range = range)
}
last_weeks <- function(name, k) {
  n <- length(series[[name]]$y)
  (n - k + 1):n
}

all_weekly <- c("salmonella.agona", "shadar", "ha_total", "ha_chwi", "influMen_influenza",
                "influMen_meningococcus", "fluBYBW_1", "zeros", "mostly_zeros",
                "sparse_then_cluster", "strong_trend", "declining", "seasonal_spikes",
                "growing_population")
long_weekly <- c("momo_85plus", "momo_under1", "salmNewport_total", "salmNewport_bremen",
                 "stsNewport", "salmHospitalized", "campyDE")
for (method in c("flexible", "classic")) {
  for (name in all_weekly) add_case(name, method)
  for (name in long_weekly) add_case(name, method, range = last_weeks(name, 156))
}
# the same series as plain periods (no dates): other reference weeks
for (method in c("flexible", "classic")) {
  for (name in c("salmNewport_total", "campyDE", "seasonal_spikes")) {
    add_case(name, method, with_dates = FALSE, range = last_weeks(name, 104))
  }
}

options_both <- list(
  list(alpha = 0.01),
  list(b = 3, w = 2),
  list(powertrans = "1/2"),
  list(powertrans = "none"),
  list(trend = FALSE),
  list(reweight = FALSE),
  list(limit54 = c(3, 2)),
  list(b = 2, w = 4, alpha = 0.1)
)
options_flexible <- list(
  list(thresholdMethod = "nbPlugin"),
  list(thresholdMethod = "muan"),
  list(noPeriods = 10, pastWeeksNotIncluded = 26),
  list(noPeriods = 4),
  list(weightsThreshold = 1),
  list(pThresholdTrend = 1),
  list(pastWeeksNotIncluded = 0),
  list(noPeriods = 10, pastWeeksNotIncluded = 26, thresholdMethod = "nbPlugin", b = 3)
)
option_series <- c("salmonella.agona", "ha_chwi", "strong_trend", "seasonal_spikes",
                   "sparse_then_cluster", "campyDE", "momo_85plus")
for (name in option_series) {
  rng <- if (name %in% long_weekly) last_weeks(name, 104) else NULL
  for (p in options_both) {
    add_case(name, "flexible", p, range = rng)
    add_case(name, "classic", p, range = rng)
  }
  for (p in options_flexible) add_case(name, "flexible", p, range = rng)
}
# population offsets
for (name in c("momo_85plus", "growing_population")) {
  rng <- if (name %in% long_weekly) last_weeks(name, 104) else NULL
  add_case(name, "flexible", list(populationOffset = TRUE), range = rng)
  add_case(name, "flexible", list(populationOffset = TRUE, noPeriods = 10,
                                  pastWeeksNotIncluded = 26), range = rng)
  add_case(name, "classic", list(fitFun = "algo.farrington.fitGLM.populationOffset"),
           range = rng)
}
add_case("momo_under1", "flexible", list(populationOffset = TRUE),
         range = last_weeks("momo_under1", 104))
add_case("salmNewport_bremen", "flexible", list(thresholdMethod = "nbPlugin"),
         range = last_weeks("salmNewport_bremen", 104))
add_case("mostly_zeros", "flexible", list(thresholdMethod = "nbPlugin"))
add_case("mostly_zeros", "flexible", list(noPeriods = 10, pastWeeksNotIncluded = 26))
add_case("zeros", "flexible", list(limit54 = c(0, 4)))
add_case("zeros", "classic", list(limit54 = c(0, 4)))
add_case("seasonal_spikes", "classic", list(fitFun = "algo.farrington.fitGLM"))
# fits that do not converge within 25 iterations: farringtonFlexible gives NA at those time
# points; algo.farrington with fitGLM returns nothing for the whole series
add_case("zeros", "flexible", list(noPeriods = 10, pastWeeksNotIncluded = 26, limit54 = c(0, 4)))
add_case("zeros", "classic", list(fitFun = "algo.farrington.fitGLM", w = 20, limit54 = c(0, 4)))
add_case("zeros", "classic", list(w = 20, limit54 = c(0, 4)))
add_case("zeros", "classic", list(fitFun = "algo.farrington.fitGLM", w = 25, limit54 = c(0, 4)),
         with_dates = FALSE)
for (method in c("flexible", "classic")) add_case("emerging", method)
add_case("emerging", "flexible", list(noPeriods = 10, pastWeeksNotIncluded = 26))
add_case("emerging", "flexible", list(populationOffset = TRUE, limit54 = c(0, 4)))
add_case("emerging", "classic", list(fitFun = "algo.farrington.fitGLM.populationOffset"))
add_case("emerging", "classic", list(b = 3, w = 2, limit54 = c(1, 4)))
# monthly and daily series with dates
add_case("rotaBB_1", "flexible")
add_case("rotaBB_1", "classic")
add_case("daily", "flexible", range = 1851:1900)
add_case("daily", "classic", range = 1851:1900)
add_case("daily", "flexible", with_dates = FALSE, range = 1851:1900)
# an explicit early range for algo.farrington: reference weeks before the start are dropped
add_case("salmonella.agona", "classic", range = 250:270)

# -- run ------------------------------------------------------------------------------------------
param_text <- function(p) {
  if (length(p) == 0) return("")
  paste(vapply(names(p), function(k) paste0(k, "=", paste(p[[k]], collapse = ",")), ""),
        collapse = ";")
}

case_rows <- list()
result_rows <- list()
for (i in seq_along(cases)) {
  cs <- cases[[i]]
  s <- series[[cs$series]]
  control <- cs$params
  n <- length(s$y)
  b <- if (is.null(control[["b", exact = TRUE]])) 5 else control[["b", exact = TRUE]]
  w <- if (is.null(control[["w", exact = TRUE]])) 3 else control[["w", exact = TRUE]]
  if (is.null(cs$range)) {
    cs$range <- if (cs$method == "flexible") (s$freq * b + w + 1):n else (s$freq * b - w):n
  }
  control$range <- cs$range
  error <- ""
  out <- tryCatch(
    suppressWarnings(if (cs$method == "flexible") run_flexible(s, cs$with_dates, control)
                     else run_classic(s, cs$with_dates, control)),
    error = function(e) { error <<- conditionMessage(e); NULL })
  case_rows[[i]] <- data.frame(case = i, series = cs$series, method = cs$method,
                               dates = cs$with_dates, params = param_text(cs$params),
                               first = min(cs$range), last = max(cs$range),
                               error = gsub("[\r\n]+", " ", error))
  if (!is.null(out)) {
    result_rows[[i]] <- data.frame(
      case = i, t = out$range, upperbound = num(out$upperbound),
      alarm = ifelse(is.na(out$alarm), "NA", ifelse(out$alarm, "TRUE", "FALSE")),
      expected = num(out$expected), p_value = num(out$p_value), trend = num(out$trend))
  }
  cat(sprintf("%3d %-24s %-8s %-5s %s %s\n", i, cs$series, cs$method, cs$with_dates,
              param_text(cs$params), error))
}

series_rows <- do.call(rbind, lapply(names(series), function(name) {
  s <- series[[name]]
  data.frame(series = name, t = seq_along(s$y), observed = num(s$y),
             date = if (is.null(s$dates)) "" else format(s$dates),
             population = if (is.null(s$population)) "" else num(s$population),
             freq = s$freq)
}))

# -- plain GLM fits for glm.py ------------------------------------------------------------------
glm_rows <- list()
set.seed(99)
for (problem in 1:40) {
  m <- sample(c(8, 21, 35, 60), 1)
  x <- round(rnorm(m), 3)
  weight <- if (problem %% 2 == 0) round(runif(m, 0.2, 2), 3) else rep(1, m)
  offset <- if (problem %% 3 == 0) round(rnorm(m, 0, 0.3), 3) else rep(0, m)
  rate <- exp(runif(1, -2.5, 2.5) + runif(1, -0.8, 0.8) * x + offset)
  y <- rpois(m, rate)
  if (problem %in% c(7, 8)) y <- rep(0, m)          # converges only after ~24 iterations
  if (problem == 9) y <- c(rep(0, m - 1), 3)        # nearly separated
  fit <- suppressWarnings(glm(y ~ x, family = quasipoisson, weights = weight, offset = offset))
  sm <- summary(fit)
  glm_rows[[problem]] <- data.frame(
    problem = problem, row = seq_len(m), y = y, x = num(x), weight = num(weight),
    offset = num(offset), mu = num(fitted(fit)), hat = num(hatvalues(fit)),
    coef0 = num(coef(fit)[1]), coef1 = num(coef(fit)[2]), dispersion = num(sm$dispersion),
    se0 = num(sm$coefficients[1, 2]), se1 = num(sm$coefficients[2, 2]), iter = fit$iter,
    converged = fit$converged)
}

write.csv(series_rows, file.path(out_dir, "farrington_series.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, case_rows), file.path(out_dir, "farrington_cases.csv"), row.names = FALSE)
write.csv(do.call(rbind, result_rows), file.path(out_dir, "farrington_results.csv"),
          row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, glm_rows), file.path(out_dir, "farrington_glm.csv"), row.names = FALSE,
          quote = FALSE)
writeLines(c(R.version.string, paste("surveillance", packageVersion("surveillance"))),
           file.path(out_dir, "farrington_provenance.txt"))
