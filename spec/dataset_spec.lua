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
    assert.equals(1154, ds.projects:nrow())   -- 784 + 349 valid, 21 terminated
    assert.equals("date", ds.projects:column("license_date"):type())
    assert.equals("float", ds.projects:column("capital"):type())
    assert.equals("float", ds.projects:column("capital_usd"):type())
    assert.is_true(ds.fx:nrow() >= 37)
    -- the only warnings: the events of the two years without a USD/VND rate
    assert.equals(2, #ds.warnings, table.concat(ds.warnings, "\n"))
    assert.matches("^no USD/VND rate for 2022: %d+ event", ds.warnings[1])
    assert.matches("^no USD/VND rate for 2024: %d+ event", ds.warnings[2])
  end)

  it("converts each capital event at its own year's rate", function()
    local checked = 0
    for row in ds.projects:filter(zs.col("currency"):eq("VND") & zs.col("capital_usd"):is_na():eq(false)):head(40):rows() do
      local usd = 0
      for e in ds.events:filter(zs.col("project_id"):eq(row.id)):rows() do
        local sign = ({ new_licence = 1, capital_increase = 1, capital_decrease = -1 })[e.kind] or 0
        if sign ~= 0 then usd = usd + sign * e.amount / ds.rates[tonumber(e.date:sub(1, 4))] end
      end
      assert.near(usd, row.capital_usd, 1e-9 * usd, row.id)
      checked = checked + 1
    end
    assert.equals(40, checked)
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
    { "bad date", { ["projects.csv"] = edit_line(1, function(l)
      return (l:gsub(",%d%d%d%d%-%d%d%-%d%d,", ",1995-13-45,", 1))
    end) },
      "projects.csv:2: column 'license_date': '1995-13-45' is not a date (yyyy-mm-dd)" },
    { "unknown currency", { ["projects.csv"] = edit_line(2, function(l) return (l:gsub(",[UV][SN]D,", ",EUR,", 1)) end) },
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
        return edit_line(1, function(l) return (l:gsub(",[UV][SN]D,", ",EUR,", 1)) end)(
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

  it("warns about the events of a year without a rate, leaving their projects' USD NA", function()
    local dir = bad_folder("norate", { ["fx.csv"] = function(text) return (text:gsub("\n2019,[^\n]*", "", 1)) end })
    local d = assert(zs.dataset.load(dir))
    assert.equals(3, #d.warnings)
    assert.matches("^no USD/VND rate for 2019: %d+ event%(s%) not converted %(projects ", d.warnings[1])
    -- a VND project with a capital event in 2019 has no USD value now, a USD one no VND value;
    -- no other project lost either
    local in_2019 = {}
    for e in d.events:filter(zs.col("date"):ge("2019-01-01") & zs.col("date"):le("2019-12-31") &
      zs.col("amount"):is_na():eq(false) & zs.col("kind"):ne("share_purchase")):rows() do
      in_2019[e.project_id] = e.currency
    end
    local before = {}
    for row in ds.projects:rows() do before[row.id] = row end
    local lost = 0
    for row in d.projects:rows() do
      local other = in_2019[row.id] == "VND" and "capital_usd" or in_2019[row.id] == "USD" and "capital_vnd" or nil
      for _, c in ipairs({ "capital_usd", "capital_vnd" }) do
        if c == other then
          assert.is_nil(row[c], row.id)
          lost = lost + 1
        else
          assert.equals(before[row.id][c], row[c], row.id .. " " .. c)
        end
      end
    end
    assert.is_true(lost > 10)
  end)
end)
