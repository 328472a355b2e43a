-- Unbounded loops (run with timeout): LUA_CPATH='build/?.so;;' timeout 10 lua5.4 fuzz/repro/hangs.lua N
local core = require "zonestat.core"
local which = tonumber(arg[1] or 1)
if which == 1 then
  -- frame.c:302: nrow < 0 (or > 2^62) from frame_from: nslots doubles to 0, loops forever
  print(core.distinct_rows(core.frame_from({}, {}, -1), {}))
elseif which == 2 then
  -- csv_read.c fix_names: quadratic in duplicate header names (16 KB: ~4 s, 300 KB: ~25 min)
  local n = 8000
  local t0 = os.clock()
  core.parse_csv(string.rep("a,", n - 1) .. "a\n")
  print(n .. " duplicate names: " .. (os.clock() - t0) .. " s")
end
