local zs = require "zonestat"
local NA = zs.NA

local function within(expected, got, rel)
  return math.abs(got - expected) <= rel * math.abs(expected)
end

describe("indicators", function()
  local ds = assert(zs.dataset.load())
  local I = zs.indicators

  it("recomputes the article's Hải Phòng figures from the project rows", function()
    local p = assert(I.profile(ds, "Hải Phòng", { as_of = "2024-06-30" }))
    assert.equals(784, p.projects)
    assert.equals(561, p.fdi_projects)
    assert.equals(223, p.domestic_projects)
    assert.equals(24.6e9, p.fdi_capital_usd)                -- the synthetic registry's exact target
    -- domestic capital natively in VND (calibrated to the published VND stocks); in USD only the
    -- projects whose every event has a rate (none for 2022 and 2024), which the coverage says
    assert.is_true(within(335.716e12, p.domestic_capital_vnd, 0.0005), tostring(p.domestic_capital_vnd))
    assert.is_nil(p.figures.domestic_capital_vnd.coverage)
    local cov = p.figures.domestic_capital_usd.coverage
    assert.equals("usd", cov.what)
    assert.equals(223, cov.of)
    assert.is_true(cov.have < 223 and cov.have > 150)
    assert.is_true(within(p.fdi_capital_usd + p.domestic_capital_usd, p.capital_usd, 1e-12))
    assert.equals(784, p.figures.capital_usd.coverage.of)
    assert.equals(14, p.kcn_established)
    assert.equals(11, p.kcn_operating)
    assert.is_true(p.synthetic)
  end)

  it("recomputes the article's Quảng Ngãi figures", function()
    local p = assert(I.profile(ds, "Quảng Ngãi", { as_of = "2024-06-30" }))
    assert.equals(349, p.projects)
    assert.is_true(within(18.37e9, p.capital_usd, 0.0005))
    assert.equals(256, p.operating_projects)
    assert.equals(195, p.industrial_production_projects)
  end)

  it("profiles a zone with the KCN inside it, as of an earlier date", function()
    local kkt = assert(I.profile(ds, { zone = "KKT Đình Vũ – Cát Hải" }, { as_of = "2024-06-30" }))
    local kcn = assert(I.profile(ds, { zone = "KCN Tràng Duệ" }, { as_of = "2024-06-30" }))
    assert.is_true(kkt.projects > kcn.projects)
    local early = assert(I.profile(ds, "hp", { as_of = "2015-12-31" }))
    assert.is_true(early.projects < 784)
    local none, err = I.profile(ds, "Atlantis")
    assert.is_nil(none)
    assert.matches("no zone named 'Atlantis'", err)
  end)

  it("states the occupancy basis", function()
    local all = assert(I.profile(ds, "hp", { occupancy = "all", locale = "en" }))
    local op = assert(I.profile(ds, "hp", { occupancy = "operating" }))
    assert.is_true(op.occupancy_parks <= all.occupancy_parks)
    local row = all.frame:filter(zs.col("indicator"):eq("occupancy"))
    assert.matches("over all KCN", row:get("definition", 1))
    assert.has_error(function() I.profile(ds, "hp", { occupancy = "some" }) end)
  end)

  it("computes growth multiples and CAGR", function()
    local m, cagr = I.growth(100, 200, 2)
    assert.equals(2, m)
    assert.near(math.sqrt(2) - 1, cagr, 1e-15)
    assert.is_nil((I.growth(0, 5, 2)))
  end)

  it("implies the CAGR of the article's 117 × 2004 (121 trillion VND in 2023)", function()
    local imp = I.implied(117, 2023 - 2004, 121e12)
    assert.is_true(imp.implied)
    assert.near(0.285, imp.cagr, 0.0005)
    assert.near(1.03e12, imp.base, 0.005e12)
  end)

  it("builds year-on-year series from published figures", function()
    local s = assert(I.series(ds, "hp", "fdi_inflow_year"))
    assert.same({ 2019, 2020, 2021, 2022, 2023, 2024 }, s:column("year"):totable())
    assert.is_nil(s:get("change", 1))
    assert.near(1.53e9 - 1.43e9, s:get("change", 2), 1)
    assert.near((5.2 - 1.53) / 1.53, s:get("pct", 3), 1e-12)
  end)

  it("ranks per year and finds streaks in the top 3", function()
    local f = zs.frame({
      entity = { "a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b", "c" },
      year = { 2020, 2020, 2020, 2021, 2021, 2021, 2022, 2022, 2022, 2023, 2023, 2023 },
      value = { 1, 5, 3, 9, 2, 8, 7, 1, 9, 4, 6, 5 },
    })
    local ranked = I.rank(f)
    assert.equals(1, ranked:filter(zs.col("year"):eq(2020) & zs.col("entity"):eq("b")):get("rank", 1))
    local s = I.streaks(ranked, { top = 2 })
    -- top 2 each year: 2020 b,c; 2021 a,c; 2022 c,a; 2023 b,c
    assert.equals("c", s:get("entity", 1))
    assert.same({ 2020, 2023, 4, true }, { s:get("from", 1), s:get("to", 1), s:get("years", 1), s:get("current", 1) })
    assert.same({ "a", 2021, 2022, 2, false }, { s:get("entity", 2), s:get("from", 2), s:get("to", 2), s:get("years", 2),
      s:get("current", 2) })
  end)

  it("finds Hải Phòng's top-3 streak in the bundled ranking", function()
    local r = ds.fdi_rank:rename { province_id = "entity", fdi_usd = "value" }
    local s = I.streaks(I.rank(r), { top = 3 }):filter(zs.col("entity"):eq("hp"))
    local covers = false
    for row in s:rows() do
      if row["from"] <= 2021 and row.to >= 2023 then covers = true end
    end
    assert.is_true(covers)
  end)

  it("compares provinces with normalized indicators", function()
    local f = assert(I.compare(ds, { "hp", "qn" }, { as_of = "2024-06-30" }))
    assert.same({ "indicator", "unit", "hp", "qn", "ratio" }, f:names())
    local row = f:filter(zs.col("indicator"):eq("projects"))
    assert.equals(784.0, row:get("hp", 1))
    assert.near(784 / 349, row:get("ratio", 1), 1e-12)
    assert.has_error(function() I.compare(ds, { "hp" }) end)
  end)

  it("reconciles sources and flags conflicts", function()
    local f = assert(I.reconcile(ds, "hp", "capital_fdi", { unit = "USD", as_of = "2024-06-30" }))
    local july = f:filter(zs.col("as_of"):eq("2023-07-31"))
    assert.equals(24853210000.0, july:get("value", 1))
    local june = f:filter(zs.col("as_of"):eq("2024-06-30"))
    assert.equals(24.6e9, june:get("value", 1))
    assert.is_true(june:get("stock_fell", 1)) -- 24.6 bn (6/2024) is below 24.85 bn (7/2023)
    assert.is_true(june:get("reference", 1))
    local dec = f:filter(zs.col("as_of"):eq("2023-12-31"))
    assert.is_true(dec:get("conflict", 1)) -- 25 bn and 26.5 bn on the same date
    local none = I.reconcile(ds, "hp", "no_such_indicator")
    assert.is_nil(none)
    local _ = NA
  end)
end)
