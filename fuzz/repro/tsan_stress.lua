-- TSan: fuzz/out/tsan/tlua fuzz/repro/tsan_stress.lua with LUA_CPATH='fuzz/out/tsan/?.so;;' (race on c_locale() in numparse.c)
local zs = require "zonestat.core"
-- floats with > 19 significant digits take the strtod_l slow path (c_locale())
local lines = { "k,x,s,d,b" }
for i = 1, 200000 do
  lines[#lines + 1] = string.format("%d,%d.12345678901234567890%d,s%d,2024-01-%02d,%s",
    i % 13, i, i % 10, i % 5003, i % 28 + 1, (i % 2 == 0) and "true" or "false")
end
local text = table.concat(lines, "\n") .. "\n"
local path = os.tmpname()
local fh = io.open(path, "wb"); fh:write(text); fh:close()
for _, t in ipairs({ 2, 4, 8 }) do
  local f = assert(zs.read_csv(path, { threads = t }))
  assert(f:nrow() == 200000)
  print(t, table.concat(f:types(), ","))
end
-- pass 2 (a late text value) with several threads
local f = assert(zs.parse_csv(text .. "zz,1,a,2024-01-01,true\n", { threads = 4 }))
print("pass2", table.concat(f:types(), ","))
os.remove(path)
