-- Reports a board can sign: no false zeros, provenance and qualifiers in
-- every cell, as-of everywhere, one-province reports, Vietnamese throughout,
-- numbers for every unit, charts a reader can use.
local zs = require "zonestat"
local util = require "spec_util"

local function contains(text, s) return text:find(s, 1, true) ~= nil end

local ds = assert(zs.dataset.load())
local I = zs.indicators

local function md(opts) return assert(zs.report.markdown(ds, opts)) end

-- the numeric cells of the Markdown tables (right-aligned columns)
local function numeric_cells(text)
  local cells = {}
  local align
  for line in text:gmatch("[^\n]+") do
    if line:find("^|[ -:|]+|$") and line:find("%-%-%-") then
      align = {}
      for a in line:gmatch("|([^|]*)") do align[#align + 1] = a:find(":") ~= nil end
    elseif line:find("^| ") and align then
      local k = 0
      for c in (line .. "|"):gmatch("|%s*(.-)%s*%f[|]") do
        k = k + 1
        if align[k] and c ~= "" then cells[#cells + 1] = c end
      end
    elseif not line:find("^|") then
      align = nil
    end
  end
  return cells
end

describe("missing is never zero", function()
  it("gives an entity without data no figures, each with its reason", function()
    local p = assert(I.profile(ds, "Hà Nội", { as_of = "2024-06-30" }))
    for key, f in pairs(p.figures) do
      assert.is_nil(f.value, key)
      assert.equals("no_zones", f.reason, key)
    end
    local text = md({ provinces = { "hp", "hn" }, as_of = "2024-06-30" })
    assert.is_nil(text:find("| 0 dự án", 1, true))
    assert.is_true(contains(text, "| Số dự án | 784 dự án GL | – (không có khu nào trong dữ liệu) | – |"), text)
  end)

  it("leaves out what does not apply, and says over how many parks a total is", function()
    local kcn = assert(I.profile(ds, { zone = "KCN Đình Vũ" }, { as_of = "2024-06-30" }))
    assert.is_nil(kcn.figures.kkt_natural_area_ha)
    local hp = assert(I.profile(ds, "hp", { as_of = "2024-06-30" }))
    assert.same({ have = 9, of = 14, what = "kcn_area" }, hp.figures.kcn_natural_area_ha.coverage)
    assert.is_true(contains(md({ provinces = { "hp" } }), "4.690,57 ha DX (9/14 KCN có số liệu diện tích)"))
  end)

  it("makes a ratio over missing data missing, with the reason", function()
    local qn = assert(I.profile(ds, "qn", { as_of = "2024-06-30" }))
    assert.is_nil(qn.figures.capital_per_ha.value)
    assert.equals("no_tenants", qn.figures.capital_per_ha.reason)
    -- the one park with land figures has 0 leased: a true 0 %, over 1 of 8 parks
    assert.equals(0, qn.figures.occupancy.value)
    assert.same({ have = 1, of = 8, what = "land" }, qn.figures.occupancy.coverage)
    local text = md({ provinces = { "qn" } })
    assert.is_true(contains(text, "0% DX (1/8 KCN có số liệu đất)"), text)
  end)

  it("says 'no data' for a zone the registry has no project in", function()
    local text = md({ provinces = { "qn" } })
    assert.is_true(contains(text, "| KCN Phổ Phong | KCN | 157,38 ha [") and
      contains(text, "| – (danh sách dự án không có dự án nào ở các khu này) | – | – | – |"), text)
  end)
end)

describe("provenance in every cell", function()
  it("marks every number of every table: a source, or how it was made", function()
    for _, locale in ipairs({ "vi", "en" }) do
      local text = md({ provinces = { "qn", "hp" }, locale = locale })
      local marks = locale == "vi" and { "TL", "DX", "SR", "GL" } or { "R", "D", "I", "S" }
      for _, c in ipairs(numeric_cells(text)) do
        local ok = c:find("^–") or c:find("%[%d+%]") or c:match("^[%+%-]?[%d.,]+%%$")
        for _, m in ipairs(marks) do ok = ok or c:find(" " .. m .. "%f[%W]") or c:find(" " .. m .. "$") end
        assert.is_truthy(ok, locale .. ": a cell without provenance: " .. c)
      end
    end
  end)

  it("tells published figures from synthetic ones", function()
    local text = md({ provinces = { "qn", "hp" } })
    assert.is_true(contains(text, "| Dự án đang hoạt động | 256 dự án [1] | 30/06/2024 | 256 dự án GL |"))
    assert.is_true(contains(text, "| Vốn đầu tư trong nước | 13,7 tỷ USD DX [1] |"), "the derived 13.7 bn")
    assert.is_true(contains(text, "| Tỷ lệ lấp đầy | 65% [") and contains(text, "| 65% GL |"))
  end)

  it("reports on one KCN, without the figures of a KKT", function()
    local text = md({ zones = { "KCN Nam Cầu Kiền" }, locale = "en" })
    assert.is_true(contains(text, "# Economic zones and industrial parks: KCN Nam Cầu Kiền"), text)
    assert.is_true(contains(text, "| Projects | over 50 projects [1] | 2020-08-31 |"), text)
    assert.is_nil(text:find("Natural area of", 1, true))
  end)

  it("puts the class, qualifier and coverage in csv and json", function()
    local out = util.run("(lua5.4 bin/zonestat compare hp qn --format csv 2>/dev/null)")
    local f = assert(zs.parse_csv(out, { locale = "vi" }))
    for _, name in ipairs({ "entity", "indicator", "value", "unit", "class", "qualifier", "coverage", "reason" }) do
      assert.is_true(f:has(name), name)
    end
    local area = f:filter(zs.col("indicator"):eq("kcn_natural_area_ha") & zs.col("entity"):eq("hp"))
    assert.equals("derived", area:get("class", 1))
    assert.equals("9/14 KCN có số liệu diện tích", area:get("coverage", 1))
    assert.equals(4690.57, area:get("value", 1)) -- full precision, not the rounded text
  end)

  it("uses published ranks only for claims, quoted with their source", function()
    local text = md({ provinces = { "hp" }, as_of = "2024-06-30" })
    assert.is_true(contains(text, "1 trong 3 địa phương dẫn đầu cả nước về thu hút FDI 3 năm liên tiếp (2021–2023)"))
    assert.is_nil(text:find("4 năm liên tiếp", 1, true))
    assert.is_nil(text:find("2021–2024", 1, true))
  end)
end)

describe("qualifiers", function()
  it("keeps the sources' own words in every output", function()
    local vi = md({ provinces = { "qn", "hp" } })
    for _, s in ipairs({ "gần 38,3 tỷ USD", "gần 24,6 tỷ USD", "khoảng 18,37 tỷ USD", "hơn 121 nghìn tỷ đồng",
      "trên 45.000 ha", "hơn 27 năm" }) do
      assert.is_true(contains(vi, s), s)
    end
    local en = md({ provinces = { "qn", "hp" }, locale = "en" })
    for _, s in ipairs({ "nearly 38.3 bn USD", "about 18.37 bn USD", "over 121 trn VND", "over 45,000 ha" }) do
      assert.is_true(contains(en, s), s)
    end
  end)

  it("are data in figures.csv, checked on load", function()
    local row = ds.figures:filter(zs.col("entity"):eq("hp") & zs.col("indicator"):eq("capital_registered") &
      zs.col("as_of"):eq("2024-06-30"))
    assert.equals("nearly", row:get("qualifier", 1))
    assert.equals("gần", row:get("qualifier_text", 1))
    local dir = util.tmpdir() .. "/badqual"
    util.run("rm -rf " .. dir .. " && cp -r data/vn " .. dir)
    local text = util.read(dir .. "/figures.csv"):gsub(",nearly,gần,", ",almost,gần,", 1)
    local fh = assert(io.open(dir .. "/figures.csv", "wb"))
    fh:write(text)
    fh:close()
    local d, problems = zs.dataset.load(dir)
    assert.is_nil(d)
    assert.matches("column 'qualifier': unknown qualifier 'almost'", problems[1])
  end)

  it("are written by units.format in either locale", function()
    assert.equals("gần 38,3 tỷ USD", zs.units.format(38.3e9, "USD", { qualifier = "nearly", qualifier_text = "gần" }))
    assert.equals("trên 45.000 ha", zs.units.format(45000, "ha", { qualifier = "over", qualifier_text = "trên" }))
    assert.equals("hơn 5 dự án", zs.units.format(5, "projects", { qualifier = "over" }))
    assert.equals("over 45,000 ha", zs.units.format(45000, "ha", { qualifier = "over", qualifier_text = "trên",
      locale = "en" }))
  end)
end)

describe("as of the report's date", function()
  it("bounds every figure, series, growth and ranking", function()
    local text = md({ provinces = { "hp", "qn" }, as_of = "2023-12-31" }):gsub("\n## Nguồn\n.*", "")
    assert.is_nil(text:find("2024", 1, true), "a figure of 2024")
    for d, m, y in text:gmatch("(%d%d)/(%d%d)/(%d%d%d%d)") do
      assert.is_true(y .. "-" .. m .. "-" .. d <= "2023-12-31", d .. "/" .. m .. "/" .. y)
    end
    assert.is_true(contains(text, "năm 2023 gấp 2,45 lần năm 2019"))
    local early = md({ provinces = { "hp" }, as_of = "2022-12-31" })
    assert.is_true(contains(early, "2 năm liên tiếp (2021–2022)"), early)
  end)

  it("says 'gấp' for a multiple", function()
    local text = md({ provinces = { "hp" } })
    assert.is_true(contains(text, "gấp 2,45 lần"))
    assert.is_nil(text:find("tăng [%d,]+ lần"))
  end)
end)

describe("a report for one province or zone", function()
  it("is the default with one province, with its parks and tops", function()
    local out, code = util.run("lua5.4 bin/zonestat report --province qn --top 3")
    assert.equals(0, code, out)
    assert.is_true(contains(out, "# Báo cáo khu kinh tế, khu công nghiệp: Quảng Ngãi"))
    assert.is_true(contains(out, "## Các khu — Quảng Ngãi"))
    assert.is_true(contains(out, "| Khu | Loại | Diện tích | Đất công nghiệp | Đất đã cho thuê | Đất còn lại |"))
    assert.is_true(contains(out, "## Nhà đầu tư lớn nhất — Quảng Ngãi"))
    assert.is_true(contains(out, "## Quốc gia, vùng lãnh thổ đầu tư — Quảng Ngãi"))
    local rows = select(2, out:match("## Ngành nghề — Quảng Ngãi\n\n(.-)\n\n"):gsub("\n", "\n")) - 1
    assert.equals(3, rows)
    assert.is_nil(out:find("So sánh song song", 1, true))
  end)

  it("shows every published headline figure beside its recomputed one, 12,56 tỷ USD included", function()
    local text = md({ provinces = { "hp" } })
    assert.is_true(contains(text, "| Vốn FDI vào sản xuất công nghiệp | 12,56 tỷ USD [1] | 30/06/2024 |"))
    assert.is_true(contains(text, "| Số KCN đã thành lập | 14 KCN [1] | 30/06/2024 | 14 KCN TL |"))
    assert.is_true(contains(text, "| Diện tích KCN | 6.144 ha [1] | 30/06/2024 |"))
  end)

  it("reports on a zone", function()
    local out, code = util.run("lua5.4 bin/zonestat report --zone 'KCN Đình Vũ'")
    assert.equals(0, code, out)
    assert.is_true(contains(out, "# Báo cáo khu kinh tế, khu công nghiệp: KCN Đình Vũ (DEEP C Hải Phòng I)"))
  end)
end)

describe("Vietnamese throughout", function()
  it("names indicators, sectors and countries in Vietnamese, and cites no internal path", function()
    local text = md({ provinces = { "qn", "hp" } })
    for _, id in ipairs({ "capital_fdi", "kcn_area", "fdi_share", "occupancy_parks", "capital_usd", "electronics",
      "Japan", "Korea", "shared/domain", "data/vn", ".txt" }) do
      assert.is_nil(text:find(id, 1, true), id)
    end
    assert.is_true(contains(text, "Nhật Bản"))
    assert.is_true(contains(text, "Sản xuất sản phẩm điện tử, máy vi tính và sản phẩm quang học (VSIC 26)"))
    assert.is_nil(text:find("%d%.%d %%"), "a decimal point in a Vietnamese percentage")
    assert.is_nil(text:find("%-%d+%.%d+ ?%%"))
  end)

  it("sorts text in Vietnamese order", function()
    local f = zs.frame({ n = { "Tràng Duệ", "Đình Vũ", "Dung Quất", "Hải Phòng", "An Dương", "Ân Thi" } })
    assert.same({ "An Dương", "Ân Thi", "Dung Quất", "Đình Vũ", "Hải Phòng", "Tràng Duệ" },
      f:sort("n", { collate = "vi" }):column("n"):totable())
    assert.equals("Đình Vũ", f:sort("n"):column("n"):totable()[6]) -- bytes put Đ after T
    assert.has_error(function() f:sort("n", { collate = 5 }) end)
    local text = md({ provinces = { "hp" } })
    local dinh, do_son, tien = text:find("| KCN Đình Vũ", 1, true), text:find("| KCN Đồ Sơn", 1, true),
      text:find("| KCN Tiên Thanh", 1, true)
    assert.is_true(dinh < do_son and do_son < tien)
  end)

  it("speaks Vietnamese on the command line by default, English on request", function()
    local out = util.run("lua5.4 bin/zonestat --help")
    assert.is_true(contains(out, "Hiện trợ giúp này rồi thoát."))
    out = util.run("lua5.4 bin/zonestat profile --province Atlantis")
    assert.is_true(contains(out, "Atlantis"))
    out = util.run("lua5.4 bin/zonestat --locale en report --help")
    assert.is_true(contains(out, "Show this help message and exit."))
  end)
end)

describe("numbers for every unit", function()
  local f = zs.units.format
  it("writes the units of the reports, integers as integers", function()
    assert.equals("8,63 triệu USD/ha", f(8631216.46, "USD/ha"))
    assert.equals("1.250 người", f(1250, "persons"))
    assert.equals("349 dự án", f(349, "projects"))
    assert.equals("14 KCN", f(14, "KCN"))
    assert.equals("3,04 lần", f(3.04, "times"))
    assert.equals("10,1%", f(0.101, "ratio", { decimals = 1 }))
    assert.equals("-4,2%", f(-0.042, "ratio"))
    assert.equals("46,65 người/ha", f(46.649, "persons/ha"))
    assert.equals("1 project", f(1, "projects", { locale = "en" }))
    assert.equals("1,250 persons", f(1250, "persons", { locale = "en" }))
    assert.has_error(function() f(1, "parsecs") end)
  end)

  it("prints compare and profile tables formatted, with marks", function()
    local out = util.run("lua5.4 bin/zonestat compare hp qn --format md")
    assert.is_nil(out:find("%d%.%d%d%d%d"), "a raw float")
    assert.is_true(contains(out, "| Vốn đăng ký (quy ra USD) | 35,11 tỷ USD GL (753/784 dự án có vốn quy ra USD) | " ..
      "18,37 tỷ USD GL |"), out)
  end)
end)

describe("charts", function()
  local chart = zs.chart
  local f = zs.frame({ name = { "KCN Nomura – Hải Phòng (KCN Nhật Bản – Hải Phòng)", "KCN Đình Vũ", "KCN An Dương" },
    province = { "Hải Phòng", "Hải Phòng", "Hải Phòng" }, fdi = { 2.1e9, 2.5e9, 3.0e9 }, dom = { 0, 6.8e8, 6.5e7 } },
    { "name", "province", "fdi", "dom" })

  it("sorts bars by value within their group, with an axis, a source line and notes", function()
    local svg = chart.bar(f, { label = "name", group = "province", parts = { "fdi", "dom" },
      part_names = { "FDI", "Trong nước" }, unit = "USD", title = "Vốn", source = "Nguồn: [1].", notes = { "Ghi chú." } })
    local a, d, n = svg:find("KCN An Dương", 1, true), svg:find("KCN Đình Vũ", 1, true), svg:find("KCN Nomura", 1, true)
    assert.is_true(d < a and a < n, "sorted by total, largest first") -- 3.18, 3.065, 2.1 bn
    assert.is_true(contains(svg, ">Hải Phòng<"))
    assert.is_true(contains(svg, ">0 USD<") and contains(svg, " tỷ USD<"))
    assert.is_true(contains(svg, "Nguồn: [1].") and contains(svg, "Ghi chú."))
    assert.is_true(contains(svg, "<title>KCN Nomura – Hải Phòng (KCN Nhật Bản – Hải Phòng): 2,1 tỷ USD</title>"))
  end)

  it("wraps or shortens long labels instead of clipping them", function()
    local svg = chart.bar(f, { label = "name", value = "fdi", unit = "USD", label_width = 20 })
    for text in svg:gmatch('text%-anchor="end"[^>]*>([^<]+)<') do
      assert.is_true(zs.display_width(text) <= 20, text)
    end
  end)

  it("draws lines over years and 100 % shares, and refuses bad specs", function()
    local s = zs.frame({ year = { 2020, 2021, 2022 }, v = { 1e9, 5.2e9, 2.5e9 } })
    local svg = chart.line(s, { x = "year", y = "v", unit = "USD", title = "FDI", source = "Nguồn: [2]." })
    assert.is_true(contains(svg, "<polyline") and contains(svg, ">2021<") and contains(svg, "Nguồn: [2]."))
    local sh = chart.share(f, { label = "name", parts = { "fdi", "dom" }, part_names = { "FDI", "Trong nước" } })
    assert.is_true(contains(sh, "%"))
    assert.has_error(function() chart.bar(f, { label = "nope", value = "fdi" }) end)
    assert.has_error(function() chart.bar({}, {}) end)
  end)
end)

describe("the main report", function()
  it("is the golden Markdown (ZS_UPDATE_GOLDEN=1 rewrites it)", function()
    local golden = "spec/fixtures/golden/report_qn_hp_vi.md"
    local text = md({ provinces = { "Quảng Ngãi", "Hải Phòng" }, as_of = "2024-06-30" })
    if os.getenv("ZS_UPDATE_GOLDEN") == "1" then
      local fh = assert(io.open(golden, "wb"))
      fh:write(text)
      fh:close()
    end
    assert.equals(util.read(golden), text)
  end)

  local chromium = util.run("command -v chromium"):match("%S+")
  local check = chromium and it or pending
  check("renders in Chromium with no chart label outside its chart", function()
    local html = assert(zs.report.html(ds, { provinces = { "qn", "hp" }, as_of = "2024-06-30" }))
    -- a test page: the report's charts, and a script that measures every text of every SVG against its viewBox
    local svgs = {}
    for svg in html:gmatch("<svg.-</svg>") do svgs[#svgs + 1] = svg end
    assert.is_true(#svgs >= 3)
    local page = util.tmpfile("measure.html", "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>" ..
      table.concat(svgs, "\n") .. [[
<pre id="result"></pre><script>
const bad = [];
let n = 0;
document.querySelectorAll("svg").forEach((svg, k) => {
  const vb = svg.viewBox.baseVal;
  svg.querySelectorAll("text").forEach(t => {
    n++;
    const b = t.getBBox();
    if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 ||
        b.y + b.height > vb.y + vb.height + 0.5)
      bad.push(k + ": " + t.textContent + " [" + b.x.toFixed(1) + "," + (b.x + b.width).toFixed(1) + "]");
  });
});
document.getElementById("result").textContent = "measured " + n + " clipped " + bad.length + "\n" + bad.join("\n");
</script></body></html>]])
    local dom = util.run(string.format("timeout 120 %s --headless --no-sandbox --disable-gpu --disable-quic " ..
      "--no-first-run --disable-background-networking --disable-component-update --disable-sync " ..
      "--user-data-dir=%s --dump-dom file://%s 2>/dev/null", chromium, util.tmpdir() .. "/chromium-measure", page))
    local measured, clipped = dom:match("measured (%d+) clipped (%d+)")
    assert.is_not_nil(measured, dom:sub(1, 300))
    assert.is_true(tonumber(measured) > 50)
    assert.equals("0", clipped, dom:match('<pre id="result">(.-)</pre>'))
  end)
end)
