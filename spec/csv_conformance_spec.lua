-- The public CSV suites in ../shared/testdata, read with type inference off
-- (every value a string) as their README says.
local zs = require "zonestat.engine"
local cjson = require "cjson"
local util = require "spec_util"

local function read_json(path)
  return cjson.decode(util.read(path))
end

describe("csv-spectrum", function()
  local dir = util.testdata .. "/csv-spectrum/"
  local cases = { "comma_in_quotes", "empty", "empty_crlf", "escaped_quotes", "json", "newlines",
    "newlines_crlf", "quotes_and_newlines", "simple", "simple_crlf", "utf8" }
  for _, name in ipairs(cases) do
    it(name, function()
      local f = assert(zs.read_csv(dir .. "csvs/" .. name .. ".csv", { infer = false, na = {} }))
      local expected = read_json(dir .. "json/" .. name .. ".json")
      assert.equals(#expected, f:nrow())
      for i, row in ipairs(expected) do
        for k, v in pairs(row) do assert.equals(v, f:get(k, i), name .. " row " .. i .. " " .. k) end
      end
    end)
  end

  it("location_coordinates (upstream expectation is wrong): rejects the stray quote, reads it leniently", function()
    local path = dir .. "csvs/location_coordinates.csv"
    local f, err = zs.read_csv(path, { infer = false })
    assert.is_nil(f)
    assert.matches(":2:%d+: quote inside an unquoted field", err)
    local g = assert(zs.read_csv(path, { infer = false, strict = false }))
    assert.equals("2095257564", g:get("Contact Phone Number", 1))
    assert.equals("Modesto", g:get("Cities", 1))
  end)
end)

describe("fastcsv-spec", function()
  local dir = util.testdata .. "/fastcsv-spec/json/"
  local files = { "comments-none", "comments-skip", "different-field-count", "empty-file", "escape-quotation",
    "line-breaks-within-fields", "line-breaks", "open-quotation", "quotation", "single-line", "skip-empty-lines",
    "spaces-around-quotes", "spaces-unquoted", "trailing-field-separator" }
  -- comments-read.json wants comment lines returned as records, which this
  -- reader does not do: comments are skipped or are data.

  local function expand(s, eol)
    return (s:gsub("␊", "\n"):gsub("␍", "\r"):gsub("␤", "\r\n"):gsub("⏎", eol))
  end

  --- the frame's rows as arrays of strings
  local function records(f)
    local out = {}
    for i = 1, f:nrow() do
      local rec = {}
      for j, name in ipairs(f:names()) do
        local v = f:get(name, i)
        rec[j] = v
      end
      out[i] = rec
    end
    return out
  end

  for _, file in ipairs(files) do
    local spec = read_json(dir .. file .. ".json")
    local settings = spec.settings or {}
    for _, check in ipairs(spec.checks) do
      local eols = check.input:find("⏎") and { "\n", "\r\n", "\r" } or { "\n" }
      for _, eol in ipairs(eols) do
        it(check.id .. " " .. (eol == "\n" and "LF" or eol == "\r\n" and "CRLF" or "CR"), function()
          local opts = { header = false, infer = false, na = {},
            skip_empty = settings.skipEmptyLines == true,
            comment = settings.commentMode == "SKIP" and "#" or nil }
          local input = expand(check.input, eol)
          local expected = {}
          for i, rec in ipairs(check.records) do
            expected[i] = {}
            for j, v in ipairs(rec) do expected[i][j] = expand(v, eol) end
          end
          -- records of different lengths need padding (ragged rows are an error by default)
          for _, rec in ipairs(expected) do
            if #rec ~= #expected[1] then opts.pad = true end
          end
          local f, err = zs.parse_csv(input, opts)
          if f == nil then
            assert.is_true(settings.exceptionAllowed == true, "rejected: " .. tostring(err))
            assert.matches("^<string>:%d+:%d+: ", err)
            -- the lenient reader must then give the expected records
            opts.strict, opts.pad = false, true
            f = zs.parse_csv(input, opts)
            if not f then return end -- a field-count mismatch stays an error
          end
          assert.same(expected, records(f))
        end)
      end
    end
  end
end)
