# data.table peer for the db-benchmark groupby questions.
#
#   Rscript bench/peers/datatable.R FILE.csv [load|groupby|all]     (default: all)
#
# Prints one JSON object per line on stdout (same shapes as duckdb.mjs):
#   {"tool":"data.table","task":"load","variant":"factor","seconds":..,"rows":..}
#   {"tool":"data.table","question":"q1","run":1,"seconds":..,"rows":..,"cols":..,"chk":[..]}
# Load as in the published solution: fread(stringsAsFactors=TRUE) so id1..id3 are factors,
# id4..id6, v1, v2 integer, v3 double; NA = empty field.  setDTthreads(2).
# Each question runs twice; only the query (whose result is assigned, i.e. materialized) is
# timed.  chk = the sum of the non-NA (non-NaN) values of each measure column of the result,
# computed after the timing (integer sums in double are exact far beyond these sizes).
suppressPackageStartupMessages(library(data.table))
setDTthreads(2L)

args <- commandArgs(trailingOnly = TRUE)
file <- args[1]
mode <- if (length(args) >= 2) args[2] else "all"
if (is.na(file) || !(mode %in% c("load", "groupby", "all"))) {
  message("usage: Rscript datatable.R FILE.csv [load|groupby|all]")
  quit(status = 2)
}
data_name <- sub("\\.csv$", "", basename(file))
version <- as.character(packageVersion("data.table"))

jnum <- function(x) ifelse(is.finite(x), sprintf("%.17g", as.numeric(x)), "null") # NA, NaN, Inf: null
emit <- function(fields) {
  head <- sprintf('{"tool":"data.table","version":"%s","data":"%s",', version, data_name)
  cat(head, paste(sprintf('"%s":%s', names(fields), unlist(fields)), collapse = ","), "}\n", sep = "")
}
now <- function() as.numeric(Sys.time())

t0 <- now()
x <- fread(file, showProgress = FALSE, stringsAsFactors = TRUE, na.strings = "")
load_s <- now() - t0
if (mode != "groupby")
  emit(list(task = '"load"', variant = '"factor"', seconds = jnum(load_s), rows = nrow(x)))
if (mode == "load") quit(status = 0)

# question -> query (result is the data.table ans) and the measure columns summed for chk
Q <- list(
  q1 = list(function() x[, .(v1 = sum(v1, na.rm = TRUE)), by = id1], "v1"),
  q2 = list(function() x[, .(v1 = sum(v1, na.rm = TRUE)), by = .(id1, id2)], "v1"),
  q3 = list(function() x[, .(v1 = sum(v1, na.rm = TRUE), v3 = mean(v3, na.rm = TRUE)), by = id3],
            c("v1", "v3")),
  q4 = list(function() x[, lapply(.SD, mean, na.rm = TRUE), by = id4, .SDcols = v1:v3],
            c("v1", "v2", "v3")),
  q5 = list(function() x[, lapply(.SD, sum, na.rm = TRUE), by = id6, .SDcols = v1:v3],
            c("v1", "v2", "v3")),
  q6 = list(function() x[, .(median_v3 = median(v3, na.rm = TRUE), sd_v3 = sd(v3, na.rm = TRUE)),
                         by = .(id4, id5)], c("median_v3", "sd_v3")),
  q7 = list(function() x[, .(range_v1_v2 = max(v1, na.rm = TRUE) - min(v2, na.rm = TRUE)), by = id3],
            "range_v1_v2"),
  q8 = list(function() x[!is.na(v3)][order(-v3), .(largest2_v3 = head(v3, 2L)), by = id6],
            "largest2_v3"),
  q9 = list(function() x[, .(r2 = cor(v1, v2, use = "na.or.complete")^2), by = .(id2, id4)], "r2"),
  q10 = list(function() x[, .(v3 = sum(v3, na.rm = TRUE), count = .N), by = id1:id6],
             c("v3", "count"))
)

for (q in names(Q)) {
  for (run in 1:2) {
    invisible(gc())
    t0 <- now()
    ans <- Q[[q]][[1]]()
    s <- now() - t0
    chk <- vapply(Q[[q]][[2]], function(m) sum(as.numeric(ans[[m]]), na.rm = TRUE), 0)
    emit(list(question = sprintf('"%s"', q), run = run, seconds = jnum(s), rows = nrow(ans),
              cols = ncol(ans), chk = sprintf("[%s]", paste(jnum(chk), collapse = ","))))
    rm(ans)
  }
}
