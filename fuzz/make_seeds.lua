-- make_seeds.lua TESTDATA OUTDIR: seed inputs for csv_fuzz from the public
-- CSV suites (csv-spectrum csvs, fastcsv spec checks and BOM samples).
-- Each seed is two option bytes (see csv_fuzz.c) followed by the CSV text;
-- every text is written with a few option combinations.
local cjson = require "cjson"
local testdata, out = arg[1], arg[2]
assert(testdata and out, "usage: lua5.4 make_seeds.lua TESTDATA OUTDIR")

local function read(path)
  local fh = io.open(path, "rb")
  if not fh then return nil end
  local s = fh:read("a")
  fh:close()
  return s
end

local function list(dir, pattern)
  local names = {}
  local p = io.popen('ls "' .. dir .. '" 2>/dev/null')
  for name in p:lines() do
    if name:match(pattern) then names[#names + 1] = name end
  end
  p:close()
  return names
end

local n = 0
-- b0: bit0 no header, bits1-2 sep (0 ",", 1 ";", 2 tab), bit3 decimal ",",
--     bit4 lenient, bit5 pad, bit6 no inference, bit7 comment "#"
-- b1: bit0 threads 4, bit1 keep empty lines, bit2 nrows = b1 >> 3
local variants = {
  { 0x00, 0x01 }, -- defaults, threads compared
  { 0x31, 0x01 }, -- no header, lenient, pad
  { 0x80, 0x03 }, -- comments, keep empty lines
  { 0x50, 0x01 }, -- lenient, no inference
  { 0x00, 0x1d }, -- nrows = 3
  { 0x0a, 0x01 }, -- sep ";", decimal ","
}
local function seed(name, text)
  for i, v in ipairs(variants) do
    n = n + 1
    local fh = assert(io.open(string.format("%s/%s-%d", out, name, i), "wb"))
    fh:write(string.char(v[1], v[2]), text)
    fh:close()
  end
end

for _, name in ipairs(list(testdata .. "/csv-spectrum/csvs", "%.csv$")) do
  seed("spectrum-" .. name, read(testdata .. "/csv-spectrum/csvs/" .. name))
end
for _, name in ipairs(list(testdata .. "/fastcsv-spec", "%.csv$")) do
  seed("fastcsv-" .. name, read(testdata .. "/fastcsv-spec/" .. name))
end
local eols = { "\n", "\r\n", "\r" }
for _, name in ipairs(list(testdata .. "/fastcsv-spec/json", "%.json$")) do
  local spec = cjson.decode(read(testdata .. "/fastcsv-spec/json/" .. name))
  for _, check in ipairs(spec.checks or {}) do
    local input = check.input:gsub("␊", "\n"):gsub("␍", "\r"):gsub("␤", "\r\n")
    if input:find("⏎", 1, true) then
      for k, eol in ipairs(eols) do seed(check.id .. "-eol" .. k, (input:gsub("⏎", eol))) end
    else
      seed(check.id, input)
    end
  end
end
-- typed and multi-threaded shapes the suites do not have
local typed = { "k,v,d,b,s" }
for i = 1, 40 do
  typed[#typed + 1] = string.format("%d,%s,2024-01-%02d,%s,%s", i % 7, (i % 5 == 0) and "" or tostring(i / 4),
    i % 28 + 1, (i % 3 == 0) and "true" or "NA", (i % 11 == 0) and '"x\n,y"' or ("s" .. i))
end
seed("typed", table.concat(typed, "\n") .. "\n")
seed("decimal-comma", "a;b\n1.234,5;2\n3,25;NA\n")
seed("late-text", "a,b\n1,2\n3,4\n5,6\nx,7\n")
print(n .. " seeds in " .. out)
