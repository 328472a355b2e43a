--- Shared helpers for the synthetic-data generators of the bundled dataset.
-- Plain Lua 5.4, no zonestat dependency: a seeded PRNG (SplitMix64), an RFC 4180
-- CSV reader and an atomic CSV writer.
-- @module gen.lib
local M = {}

---------------------------------------------------------------------------
-- PRNG: SplitMix64 (Steele, Lea, Flood 2014; constants as published by
-- Vigna in splitmix64.c). Lua 5.4 integers are 64-bit and wrap on overflow,
-- and `>>` is a logical shift, so the algorithm transcribes directly.
---------------------------------------------------------------------------
local Rng = {}
Rng.__index = Rng

--- Create a generator.
-- @tparam integer seed
-- @treturn table generator
function M.rng(seed)
  return setmetatable({ s = math.tointeger(seed) or error("seed must be an integer", 2) }, Rng)
end

--- Next raw 64-bit value (a Lua integer, may be negative).
function Rng:next()
  self.s = self.s + 0x9E3779B97F4A7C15
  local z = self.s
  z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
  z = (z ~ (z >> 27)) * 0x94D049BB133111EB
  return z ~ (z >> 31)
end

--- Uniform double in [0, 1) from the top 53 bits.
function Rng:uniform()
  return (self:next() >> 11) * (1.0 / 9007199254740992.0)
end

--- Uniform integer in [lo, hi].
function Rng:int(lo, hi)
  local n = hi - lo + 1
  return lo + math.floor(self:uniform() * n)
end

--- Uniform double in [a, b).
function Rng:range(a, b)
  return a + (b - a) * self:uniform()
end

--- Standard normal deviate (Box–Muller, one value per call).
function Rng:normal()
  local u1 = self:uniform()
  if u1 < 1e-300 then u1 = 1e-300 end
  local u2 = self:uniform()
  return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
end

--- Log-normal deviate with the given median and sigma (of the log).
function Rng:lognormal(median, sigma)
  return median * math.exp(sigma * self:normal())
end

--- Index drawn from an array of non-negative weights.
function Rng:pick(weights)
  local total = 0.0
  for i = 1, #weights do total = total + weights[i] end
  if total <= 0 then error("pick: all weights are zero", 2) end
  local x = self:uniform() * total
  for i = 1, #weights do
    x = x - weights[i]
    if x < 0 then return i end
  end
  for i = #weights, 1, -1 do if weights[i] > 0 then return i end end
end

--- Fisher–Yates shuffle in place.
function Rng:shuffle(t)
  for i = #t, 2, -1 do
    local j = self:int(1, i)
    t[i], t[j] = t[j], t[i]
  end
  return t
end

---------------------------------------------------------------------------
-- Integer apportionment (largest remainder): split `total` (an integer) in
-- proportion to `weights`, returning integers that sum exactly to `total`.
-- Ties are broken by index, so the result is deterministic.
---------------------------------------------------------------------------
function M.apportion(total, weights)
  local n, wsum = #weights, 0.0
  for i = 1, n do wsum = wsum + weights[i] end
  local out, rem, used = {}, {}, 0
  for i = 1, n do
    local exact = (wsum > 0) and (total * weights[i] / wsum) or 0
    local fl = math.floor(exact)
    out[i] = math.tointeger(fl)
    used = used + out[i]
    rem[i] = { i = i, r = exact - fl }
  end
  table.sort(rem, function(a, b) if a.r ~= b.r then return a.r > b.r end return a.i < b.i end)
  local k = 1
  while used < total do
    local i = rem[k].i
    out[i] = out[i] + 1
    used = used + 1
    k = k % n + 1
  end
  return out
end

---------------------------------------------------------------------------
-- CSV (RFC 4180): fields separated by ',', optionally enclosed in '"', with
-- '""' for a quote inside a quoted field; records end with LF or CRLF.
---------------------------------------------------------------------------

