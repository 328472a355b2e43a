-- Side-by-side Markdown tables from the benchmark JSON lines.
--
--   lua5.4 bench/compare.lua [--ref TOOL] FILE.jsonl...
--
-- Input: one JSON object per line, as written by the peers (bench/peers/*) and by zonestat's
-- bench script, in either shape:
--   {"tool":T,"data":D,"task":"load","variant":V,"seconds":S,"rows":N}
--   {"tool":T,"data":D,"question":"q1","run":R,"seconds":S,"rows":N,"cols":C,"chk":[...]}
-- "data" names the CSV (e.g. G1_1e7_1e2_0_0): one set of tables is printed per data set.
-- A line without "data" joins the data set of the other lines when there is only one.
--
-- For each question the table shows the median over processes of the run-1 seconds of each
-- tool, the ratio of each tool's time to the reference tool's (TOOL/ref: >1 means the reference
-- is faster), and whether the checksums agree.  The reference is zonestat when present, else
-- --ref, else the first tool seen.
--
-- Agreement = same number of result rows and the same checksums; the number of columns is
-- not compared (zonestat's q7 result keeps the max and min it subtracts, for instance).
-- chk = the sum of each measure column of the result (db-benchmark's check).  Integer-valued
-- ones (sums of v1/v2, ranges, counts) must agree exactly; the others within 1e-6 relative.
-- DuckDB keeps v3 as FLOAT (single precision), so its v3-based sums differ a little; the
-- column prints the largest relative difference observed, so nothing is hidden.
local cjson = require "cjson"

local REL_TOL = 1e-6
local QUESTIONS = { "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10" }
-- per question, the kind of each chk entry: "i" integer-valued (exact), "f" float (relative)
local CHK_KIND = {
  q1 = "i", q2 = "i", q3 = "if", q4 = "fff", q5 = "iif",
  q6 = "ff", q7 = "i", q8 = "f", q9 = "f", q10 = "fi",
}

local function usage()
  io.stderr:write("usage: lua5.4 compare.lua [--ref TOOL] FILE.jsonl...\n")
  os.exit(2)
end

local ref_arg, files = nil, {}
do
  local i = 1
  while i <= #arg do
    if arg[i] == "--ref" then ref_arg = arg[i + 1]; i = i + 2
    else files[#files + 1] = arg[i]; i = i + 1 end
  end
  if #files == 0 or (ref_arg == nil and arg[#arg] == "--ref") then usage() end
end

-- ---- read ----
local lines = {}
for _, path in ipairs(files) do
  local f = assert(io.open(path, "r"))
  local n = 0
  for line in f:lines() do
    n = n + 1
    if line:match("%S") then
      local ok, obj = pcall(cjson.decode, line)
      if not ok or type(obj) ~= "table" then
        io.stderr:write(("compare: %s:%d: not a JSON object\n"):format(path, n))
        os.exit(1)
      end
      lines[#lines + 1] = obj
    end
  end
  f:close()
end

local function val(x) if x == cjson.null then return nil end return x end

-- data sets, in order of appearance; unnamed lines join the only named one
local datasets, seen = {}, {}
for _, o in ipairs(lines) do
  local d = val(o.data)
  if d and not seen[d] then seen[d] = true; datasets[#datasets + 1] = d end
end
if #datasets == 0 then datasets[1] = "(unnamed)" end
local default_data = #datasets == 1 and datasets[1] or "(unnamed)"
if default_data == "(unnamed)" and not seen["(unnamed)"] and #datasets > 1 then
  for _, o in ipairs(lines) do
    if not val(o.data) then datasets[#datasets + 1] = "(unnamed)"; break end
  end
end

local function median(xs)
  if #xs == 0 then return nil end
  local s = {}
  for i, x in ipairs(xs) do s[i] = x end
  table.sort(s)
  local m = (#s + 1) // 2
  if #s % 2 == 1 then return s[m] end
  return (s[m] + s[m + 1]) / 2
end

local function fmt_n(x)  -- counts arrive as floats from cjson: print 100, not 100.0
  x = val(x)
  if type(x) == "number" then return tostring(math.tointeger(x) or x) end
  return "?"
end
local function fmt_s(x) return x and ("%.3f"):format(x) or "—" end
local function fmt_ratio(a, b)
  if not a or not b or b == 0 then return "—" end
  return ("%.2f"):format(a / b)
end

-- compare one tool's chk against the reference's: returns ok, worst relative difference, note
local function check(q, chk, ref)
  local kinds, worst, notes = CHK_KIND[q] or "", 0, {}
  if #chk ~= #ref then return false, nil, ("%d vs %d sums"):format(#chk, #ref) end
  for j = 1, #ref do
    local a, b = val(chk[j]), val(ref[j])
    local kind = kinds:sub(j, j)
    if a == nil or b == nil then
      if a ~= b then notes[#notes + 1] = ("chk[%d] NA"):format(j) end
    elseif kind == "i" then
      if a ~= b then notes[#notes + 1] = ("chk[%d] %.17g vs %.17g"):format(j, a, b) end
    else
      local rel = math.abs(a - b) / math.max(math.abs(a), math.abs(b), 1e-300)
      if rel > worst then worst = rel end
      if rel > REL_TOL then notes[#notes + 1] = ("chk[%d] rel %.1e"):format(j, rel) end
    end
  end
  return #notes == 0, worst, table.concat(notes, ", ")
end

local function report(data)
  local tools, tseen = {}, {}
  local runs = {}   -- runs[tool][q] = {line, ...} with run == 1
  local loads = {}  -- loads[tool .. " " .. variant] = {seconds...}, with load_keys order
  local load_keys, load_rows = {}, {}
  local peaks = {}  -- peaks[key] = {peak memory / loaded columns, ...} (bench/load.lua)
  for _, o in ipairs(lines) do
    if (val(o.data) or default_data) == data then
      local t = tostring(val(o.tool) or "?")
      if not tseen[t] then tseen[t] = true; tools[#tools + 1] = t end
      if val(o.task) == "load" then
        local key = val(o.variant) and (t .. " (" .. o.variant .. ")") or t
        if not loads[key] then loads[key] = {}; peaks[key] = {}; load_keys[#load_keys + 1] = key end
        table.insert(loads[key], o.seconds)
        if val(o.peak_ratio) then table.insert(peaks[key], o.peak_ratio) end
        load_rows[key] = val(o.rows)
      elseif val(o.question) and val(o.run) == 1 then
        runs[t] = runs[t] or {}
        runs[t][o.question] = runs[t][o.question] or {}
        table.insert(runs[t][o.question], o)
      end
    end
  end
  if #tools == 0 then return end
  local ref = (tseen.zonestat and "zonestat") or (ref_arg and tseen[ref_arg] and ref_arg) or tools[1]
  local others = {}
  for _, t in ipairs(tools) do if t ~= ref then others[#others + 1] = t end end
  tools = { ref, table.unpack(others) }

  print(("## %s\n"):format(data))
  print(("Run-1 seconds, median over processes; ratio = tool / %s (>1: %s faster).\n"):format(ref, ref))

  -- question table
  local head, rule = { "question", "rows" }, { "---", "---:" }
  for _, t in ipairs(tools) do head[#head + 1] = t .. " s"; rule[#rule + 1] = "---:" end
  for _, t in ipairs(others) do head[#head + 1] = t .. "/" .. ref; rule[#rule + 1] = "---:" end
  head[#head + 1] = "chk"; rule[#rule + 1] = "---"
  print("| " .. table.concat(head, " | ") .. " |")
  print("| " .. table.concat(rule, " | ") .. " |")
  local total, ncommon = {}, 0
  for _, t in ipairs(tools) do total[t] = 0 end
  for _, q in ipairs(QUESTIONS) do
    local med, first = {}, {}
    for _, t in ipairs(tools) do
      local ls = runs[t] and runs[t][q]
      if ls then
        local secs = {}
        for i, o in ipairs(ls) do secs[i] = o.seconds end
        med[t] = median(secs)
        first[t] = ls[1]
      end
    end
    local common = true  -- sums only over questions that every tool ran
    for _, t in ipairs(tools) do common = common and med[t] ~= nil end
    if common then
      ncommon = ncommon + 1
      for _, t in ipairs(tools) do total[t] = total[t] + med[t] end
    end
    if next(first) then
      local r = first[ref]
      local any = r
      if not any then for _, t in ipairs(tools) do any = any or first[t] end end
      local row = { q, fmt_n(any.rows) }
      for _, t in ipairs(tools) do row[#row + 1] = fmt_s(med[t]) end
      for _, t in ipairs(others) do row[#row + 1] = fmt_ratio(med[t], med[ref]) end
      -- checksum agreement against the reference (or the first tool that has this question)
      local base = any
      local ok, worst, notes = true, 0, {}
      for _, t in ipairs(tools) do
        local o = first[t]
        if o and o ~= base then
          -- rows must agree; "cols" may not (a tool may keep helper columns, e.g. the
          -- max and min of q7, or omit the field), so it is not part of the check
          if o.rows ~= base.rows then
            ok = false
            notes[#notes + 1] = ("%s: %s rows vs %s"):format(t, fmt_n(o.rows), fmt_n(base.rows))
          end
          local good, w, note = check(q, o.chk or {}, base.chk or {})
          if w and w > worst then worst = w end
          if not good then ok = false; notes[#notes + 1] = t .. ": " .. note end
        end
      end
      local cell = ok and "ok" or ("MISMATCH " .. table.concat(notes, "; "))
      if worst > 0 then cell = cell .. (" (max rel %.1e)"):format(worst) end
      row[#row + 1] = cell
      print("| " .. table.concat(row, " | ") .. " |")
    end
  end
  local row = { ("**sum** (%d q)"):format(ncommon), "" }
  for _, t in ipairs(tools) do row[#row + 1] = fmt_s(total[t]) end
  for _, t in ipairs(others) do row[#row + 1] = fmt_ratio(total[t], total[ref]) end
  row[#row + 1] = ""
  print("| " .. table.concat(row, " | ") .. " |")

  -- load table
  if #load_keys > 0 then
    local ref_key
    for _, k in ipairs(load_keys) do
      if k == ref or k:sub(1, #ref + 2) == ref .. " (" then ref_key = ref_key or k end
    end
    print(("\nLoad (CSV to in-memory table), seconds, median over processes; ratio = load / %s.\n")
      :format(ref_key or "—"))
    print("| tool | rows | runs | median s | ratio | peak memory / columns |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for _, k in ipairs(load_keys) do
      local m = median(loads[k])
      local rk = ref_key and median(loads[ref_key])
      local pk = median(peaks[k])
      print(("| %s | %s | %d | %s | %s | %s |"):format(k, fmt_n(load_rows[k]), #loads[k], fmt_s(m),
        fmt_ratio(m, rk), pk and ("%.2f"):format(pk) or "—"))
    end
  end
  print("")
end

for _, d in ipairs(datasets) do report(d) end
