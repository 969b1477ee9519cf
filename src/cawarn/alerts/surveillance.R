# Farrington (flexible) and EARS C on weekly counts, with the R package surveillance.
# Arguments: counts.csv (one column per unit, one row per week), first week to judge (1-based),
# output folder, Farrington's b, w, noPeriods and pastWeeksNotIncluded, EARS method, baseline
# and minSigma.
suppressPackageStartupMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
counts <- as.matrix(read.csv(args[1], check.names = FALSE))
first <- as.integer(args[2])
out <- args[3]
b <- as.integer(args[4]); w <- as.integer(args[5])
no_periods <- as.integer(args[6]); past_excluded <- as.integer(args[7])
ears_method <- args[8]; ears_baseline <- as.integer(args[9]); ears_min_sigma <- as.numeric(args[10])
n <- nrow(counts)
judged <- seq(first, n)
series <- sts(observed = counts, start = c(2000, 1), frequency = 52)
ctl <- list(range = judged, b = b, w = w, alpha = 0.01, noPeriods = no_periods,
            pastWeeksNotIncluded = past_excluded, thresholdMethod = "nbPlugin",
            limit54 = c(0, 4), populationOffset = FALSE, powertrans = "2/3")
far <- suppressWarnings(farringtonFlexible(series, control = ctl))
write.csv(far@control$pvalue, file.path(out, "farrington_pvalue.csv"), row.names = FALSE)
write.csv(far@control$expected, file.path(out, "farrington_expected.csv"), row.names = FALSE)
# The negative-binomial plug-in's mean and dispersion give the p-value of any count of a week.
write.csv(far@control$mu0Vector, file.path(out, "farrington_mu0.csv"), row.names = FALSE)
write.csv(far@control$phiVector, file.path(out, "farrington_phi.csv"), row.names = FALSE)
# EARS' bound is mean + z * sd with z = qnorm(1 - alpha): two runs give the mean and sd back.
ears_ctl <- list(range = judged, method = ears_method, baseline = ears_baseline,
                 minSigma = ears_min_sigma)
one <- earsC(series, control = c(ears_ctl, list(alpha = pnorm(-1))))
two <- earsC(series, control = c(ears_ctl, list(alpha = pnorm(-2))))
write.csv(one@upperbound, file.path(out, "ears_z1.csv"), row.names = FALSE)
write.csv(two@upperbound, file.path(out, "ears_z2.csv"), row.names = FALSE)
cat(as.character(packageVersion("surveillance")), file = file.path(out, "version.txt"))
