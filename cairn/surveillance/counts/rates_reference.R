# Reference values for cairn/surveillance/tests/test_counts_rates.py, from R's stats
# package (R 4.x): exact Poisson limits (poisson.test) and exact binomial limits
# (binom.test, Clopper-Pearson). Run: Rscript cairn/surveillance/counts/rates_reference.R
options(digits = 15)
for (x in c(0, 1, 2, 5, 10, 42, 137, 1000)) {
  ci <- poisson.test(x)$conf.int
  cat(sprintf("poisson %d %.12f %.12f\n", x, ci[1], ci[2]))
}
ci <- poisson.test(137, 24.19893)$conf.int  # R's own example: SMR, Welsh nickel workers
cat(sprintf("poisson_rate 137 24.19893 %.12f %.12f\n", ci[1], ci[2]))
for (row in list(c(0, 1000), c(5, 1000), c(31, 25000), c(1000, 1000))) {
  ci <- binom.test(row[1], row[2])$conf.int
  cat(sprintf("binom %d %d %.12f %.12f\n", row[1], row[2], ci[1], ci[2]))
}
