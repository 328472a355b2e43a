-- The db-benchmark groupby questions in plain Lua tables: the baseline a
-- Lua user without zonestat would write.  Reads the CSV with io.lines and
-- string patterns into one Lua array per column, then answers q1..q10 with
-- Lua tables keyed by the group values (each question run twice).
--   lua5.4 bench/plain_lua.lua bench/data/G1_1e6_1e2_0_0.csv
-- Prints one JSON line per run, as the other tools (see compare.lua).
local system = require "system"
local file = assert(arg[1], "usage: plain_lua.lua FILE.csv")
local data = file:match("([^/]+)%.csv$")

local function now() return system.gettime() end
local function emit(fields)
  local parts = {}
  for _, kv in ipairs(fields) do
    local k, v = kv[1], kv[2]
    if type(v) == "table" then
      local items = {}
      for i, x in ipairs(v) do items[i] = string.format("%.17g", x) end
      parts[#parts + 1] = string.format('"%s":[%s]', k, table.concat(items, ","))
    elseif type(v) == "string" then
      parts[#parts + 1] = string.format('"%s":"%s"', k, v)
    else
      parts[#parts + 1] = string.format('"%s":%.17g', k, v)
    end
  end
  print("{" .. table.concat(parts, ",") .. "}")
  io.stdout:flush()
end

-- load: NA is the empty field (nil in the arrays)
local t0 = now()
local id1, id2, id3, id4, id5, id6, v1, v2, v3 = {}, {}, {}, {}, {}, {}, {}, {}, {}
local n = 0
local lines = io.lines(file)
lines() -- header
for line in lines do
  n = n + 1
  local a, b, c, d, e, f, g, h, i = line:match("^([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*)$")
  id1[n], id2[n], id3[n] = a ~= "" and a or nil, b ~= "" and b or nil, c ~= "" and c or nil
  id4[n], id5[n], id6[n] = math.tointeger(tonumber(d)), math.tointeger(tonumber(e)), math.tointeger(tonumber(f))
  v1[n], v2[n], v3[n] = math.tointeger(tonumber(g)), math.tointeger(tonumber(h)), tonumber(i)
end
emit { { "tool", "plain-lua" }, { "data", data }, { "task", "load" }, { "seconds", now() - t0 }, { "rows", n } }

local NA = "\0NA"
local function key(...)
  local parts = { ... }
  for i = 1, select("#", ...) do if parts[i] == nil then parts[i] = NA end end
  return table.concat(parts, "\1")
end

--- groups: key -> {rows}; returns an array of {key, rows}
local function groups(...)
  local cols = { ... }
  local index, list = {}, {}
  for r = 1, n do
    local vals = {}
    for k, c in ipairs(cols) do vals[k] = c[r] end
    local kk = key(table.unpack(vals, 1, #cols))
    local g = index[kk]
    if not g then
      g = { k = kk, rows = {} }
      index[kk] = g
      list[#list + 1] = g
    end
    g.rows[#g.rows + 1] = r
  end
  return list
end

local function sum(col, rows)
  local s, any = 0, false
  for _, r in ipairs(rows) do if col[r] then s, any = s + col[r], true end end
  return any and s or nil
end
local function mean(col, rows)
  local s, c = 0, 0
  for _, r in ipairs(rows) do if col[r] then s, c = s + col[r], c + 1 end end
  return c > 0 and s / c or nil
end

local questions = {
  { "q1", function() local out = {}
    for _, g in ipairs(groups(id1)) do out[#out + 1] = { sum(v1, g.rows) } end return out end },
  { "q2", function() local out = {}
    for _, g in ipairs(groups(id1, id2)) do out[#out + 1] = { sum(v1, g.rows) } end return out end },
  { "q3", function() local out = {}
    for _, g in ipairs(groups(id3)) do out[#out + 1] = { sum(v1, g.rows), mean(v3, g.rows) } end return out end },
  { "q4", function() local out = {}
    for _, g in ipairs(groups(id4)) do out[#out + 1] = { mean(v1, g.rows), mean(v2, g.rows), mean(v3, g.rows) } end
    return out end },
  { "q5", function() local out = {}
    for _, g in ipairs(groups(id6)) do out[#out + 1] = { sum(v1, g.rows), sum(v2, g.rows), sum(v3, g.rows) } end
    return out end },
  { "q6", function() local out = {}
    for _, g in ipairs(groups(id4, id5)) do
      local vals = {}
      for _, r in ipairs(g.rows) do if v3[r] then vals[#vals + 1] = v3[r] end end
      table.sort(vals)
      local m = #vals
      local med = m % 2 == 1 and vals[(m + 1) // 2] or (vals[m // 2] + vals[m // 2 + 1]) / 2
      local mu, ss = mean(v3, g.rows), 0
      for _, x in ipairs(vals) do ss = ss + (x - mu) ^ 2 end
      out[#out + 1] = { med, math.sqrt(ss / (m - 1)) }
    end
    return out end },
  { "q7", function() local out = {}
    for _, g in ipairs(groups(id3)) do
      local mx, mn
      for _, r in ipairs(g.rows) do
        if v1[r] and (not mx or v1[r] > mx) then mx = v1[r] end
        if v2[r] and (not mn or v2[r] < mn) then mn = v2[r] end
      end
      out[#out + 1] = { mx - mn }
    end
    return out end },
  { "q8", function() local out = {}
    for _, g in ipairs(groups(id6)) do
      local vals = {}
      for _, r in ipairs(g.rows) do if v3[r] then vals[#vals + 1] = v3[r] end end
      table.sort(vals, function(a, b) return a > b end)
      for i = 1, math.min(2, #vals) do out[#out + 1] = { vals[i] } end
    end
    return out end },
  { "q9", function() local out = {}
    for _, g in ipairs(groups(id2, id4)) do
      local xs, ys = {}, {}
      for _, r in ipairs(g.rows) do if v1[r] and v2[r] then xs[#xs + 1], ys[#ys + 1] = v1[r], v2[r] end end
      local mx, my, sxy, sxx, syy = 0, 0, 0, 0, 0
      for i = 1, #xs do mx, my = mx + xs[i], my + ys[i] end
      mx, my = mx / #xs, my / #ys
      for i = 1, #xs do
        sxy, sxx, syy = sxy + (xs[i] - mx) * (ys[i] - my), sxx + (xs[i] - mx) ^ 2, syy + (ys[i] - my) ^ 2
      end
      out[#out + 1] = { (sxy / math.sqrt(sxx * syy)) ^ 2 }
    end
    return out end },
  { "q10", function() local out = {}
    for _, g in ipairs(groups(id1, id2, id3, id4, id5, id6)) do out[#out + 1] = { sum(v3, g.rows), #g.rows } end
    return out end },
}

for _, q in ipairs(questions) do
  for run = 1, 2 do
    collectgarbage()
    local t = now()
    local ans = q[2]()
    local secs = now() - t
    local chk = {}
    for _, row in ipairs(ans) do
      for j, v in ipairs(row) do if v == v then chk[j] = (chk[j] or 0) + v end end
    end
    emit { { "tool", "plain-lua" }, { "data", data }, { "question", q[1] }, { "run", run }, { "seconds", secs },
      { "rows", #ans }, { "chk", chk } }
  end
end
