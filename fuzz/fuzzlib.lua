-- fuzzlib.lua: what the Lua fuzz drivers (expr_fuzz.lua, group_fuzz.lua)
-- share: a reader of the fuzz bytes, hostile values of every column type as
-- Lua source, frames built from the bytes, a canonical text of a frame (to
-- compare results bit for bit), and the report of a finding.
--
-- A driver builds each case as Lua source text (the frame, the expression or
-- the aggregates) and runs it, so that a finding comes with a reproducer that
-- `zl` runs as it is (printed to stderr, and to $FUZZ_REPRO when set).
local M = {}

local zs = require "zonestat.engine"
M.zs = zs

-- ---- reading the fuzz bytes ----------------------------------------------------

local Reader = {}
Reader.__index = Reader

--- A reader over the string `data`; past its end every byte reads as 0.
function M.reader(data) return setmetatable({ data = data, pos = 1 }, Reader) end

function Reader:byte()
  local b = self.data:byte(self.pos)
  self.pos = self.pos + 1
  return b or 0
end

function Reader:left() return #self.data - self.pos + 1 end

--- one of the array `t`
function Reader:pick(t) return t[self:byte() % #t + 1] end

--- an integer in [0, n)
function Reader:below(n) return self:byte() % n end

-- ---- hostile values, as Lua source ---------------------------------------------

-- ints: small, around 2^31, 2^53 and the int64 ends (math.mininteger is NA)
M.ints = { "0", "1", "-1", "2", "3", "7", "-7", "10", "100", "2147483647", "2147483648", "-2147483649",
  "4294967296", "9007199254740992", "9007199254740993", "-9007199254740993", "4611686018427387904",
  "math.maxinteger", "-math.maxinteger", "(math.maxinteger - 1)", "3037000499", "3037000500", "zs.NA" }
-- floats: signed zeros, fractions that do not add exactly, the ends of the
-- double range, 2^53 and 2^63 as floats, ±Inf, NaN (a float NA)
M.floats = { "0.0", "-0.0", "0.5", "1.5", "-2.5", "0.1", "0.2", "0.3", "0.30000000000000004", "1e300", "-1e300",
  "1e308", "5e-324", "2.0^53", "(2.0^53 + 2)", "2.0^63", "-2.0^63", "2.0^64", "math.huge", "-math.huge", "(0/0)",
  "3.0", "-7.0", "zs.NA" }
M.bools = { "true", "false", "zs.NA" }
M.strs = { '""', '"a"', '"b"', '"B"', '"NA"', '"1"', '"é"', '"e\\u{301}"', '"ab"', '"a\\0b"', '"2024-01-01"',
  '"true"', '" "', "zs.NA" }
M.dates = { '"1970-01-01"', '"1969-12-31"', '"2024-02-29"', '"2000-03-01"', '"0001-01-01"', '"9999-12-31"',
  '"2021-01-03"', '"2024-12-30"', '"1900-03-01"', "zs.NA" }
M.by_type = { int = M.ints, float = M.floats, bool = M.bools, str = M.strs, date = M.dates }
M.types = { "int", "float", "bool", "str", "date" }

--- Lua source of a frame of `nrow` rows with the columns `cols`
-- ({{name, type}, ...}), the values read from `r`; every column typed
-- explicitly (zs.column(values, type)), so all-NA and 0-row columns keep it.
function M.frame_source(r, nrow, cols)
  local parts, order = {}, {}
  for _, c in ipairs(cols) do
    local name, t = c[1], c[2]
    local values, pool = {}, M.by_type[t]
    for i = 1, nrow do values[i] = r:pick(pool) end
    parts[#parts + 1] = string.format("%s = zs.column({%s}, %q)", name, table.concat(values, ", "), t)
    order[#order + 1] = string.format("%q", name)
  end
  return string.format("zs.frame({%s}, {%s})", table.concat(parts, ", "), table.concat(order, ", "))
end

-- ---- comparing ------------------------------------------------------------------

--- canonical text of one value: floats by their bits (%a), NA as NA
function M.value_text(v)
  if v == nil or v == zs.NA then return "NA" end
  if math.type(v) == "float" then
    if v ~= v then return "NaN!" end -- a NaN that is not NA: never expected
    return string.format("%a", v)
  end
  if math.type(v) == "integer" then return string.format("%d", v) end
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

--- canonical text of a frame: names, types and every value
function M.frame_text(f)
  local names, types = f:names(), f:types()
  local out = { table.concat(names, ","), table.concat(types, ",") }
  for i = 1, f:nrow() do
    local row = {}
    for j, name in ipairs(names) do row[j] = M.value_text(f:get(name, i)) end
    out[#out + 1] = table.concat(row, ",")
  end
  return table.concat(out, "\n")
end

-- ---- errors and findings --------------------------------------------------------

-- Error messages that are not the API speaking: Lua's own runtime errors from
-- inside the library, and overflowed C stacks.  The API raises messages of its
-- own ("mutate 'x': ...", "filter: ...").
local internal = { "attempt to index", "attempt to call", "attempt to perform", "attempt to compare",
  "attempt to concatenate", "attempt to get length", "stack overflow", "bad argument #%d+ to '%?'",
  "table index is ", "number has no integer representation", "invalid value %(at index", "%(null%)" }

--- nil when `msg` (an error object) looks like a deliberate API error, else
-- why it does not
function M.bad_error(msg)
  if type(msg) ~= "string" then return "the error object is a " .. type(msg) .. ", not a message" end
  for _, p in ipairs(internal) do
    if msg:find(p) then return "an internal error escaped: " .. p end
  end
  return nil
end

--- Report a finding and end the run (the C host aborts on the error):
-- `what` says what broke, `source` is the reproducer (Lua source).
function M.finding(what, source, detail)
  local text = "-- " .. what:gsub("\n", "\n-- ") .. "\n" .. (detail and ("-- " .. detail:gsub("\n", "\n-- ") .. "\n") or "")
    .. "local zs = require \"zonestat\"\nlocal col, lit = zs.col, zs.lit\n" .. source .. "\n"
  io.stderr:write("\n==== fuzz finding; reproducer (run it with zl FILE):\n", text, "====\n")
  local path = os.getenv("FUZZ_REPRO")
  if path then
    local fh = io.open(path, "w")
    if fh then
      fh:write(text)
      fh:close()
    end
  end
  error("FINDING: " .. what, 0)
end

--- Run Lua source `src` (a chunk returning values) in an environment with zs,
-- col and lit: true, results... or false, the error object.  A syntax error
-- in generated source is the driver's bug: it raises.
function M.run(src, name)
  local env = setmetatable({ zs = zs, col = zs.col, lit = zs.lit }, { __index = _G })
  local chunk, err = load(src, "=" .. (name or "case"), "t", env)
  if not chunk then error("fuzz driver generated bad Lua: " .. err .. "\n" .. src, 0) end
  return pcall(chunk)
end

return M
