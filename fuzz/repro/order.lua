-- Type inference depends on the order of values (hence on the thread split):
--   LUA_CPATH='build/?.so;;' lua5.4 fuzz/repro/order.lua
local core = require "zonestat.core"
for _, t in ipairs({ "x\n1.5\nNaN\n", "x\nNaN\n1.5\n", "x\n1.5\n92233720368547758070\n", "x\n92233720368547758070\n1.5\n" }) do
  print((string.format("%q", t):gsub("\\\n", "\\n")), core.parse_csv(t):types()[1])
end
-- the same with threads: 100 KB of 1.25 then 240 KB of NaN
local rows = { "x" }
for i = 1, 80000 do rows[#rows + 1] = (i <= 20000) and "1.25" or "NaN" end
local text = table.concat(rows, "\n") .. "\n"
for _, t in ipairs({ 1, 2 }) do
  local f = assert(core.parse_csv(text, { threads = t }))
  print("threads = " .. t, f:types()[1], f:get("x", 45000))
end
-- nrows = 0 reads one record
print("nrows = 0 ->", core.parse_csv("a\n1\n2\n", { nrows = 0 }):nrow())
