-- db-benchmark groupby questions q1..q10 in zonestat, each run twice.
-- Prints one JSON line per load and per question run, in the format of the
-- peer scripts (see compare.lua):
--   lua5.4 bench/groupby.lua bench/data/G1_1e7_1e2_0_0.csv [threads]
-- chk = the sum of each measure column of the answer, as db-benchmark.
local zs = require "zonestat"
local system = require "system"

local file = assert(arg[1], "usage: groupby.lua FILE.csv [threads]")
if arg[2] then zs.set_threads(tonumber(arg[2])) end
local data = file:match("([^/]+)%.csv$")
local col = zs.col

local function now() return system.gettime() end

local function emit(t)
  local parts = {}
  for _, k in ipairs({ "tool", "data", "task", "question", "run", "seconds", "rows", "cols", "threads" }) do
    local v = t[k]
    if v ~= nil then
      parts[#parts + 1] = string.format("%q:%s", k, type(v) == "string" and string.format("%q", v) or zs.format_number(v))
    end
  end
  if t.chk then
    local c = {}
    for i, v in ipairs(t.chk) do c[i] = zs.format_number(v) end
    parts[#parts + 1] = '"chk":[' .. table.concat(c, ",") .. "]"
  end
  print("{" .. table.concat(parts, ",") .. "}")
  io.stdout:flush()
end

collectgarbage()
local t0 = now()
local x = assert(zs.read_csv(file))
emit { tool = "zonestat", data = data, task = "load", seconds = now() - t0, rows = x:nrow(), threads = zs.get_threads() }

local questions = {
  { "q1", function() return x:group_by("id1"):agg(zs.sum("v1"):as("v1")) end, { "v1" } },
  { "q2", function() return x:group_by("id1", "id2"):agg(zs.sum("v1"):as("v1")) end, { "v1" } },
  { "q3", function() return x:group_by("id3"):agg(zs.sum("v1"):as("v1"), zs.mean("v3"):as("v3")) end, { "v1", "v3" } },
  { "q4", function()
    return x:group_by("id4"):agg(zs.mean("v1"):as("v1"), zs.mean("v2"):as("v2"), zs.mean("v3"):as("v3"))
  end, { "v1", "v2", "v3" } },
  { "q5", function()
    return x:group_by("id6"):agg(zs.sum("v1"):as("v1"), zs.sum("v2"):as("v2"), zs.sum("v3"):as("v3"))
  end, { "v1", "v2", "v3" } },
  { "q6", function()
    return x:group_by("id4", "id5"):agg(zs.median("v3"):as("median_v3"), zs.sd("v3"):as("sd_v3"))
  end, { "median_v3", "sd_v3" } },
  { "q7", function()
    return x:group_by("id3"):agg(zs.max("v1"):as("a"), zs.min("v2"):as("b")):mutate { range_v1_v2 = col("a") - col("b") }
  end, { "range_v1_v2" } },
  { "q8", function() return x:group_by("id6"):agg(zs.top("v3", 2):as("largest2_v3")) end, { "largest2_v3" } },
  { "q9", function() return x:group_by("id2", "id4"):agg(zs.corr("v1", "v2"):as("r")):mutate { r2 = col("r") ^ 2 } end,
    { "r2" } },
  { "q10", function()
    return x:group_by("id1", "id2", "id3", "id4", "id5", "id6"):agg(zs.sum("v3"):as("v3"), zs.count():as("count"))
  end, { "v3", "count" } },
}

local only = os.getenv("QUESTIONS")
for _, q in ipairs(questions) do
  local name, run, measures = q[1], q[2], q[3]
  if not only or only:find("%f[%w]" .. name .. "%f[%W]") then
    for r = 1, 2 do
      collectgarbage()
      local t = now()
      local ans = run()
      local secs = now() - t
      local chk = {}
      for i, m in ipairs(measures) do chk[i] = ans:column(m):sum() end
      emit { tool = "zonestat", data = data, question = name, run = r, seconds = secs, rows = ans:nrow(),
        cols = ans:ncol(), chk = chk, threads = zs.get_threads() }
      ans = nil -- luacheck: ignore
    end
  end
end