--- Parse CSV text into an array of records (arrays of strings).
function M.parse_csv(text)
  local records, rec, field = {}, {}, {}
  local i, n = 1, #text
  local inq, quoted = false, false
  if text:sub(1, 3) == "\239\187\191" then i = 4 end -- UTF-8 BOM
  while i <= n do
    local c = text:sub(i, i)
    if inq then
      if c == '"' then
        if text:sub(i + 1, i + 1) == '"' then field[#field + 1] = '"'; i = i + 1
        else inq = false end
      else
        field[#field + 1] = c
      end
    else
      if c == '"' then inq, quoted = true, true
      elseif c == "," then rec[#rec + 1] = table.concat(field); field = {}; quoted = false
      elseif c == "\r" or c == "\n" then
        if c == "\r" and text:sub(i + 1, i + 1) == "\n" then i = i + 1 end
        rec[#rec + 1] = table.concat(field); field = {}; quoted = false
        records[#records + 1] = rec; rec = {}
      else
        field[#field + 1] = c
      end
    end
    i = i + 1
  end
  if inq then error("parse_csv: unterminated quoted field") end
  if #field > 0 or #rec > 0 or quoted then
    rec[#rec + 1] = table.concat(field)
    records[#records + 1] = rec
  end
  return records
end

--- Read a CSV file with a header row.
-- @treturn table header (array of names)
-- @treturn table rows (array of tables keyed by column name)
function M.read_csv(path)
  local f, err = io.open(path, "rb")
  if not f then error("cannot open " .. path .. ": " .. tostring(err), 2) end
  local text = f:read("a")
  f:close()
  local recs = M.parse_csv(text)
  local header = table.remove(recs, 1)
  local rows = {}
  for li, r in ipairs(recs) do
    if #r ~= #header then
      error(string.format("%s:%d: %d fields, header has %d", path, li + 1, #r, #header), 2)
    end
    local row = {}
    for k, name in ipairs(header) do row[name] = r[k] end
    rows[#rows + 1] = row
  end
  return header, rows
end

local function quote(s)
  s = tostring(s)
  if s:find('[,"\r\n]') then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end
M.quote = quote

--- Write rows (arrays of already formatted strings) atomically: the text goes to
-- `path .. ".tmp"`, which is then renamed over `path`. LF line endings.
function M.write_csv(path, header, rows)
  local buf = {}
  local line = {}
  for k = 1, #header do line[k] = quote(header[k]) end
  buf[1] = table.concat(line, ",")
  for r = 1, #rows do
    local rec = rows[r]
    line = {}
    for k = 1, #header do line[k] = quote(rec[k] == nil and "" or rec[k]) end
    buf[#buf + 1] = table.concat(line, ",")
  end
  local tmp = path .. ".tmp"
  local f, err = io.open(tmp, "wb")
  if not f then error("cannot write " .. tmp .. ": " .. tostring(err), 2) end
  f:write(table.concat(buf, "\n"), "\n")
  f:close()
  local ok, rerr = os.rename(tmp, path)
  if not ok then error("cannot rename " .. tmp .. " to " .. path .. ": " .. tostring(rerr), 2) end
end

--- Read fx.csv into { [year] = vnd_per_usd }.
function M.read_fx(dir)
  local _, rows = M.read_csv(dir .. "/fx.csv")
  local fx = {}
  for _, r in ipairs(rows) do fx[math.tointeger(tonumber(r.year))] = tonumber(r.vnd_per_usd) end
  return fx
end

--- Days in a month (Gregorian).
function M.days_in_month(y, m)
  local d = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
  if m == 2 and ((y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0) then return 29 end
  return d[m]
end

--- Directory of the running script (for require paths).
function M.script_dir()
  local src = debug.getinfo(2, "S").source
  return (src:sub(1, 1) == "@" and src:sub(2):match("^(.*)[/\\]")) or "."
end

return M
