local zs = require "zonestat"
local util = require "spec_util"

--- a copy of the bundled data in a temporary folder, with edits:
-- edits[file] = function(text) return new_text end
local function bad_folder(name, edits)
  local dir = util.tmpdir() .. "/" .. name
  util.run("rm -rf " .. dir .. " && mkdir -p " .. dir .. " && cp data/vn/*.csv " .. dir)
  for file, edit in pairs(edits) do
    local path = dir .. "/" .. file
    local text = util.read(path)
    local fh = assert(io.open(path, "wb"))
    fh:write(edit(text))
    fh:close()
  end
  return dir
end

--- replace the n-th data line (1 = first after the header) of a CSV text
local function edit_line(n, fn)
  return function(text)
    local lines = {}
    for line in (text):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
    lines[n + 1] = fn(lines[n + 1])
    return table.concat(lines, "\n") .. "\n"
  end
end

describe("dataset", function()
  local ds = assert(zs.dataset.load())

  it("loads the bundled data with typed columns", function()
    assert.equals("frame", zs.type(ds.zones))
    assert.equals(1133, ds.projects:nrow())
    assert.equals("date", ds.projects:column("license_date"):type())
    assert.equals("float", ds.projects:column("capital"):type())
    assert.equals("float", ds.projects:column("capital_usd"):type())
    assert.is_true(ds.fx:nrow() >= 18)
    assert.equals(0, #ds.warnings)
  end)

  it("converts VND capital at the license year's rate", function()
    local p = ds.projects:filter(zs.col("currency"):eq("VND")):head(1)
    local year = p:get("year", 1)
    assert.equals(p:get("capital", 1) / ds.rates[year], p:get("capital_usd", 1))
  end)

  it("marks the synthetic rows", function()
    assert.equals(ds.projects:nrow(), ds.projects:filter(zs.col("synthetic"):eq("yes")):nrow())
  end)

  it("finds provinces and zones by name, with or without diacritics, in NFC or NFD", function()
    for _, q in ipairs({ "hp", "Hải Phòng", "Hai Phong", "TP. Hải Phòng", "HẢI PHÒNG", "Ha\204\137i Pho\204\128ng",
      "thành phố Hải Phòng" }) do
      assert.equals("hp", ds:province(q), q)
    end
    assert.equals("qn", ds:province("Quang Ngai province"))
    local none, err = ds:province("Atlantis")
    assert.is_nil(none)
    assert.equals("no province named 'Atlantis'", err)
    assert.equals("hp-kcn-dinh-vu", ds:zone("KCN Đình Vũ"))
    assert.equals("qn-kkt-dung-quat", ds:zone("Dung Quat"))
    local amb, aerr = ds:zone("Đình Vũ")
    assert.is_nil(amb)
    assert.matches("ambiguous", aerr)
  end)

  it("normalizes text to NFC on load", function()
    local dir = bad_folder("nfd", { ["zones.csv"] = function(text)
      return (text:gsub("Đồ Sơn", "\196\144o\204\130\204\128 So\204\155n")) -- decomposed
    end })
    local d = assert(zs.dataset.load(dir))
    assert.equals("hp-kcn-do-son", d:zone("KCN Đồ Sơn"))
    assert.equals("KCN Đồ Sơn", d.zones:get("name", d.zone_index["hp-kcn-do-son"]))
  end)

  local problems_cases = {
    { "unknown zone", { ["projects.csv"] = edit_line(3, function(l) return (l:gsub(",hp%-kcn%-[%w%-]+,", ",nowhere,", 1)) end) },
      "projects.csv:4: column 'zone_id': unknown zone_id 'nowhere'" },
    { "negative area", { ["zones.csv"] = edit_line(2, function(l) return (l:gsub(",153,120,", ",-153,120,", 1)) end) },
      "zones.csv:3: column 'natural_area_ha': -153 is below 0" },
    { "bad date", { ["projects.csv"] = edit_line(1, function(l) return (l:gsub("1995%-11%-15", "1995-13-45", 1)) end) },
      "projects.csv:2: column 'license_date': '1995-13-45' is not a date (yyyy-mm-dd)" },
    { "unknown currency", { ["projects.csv"] = edit_line(2, function(l) return (l:gsub(",USD,", ",EUR,", 1)) end) },
      "projects.csv:3: column 'currency': unknown currency 'EUR' (expected USD, VND; " ..
        "or map it: value,EUR,projects.currency=...)" },
    { "unknown status", { ["projects.csv"] = edit_line(5, function(l) return (l:gsub(",operating,", ",closed,", 1)) end) },
      "projects.csv:6: column 'status': unknown status 'closed' (expected licensed, construction, operating, " ..
        "suspended, terminated; or map it: value,closed,projects.status=...)" },
    { "duplicate id", { ["projects.csv"] = edit_line(2, function(l) return (l:gsub("^syn%-hp%-0002", "syn-hp-0001")) end) },
      "projects.csv:3: column 'id': duplicate id 'syn-hp-0001' (first on line 2)" },
  }
  for _, case in ipairs(problems_cases) do
    it("reports " .. case[1] .. " with file and line", function()
      local dir = bad_folder(case[1]:gsub(" ", "_"), case[2])
      local d, problems = zs.dataset.load(dir)
      assert.is_nil(d)
      local found = false
      for _, p in ipairs(problems) do
        if p == dir .. "/" .. case[3] then found = true end
      end
      assert.is_true(found, "expected '" .. case[3] .. "' among:\n" .. table.concat(problems, "\n"))
    end)
  end

  it("reports every problem at once", function()
    local dir = bad_folder("many", {
      ["projects.csv"] = function(text)
        return edit_line(1, function(l) return (l:gsub(",USD,", ",EUR,", 1)) end)(
          edit_line(2, function(l) return (l:gsub(",operating,", ",closed,", 1)) end)(text))
      end,
      ["zones.csv"] = edit_line(2, function(l) return (l:gsub(",153,120,", ",-153,120,", 1)) end),
    })
    local d, problems = zs.dataset.load(dir)
    assert.is_nil(d)
    assert.is_true(#problems >= 3)
  end)

  it("reports a missing folder or file", function()
    local d, problems = zs.dataset.load(util.tmpdir() .. "/no-such-folder")
    assert.is_nil(d)
    assert.matches("no%-such%-folder: No such file or directory", problems[1])
  end)

  it("warns about VND projects in years without a rate, leaving capital_usd NA", function()
    local dir = bad_folder("norate", { ["projects.csv"] = function(text)
      return (text:gsub("(,VND,%d*,)20%d%d(%-%d%d%-%d%d)", "%12022%2", 1))
    end })
    local d = assert(zs.dataset.load(dir))
    assert.equals(1, #d.warnings)
    assert.matches("no USD/VND rate for 2022", d.warnings[1])
    assert.equals(1, d.projects:column("capital_usd"):na_count())
  end)
end)
