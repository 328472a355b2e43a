-- xlsx speed: zs.write_xlsx and zs.read_xlsx on the G1 layout (1e6 rows:
-- id1..id3 str, id4..id6 int, v1 v2 int, v3 float) next to python3-openpyxl
-- (bench/xlsx_openpyxl.py: a write_only workbook; load_workbook(read_only=True)
-- iterating the values), each measurement in a fresh process.  Not a test.
--
--   lua5.4 bench/xlsx_bench.lua                 3 interleaved rounds of all four, then medians and ratios
--   lua5.4 bench/xlsx_bench.lua write CSV XLSX  one zonestat write (JSON line)
--   lua5.4 bench/xlsx_bench.lua read XLSX       one zonestat read (JSON line)
--
-- Needs bench/data/G1_1e6_1e2_0_0.csv (make -C bench data) and, for the peer,
-- /usr/bin/python3 with python3-openpyxl.  peak_rss is the process's
-- high-water mark (VmHWM) minus its resident memory before the measured
-- call; columns is the bytes of the loaded column buffers (8 per int or
-- float, 4 per str code, 1 per bool) plus the dictionaries' strings.
local zs = require "zonestat"
local system = require "system"

local CSV = "bench/data/G1_1e6_1e2_0_0.csv"
local OUT = os.getenv("TMPDIR") or "/tmp"

local function status(field)
  for line in io.lines("/proc/self/status") do
    local v = line:match("^" .. field .. ":%s*(%d+) kB")
    if v then return tonumber(v) * 1024 end
  end
end

local function column_bytes(f)
  local width = { int = 8, float = 8, str = 4, date = 4, bool = 1 }
  local bytes = 0
  for _, ty in ipairs(f:types()) do bytes = bytes + width[ty] * f:nrow() end
  for _, name in ipairs(f:names()) do
    if f:column(name):type() == "str" then
      local d = f:distinct(name)
      for i = 1, d:nrow() do bytes = bytes + #(d:get(name, i) or "") + 24 end
    end
  end
  return bytes
end

local function json(t)
  local keys, parts = {}, {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local v = t[k]
    parts[#parts + 1] = string.format('"%s":%s', k, type(v) == "string" and ('"' .. v .. '"') or
      (math.type(v) == "integer" and tostring(v) or string.format("%.4f", v)))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

local mode = arg[1]
if mode == "write" then
  local f = assert(zs.read_csv(arg[2]))
  local before = status("VmRSS")
  local t = system.gettime()
  assert(f:write_xlsx(arg[3]))
  local secs = system.gettime() - t
  print(json({ tool = "zonestat", task = "write", seconds = secs, rows = f:nrow(), peak_rss = status("VmHWM") - before }))
  os.exit(0)
elseif mode == "read" then
  local before = status("VmRSS")
  local t = system.gettime()
  local f = assert(zs.read_xlsx(arg[2]))
  local secs = system.gettime() - t
  local peak, bytes = status("VmHWM") - before, column_bytes(f)
  print(json({ tool = "zonestat", task = "read", seconds = secs, rows = f:nrow(), threads = zs.get_threads(),
    peak_rss = peak, columns = bytes, peak_ratio = peak / bytes, types = table.concat(f:types(), ",") }))
  os.exit(0)
end

-- the driver: fresh processes, interleaved
local f = io.open(CSV)
if not f then error(CSV .. " is missing: run make -C bench data", 0) end
f:close()
local zs_file, py_file = OUT .. "/zonestat_g1.xlsx", OUT .. "/openpyxl_g1.xlsx"
local function run(cmd)
  local p = assert(io.popen(cmd))
  local line = p:read("a")
  p:close()
  io.write(line)
  return tonumber(line:match('"seconds":%s*([%d.]+)')), tonumber(line:match('"peak_ratio":%s*([%d.]+)'))
end
local env = "LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' "
local times = { zw = {}, pw = {}, zr = {}, pr = {}, ratio = {} }
for _ = 1, 3 do
  times.zw[#times.zw + 1] = run(env .. "lua5.4 bench/xlsx_bench.lua write " .. CSV .. " " .. zs_file)
  times.pw[#times.pw + 1] = run("/usr/bin/python3 bench/xlsx_openpyxl.py write " .. CSV .. " " .. py_file)
  local s, r = run(env .. "lua5.4 bench/xlsx_bench.lua read " .. zs_file)
  times.zr[#times.zr + 1], times.ratio[#times.ratio + 1] = s, r
  times.pr[#times.pr + 1] = run("/usr/bin/python3 bench/xlsx_openpyxl.py read " .. zs_file)
end
local function median(xs)
  table.sort(xs)
  return xs[(#xs + 1) // 2]
end
local zw, pw, zr, pr = median(times.zw), median(times.pw), median(times.zr), median(times.pr)
print(string.format("write: zonestat %.2f s, openpyxl %.2f s, openpyxl/zonestat %.2f", zw, pw, pw / zw))
print(string.format("read:  zonestat %.2f s, openpyxl %.2f s, openpyxl/zonestat %.2f; peak/columns %.2f", zr, pr,
  pr / zr, median(times.ratio)))
