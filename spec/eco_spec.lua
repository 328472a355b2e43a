-- Eco-industrial-park readiness (zonestat.eco): criteria as sourced data,
-- evidence readers and their checks, enterprise shares in the C core, every
-- status, the readiness rule, progress, the bundled evidence, the report
-- blocks and the `zonestat eco` command.
local util = require "spec_util"
local engine = require "zonestat.engine"
local eco = require "zonestat.eco"
local evidence = require "zonestat.eco_evidence"
local cli_eco = require "zonestat.cli_eco"

local FIX = "spec/fixtures/eco/"
local AS_OF = "2024-06-30"
local SHEET = os.getenv("ZS_ECO_FACTS") or "../shared/domain/eco-criteria.md"

local function row_of(frame, col, value)
  for r in frame:rows() do
    if r[col] == value then return r end
  end
  error("no row with " .. col .. " = " .. tostring(value), 2)
end

local function problems_text(list) return table.concat(list, "\n") end

local complete = assert(eco.read_criteria(FIX .. "complete/criteria.csv"))
local fixture = assert(eco.read_evidence({ FIX .. "good_facts.csv", FIX .. "good_enterprises.csv" },
  { as_of = AS_OF, criteria = complete }))

local function fassess(park, framework, as_of)
  return assert(eco.assess(park, { evidence = fixture, criteria = complete, framework = framework,
    as_of = as_of or AS_OF, locale = "en" }))
end

