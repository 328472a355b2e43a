--- Recompute the calibration totals of the synthetic files from the CSVs and check them.
--
-- Usage: lua5.4 data/gen/check.lua data/vn
--
-- Prints the totals and exits with status 1 if any check fails. Plain Lua 5.4.
local dir0 = debug.getinfo(1, "S").source:sub(2):match("^(.*)[/\\]") or "."
package.path = dir0 .. "/?.lua;" .. package.path
local L = require("lib")

local DIR = arg[1] or "data/vn"
local failures = 0
local function check(ok, msg)
  if not ok then failures = failures + 1; print("FAIL: " .. msg) end
end
local function within(x, target, rel) return math.abs(x - target) <= rel * target end

local FX = L.read_fx(DIR)
local _, zones = L.read_csv(DIR .. "/zones.csv")
local ZONE = {}
for _, z in ipairs(zones) do ZONE[z.id] = z end
local header, projects = L.read_csv(DIR .. "/projects.csv")
check(#header == 15, "projects.csv has 15 columns")

local ENUM = {
  origin = { FDI = true, domestic = true }, currency = { USD = true, VND = true },
  status = { licensed = true, construction = true, operating = true, suspended = true, terminated = true },
  industrial_production = { yes = true, no = true }, synthetic = { yes = true },
}

local T = {}
local ids = {}
for i, p in ipairs(projects) do
  local where = "projects.csv row " .. (i + 1)
  for col, set in pairs(ENUM) do check(set[p[col]], where .. ": bad " .. col .. " '" .. tostring(p[col]) .. "'") end
  check(not ids[p.id], where .. ": duplicate id " .. p.id); ids[p.id] = true
  local z = ZONE[p.zone_id]
  check(z ~= nil, where .. ": unknown zone " .. p.zone_id)
  local prov = p.id:match("^syn%-(%a+)%-")
  check(z and z.province == (prov == "hp" and "Hải Phòng" or "Quảng Ngãi"), where .. ": zone not in the id's province")
  check(z and z.status ~= "planned", where .. ": project in a planned zone")
  local y = tonumber(p.license_date:sub(1, 4))
  check(p.license_date:match("^%d%d%d%d%-%d%d%-%d%d$") and p.license_date <= "2024-06-30", where .. ": license_date")
  if z and tonumber(z.year_established) then check(y >= tonumber(z.year_established), where .. ": licensed before the zone existed") end
  check(p.investor:find("(synthetic)", 1, true), where .. ": investor name not marked synthetic")
  check((p.origin == "FDI") == (p.currency == "USD"), where .. ": FDI must be USD, domestic VND")
  check((p.origin == "FDI") == (p.country ~= "Vietnam"), where .. ": country/origin mismatch")
  local cap = math.tointeger(tonumber(p.capital))
  check(cap and cap > 0, where .. ": capital must be a positive integer")
  local usd
  if p.currency == "VND" then
    check(FX[y] ~= nil, where .. ": no fx rate for domestic license year " .. y)
    check(cap % 1000000 == 0, where .. ": VND capital not in whole millions")
    usd = cap / (FX[y] or 1)
  else
    usd = cap
  end
  check(tonumber(p.disbursed) <= cap, where .. ": disbursed > capital")
  if p.industrial_production == "yes" then check(p.status == "operating", where .. ": industrial production but not operating") end
  if p.status ~= "operating" then check(tonumber(p.employees) == 0, where .. ": employees on a non-operating project") end
  local t = T[prov] or { n = 0, usd = 0.0, n_fdi = 0, fdi = 0, n_dom = 0, dom = 0.0, op = 0, ip = 0, emp = 0, land = 0, zones = {} }
  T[prov] = t
  t.n = t.n + 1; t.usd = t.usd + usd
  if p.origin == "FDI" then t.n_fdi = t.n_fdi + 1; t.fdi = t.fdi + cap else t.n_dom = t.n_dom + 1; t.dom = t.dom + usd end
  if p.status == "operating" then t.op = t.op + 1 end
  if p.industrial_production == "yes" then t.ip = t.ip + 1 end
  t.emp = t.emp + tonumber(p.employees)
  local cha = math.tointeger(math.floor(tonumber(p.land_ha) * 100 + 0.5))
  t.land = t.land + cha
  t.zones[p.zone_id] = (t.zones[p.zone_id] or 0) + cha
end

local function bn(x) return string.format("%.6f bn USD", x / 1e9) end
print("Synthetic project registry (projects.csv); domestic VND converted back at the license year's fx.csv rate")
for _, prov in ipairs({ "hp", "qn" }) do
  local t = T[prov]
  print(string.format("  %s: %d projects, %s (%.2f bn); FDI %d projects, %s; domestic %d projects, %s",
    prov, t.n, bn(t.usd), t.usd / 1e9, t.n_fdi, bn(t.fdi), t.n_dom, bn(t.dom)))
  print(string.format("      operating %d, industrial production %d, employees %d, land %.2f ha",
    t.op, t.ip, t.emp, t.land / 100))
end
local hp, qn = T.hp, T.qn
check(hp.n == 784, "HP projects = 784")
check(hp.n_fdi == 561 and hp.n_dom == 223, "HP 561 FDI + 223 domestic")
check(string.format("%.1f", hp.usd / 1e9) == "38.3" and within(hp.usd, 38.3e9, 0.0005), "HP total ≈ 38.3 bn USD (0.05 %)")
check(within(hp.fdi, 24.6e9, 0.0005), "HP FDI ≈ 24.6 bn USD (0.05 %)")
check(within(hp.dom, 13.7e9, 0.0005), "HP domestic ≈ 13.7 bn USD (0.05 %)")
check(qn.n == 349, "QN projects = 349")
check(within(qn.usd, 18.37e9, 0.0005), "QN total ≈ 18.37 bn USD (0.05 %)")
check(qn.op == 256, "QN operating = 256")
check(qn.ip == 195, "QN industrial production = 195")
print(string.format("  deviations: HP total %+.5f %%, HP FDI %+.5f %%, HP domestic %+.5f %%, QN total %+.5f %%",
  (hp.usd / 38.3e9 - 1) * 100, (hp.fdi / 24.6e9 - 1) * 100, (hp.dom / 13.7e9 - 1) * 100, (qn.usd / 18.37e9 - 1) * 100))

-- zones_synthetic_land.csv: leased land per KCN = sum of its projects' land; occupancy.
local _, land = L.read_csv(DIR .. "/zones_synthetic_land.csv")
local ind, leased = 0, 0
for _, r in ipairs(land) do
  check(r.synthetic == "yes", "zones_synthetic_land: synthetic=yes")
  local z = ZONE[r.zone_id]
  check(z and z.kind == "KCN" and z.province == "Hải Phòng" and z.status ~= "planned", "zones_synthetic_land: " .. r.zone_id .. " is an established HP KCN")
  local li = math.tointeger(math.floor(tonumber(r.industrial_land_ha) * 100 + 0.5))
  local ll = math.tointeger(math.floor(tonumber(r.leased_land_ha) * 100 + 0.5))
  ind, leased = ind + li, leased + ll
  check(ll <= li, "zones_synthetic_land: leased <= industrial in " .. r.zone_id)
  check((hp.zones[r.zone_id] or 0) == ll, "zones_synthetic_land: projects' land sums to leased land in " .. r.zone_id)
end
print(string.format("Synthetic land (zones_synthetic_land.csv): %d KCN, industrial %.2f ha, leased %.2f ha, occupancy %.4f",
  #land, ind / 100, leased / 100, leased / ind))
check(#land == 14, "zones_synthetic_land: 14 KCN")
check(ind == 402800, "industrial land total = 4,028 ha")
check(math.abs(leased / ind - 0.65) < 0.00005, "occupancy = 65 %")

-- fdi_rank.csv: the published facts hold.
local _, rk = L.read_csv(DIR .. "/fdi_rank.csv")
local hpr = {}
for _, r in ipairs(rk) do if r.province_id == "hp" then hpr[tonumber(r.year)] = tonumber(r.rank) end end
print(string.format("FDI ranking (fdi_rank.csv): %d rows; Hải Phòng ranks 2019–2024: %d %d %d %d %d %d",
  #rk, hpr[2019], hpr[2020], hpr[2021], hpr[2022], hpr[2023], hpr[2024]))
check(hpr[2021] <= 3 and hpr[2022] <= 3 and hpr[2023] <= 3, "Hải Phòng in the top 3 in 2021–2023")
check(hpr[2023] == 2, "Hải Phòng 2nd in 2023")

if failures > 0 then print(failures .. " check(s) failed"); os.exit(1) end
print("all checks passed")
