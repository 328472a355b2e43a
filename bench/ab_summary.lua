-- Medians of run-1 seconds per file, question and tree ("before", "after")
-- from the JSON lines of bench/ab.sh, as a Markdown table with the ratio.
--   lua5.4 bench/ab_summary.lua bench/results/ab.jsonl
local cjson = require "cjson"

local cells = {}
local path = assert(arg[1], "usage: ab_summary.lua FILE.jsonl")
for line in io.lines(path) do
  local r = cjson.decode(line)
  if r.question and r.run == 1 then
    local key = r.data .. "|" .. r.question
    cells[key] = cells[key] or { before = {}, after = {} }
    table.insert(cells[key][r.tree], r.seconds)
  end
end

local function median(a)
  table.sort(a)
  local n = #a
  if n == 0 then return 0 / 0 end
  return n % 2 == 1 and a[(n + 1) / 2] or (a[n / 2] + a[n / 2 + 1]) / 2
end

local keys = {}
for k in pairs(cells) do keys[#keys + 1] = k end
local function parts(k) local d, q = k:match("^(.*)|q(%d+)$") return d, tonumber(q) end
table.sort(keys, function(a, b)
  local da, qa = parts(a)
  local db, qb = parts(b)
  if da ~= db then return da < db end
  return qa < qb
end)

print("| file | question | before (s) | after (s) | after / before | processes |")
print("| --- | --- | ---: | ---: | ---: | ---: |")
local sums, order = {}, {}
for _, k in ipairs(keys) do
  local d, q = parts(k)
  local n = #cells[k].before
  local b, a = median(cells[k].before), median(cells[k].after)
  if not sums[d] then sums[d], order[#order + 1] = { 0, 0 }, d end
  sums[d][1], sums[d][2] = sums[d][1] + b, sums[d][2] + a
  print(string.format("| %s | q%d | %.4f | %.4f | %.2f | %d |", d, q, b, a, a / b, n))
end
for _, d in ipairs(order) do
  print(string.format("| %s | sum of medians | %.3f | %.3f | %.3f | |", d, sums[d][1], sums[d][2], sums[d][2] / sums[d][1]))
end