describe("eco criteria as data", function()
  it("hold every framework, each criterion with its article, party, source, text status and confidence", function()
    local fw = eco.frameworks()
    assert.same({ "ND35/2022", "ND82/2018", "EIP-2.0" }, fw:column("id"):totable())
    assert.equals("superseded", row_of(fw, "id", "ND82/2018").kind)
    local c = eco.criteria()
    assert.equals(29, c:nrow())
    for r in c:rows() do
      assert.is_truthy(({ developer = true, enterprise = true, park = true })[r.party], r.id)
      assert.is_truthy(({ V = true, P = true, I = true, U = true })[r.text_status], r.id)
      if r.text_status ~= "U" then
        assert.is_truthy(r.source and r.source:match("^https?://"), r.id)
        assert.is_truthy(({ H = true, M = true, L = true })[r.confidence], r.id)
        assert.is_truthy(r.indicator, r.id)
      end
    end
    local c35 = eco.criteria("ND35/2022")
    assert.equals(12, c35:nrow())
    local rc = row_of(c35, "id", "nd35-37.2.c")
    assert.same({ "ND35/2022 Art.37.2.c", "enterprise", "recp_share", "ratio", ">=", 0.2 },
      { rc.article, rc.party, rc.indicator, rc.unit, rc.comparison, rc.threshold })
    assert.is_nil(eco.criteria("ND99/2030"))
    assert.matches("ND35/2022, ND82/2018, EIP%-2%.0", select(2, eco.criteria("ND99/2030")))
  end)

  it("verify a threshold only when its text and its reading are verbatim and its source is H or M", function()
    local c = eco.criteria()
    local verified = {}
    for r in c:rows() do verified[r.id] = r.verified end
    assert.is_true(verified["nd35-37.2.c"])      -- V, V, M
    assert.is_true(verified["nd35-37.1.a"])
    assert.is_false(verified["nd35-37.2.a"])     -- the park-level reading is I
    assert.is_false(verified["nd35-37.2.b.ii"])  -- which ISO is suitable: I
    assert.is_false(verified["nd82-42.4"])       -- a spun copy: L
    assert.is_false(verified["nd35-37.3"])       -- text unknown
    for r in c:filter(engine.col("framework"):eq("ND82/2018")):rows() do assert.is_false(r.verified, r.id) end
  end)

  it("come from the fact sheet: every URL, every verbatim criterion text and every evidence quote", function()
    local fh = io.open(SHEET)
    if not fh then pending("the fact sheet " .. SHEET .. " is not here") return end
    local sheet = fh:read("a")
    fh:close()
    local function found(s)
      for part in s:gsub("%[ts%]", ""):gmatch("[^…]+") do
        part = part:gsub("^[%s;]+", ""):gsub("[%s;]+$", "")
        if #part > 3 and not sheet:find(part, 1, true) then return false, part end
      end
      return true
    end
    for r in eco.criteria():rows() do
      for url in (r.source or ""):gmatch("%S+") do assert.is_truthy(sheet:find(url, 1, true), r.id .. ": " .. url) end
      if r.text_status == "V" then
        assert.is_true(found(r.text_vi) or found(r.text_en), r.id)
      end
    end
    local ev = assert(evidence.bundled())
    local n = 0
    for r in ev.facts:rows() do
      assert.is_truthy(sheet:find(r.source, 1, true), r.park .. ": " .. r.source)
      if r.quote then
        for q in r.quote:gmatch("[^;]+") do
          local ok, part = found(q)
          assert.is_true(ok, r.park .. ": " .. tostring(part))
          n = n + 1
        end
      end
    end
    assert.is_true(n >= 15)
  end)

  it("report every problem of a criteria file with its line, and load none of it", function()
    local cat, problems = eco.read_criteria(FIX .. "bad_criteria.csv")
    assert.is_nil(cat)
    local text = problems_text(problems)
    local file = FIX .. "bad_criteria.csv"
    for _, want in ipairs({
      file .. ":2: column 'framework': unknown framework 'NOPE/2020'",
      file .. ":3: column 'indicator': unknown indicator 'recp_shar'",
      file .. ":4: column 'threshold': '1.5' is a share outside 0–1",
      file .. ":5: column 'comparison': must be >=, <= or =",
      file .. ":6: column 'threshold': a criterion whose text is unknown (U) has no threshold",
      file .. ":7: column 'source': empty",
      file .. ":8: column 'unit': 'count' is not the unit of recp_share",
      file .. ":9: column 'comparison': a yes/no indicator is compared with =",
      file .. ":10: column 'party': must be developer, enterprise or park",
      file .. ":11: column 'text_status': must be V, P, I or U",
      file .. ":12: column 'id': criterion 'b-10' given twice",
      file .. ":13: column 'category'", file .. ":13: column 'prerequisite'", file .. ":13: column 'confidence'",
    }) do
      assert.is_truthy(text:find(want, 1, true), want .. "\nin:\n" .. text)
    end
    assert.equals(16, #problems)
  end)

  it("make a correction a change of data: a threshold confirmed in a copy of criteria.csv decides the status", function()
    local before = assert(eco.assess("hp-kcn-nam-cau-kien", { framework = "ND82/2018", as_of = AS_OF }))
    assert.equals("threshold unverified", row_of(before.frame, "criterion", "nd82-42.4").status)
    local text = util.read(eco.criteria and require("zonestat.eco_criteria").dir() .. "/criteria.csv")
    local line = text:match("\n(nd82%-42%.4,[^\n]*)")
    local fixed = line:gsub(",V,V,L,", ",V,V,M,")
    assert.are_not.equal(line, fixed)
    local path = util.tmpfile("criteria_fixed.csv", (text:gsub(line:gsub("%p", "%%%0"), (fixed:gsub("%%", "%%%%")))))
    local cat = assert(eco.read_criteria(path))
    local after = assert(eco.assess("hp-kcn-nam-cau-kien", { framework = "ND82/2018", as_of = AS_OF, criteria = cat }))
    local r = row_of(after.frame, "criterion", "nd82-42.4")
    assert.equals("met", r.status)
    assert.is_true(r.threshold_verified)
  end)
end)

describe("eco evidence readers", function()
  local function facts_of(ev)
    local out = {}
    for r in ev.facts:sort("park", "indicator", "date"):rows() do
      out[#out + 1] = { r.park, r.indicator, r.value, r.date }
    end
    return out
  end

  it("read CSV with the conventions sniffed and Vietnamese headers: a vi file (;, 0,25, dd/mm/yyyy) as its twin", function()
    local vi = assert(eco.read_evidence(FIX .. "vi_facts.csv", { as_of = AS_OF }))
    local r = row_of(vi.facts, "indicator", "recp_share")
    assert.equals(0.25, r.value)
    assert.equals("2024-03-31", r.date)
    assert.equals(1.0, row_of(vi.facts, "indicator", "io_monitoring").value)
    local a = assert(eco.assess(vi, { criteria = complete, framework = "T-ALL", as_of = AS_OF }))
    local b = fassess("hp-kcn-nomura", "T-ALL")
    assert.same(b.frame:column("status"):totable(), a.frame:column("status"):totable())
    assert.same(b.frame:column("value"):totable(), a.frame:column("value"):totable())
    -- a problem names the user's own header
    local bad = util.tmpfile("eco_vi_bad.csv", "Mã khu;Chỉ tiêu;Giá trị;Nguồn\nhp-kcn-nomura;recp_share;1,5;x\n")
    local _, p = eco.read_evidence(bad, { as_of = AS_OF })
    assert.same({ bad .. ":2: column 'Giá trị': '1,5' is a share outside 0–1 (write 0.4 for 40 %)" }, p)
  end)

  it("read JSON records (zs.read_json)", function()
    local ev = assert(eco.read_evidence(FIX .. "good.json", { as_of = AS_OF }))
    assert.same({ { "hp-kcn-nomura", "io_monitoring", 1.0, "2023-06-30" },
      { "hp-kcn-nomura", "recp_share", 0.25, "2024-03-31" } }, facts_of(ev))
  end)

  it("read an .xlsx workbook, a sheet per table, to the same evidence as the CSV files", function()
    local path = util.tmpfile("eco_evidence.xlsx")
    local facts = assert(engine.read_csv(FIX .. "good_facts.csv", { infer = false }))
    local ents = assert(engine.read_csv(FIX .. "good_enterprises.csv", { infer = false }))
    assert(engine.write_xlsx(path, { { name = "Chỉ tiêu KCN", frame = facts }, { name = "Doanh nghiệp", frame = ents },
      { name = "Ghi chú", frame = engine.frame({ text = { "not a table of evidence" } }) } }))
    local ev = assert(eco.read_evidence(path, { as_of = AS_OF }))
    assert.same(facts_of(fixture), facts_of(ev))
    assert.equals(5, ev.enterprises:nrow())
    assert.is_truthy(table.concat(ev.notes, "\n"):find("sheet 'Ghi chú': neither park facts", 1, true))
    local p = fassess("hp-kcn-trang-due", "T-ALL")
    local q = assert(eco.assess("hp-kcn-trang-due", { evidence = ev, criteria = complete, framework = "T-ALL",
      as_of = AS_OF }))
    assert.same(p.frame:column("value"):totable(), q.frame:column("value"):totable())
  end)

  it("report every malformed park fact with file:line, all at once, and load nothing", function()
    local ev, problems = eco.read_evidence(FIX .. "bad_facts.csv", { as_of = AS_OF })
    assert.is_nil(ev)
    local f = FIX .. "bad_facts.csv"
    local want = {
      f .. ":2: column 'indicator': unknown indicator 'recp_shar'",
      f .. ":3: column 'value': 'maybe' must be yes or no",
      f .. ":4: column 'value': '1.4' is a share outside 0–1",
      f .. ":5: column 'date': 2099-01-01 is after the assessment date 2024-06-30 (a date in the future)",
      f .. ":6: column 'target_year': empty: a target needs the year it is for",
      f .. ":7: column 'source': empty",
      f .. ":8: column 'park': unknown park 'hp-kcn-nowhere'",
      f .. ":9: column 'criterion': unknown criterion 'nd35-99'",
      f .. ":10: column 'criterion': nd35-37.1.a is measured by developer_violations_3y, not recp_share",
      f .. ":12: column 'qualifier': a bool value takes no qualifier",
      f .. ":13: column 'text_status': a fact whose text is unknown (U) is no evidence",
      f .. ":14: column 'value': '1.5' is not a count",
      f .. ":15: column 'date': '2024-02-30' is not a date",
      f .. ":17: the same fact as " .. f .. ":16",
    }
    for i, w in ipairs(want) do
      assert.is_truthy(problems[i] and problems[i]:find(w, 1, true), w .. "\nin:\n" .. problems_text(problems))
    end
    assert.equals(#want, #problems)
  end)

  it("report every malformed enterprise row with file:line", function()
    local ev, problems = eco.read_evidence(FIX .. "bad_enterprises.csv", { as_of = AS_OF })
    assert.is_nil(ev)
    local f = FIX .. "bad_enterprises.csv"
    local want = {
      f .. ":2: column 'recp_savings': empty: an enterprise counted as applying RECP names the savings",
      f .. ":3: column 'recp_savings': 'gold'",
      f .. ":4: column 'violations_3y': '-1' is not a count",
      f .. ":5: column 'recp_aware': 'perhaps' must be yes or no",
      f .. ":7: column 'enterprise': 'E' has two rows of the same date (also " .. f .. ":6)",
      f .. ":8: column 'recp_savings': given while recp is no",
    }
    for i, w in ipairs(want) do
      assert.is_truthy(problems[i] and problems[i]:find(w, 1, true), w .. "\nin:\n" .. problems_text(problems))
    end
    assert.equals(#want, #problems)
  end)

  it("refuse a table that is no evidence, a missing column, a missing file, and report several files at once", function()
    local _, p1 = eco.read_evidence(FIX .. "not_evidence.csv", { as_of = AS_OF })
    assert.matches("not_evidence%.csv: not an evidence table: park facts need a column 'indicator'", p1[1])
    local _, p2 = eco.read_evidence(FIX .. "no_value.csv", { as_of = AS_OF })
    assert.matches("no_value%.csv: no column 'value' %(columns: park, indicator, amount%)", p2[1])
    local _, p3 = eco.read_evidence({ FIX .. "no_value.csv", FIX .. "missing.csv", FIX .. "bad_enterprises.csv" },
      { as_of = AS_OF })
    assert.matches("no column 'value'", p3[1])
    assert.matches("missing%.csv: No such file", p3[2])
    assert.equals(8, #p3)
  end)

  it("report JSON problems at the line where the record starts, and mixed JSON types with the way out", function()
    local _, p = eco.read_evidence(FIX .. "bad.json", { as_of = AS_OF })
    assert.same({ FIX .. "bad.json:5: column 'value': '2.0' is a share outside 0–1 (write 0.4 for 40 %)" }, p)
    local _, m = eco.read_evidence(FIX .. "mixed.json", { as_of = AS_OF })
    assert.matches("mixed%.json: column 'value' mixes numbers .* %(write every value of that column as text", m[1])
  end)

  it("report .xlsx problems with the sheet and the cell", function()
    local path = util.tmpfile("eco_bad.xlsx")
    local f = engine.frame({ park = { "hp-kcn-nomura", "hp-kcn-nomura" }, indicator = { "recp_share", "recp_share" },
      value = { "0.3", "3" }, source = { "https://example.org/x", "https://example.org/y" } },
      { "park", "indicator", "value", "source" })
    assert(engine.write_xlsx(path, { { name = "KCN", frame = f } }))
    local _, p = eco.read_evidence(path, { as_of = AS_OF })
    assert.same({ path .. ": sheet 'KCN': cell C3: '3' is a share outside 0–1 (write 0.4 for 40 %)" }, p)
  end)

  it("call a date in the future one after as_of: the same file reads with a later as_of", function()
    local path = util.tmpfile("eco_future.csv", "park,indicator,value,date,source\n" ..
      "hp-kcn-nomura,recp_share,0.3,2024-09-30,https://example.org/x\n")
    local _, p = eco.read_evidence(path, { as_of = AS_OF })
    assert.matches(":2: column 'date': 2024%-09%-30 is after the assessment date 2024%-06%-30", p[1])
    assert.is_table(eco.read_evidence(path, { as_of = "2024-12-31" }))
    -- an assessment at an earlier date leaves the later fact out
    local ev = assert(eco.read_evidence(path, { as_of = "2024-12-31" }))
    local a = assert(eco.assess(ev, { as_of = AS_OF, locale = "en" }))
    local r = row_of(a.frame, "criterion", "nd35-37.2.c")
    assert.equals("no data", r.status)
    assert.matches("after the assessment date 2024%-06%-30", r.reason)
  end)

  it("refuse an enterprises_total below the enterprises listed", function()
    local path = util.tmpfile("eco_total.csv", "park,indicator,value,date,source\n" ..
      "hp-kcn-trang-due,enterprises_total,3,2024-02-01,https://example.org/x\n")
    local _, p = eco.read_evidence({ path, FIX .. "good_enterprises.csv" }, { as_of = AS_OF })
    assert.matches("eco_total%.csv:2: column 'value': hp%-kcn%-trang%-due has 5 enterprise rows by then", p[1])
  end)

  it("take undated evidence and flag it", function()
    local r = row_of(fassess("hp-kcn-nomura", "T-MIX").frame, "criterion", "m-1")
    assert.is_nil(r.evidence_date)
    assert.matches("undated", r.flags)
  end)
end)

describe("eco enterprise shares", function()
  -- a plain-Lua reference of evidence.counts: each enterprise's latest row
  -- dated by as_of (undated rows the oldest), then counts per park
  local function reference(rows, as_of)
    local latest = {}
    for _, r in ipairs(rows) do
      if r.date == nil or r.date <= as_of then
        local k = r.park .. "\0" .. r.enterprise
        local d = r.date or "0000"
        if not latest[k] or d > (latest[k].date or "0000") then latest[k] = r end
      end
    end
    local out = {}
    for _, r in pairs(latest) do
      local o = out[r.park]
      if not o then
        o = { n = 0, participants = 0, iso = { yes = 0, known = 0 } }
        for _, f in ipairs({ "recp", "recp_aware", "symbiosis", "symbiosis_plan", "compliant" }) do
          o[f] = { yes = 0, known = 0 }
        end
        out[r.park] = o
      end
      o.n = o.n + 1
      local v = { recp = r.recp, recp_aware = r.recp_aware, symbiosis = r.symbiosis, symbiosis_plan = r.symbiosis_plan }
      if r.violations_3y ~= nil then v.compliant = r.violations_3y == 0 end
      for f, x in pairs(v) do
        o[f].known = o[f].known + 1
        if x then o[f].yes = o[f].yes + 1 end
      end
      if r.symbiosis == true then
        o.participants = o.participants + 1
        local iso
        if r.iso14001 == true or r.iso50001 == true then iso = true
        elseif r.iso14001 == false and r.iso50001 == false then iso = false end
        if iso ~= nil then
          o.iso.known = o.iso.known + 1
          if iso then o.iso.yes = o.iso.yes + 1 end
        end
      end
    end
    return out
  end

  local function random_rows(seed, n)
    math.randomseed(seed)
    local rows = {}
    local function b()
      local x = math.random()
      if x < 0.2 then return nil end
      return x < 0.6
    end
    for i = 1, n do
      local park = ({ "hp-kcn-nomura", "hp-kcn-do-son", "hp-kcn-trang-due" })[math.random(3)]
      local d = math.random() < 0.15 and nil or string.format("202%d-%02d-15", math.random(0, 4), math.random(12))
      rows[i] = { park = park, enterprise = "E" .. math.random(40), recp = b(), recp_aware = b(), symbiosis = b(),
        symbiosis_plan = b(), iso14001 = b(), iso50001 = b(),
        violations_3y = math.random() < 0.2 and nil or (math.random() < 0.7 and 0 or math.random(3)), date = d,
        synthetic = false }
    end
    -- one row per enterprise and date, as the reader guarantees
    local seen, out = {}, {}
    for _, r in ipairs(rows) do
      local k = r.park .. r.enterprise .. tostring(r.date)
      if not seen[k] then seen[k] = true out[#out + 1] = r end
    end
    return out
  end

  local function frame_of(rows)
    local cols = {}
    local types = { recp = "bool", recp_aware = "bool", symbiosis = "bool", symbiosis_plan = "bool", iso14001 = "bool",
      iso50001 = "bool", violations_3y = "int", date = "date", synthetic = "bool" }
    local names = { "park", "enterprise", "recp", "recp_aware", "symbiosis", "symbiosis_plan", "iso14001", "iso50001",
      "violations_3y", "date", "synthetic" }
    for _, n in ipairs(names) do
      local v = {}
      for i, r in ipairs(rows) do
        local x = r[n]
        if x == nil then x = engine.NA end
        v[i] = x
      end
      cols[n] = engine.column(v, types[n] or "str")
    end
    return engine.frame(cols, names)
  end

  it("aggregated by the C core equal a plain-Lua reference (latest row per enterprise, NA skipped)", function()
    for _, case in ipairs({ { 1, 400, "2023-06-30" }, { 2, 2000, "2024-12-31" }, { 3, 50, "2020-03-31" } }) do
      local rows = random_rows(case[1], case[2])
      local got = evidence.counts(frame_of(rows), case[3])
      local want = reference(rows, case[3])
      for park, w in pairs(want) do
        local g = got[park]
        assert.is_table(g, park)
        assert.equals(w.n, g.n, park)
        for _, f in ipairs({ "recp", "recp_aware", "symbiosis", "symbiosis_plan", "compliant", "iso" }) do
          assert.same(w[f], g[f], park .. " " .. f)
        end
        assert.equals(w.participants, g.participants, park)
      end
      for park, g in pairs(got) do
        if g.n > 0 then assert.is_table(want[park], park) end
      end
    end
  end)

  it("give bounds over the unknown answers and the enterprises not listed", function()
    local c = { n = 5, recp = { yes = 2, known = 4 }, iso = { yes = 1, known = 1 }, participants = 2 }
    local s = evidence.share(c, "recp")
    assert.same({ 0.5, 0.4, 0.6, true }, { s.value, s.lower, s.upper, s.assumed_all })
    s = evidence.share(c, "recp", 10)
    assert.same({ 0.5, 0.2, 0.8, false }, { s.value, s.lower, s.upper, s.assumed_all })
    s = evidence.share(c, "symbiosis_iso")
    assert.same({ 1.0, 0.5, 1.0 }, { s.value, s.lower, s.upper })
    assert.is_nil(evidence.share({ n = 3, recp = { yes = 0, known = 0 } }, "recp"))
  end)

  it("decide a share by its bounds: met above, no data when they straddle the threshold", function()
    -- 2 of 4 answers yes: 10 enterprises in the park → [0.2, 0.8], met; 12 → [0.17, 0.83], undecided
    local early = row_of(fassess("hp-kcn-trang-due", "T-ALL", "2024-03-31").frame, "criterion", "t-1")
    assert.same({ "met", "recomputed", 0.5, 0.2 }, { early.status, early.class, early.value, early.lower })
    local late = row_of(fassess("hp-kcn-trang-due", "T-ALL", AS_OF).frame, "criterion", "t-1")
    assert.equals("no data", late.status)
    assert.matches("only known to lie in 16.7%%–83.3%%", late.reason)
  end)
end)

describe("eco assessment statuses", function()
  it("met and not met against verified thresholds, with the gap and the evidence", function()
    local a = fassess("hp-kcn-nomura", "T-ALL")
    local r = row_of(a.frame, "criterion", "t-1")
    assert.same({ "met", 0.25, "published", "2024-03-31", "https://example.org/b" },
      { r.status, r.value, r.class, r.evidence_date, r.evidence_source })
    assert.near(0.05, r.gap, 1e-12)
    assert.equals("+5 pp", r.gap_text)
    local old = row_of(fassess("hp-kcn-nomura", "T-ALL", "2023-06-30").frame, "criterion", "t-1")
    assert.same({ "not met", 0.1 }, { old.status, old.value })
    assert.near(-0.1, old.gap, 1e-12)
    local bool = row_of(a.frame, "criterion", "t-2")
    assert.same({ "met", 1.0, "yes" }, { bool.status, bool.value, bool.value_text })
    assert.is_nil(bool.gap)
  end)

  it("threshold unverified when the threshold rests on a level-L source, with what it would be", function()
    local r = row_of(fassess("hp-kcn-nomura", "T-MIX").frame, "criterion", "m-1")
    assert.same({ "threshold unverified", "met", false }, { r.status, r.indicative, r.threshold_verified })
    assert.matches("source level L", r.reason)
  end)

  it("no data without evidence, with only a target, and with only later evidence", function()
    local none = row_of(fassess("hp-kcn-do-son", "T-ALL").frame, "criterion", "t-1")
    assert.same({ "no data", "no evidence" }, { none.status, none.reason })
    local target = row_of(fassess("hp-kcn-do-son", "T-ALL").frame, "criterion", "t-4")
    assert.equals("no data", target.status)
    assert.equals("50% by 2030", target.target)
    assert.matches("only a target", target.reason)
    -- a target of 80 % by 2030 sits beside an actual 60 %: the actual decides
    local both = row_of(fassess("hp-kcn-nomura", "T-ALL").frame, "criterion", "t-4")
    assert.same({ "met", 0.6, "80% by 2030" }, { both.status, both.value, both.target })
    local later = row_of(fassess("hp-kcn-nomura", "T-ALL", "2023-06-30").frame, "criterion", "t-3")
    assert.equals("no data", later.status)
    assert.matches("dated after the assessment date 2023%-06%-30", later.reason)
  end)

  it("no data, indicative only, when the only value is synthetic or inferred", function()
    local a = assert(eco.assess("hp-kcn-nam-cau-kien", { as_of = AS_OF, locale = "en" }))
    local s = row_of(a.frame, "criterion", "nd35-37.2.c")
    assert.same({ "no data", "met", "synthetic" }, { s.status, s.indicative, s.class })
    assert.matches("synthetic evidence only", s.reason)
    local i = row_of(a.frame, "criterion", "nd35-37.2.b.i")
    assert.same({ "no data", "met" }, { i.status, i.indicative })
    assert.matches("only inferred", i.reason)
  end)

  it("not assessable when the criterion's text is unknown", function()
    local a = assert(eco.assess("hp-kcn-nam-cau-kien", { as_of = AS_OF, locale = "en" }))
    for _, id in ipairs({ "nd35-37.1.rest", "nd35-37.3", "tt05-annex" }) do
      assert.equals("not assessable", row_of(a.frame, "criterion", id).status, id)
    end
    local eip = assert(eco.assess("hp-kcn-nam-cau-kien", { as_of = AS_OF, framework = "EIP-2.0" }))
    assert.same({ 8 }, { eip.frame:filter(engine.col("status"):eq("not assessable")):nrow() })
  end)

  it("summarise per party and category in the C core", function()
    local a = fassess("hp-kcn-nomura", "T-ALL", "2023-06-30")
    local dev = a.summary:filter(engine.col("party"):eq("developer"))
    assert.same({ "park_management", "environmental" }, { dev:sort("category", { desc = true }):get("category", 1),
      dev:sort("category"):get("category", 1) })
    local ent = row_of(a.summary, "party", "enterprise")
    assert.same({ 1, 0, 1, 1 }, { ent.criteria, ent.met, ent.not_met, ent.unknown - ent.unknown + 1 })
    local total = a.summary:agg(engine.sum("criteria"), engine.sum("met"), engine.sum("not_met"), engine.sum("unknown"))
    assert.same({ 4, 1, 1, 2 }, { total:get("criteria_sum", 1), total:get("met_sum", 1), total:get("not_met_sum", 1),
      total:get("unknown_sum", 1) })
  end)
end)

describe("eco readiness", function()
  it("is ready when every criterion is met against verified thresholds", function()
    local a = fassess("hp-kcn-nomura", "T-ALL")
    assert.equals("ready", a.ready)
    assert.same({ "every criterion of T-ALL is met, against verbatim thresholds from sources of level H or M" },
      a.reasons)
  end)

  it("is not ready when any criterion is not met, whatever the others", function()
    local a = fassess("hp-kcn-nomura", "T-ALL", "2023-06-30")
    assert.equals("not ready", a.ready)
    assert.same({ "T Art.1: not met (10% against ≥ 20%)" }, a.reasons)
    -- under Decree 35, a verified threshold not met beats the criteria whose text is unknown
    local path = util.tmpfile("eco_low.csv", "park,indicator,value,date,source\n" ..
      "hp-kcn-nomura,recp_share,0.1,2024-01-31,https://example.org/x\n")
    local b = assert(eco.assess(assert(eco.read_evidence(path, { as_of = AS_OF })), { as_of = AS_OF, locale = "en" }))
    assert.equals("not ready", b.ready)
    assert.equals(1, #b.reasons)
    assert.matches("^ND35/2022 Art%.37%.2%.c: not met", b.reasons[1])
  end)

  it("cannot be determined when a threshold is unverified or a criterion has no data or an unknown text", function()
    local a = fassess("hp-kcn-nomura", "T-MIX")
    assert.equals("cannot be determined", a.ready)
    assert.same({ "M Art.1: threshold unverified (threshold unverified (source level L): 30% against ≥ 25%)" },
      a.reasons)
    local b = assert(eco.assess("hp-kcn-nam-cau-kien", { as_of = AS_OF, locale = "en" }))
    assert.equals("cannot be determined", b.ready)
    assert.equals(12, #b.reasons)
    local all = table.concat(b.reasons, "\n")
    assert.is_truthy(all:find("ND35/2022 Art.37.3: not assessable", 1, true))
    assert.matches("Art%. 40%.1", b.rule)
    assert.equals("chưa xác định được", assert(eco.assess("hp-kcn-nam-cau-kien", { as_of = AS_OF })).ready_text)
  end)
end)

describe("eco progress", function()
  it("shows the criteria whose status or value changed between two assessments", function()
    local p = eco.compare(fassess("hp-kcn-nomura", "T-ALL", "2023-06-30"), fassess("hp-kcn-nomura", "T-ALL"))
    assert.same({ "t-1", "t-3", "t-4" }, p.frame:column("criterion"):totable())
    assert.same({ "improved", "improved", "improved" }, p.frame:column("change"):totable())
    local r = row_of(p.frame, "criterion", "t-1")
    assert.same({ "not met", "met", 0.1, 0.25 }, { r.status_from, r.status_to, r.value_from, r.value_to })
    assert.near(0.15, r.value_change, 1e-12)
    assert.same({ from = "not ready", to = "ready" }, p.ready)
    assert.same({ 3, 0, 0 }, { p.improved, p.worsened, p.changed })
    assert.equals(4, p.all:nrow())
    local back = eco.compare(fassess("hp-kcn-nomura", "T-ALL"), fassess("hp-kcn-nomura", "T-ALL", "2023-06-30"))
    assert.same({ 0, 3 }, { back.improved, back.worsened })
  end)

  it("counts a change of value with the same status", function()
    local path = util.tmpfile("eco_values.csv", "park,indicator,value,date,source\n" ..
      "hp-kcn-nomura,recp_share,0.3,2023-01-31,https://example.org/x\n" ..
      "hp-kcn-nomura,recp_share,0.4,2024-01-31,https://example.org/y\n")
    local ev = assert(eco.read_evidence(path, { as_of = AS_OF }))
    local p = eco.compare(assert(eco.assess(ev, { as_of = "2023-06-30" })), assert(eco.assess(ev, { as_of = AS_OF })))
    assert.same({ "nd35-37.2.c" }, p.frame:column("criterion"):totable())
    assert.same({ "changed", "met", "met" }, { p.frame:get("change", 1), p.frame:get("status_from", 1),
      p.frame:get("status_to", 1) })
  end)

  it("refuses two parks or two frameworks", function()
    local a = fassess("hp-kcn-nomura", "T-ALL")
    assert.has_error(function() eco.compare(a, fassess("hp-kcn-do-son", "T-ALL")) end,
      "eco.compare: the assessments are of two parks (hp-kcn-nomura, hp-kcn-do-son)")
    assert.has_error(function() eco.compare(a, fassess("hp-kcn-nomura", "T-MIX")) end,
      "eco.compare: the assessments use two frameworks (T-ALL, T-MIX)")
    assert.has_error(function() eco.compare(a, {}) end, "eco.compare: argument 2 must be an assessment (zs.eco.assess)")
  end)
end)

describe("eco bundled evidence", function()
  it("lists the parks with evidence, the DEEP C cluster as a group", function()
    local p = eco.parks()
    assert.same({ "hp-grp-deep-c", "hp-kcn-dinh-vu", "hp-kcn-nam-cau-kien", "qn-kcn-vsip-qn" },
      p:column("park"):totable())
    local g = row_of(p, "park", "hp-grp-deep-c")
    assert.same({ "group", "hp-kcn-dinh-vu|hp-kcn-nam-dinh-vu-2|hp-kcn-deep-c-3" }, { g.kind, g.members })
    assert.same({ "zone", "pilot", "hp-grp-deep-c" }, { row_of(p, "park", "hp-kcn-dinh-vu").kind,
      row_of(p, "park", "hp-kcn-dinh-vu").eco_status, row_of(p, "park", "hp-kcn-dinh-vu").groups })
    assert.equals(row_of(p, "park", "hp-kcn-nam-cau-kien").enterprises,
      row_of(p, "park", "hp-kcn-nam-cau-kien").synthetic_enterprises)
  end)

  it("Nam Cầu Kiền: over 40% of land for green space and infrastructure, +15 points over an unverified 25%", function()
    local a = assert(eco.assess("hp-kcn-nam-cau-kien", { framework = "ND82/2018", as_of = AS_OF, locale = "en" }))
    local r = row_of(a.frame, "criterion", "nd82-42.4")
    assert.same({ "threshold unverified", "met", 0.4, "over", "over 40%", "+15 pp" },
      { r.status, r.indicative, r.value, r.qualifier, r.value_text, r.gap_text })
    assert.matches("undated", r.flags)
    assert.equals("cannot be determined", a.ready)
    local w = row_of(a.evidence, "indicator", "wastewater_treated_share")
    assert.same({ 1.0, "V", "M" }, { w.value, w.text_status, w.confidence })
  end)

  it("never makes a criterion met from synthetic rows, targets or the cluster's context", function()
    for _, park in ipairs({ "hp-kcn-nam-cau-kien", "hp-kcn-dinh-vu", "qn-kcn-vsip-qn" }) do
      for _, fw in ipairs({ "ND35/2022", "ND82/2018", "EIP-2.0" }) do
        local a = assert(eco.assess(park, { framework = fw, as_of = AS_OF }))
        assert.equals(0, a.frame:filter(engine.col("status"):isin { "met", "not met" }):nrow(), park .. " " .. fw)
        assert.equals("cannot be determined", a.ready)
      end
    end
    local dv = assert(eco.assess("hp-kcn-dinh-vu", { as_of = AS_OF, locale = "en" }))
    assert.equals(10, dv.context:nrow())
    assert.is_truthy(table.concat(dv.notes, "\n"):find("10 fact(s) on DEEP C Hải Phòng (3 zones)", 1, true))
    local t = row_of(dv.evidence, "indicator", "renewable_share")
    assert.same({ "target", 2030, 0.5 }, { t.kind, t.target_year, t.value })
  end)

  it("marks the synthetic enterprise rows and every fact with a source", function()
    local ev = assert(evidence.bundled())
    assert.equals(18, ev.enterprises:nrow())
    assert.equals(18, ev.enterprises:filter(engine.col("synthetic")):nrow())
    assert.equals(0, ev.facts:filter(engine.col("source"):is_na()):nrow())
    assert.equals(0, ev.facts:filter(engine.col("synthetic")):nrow())
  end)

  it("refuses a group, an unknown park and an unknown framework; raises on misuse", function()
    local a, err = eco.assess("hp-grp-deep-c", { locale = "en" })
    assert.is_nil(a)
    assert.matches("hp%-grp%-deep%-c is a group of parks", err)
    assert.matches("^no evidence on the park 'hp%-kcn%-x'", select(2, eco.assess("hp-kcn-x", { locale = "en" })))
    assert.matches("^no framework 'X'", select(2, eco.assess("hp-kcn-dinh-vu", { framework = "X", locale = "en" })))
    assert.has_error(function() eco.assess(42) end, "eco.assess: expected a park id or evidence (zs.eco.read_evidence)")
    assert.has_error(function() eco.assess("hp-kcn-dinh-vu", { as_of = "30-06-2024" }) end,
      "eco.assess: as_of '30-06-2024' is not a date (yyyy-mm-dd)")
    assert.has_error(function() eco.assess("hp-kcn-dinh-vu", { locale = "fr" }) end,
      "eco.assess: locale must be 'vi' or 'en'")
    -- a zone of the data without evidence is assessed: every criterion without data
    local z = assert(eco.assess("hp-kcn-nomura", { as_of = AS_OF }))
    assert.equals(0, z.frame:filter(engine.col("value"):is_na():eq(false)):nrow())
  end)
end)

describe("eco report blocks", function()
  local cited = {}
  local blocks = eco.report_blocks(nil, { "hp-kcn-nam-cau-kien", "hp-kcn-nomura", "hp-kcn-dinh-vu" },
    { as_of = AS_OF, framework = "ND82/2018", cite = function(url)
      if not cited[url] then cited[#cited + 1] = url cited[url] = #cited end
      return cited[url]
    end })

  it("give a heading, per park with evidence a criteria table and an evidence table, then one chart", function()
    local kinds = {}
    for i, b in ipairs(blocks) do kinds[i] = b.kind .. ":" .. (b.id or "") end
    assert.same({ "heading:", "table:eco_hp-kcn-nam-cau-kien", "table:eco_other_hp-kcn-nam-cau-kien",
      "table:eco_hp-kcn-dinh-vu", "table:eco_other_hp-kcn-dinh-vu", "chart:" }, kinds)
    local t = blocks[2]
    assert.same({ "Tiêu chí", "Bên", "Ngưỡng", "Giá trị", "Chênh lệch", "Trạng thái", "Bằng chứng" }, t.columns)
    assert.equals(9, #t.rows)
    assert.equals(3, t.level)
    assert.matches("^Mức sẵn sàng theo Nghị định 82/2018/NĐ%-CP.*: chưa xác định được%.$", t.notes[1])
  end)

  it("mark the unverified thresholds and shade the synthetic values, with the report's source numbers", function()
    local t = blocks[2]
    local land
    for _, r in ipairs(t.rows) do if r[1].text == "NĐ82/2018 Điều 42.4" then land = r end end
    assert.equals("⚠ ≥ 25%", land[3].text)
    assert.matches("^ngưỡng chưa kiểm chứng: nguồn mức L", land[3].note)
    assert.equals(0.25, land[3].value)
    assert.same({ "trên 40%", 0.4, "ratio", "published", "over" }, { land[4].text, land[4].value, land[4].unit,
      land[4].class, land[4].qualifier })
    assert.equals(cited["https://kinhdoanhvaphattrien.vn/khat-vong-xanh-cua-doanh-nhan-sao-do-va-kcn-sinh-thai-nam-" ..
      "cau-kien-29209.html"], land[4].source)
    assert.equals("[" .. land[4].source .. "]", land[4].mark)
    assert.equals("⚠ ngưỡng chưa kiểm chứng (tham khảo: đạt)", land[6].text)
    local synthetic = 0
    for _, r in ipairs(t.rows) do
      if r[4].class == "synthetic" then
        synthetic = synthetic + 1
        assert.equals("GL", r[4].mark)
      end
    end
    assert.equals(4, synthetic)
  end)

  it("draw the statuses per category, the unverified apart, and render in Markdown, HTML and the exports", function()
    local c = blocks[#blocks]
    assert.matches("^<svg", c.svg)
    assert.is_truthy(c.svg:find("⚠ ngưỡng chưa kiểm chứng", 1, true))
    assert.is_truthy(c.svg:find("KCN Nam Cầu Kiền", 1, true))
    local render = require "zonestat.render"
    local export = require "zonestat.export"
    local model = { title = "t", locale = "vi", blocks = blocks, sources = { list = {} },
      texts = { sources = "Nguồn", url_missing = "–" } }
    local md = render.markdown(model)
    assert.is_truthy(md:find("| NĐ82/2018 Điều 42.4 (Tỷ lệ đất cây xanh, giao thông, hạ tầng dùng chung) | khu công " ..
      "nghiệp | ⚠ ≥ 25% [", 1, true))
    local html = render.html(model)
    assert.is_truthy(html:find('<section class="block" id="eco_hp-kcn-dinh-vu">', 1, true))
    local ids = {}
    for _, e in ipairs(export.tables(model)) do ids[#ids + 1] = e.id end
    assert.same({ "eco_hp-kcn-nam-cau-kien", "eco_other_hp-kcn-nam-cau-kien", "eco_hp-kcn-dinh-vu",
      "eco_other_hp-kcn-dinh-vu", "sources", "notes" }, ids)
    local f = export.tables(model)[1].frame
    assert.equals("float", f:column("Giá trị"):type())
    assert.equals("synthetic", f:get("Giá trị_class", 2))
  end)

  it("list their own sources without the report's numbering, and give nothing for parks without evidence", function()
    local own = eco.report_blocks(nil, { "qn-kcn-vsip-qn" }, { as_of = AS_OF, locale = "en" })
    local notes = table.concat(own[2].notes, "\n")
    assert.matches("Sources: %[1%] https://", notes)
    assert.same({}, eco.report_blocks(nil, { "hp-kcn-nomura" }, { as_of = AS_OF }))
  end)
end)

describe("the eco command", function()
  local argparse = require "argparse"

  -- the parser as cli.lua builds it: global options, a help flag per command
  local function parser(locale)
    local HELP = { default = { "mặc định", "default" }, help = { "Hiện trợ giúp này rồi thoát.", "Show this help." } }
    local function h(key) return HELP[key][locale == "en" and 2 or 1] end
    local p = argparse("zonestat", "t")
    local command = p.command
    function p.command(self, ...)
      local c = command(self, ...)
      c:add_help({ description = h("help") })
      return c
    end
    p:command_target("command")
    p:option("--locale", "", "vi"):choices({ "vi", "en" })
    p:option("--format", "", "table"):choices({ "table", "csv", "json", "md" })
    p:option("--out-sep"):choices({ ",", ";", "tab", "|" })
    p:option("--out-decimal"):choices({ ".", "," })
    p:mutex(p:flag("--bom"), p:flag("--no-bom"))
    local c = cli_eco.add_command(p, h)
    return p, c
  end

  local function run(...)
    local args = { ... }
    local locale = "vi"
    for i, v in ipairs(args) do if v == "--locale" then locale = args[i + 1] end end
    local p = parser(locale)
    local a = p:parse(args)
    local out = {}
    local ok, err = pcall(cli_eco.run, a, function(s) out[#out + 1] = s end, function(m) error({ eco = m }, 0) end)
    if not ok then
      if type(err) ~= "table" then error(err, 0) end
      return nil, err.eco
    end
    return table.concat(out)
  end

  it("has its help in Vietnamese and in English", function()
    local _, c = parser("vi")
    assert.is_truthy(c:get_help():find("Mức sẵn sàng khu công nghiệp sinh thái", 1, true))
    assert.is_truthy(c:get_help():find("--park", 1, true))
    local _, e = parser("en")
    assert.is_truthy(e:get_help():find("Eco-industrial-park readiness of a park", 1, true))
    assert.is_truthy(e:get_help():find("(default: ND35/2022)", 1, true) or e:get_help():find("ND35/2022", 1, true))
  end)

  it("prints the assessment: readiness, reasons, the table, the sources, the summary and the notes", function()
    local out = assert(run("eco", "--park", "hp-kcn-nam-cau-kien", "--framework", "ND82/2018", "--as-of", AS_OF))
    assert.is_truthy(out:find("KCN Nam Cầu Kiền (hp-kcn-nam-cau-kien) — Nghị định 82/2018/NĐ-CP", 1, true))
    assert.is_truthy(out:find("Mức sẵn sàng: chưa xác định được", 1, true))
    assert.is_truthy(out:find("- ND82/2018 Art.42.4: ngưỡng chưa kiểm chứng", 1, true))
    assert.is_truthy(out:find("*: ngưỡng chưa kiểm chứng", 1, true))
    assert.is_truthy(out:find("[1] https://kinhdoanhvaphattrien.vn/", 1, true))
    assert.is_truthy(out:find("GIẢ LẬP", 1, true))
    local md = assert(run("eco", "--park", "hp-kcn-nam-cau-kien", "--as-of", AS_OF, "--format", "md", "--locale", "en"))
    assert.is_truthy(md:find("## KCN Nam Cầu Kiền (hp-kcn-nam-cau-kien)", 1, true))
    assert.is_truthy(md:find("| ND35/2022 Art.37.3 | not assessable |", 1, true))
  end)

  it("writes CSV in the locale's conventions and JSON with the readiness", function()
    local csv = assert(run("eco", "--park", "hp-kcn-dinh-vu", "--as-of", AS_OF, "--format", "csv"))
    assert.equals("\239\187\191park;as_of;readiness;criterion;", csv:sub(1, 34))
    local f = assert(engine.parse_csv(csv, { sep = ";", decimal = ",", thousands = "" }))
    assert.equals(12, f:nrow())
    assert.equals(0.125, row_of(f, "criterion", "nd35-37.2.c").value)
    local en = assert(run("eco", "--park", "hp-kcn-dinh-vu", "--as-of", AS_OF, "--format", "csv", "--locale", "en"))
    assert.equals("park,as_of,readiness,criterion,", en:sub(1, 31))
    local cjson = require "cjson"
    local text = assert(run("eco", "--park", "hp-kcn-dinh-vu", "--as-of", AS_OF, "--format", "json"))
    local j = cjson.decode(text)
    assert.same({ "hp-kcn-dinh-vu", "cannot be determined", 12, 12 }, { j.park, j.ready, #j.criteria, #j.reasons })
  end)

  it("lists the parks and the criteria, shows progress with --since and writes a workbook", function()
    local list = assert(run("eco", "--list", "--format", "csv", "--locale", "en"))
    assert.is_truthy(list:find("\nhp-kcn-nam-cau-kien,KCN Nam Cầu Kiền,zone,pilot,12,0,10,10,,\n", 1, true))
    local crit = assert(run("eco", "--criteria-list", "--framework", "EIP-2.0", "--format", "csv", "--locale", "en"))
    assert.equals(9, select(2, crit:gsub("\n", "")))
    local path = util.tmpfile("eco_facts_since.csv", "park,indicator,value,date,source\n" ..
      "hp-kcn-nomura,recp_share,0.1,2022-12-31,https://example.org/x\n" ..
      "hp-kcn-nomura,recp_share,0.3,2024-01-31,https://example.org/y\n")
    local out = assert(run("eco", "--park", "hp-kcn-nomura", "--evidence", path, "--as-of", AS_OF, "--since",
      "2023-06-30", "--locale", "en"))
    assert.is_truthy(out:find("Progress from 2023-06-30 to 2024-06-30: 1 criteria improved, 0 worsened", 1, true))
    assert.is_truthy(out:find("readiness not ready → cannot be determined", 1, true))
    local book = util.tmpfile("eco_out.xlsx")
    assert(run("eco", "--park", "hp-kcn-dinh-vu", "--as-of", AS_OF, "--xlsx", book, "--locale", "en"))
    assert.same({ "Assessment", "Summary", "Evidence", "Criteria" }, engine.xlsx_sheets(book):column("name"):totable())
    assert.equals(12, engine.read_xlsx(book, { sheet = "Assessment" }):nrow())
  end)

  it("reports a user's mistake in one line", function()
    local cases = {
      { { "eco" }, "^eco: hãy nêu %-%-park ID" },
      { { "eco", "--park", "hp-kcn-x" }, "^%-%-park hp%-kcn%-x: không có bằng chứng về khu" },
      { { "eco", "--park", "hp-grp-deep-c" }, "là một nhóm khu" },
      { { "eco", "--park", "hp-kcn-dinh-vu", "--framework", "X" }, "^không có bộ tiêu chí 'X'" },
      { { "eco", "--park", "hp-kcn-dinh-vu", "--as-of", "2024-13-01" }, "^%-%-as%-of: '2024%-13%-01'" },
      { { "eco", "--park", "hp-kcn-dinh-vu", "--since", "2025-01-01", "--as-of", AS_OF }, "^%-%-since 2025%-01%-01" },
      { { "eco", "--park", "hp-kcn-dinh-vu", "--xlsx", "out.xls" }, "^%-%-xlsx out%.xls: tên tệp phải có đuôi %.xlsx" },
      { { "eco", "--list", "--park", "hp-kcn-dinh-vu" }, "không dùng cùng nhau" },
      { { "eco", "--park", "hp-kcn-dinh-vu", "--out-sep", ";" }, "^%-%-out%-sep: chỉ dùng với %-%-format csv" },
      { { "eco", "--park", "hp-kcn-dinh-vu", "--locale", "en", "--format", "csv", "--out-sep", ",", "--out-decimal", "," },
        "^%-%-out%-decimal ',' is also the field separator" },
    }
    for _, c in ipairs(cases) do
      local out, err = run(table.unpack(c[1]))
      assert.is_nil(out, table.concat(c[1], " "))
      assert.matches(c[2], err)
      assert.is_nil(err:find("\n"), err)
    end
    local _, err = run("eco", "--park", "hp-kcn-nomura", "--evidence", FIX .. "bad_enterprises.csv")
    assert.matches("^không nạp được spec/fixtures/eco/bad_enterprises%.csv:\n  ", err)
    assert.equals(6, select(2, err:gsub("\n  ", "")))
  end)
end)
