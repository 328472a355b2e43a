-- ASan: LD_PRELOAD=$(clang -print-file-name=libclang_rt.asan-x86_64.so) \
--   LUA_CPATH='fuzz/out/asan/?.so;;' lua5.4 fuzz/repro/source_uaf.lua
-- heap-use-after-free of R->name (csv_read.c:1302 / push_where:187) once a full GC runs mid-parse
local core = require "zonestat.core"
-- option 'source' given as a number: lua_tostring converts the stack copy,
-- which is popped; R->name then points into a string only the stack held.
local rows = { "a,b,c,d,e,f,g,h" }
for _ = 1, 1500000 do rows[#rows + 1] = "1,2,3,4,5,6,7,8" end
rows[#rows + 1] = "1,2"          -- an error at the end: the message uses R->name
local text = table.concat(rows, "\n")
collectgarbage("incremental")
print(core.parse_csv(text, { source = 12345.5, threads = 1 }))
