# Reference numbers for cairn/surveillance/ranking (tests: test_ranking_empirical_bayes.py,
# test_ranking_trend.py). Run from the repository root:
#
#   Rscript cairn/surveillance/ranking/reference/make_reference.R
#
# It writes cairn/surveillance/ranking/reference/r_reference.json. Only the numbers are
# committed and used; no R code is copied into Cairn, which implements the formulas itself.
# Made with R 4.2.2, spdep 1.2-7, spData 2.2.1, MASS 7.3-58.2 (Debian packages).
#
# Data:
# - Scottish lip cancer, 56 districts, 1975-1980: observed and expected cases as printed in
#   Clayton & Kaldor (1987), Biometrics 43:671-681, Table 1, and redistributed in the
#   WinBUGS/OpenBUGS "Lip cancer" example and the IowaBiostat/data-sets repository
#   (lip-cancer/lip-cancer.txt, from R package gcmr).
# - Auckland child deaths 1977-85 and under-5 population 1981, 167 census area units: the
#   data of Marshall (1991), Applied Statistics 40:283-294, shipped as spData::auckland.
#   Marshall's example uses 9 years x the 1981 population as the person-years at risk.

suppressMessages({
  library(spdep)
  library(MASS)
  library(jsonlite)
})

lip_observed <- c(9, 39, 11, 9, 15, 8, 26, 7, 6, 20, 13, 5, 3, 8, 17, 9, 2, 7, 9, 7, 16, 31, 11,
  7, 19, 15, 7, 10, 16, 11, 5, 3, 7, 8, 11, 9, 11, 8, 6, 4, 10, 8, 2, 6, 19, 3, 2, 3, 28, 6, 1, 1,
  1, 1, 0, 0)
lip_expected <- c(1.4, 8.7, 3.0, 2.5, 4.3, 2.4, 8.1, 2.3, 2.0, 6.6, 4.4, 1.8, 1.1, 3.3, 7.8, 4.6,
  1.1, 4.2, 5.5, 4.4, 10.5, 22.7, 8.8, 5.6, 15.5, 12.5, 6.0, 9.0, 14.4, 10.2, 4.8, 2.9, 7.0, 8.5,
  12.3, 10.1, 12.7, 9.4, 7.2, 5.3, 18.8, 15.8, 4.3, 14.6, 50.7, 8.2, 5.6, 9.3, 88.7, 19.6, 3.4,
  3.6, 5.7, 7.0, 4.2, 1.8)

# Marshall's global method-of-moments estimator (spdep::EBest), and its gamma posterior.
marshall <- function(cases, at_risk) {
  res <- EBest(cases, at_risk)
  a <- attr(res, "parameters")$a
  m <- attr(res, "parameters")$b
  shape <- m^2 / a + cases
  rate <- m / a + at_risk
  list(
    mean = m, variance = a, smoothed = res$estmm,
    low = qgamma(0.025, shape = shape, rate = rate),
    high = qgamma(0.975, shape = shape, rate = rate)
  )
}

# Clayton & Kaldor's gamma model by maximum likelihood: the marginal distribution of the
# counts is negative binomial with mean E*mu and size nu (MASS::glm.nb, as
# SpatialEpi::eBayes fits it). Posterior Gamma(O + nu, E + nu/mu).
clayton_kaldor <- function(cases, expected) {
  fit <- glm.nb(cases ~ 1 + offset(log(expected)), control = glm.control(epsilon = 1e-12,
    maxit = 100))
  nu <- fit$theta
  mu <- exp(coef(fit)[[1]])
  shape <- cases + nu
  rate <- expected + nu / mu
  list(
    shape = nu, mean = mu, smoothed = shape / rate,
    low = qgamma(0.025, shape = shape, rate = rate),
    high = qgamma(0.975, shape = shape, rate = rate)
  )
}

data(auckland, package = "spData")
auck_cases <- auckland$Deaths.1977.85
auck_at_risk <- 9 * auckland$Under.5.1981

# Rate ratio of two periods with the exact conditional interval (poisson.test, two samples).
trend_cases <- list(
  c(30, 20, 100000, 100000), c(12, 3, 50000, 48000), c(0, 5, 20000, 20000),
  c(7, 0, 20000, 21000), c(250, 300, 650000, 640000), c(4, 4, 1500, 1500)
)
trend <- lapply(trend_cases, function(x) {
  t <- poisson.test(c(x[1], x[2]), c(x[3], x[4]))
  list(current = x[1], previous = x[2], current_population = x[3],
    previous_population = x[4], ratio = unname(t$estimate),
    low = t$conf.int[1], high = t$conf.int[2], p_value = t$p.value)
})

out <- list(
  made_with = paste(R.version.string, "spdep", packageVersion("spdep"), "MASS",
    packageVersion("MASS")),
  lip = list(observed = lip_observed, expected = lip_expected,
    marshall = marshall(lip_observed, lip_expected),
    clayton_kaldor = clayton_kaldor(lip_observed, lip_expected)),
  auckland = list(cases = auck_cases, at_risk = auck_at_risk,
    marshall = marshall(auck_cases, auck_at_risk)),
  trend = trend
)
write_json(out, "cairn/surveillance/ranking/reference/r_reference.json", digits = NA,
  auto_unbox = TRUE, pretty = TRUE)
