-- Time zs.read_csv on one file and report the peak memory against the size
-- of the loaded columns (one JSON line, as the other bench scripts):
--   lua5.4 bench/load.lua bench/data/G1_1e7_1e2_0_0.csv [threads]
-- peak_rss is the process's high-water mark (VmHWM) minus what it held
-- before the read; columns is the bytes of the column buffers (8 per int or
-- float value, 4 per str code or date, 1 per bool) plus the dictionaries.
local zs = require "zonestat"
local system = require "system"

local file = assert(arg[1], "usage: load.lua FILE.csv [threads]")
if arg[2] then zs.set_threads(tonumber(arg[2])) end

local function status(field)
  for line in io.lines("/proc/self/status") do
    local v = line:match("^" .. field .. ":%s*(%d+) kB")
    if v then return tonumber(v) * 1024 end
  end
end

local before = status("VmRSS")
local t = system.gettime()
local f = assert(zs.read_csv(file))
local secs = system.gettime() - t
local peak = status("VmHWM") - before
local width = { int = 8, float = 8, str = 4, date = 4, bool = 1 }
local bytes = 0
for _, ty in ipairs(f:types()) do bytes = bytes + width[ty] * f:nrow() end
for _, name in ipairs(f:names()) do
  local c = f:column(name)
  if c:type() == "str" then
    -- distinct strings once each (their length plus per-entry bookkeeping)
    local d = f:distinct(name)
    for i = 1, d:nrow() do bytes = bytes + #(d:get(name, i) or "") + 24 end
  end
end
print(string.format('{"tool":"zonestat","data":"%s","task":"load","seconds":%.4f,"rows":%d,"threads":%d,' ..
  '"peak_rss":%d,"columns":%d,"peak_ratio":%.3f}', file:match("([^/]+)%.csv$"), secs, f:nrow(), zs.get_threads(),
  peak, bytes, peak / bytes))
