-- The cost of sniffing a CSV file's conventions against reading it:
--   lua5.4 bench/sniff_bench.lua bench/data/G1_1e7_1e2_0_0.csv [repeats]
-- Each repeat times zs.sniff_csv(file) and zs.read_csv(file) (the default
-- conventions) and read_csv with sep = "auto", interleaved; prints the
-- medians and the ratios as one JSON line.
local zs = require "zonestat"
local system = require "system"

local file = assert(arg[1], "usage: sniff_bench.lua FILE.csv [repeats]")
local reps = tonumber(arg[2]) or 5

local function time(fn)
  collectgarbage()
  local t = system.gettime()
  assert(fn())
  local s = system.gettime() - t
  collectgarbage()
  return s
end

local function median(a)
  table.sort(a)
  local n = #a
  return n % 2 == 1 and a[(n + 1) / 2] or (a[n / 2] + a[n / 2 + 1]) / 2
end

local sniff, plain, auto = {}, {}, {}
for _ = 1, reps do
  sniff[#sniff + 1] = time(function() return assert(zs.sniff_csv(file)) end)
  plain[#plain + 1] = time(function() return assert(zs.read_csv(file)) end)
  auto[#auto + 1] = time(function() return assert(zs.read_csv(file, { sep = "auto" })) end)
end
local s, p, a = median(sniff), median(plain), median(auto)
print(string.format('{"file":%q,"repeats":%d,"sniff_s":%.4f,"read_s":%.3f,"read_auto_s":%.3f,' ..
  '"sniff_over_read":%.4f,"auto_over_read":%.4f}', file:match("[^/]+$"), reps, s, p, a, s / p, a / p))
