-- UBSan findings outside the CSV reader (run with the ASan+UBSan module):
--   LD_PRELOAD=$(clang -print-file-name=libclang_rt.asan-x86_64.so) \
--   LUA_CPATH='fuzz/out/asan/?.so;;' lua5.4 fuzz/repro/ub_misc.lua
local core = require "zonestat.core"
local col = core.column_raw({ 1, 2, 3 })
print(col[1e300])                               -- column.c:521 float -> int64 out of range
print(core.slice(core.frame_from({ "a" }, { col }), math.mininteger, 5):nrow())  -- frame.c:192 signed overflow
print(#core.fill_na(core.column_raw({}, "str"), "x"))  -- column.c:653 memcpy(NULL, NULL, 0)
print(core.parse_csv('""x', { strict = false }))        -- csv_read.c:218 NULL + 0, memcpy(NULL, ..., 0)
