--- Generator of the SYNTHETIC project registry of the bundled dataset.
--
-- Usage: lua5.4 data/gen/projects.lua data/vn
--
-- Reads zones.csv and fx.csv from the given directory and writes, atomically:
--   projects.csv               synthetic project rows (every row synthetic=yes)
--   events.csv                 the capital events of those projects (licences, capital increases and
--                              decreases, share purchases, terminations; every row synthetic=yes)
--   zones_synthetic_land.csv   synthetic industrial / leased land of Hải Phòng's 14 KCN
--
-- Fixed seeds, own PRNG (SplitMix64 in lib.lua), no use of pairs() order: the output is
-- byte-identical on every run. The exact calibration targets are met by construction (integer
-- apportionment); the shape targets are reported by check.lua (see data/vn/README.md).
-- Plain Lua 5.4; no zonestat dependency.
local dir0 = debug.getinfo(1, "S").source:sub(2):match("^(.*)[/\\]") or "."
package.path = dir0 .. "/?.lua;" .. package.path
local L = require("lib")

local OUT = arg[1] or "data/vn"
local SEED = 20240703 -- the article's publication date
local rng = L.rng(SEED)
local erng = L.rng(SEED + 12) -- capital events (issue 12): a stream of their own
local CUTOFF_Y, CUTOFF_M, CUTOFF_D = 2024, 6, 30
local CUTOFF = "2024-06-30"

---------------------------------------------------------------------------
-- Inputs
---------------------------------------------------------------------------
local _, zone_rows = L.read_csv(OUT .. "/zones.csv")
local ZONE = {}
for _, z in ipairs(zone_rows) do ZONE[z.id] = z end
local FX = L.read_fx(OUT)

---------------------------------------------------------------------------
-- Calibration targets and synthetic assumptions (all documented in README.md)
---------------------------------------------------------------------------
-- Counts are VALID projects at 2024-06-30 (licensed and not terminated by then); the terminated
-- projects are extra rows. hp.fdi_usd is exact (registered FDI capital of the valid projects);
-- Hải Phòng's domestic capital is calibrated in VND (HP_DOM_VND below), Quảng Ngãi's in USD
-- converted at each event's year rate.
local TARGET = {
  hp = { n = 784, n_fdi = 561, fdi_usd = 24600000000, employees = 200000 },
  qn = { n = 349, n_fdi = 58, fdi_usd = 1850000000, dom_usd = 16520000000, employees = 77000,
         operating = 256, industrial = 195 },
}

-- First year in which a zone can hold a project: year_established, else this table.
local START_FALLBACK = {
  ["hp-kcn-mp-dinh-vu"] = 2016,          -- projects licensed there from 2016 [H]
  ["hp-kcn-deep-c-3"] = 2019,            -- established by 9/2019 [inference]
  ["hp-kcn-an-duong"] = 2017,            -- operating by 9/2017
  ["hp-kcn-unresolved"] = 2023,          -- only evidence: tenants licensed 5/2023
  ["qn-kcn-dong-dung-quat"] = 2005,      -- parent KKT's year
  ["qn-kcn-tay-dung-quat"] = 2005,       -- parent KKT's year
  ["qn-kcn-binh-hoa-binh-phuoc"] = 2023, -- listed as existing in 2023
}

-- Hải Phòng: project counts per zone.
-- anchor = published per-zone count (zones-hp-qn.md §1.3): Nomura 55 (2014); DEEP C's three HP
-- zones 94 FDI + 51 domestic = 145 (2023), split DV 75 (keeps ">70 tenants", 2018) / NĐV2 70;
-- Tràng Duệ >70; VSIP 60 (2021); Nam Cầu Kiền >50 (2020).
-- area = natural area (zones.csv), or for unknown areas the derived basis of zones-hp-qn.md §1.2.
-- fixed = zones not (yet) in operation or without a count/area: a handful of projects.
-- fdi = synthetic FDI share of the zone's projects before the global adjustment to 561.
local HP_ZONES = {
  { id = "hp-kcn-nomura",        anchor = 55, fdi = 0.90 },
  { id = "hp-kcn-dinh-vu",       anchor = 75, fdi = 0.65 },
  { id = "hp-kcn-nam-dinh-vu-2", anchor = 70, fdi = 0.65 },
  { id = "hp-kcn-trang-due",     anchor = 70, fdi = 0.80 },
  { id = "hp-kcn-vsip-hp",       anchor = 60, fdi = 0.80 },
  { id = "hp-kcn-nam-cau-kien",  anchor = 50, fdi = 0.55 },
  { id = "hp-kcn-nam-dinh-vu-1", area = 1329, fdi = 0.55 },
  { id = "hp-kcn-an-duong",      area = 196.1, fdi = 0.80 },
  { id = "hp-kcn-do-son",        area = 149.4, fdi = 0.60 },  -- ≈149.4 ha [derived]
  { id = "hp-kcn-mp-dinh-vu",    area = 125, fdi = 0.50 },    -- half of ≈250 ha [derived]
  { id = "hp-kcn-unresolved",    fixed = 3, fdi = 1.00 },
  { id = "hp-kcn-xuan-cau",      fixed = 2, fdi = 0.50 },
  { id = "hp-kcn-tien-thanh",    fixed = 2, fdi = 0.50 },
  { id = "hp-kcn-deep-c-3",      fixed = 1, fdi = 1.00 },
  { id = "hp-kkt-dvch",          fixed = 40, fdi = 0.50 },   -- in the KKT, outside any KCN
}
-- Zones with a published count define the density (projects per ha) used for the others.
local HP_DENSITY_AREA = { ["hp-kcn-nomura"] = 153, ["hp-kcn-dinh-vu"] = 541, ["hp-kcn-nam-dinh-vu-2"] = 645,
                          ["hp-kcn-trang-due"] = 401, ["hp-kcn-nam-cau-kien"] = 263.47 }

-- Quảng Ngãi: fixed counts where a source gives one, the rest by industrial land (2008).
local QN_ZONES = {
  { id = "qn-kcn-vsip-qn",             n = 35, fdi_n = 22 },  -- 35 investors (~2023–24)
  { id = "qn-kcn-tinh-phong",          n = 60, fdi_n = 4 },   -- 99 projects in the 3 old KCN,
  { id = "qn-kcn-quang-phu",           n = 39, fdi_n = 2 },   -- split by area 140.72 : 92.14
  { id = "qn-kcn-pho-phong",           n = 0 },               -- "chưa thu hút đầu tư" [H]
  { id = "qn-kcn-vsip-2-qn",           n = 1, fdi_n = 1 },    -- under construction
  { id = "qn-kcn-binh-hoa-binh-phuoc", n = 2, fdi_n = 0 },    -- existence only
  { id = "qn-kkt-dung-quat",           n = 40, fdi_n = 8 },   -- in the KKT, outside any KCN
  { id = "qn-kcn-dong-dung-quat",      rest = 1668, fdi_n = 15 }, -- industrial land 2008
  { id = "qn-kcn-tay-dung-quat",       rest = 665, fdi_n = 6 },
}

-- Terminations (chấm dứt / thu hồi), synthetic: the year of each one, per province and origin.
-- A terminated project is an extra row (status `terminated`): the published counts are counts of
-- valid projects, so every termination is matched by one more licence in its year (HP_*_YEARS are
-- changes of the valid count). Hải Phòng's FDI terminations follow the published gaps between new
-- licences and the change of the valid count (2020: 39 new, 367 → 400; 2022: 48 new, → 458).
local TERMINATIONS = {
  { prov = "hp", origin = "FDI", years = { 2020, 2020, 2020, 2020, 2020, 2020, 2021, 2022, 2022, 2022, 2022, 2022, 2023, 2023, 2024 } },
  { prov = "hp", origin = "domestic", years = { 2020, 2023, 2024 } },
  { prov = "qn", origin = "FDI", years = { 2021 } },
  { prov = "qn", origin = "domestic", years = { 2019, 2023 } },
}

-- Hải Phòng: change of the VALID project count per license year. FDI follows the published
-- cumulative FDI counts (367 end-2019, 400 end-2020, 458 end-2022, ~520 end-2023, 561 6/2024), with
-- 2021 = +15 (403 in 2/2021 and 6/2021, 438 in 6/2022); licences per year = change + terminations
-- (2019 58, 2020 39, 2022 48, 2023 62 as published; 2021 16; 2024 H1 44). Domestic follows the
-- domestic counts (162 end-2019, 167 2/2021, 195 6/2022, 202 end-2022, 212 7/2023, 223 6/2024),
-- licensed in VND in the year itself, 2022 and 2024 included.
local HP_FDI_YEARS = { { "pre", 309 }, { 2019, 58 }, { 2020, 33 }, { 2021, 15 }, { 2022, 43 }, { 2023, 60 }, { 2024, 43 } }
local HP_DOM_YEARS = { { "pre", 162 }, { 2020, 4 }, { 2021, 18 }, { 2022, 18 }, { 2023, 14 }, { 2024, 7 } }

-- Hải Phòng FDI capital (USD). Exact: the stock of 6/2024 (TARGET.hp.fdi_usd) and the 2021 split.
-- Shape: HEZA's yearly inflows (new + increases + share purchases; 2024: half of the full year's
-- 4.35 bn), the 2011–2015 and 2016–2020 inflows (5.9 and 8.7 bn), and the stock of end-2019 (">14.7
-- bn"). Share purchases add to the inflow but not to registered capital; their share of 2022–2024
-- is solved so that the end-2019 stock is HP_FDI_STOCK_2019 while 6/2024 is exact.
local HP_FDI_INFLOW = { [2019] = 1430000000, [2020] = 1530000000, [2022] = 2500000000, [2023] = 3500000000,
                        [2024] = 2175000000 }
local HP_FDI_2021 = { new_and_increase = 2960000000, share_purchase = 2200000000 }
local HP_FDI_2011_2015, HP_FDI_2016_2020 = 5900000000, 8700000000
local HP_FDI_STOCK_2019 = 14750000000
local HP_FDI_SP_SHARE = { [2019] = 0.10, [2020] = 0.03 } -- assumed; 2022–2024 solved

-- Hải Phòng domestic capital, in VND (no exchange rate is needed or invented): cumulative registered
-- domestic capital at the end of each span (shape targets from figures.csv; the gross new + increase
-- amount of a span is the stock change plus the span's decreases and terminations).
local HP_DOM_VND = {
  { to = "2019-12-31", stock = 150000000000000 }, -- ">149.5 trn VND" (end-2019), rounded up
  { to = "2021-02-28", add = 2500000000000 },     -- 2020–2/2021: assumed small (5 licences); the published
                                                  -- 145,885 bn of 2/2021 is below end-2019 (CONFLICT)
  { to = "2022-12-31", stock = 295000000000000 }, -- ">294,721 bn VND" (end-2022), rounded up
  { to = "2023-07-31", stock = 308702000000000 }, -- 308,702 bn VND (HEZA, 7/2023)
  { to = CUTOFF, per_event = true },              -- no VND figure after 7/2023: the mean amount per
                                                  -- licence/increase of the previous span
}

-- Quảng Ngãi early 2023 (lforum, "early 2023" = 2023-03-31): valid registered capital, shape target
local QN_EARLY_2023 = { as_of = "2023-03-31", fdi_usd = 1800000000, dom_usd = 15800000000 }

-- Capital increases per year (count), per province and origin: explicit counts where published
-- (HP FDI: 2019 ~100 increases + share purchases, 2020 25, 2021 81 projects new or increasing, 2022
-- 37, 2023 37; 2024 H1 assumed 20), else rate × valid projects at the start of the year (half in
-- 2024 H1). Quảng Ngãi's domestic increases only fall in years with a USD/VND rate (its capital is
-- calibrated in USD). At most one increase per project and year.
local INCREASES = {
  { prov = "hp", origin = "FDI", from = 1996, rate = 0.07,
    years = { [2019] = 85, [2020] = 25, [2021] = 65, [2022] = 37, [2023] = 37, [2024] = 20 } },
  { prov = "hp", origin = "domestic", from = 2000, rate = 0.04, years = { [2020] = 1, [2021] = 3, [2022] = 3, [2023] = 3, [2024] = 2 } },
  { prov = "qn", origin = "FDI", from = 2006, rate = 0.06, years = { [2022] = 5 } },
  { prov = "qn", origin = "domestic", from = 2006, rate = 0.03, years = {}, rate_only = true },
}
-- Share purchases (FDI, USD) per year, and capital decreases (year of each).
local SHARE_PURCHASES = {
  { prov = "hp", origin = "FDI", years = { [2019] = 15, [2020] = 3, [2021] = 8, [2022] = 10, [2023] = 12, [2024] = 8 } },
  { prov = "qn", origin = "FDI", years = { [2019] = 1, [2023] = 1 } },
}
local DECREASES = {
  { prov = "hp", origin = "FDI", years = { 2019, 2020, 2022, 2023, 2023, 2024 } },
  { prov = "hp", origin = "domestic", years = { 2022 } },
  { prov = "qn", origin = "FDI", years = { 2018 } },
}

-- Quảng Ngãi license-year profile (relative weights; synthetic).
local QN_YEAR_W = { [1997] = 1, [1998] = 1, [1999] = 1, [2000] = 1, [2001] = 1, [2002] = 1, [2003] = 1, [2004] = 2,
  [2005] = 6, [2006] = 20, [2007] = 22, [2008] = 15, [2009] = 8, [2010] = 8, [2011] = 8, [2012] = 8, [2013] = 8,
  [2014] = 10, [2015] = 12, [2016] = 14, [2017] = 18, [2018] = 20, [2019] = 20, [2020] = 20, [2021] = 16,
  [2022] = 7, [2023] = 3, [2024] = 1 } -- 2023–2024 low: 346 projects early 2023, 349 in 6/2024

-- Sectors: code, industrial (manufacturing or power), capital factor, labour factor.
local SECTORS = {
  { "electronics", true, 2.0, 3.0 }, { "automotive_parts", true, 1.5, 2.0 }, { "machinery", true, 1.0, 1.2 },
  { "steel_metals", true, 4.0, 1.0 }, { "chemicals", true, 1.5, 0.6 }, { "petrochemicals_refining", true, 8.0, 0.8 },
  { "plastics_rubber", true, 0.8, 1.0 }, { "textiles_garments", true, 0.6, 4.0 }, { "footwear", true, 0.6, 5.0 },
  { "food_processing", true, 0.6, 1.5 }, { "wood_processing", true, 0.4, 1.5 }, { "building_materials", true, 1.0, 0.8 },
  { "shipbuilding", true, 3.0, 1.5 }, { "energy_equipment", true, 1.5, 1.5 }, { "power_generation", true, 4.0, 0.3 },
  { "logistics", false, 0.8, 0.5 }, { "port_services", false, 2.0, 0.6 }, { "trade_services", false, 0.4, 0.4 },
  { "infrastructure", false, 3.0, 0.3 },
}
local SECTOR = {}
for i, s in ipairs(SECTORS) do SECTOR[s[1]] = { code = s[1], industrial = s[2], cap = s[3], lab = s[4], i = i } end

local function mix(t) -- { {code, weight}, ... } -> codes, weights
  local c, w = {}, {}
  for i, e in ipairs(t) do c[i], w[i] = e[1], e[2] end
  return { codes = c, weights = w }
end
local SECTOR_MIX = {
  hp_fdi = mix{ { "electronics", 18 }, { "automotive_parts", 8 }, { "machinery", 8 }, { "logistics", 12 },
    { "chemicals", 7 }, { "plastics_rubber", 7 }, { "steel_metals", 6 }, { "textiles_garments", 6 }, { "footwear", 4 },
    { "energy_equipment", 6 }, { "food_processing", 4 }, { "building_materials", 3 }, { "trade_services", 5 },
    { "port_services", 3 }, { "power_generation", 1 }, { "infrastructure", 2 } },
  hp_dom = mix{ { "logistics", 15 }, { "port_services", 10 }, { "infrastructure", 10 }, { "steel_metals", 8 },
    { "building_materials", 10 }, { "chemicals", 6 }, { "machinery", 8 }, { "food_processing", 7 },
    { "trade_services", 12 }, { "automotive_parts", 4 }, { "plastics_rubber", 5 }, { "shipbuilding", 5 } },
  qn_ind = mix{ { "petrochemicals_refining", 6 }, { "steel_metals", 8 }, { "shipbuilding", 5 }, { "machinery", 5 },
    { "textiles_garments", 8 }, { "footwear", 4 }, { "food_processing", 10 }, { "wood_processing", 10 },
    { "building_materials", 10 }, { "chemicals", 5 }, { "plastics_rubber", 4 }, { "electronics", 4 },
    { "power_generation", 2 } },
  qn_non = mix{ { "logistics", 7 }, { "port_services", 4 }, { "trade_services", 6 }, { "infrastructure", 2 } },
}
SECTOR_MIX.qn_all = mix{ { "petrochemicals_refining", 6 }, { "steel_metals", 8 }, { "shipbuilding", 5 }, { "machinery", 5 },
  { "textiles_garments", 8 }, { "footwear", 4 }, { "food_processing", 10 }, { "wood_processing", 10 },
  { "building_materials", 10 }, { "chemicals", 5 }, { "plastics_rubber", 4 }, { "electronics", 4 },
  { "power_generation", 2 }, { "logistics", 7 }, { "port_services", 4 }, { "trade_services", 6 }, { "infrastructure", 2 } }

-- FDI source countries (count shares; synthetic, except Nomura's Japanese share = 48/55 [H]).
local COUNTRY_MIX = {
  hp = mix{ { "Korea", 30 }, { "Japan", 22 }, { "China", 18 }, { "Taiwan", 7 }, { "Singapore", 7 }, { "Hong Kong", 5 },
    { "United States", 3 }, { "Belgium", 2 }, { "Thailand", 2 }, { "Germany", 2 }, { "Netherlands", 2 } },
  ["hp-kcn-nomura"] = mix{ { "Japan", 87 }, { "Korea", 5 }, { "Taiwan", 4 }, { "Singapore", 4 } },
  ["hp-kcn-an-duong"] = mix{ { "China", 60 }, { "Taiwan", 15 }, { "Hong Kong", 10 }, { "Korea", 15 } },
  ["hp-kcn-vsip-hp"] = mix{ { "Singapore", 20 }, { "Japan", 25 }, { "Korea", 25 }, { "China", 15 }, { "Taiwan", 10 }, { "United States", 5 } },
  qn = mix{ { "Korea", 25 }, { "Japan", 20 }, { "Singapore", 15 }, { "Taiwan", 12 }, { "China", 10 }, { "Thailand", 6 },
    { "United States", 4 }, { "Hong Kong", 4 }, { "Germany", 4 } },
}


---------------------------------------------------------------------------
-- Helpers
---------------------------------------------------------------------------
local function start_year(id)
  local z = ZONE[id] or error("unknown zone " .. id)
  local y = tonumber(z.year_established)
  if y then return math.tointeger(y) end
  return START_FALLBACK[id] or error("no start year for zone " .. id)
end

local function draw(m) return m.codes[rng:pick(m.weights)] end

local function date_in_year(y, r)
  r = r or rng
  local last_m = (y == CUTOFF_Y) and CUTOFF_M or 12
  local m = r:int(1, last_m)
  local last_d = L.days_in_month(y, m)
  if y == CUTOFF_Y and m == CUTOFF_M then last_d = math.min(last_d, CUTOFF_D) end
  return string.format("%04d-%02d-%02d", y, m, r:int(1, last_d))
end

-- Days since 1970-01-01 of an ISO date (proleptic Gregorian).
local function days(date)
  local y, m, d = date:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  y, m, d = math.tointeger(tonumber(y)), math.tointeger(tonumber(m)), math.tointeger(tonumber(d))
  if m <= 2 then y = y - 1 end
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
  return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
end

-- Apportion integer `total` among items in proportion to item.w; writes item[key].
local function apportion_into(items, total, key)
  local w = {}
  for i, it in ipairs(items) do w[i] = it.w end
  local parts = L.apportion(total, w)
  for i, it in ipairs(items) do it[key] = parts[i] end
end

---------------------------------------------------------------------------
-- Synthetic investor names (clearly fictional, each ends in "(synthetic)")
---------------------------------------------------------------------------
local USED_NAMES = {}
local VN_A = { "Minh", "An", "Hưng", "Phát", "Thịnh", "Bảo", "Đức", "Hải", "Long", "Tân", "Việt", "Phú", "Quang",
  "Thành", "Hòa", "Kim", "Sao", "Trường", "Vĩnh", "Gia" }
local VN_B = { "An", "Phát", "Thịnh", "Long", "Hưng", "Tín", "Lộc", "Khang", "Nguyên", "Hải", "Quang", "Minh", "Phú",
  "Sơn", "Hà", "Lợi", "Việt", "Đạt", "Tiến", "Bình" }
local VN_ACT = { electronics = "Điện tử", automotive_parts = "Linh kiện Ô tô", machinery = "Cơ khí", steel_metals = "Thép",
  chemicals = "Hóa chất", petrochemicals_refining = "Lọc hóa dầu", plastics_rubber = "Nhựa", textiles_garments = "Dệt may",
  footwear = "Giày da", food_processing = "Thực phẩm", wood_processing = "Chế biến Gỗ", building_materials = "Vật liệu Xây dựng",
  shipbuilding = "Công nghiệp Tàu thủy", energy_equipment = "Thiết bị Năng lượng", power_generation = "Năng lượng",
  logistics = "Logistics", port_services = "Dịch vụ Cảng", trade_services = "Thương mại Dịch vụ", infrastructure = "Đầu tư Hạ tầng" }
local EN_ACT = { electronics = "Electronics", automotive_parts = "Auto Parts", machinery = "Machinery", steel_metals = "Steel",
  chemicals = "Chemical", petrochemicals_refining = "Petrochemical", plastics_rubber = "Polymer", textiles_garments = "Textile",
  footwear = "Footwear", food_processing = "Foods", wood_processing = "Wood Products", building_materials = "Building Materials",
  shipbuilding = "Marine Engineering", energy_equipment = "Energy Systems", power_generation = "Power",
  logistics = "Logistics", port_services = "Terminal Services", trade_services = "Trading", infrastructure = "Development" }
local FOREIGN = {
  Korea = { { "Han", "Dae", "Sung", "Jin", "Hyun", "Seo", "Kyung", "Woo", "Jeong", "Yeon" }, { "bit", "won", "jin", "san", "rim", "do", "hwa", "min" }, "%s %s Vina Co., Ltd." },
  Japan = { { "Aki", "Haru", "Kawa", "Mori", "Sora", "Taka", "Yama", "Naka", "Hoshi", "Mizu" }, { "no", "ta", "mi", "ka", "se", "ra", "zu", "be" }, "%s %s Vietnam Co., Ltd." },
  China = { { "Hua", "Xin", "Jin", "Long", "Tian", "Rui", "Hong", "Sheng", "Yuan", "Feng" }, { "tai", "da", "xing", "hai", "cheng", "fa", "kang", "yu" }, "%s %s (Vietnam) Co., Ltd." },
  Taiwan = { { "Chia", "Wei", "Ming", "Kuo", "Yung", "Chen", "Lien", "Fu" }, { "hsin", "feng", "tai", "sheng", "lung", "yi" }, "%s %s Vietnam Co., Ltd." },
  Singapore = { { "Tanjong", "Straits", "Meridian", "Pinnacle", "Orchid", "Harbourfront", "Lionsgate", "Equator" }, { "" }, "%s%s %s Pte. Ltd. (Vietnam branch)" },
  ["Hong Kong"] = { { "Kowloon", "Pearl", "Victoria", "Lantau", "Harbour", "Jade" }, { "" }, "%s%s %s (HK) Limited" },
  ["United States"] = { { "Bluewater", "Redwood", "Granite", "Prairie", "Summit", "Lakeshore" }, { "" }, "%s%s %s Vietnam LLC" },
  Belgium = { { "Schelde", "Ardenne", "Brabant", "Kempen" }, { "" }, "%s%s %s Vietnam N.V." },
  Thailand = { { "Siam", "Chao", "Lanna", "Isan", "Krung" }, { "" }, "%s%s %s (Vietnam) Co., Ltd." },
  Germany = { { "Rheinwerk", "Elbtal", "Nordhafen", "Schwarzwald" }, { "" }, "%s%s %s Vietnam GmbH" },
  Netherlands = { { "Polder", "Zeeland", "Maasvlakte", "Delfland" }, { "" }, "%s%s %s Vietnam B.V." },
}

local function investor_name(origin, country, sector)
  for attempt = 1, 1000 do
    local name
    if origin == "domestic" then
      local a, b
      repeat a, b = VN_A[rng:int(1, #VN_A)], VN_B[rng:int(1, #VN_B)] until a ~= b
      local form = (rng:uniform() < 0.55) and "Công ty TNHH" or "Công ty Cổ phần"
      name = string.format("%s %s %s %s", form, VN_ACT[sector], a, b)
    else
      local spec = FOREIGN[country]
      local a = spec[1][rng:int(1, #spec[1])]
      local b = spec[2][rng:int(1, #spec[2])]
      if spec[2][1] == "" then
        name = string.format(spec[3], a, "", EN_ACT[sector])
      else
        name = string.format(spec[3], a .. b, EN_ACT[sector])
      end
    end
    if attempt > 20 then name = name .. " " .. tostring(attempt) end
    name = name .. " (synthetic)"
    if not USED_NAMES[name] then USED_NAMES[name] = true; return name end
  end
  error("could not make a unique investor name")
end

---------------------------------------------------------------------------
-- Step 1: projects per zone and origin
---------------------------------------------------------------------------
local projects = {}
local function new_project(prov, zone, origin)
  local p = { prov = prov, zone = zone, origin = origin, seq = #projects + 1 }
  projects[#projects + 1] = p
  return p
end

-- Hải Phòng counts
do
  local dens_n, dens_a = 0, 0.0
  for _, z in ipairs(HP_ZONES) do
    if z.anchor and HP_DENSITY_AREA[z.id] then dens_n = dens_n + z.anchor; dens_a = dens_a + HP_DENSITY_AREA[z.id] end
  end
  local density = dens_n / dens_a
  local flex, fixed_total = {}, 0
  for _, z in ipairs(HP_ZONES) do
    if z.fixed then z.n = z.fixed; fixed_total = fixed_total + z.fixed
    else z.w = z.anchor or (z.area * density); flex[#flex + 1] = z end
  end
  apportion_into(flex, TARGET.hp.n - fixed_total, "n")
  -- FDI per zone: shares scaled so the expected total is 561, then apportioned exactly.
  local expect = 0.0
  for _, z in ipairs(HP_ZONES) do expect = expect + z.n * z.fdi end
  local k = TARGET.hp.n_fdi / expect
  for _, z in ipairs(HP_ZONES) do z.w = math.min(1.0, z.fdi * k) * z.n end
  apportion_into(HP_ZONES, TARGET.hp.n_fdi, "n_fdi")
  for _, z in ipairs(HP_ZONES) do
    if z.n_fdi > z.n then error("FDI count exceeds zone count in " .. z.id) end
    for _ = 1, z.n_fdi do new_project("hp", z.id, "FDI") end
    for _ = 1, z.n - z.n_fdi do new_project("hp", z.id, "domestic") end
  end
end

-- Quảng Ngãi counts
do
  local fixed, rest = 0, {}
  for _, z in ipairs(QN_ZONES) do
    if z.n then fixed = fixed + z.n else z.w = z.rest; rest[#rest + 1] = z end
  end
  apportion_into(rest, TARGET.qn.n - fixed, "n")
  local nf = 0
  for _, z in ipairs(QN_ZONES) do nf = nf + (z.fdi_n or 0) end
  if nf ~= TARGET.qn.n_fdi then error("QN FDI counts sum to " .. nf) end
  for _, z in ipairs(QN_ZONES) do
    for _ = 1, (z.fdi_n or 0) do new_project("qn", z.id, "FDI") end
    for _ = 1, z.n - (z.fdi_n or 0) do new_project("qn", z.id, "domestic") end
  end
end

-- Terminated projects: extra rows, in operating zones that existed at least 3 years before the
-- termination, drawn in proportion to the zone's valid projects of the same origin.
for _, t in ipairs(TERMINATIONS) do
  local zs, zw, idx = {}, {}, {}
  for _, p in ipairs(projects) do
    if p.prov == t.prov and p.origin == t.origin and not p.term_year then
      if not idx[p.zone] then idx[p.zone] = #zs + 1; zs[#zs + 1] = p.zone; zw[#zw + 1] = 0 end
      zw[idx[p.zone]] = zw[idx[p.zone]] + 1
    end
  end
  for _, ty in ipairs(t.years) do
    local w = {}
    for i, z in ipairs(zs) do
      w[i] = (start_year(z) <= ty - 3 and ZONE[z].status == "operating") and zw[i] or 0
    end
    new_project(t.prov, zs[erng:pick(w)], t.origin).term_year = ty
  end
end

---------------------------------------------------------------------------
-- Step 2: license years (and termination dates)
---------------------------------------------------------------------------
-- Hải Phòng's domestic projects are licensed in VND in any year; Quảng Ngãi's only in years with a
-- USD/VND rate in fx.csv (its capital target is in USD and converted at each event's year rate).
local function feasible_years(p)
  local y0 = start_year(p.zone)
  local last = p.term_year and (p.term_year - 1) or CUTOFF_Y
  local ys = {}
  for y = y0, last do
    if p.origin == "FDI" or p.prov == "hp" or FX[y] then ys[#ys + 1] = y end
  end
  if #ys == 0 then error("no feasible license year for a project in " .. p.zone) end
  return ys
end

-- Hải Phòng: fill year slots, most constrained projects first.
do
  local function expand(spec, first_year, last_pre, power)
    local slots = {}
    for _, e in ipairs(spec) do
      if e[1] == "pre" then
        local ys, w = {}, {}
        for y = first_year, last_pre do ys[#ys + 1] = y; w[#w + 1] = (y - first_year + 1) ^ power end
        local parts = L.apportion(e[2], w)
        for i, y in ipairs(ys) do slots[y] = (slots[y] or 0) + parts[i] end
      else
        slots[e[1]] = (slots[e[1]] or 0) + e[2]
      end
    end
    return slots
  end
  local slots = {
    FDI = expand(HP_FDI_YEARS, 1994, 2018, 1.5),
    domestic = expand(HP_DOM_YEARS, 1994, 2019, 1.5),
  }
  local hp = {}
  for _, p in ipairs(projects) do
    if p.prov == "hp" then
      p.ys = feasible_years(p); hp[#hp + 1] = p
      -- one more licence in the year of each termination keeps the valid counts
      if p.term_year then slots[p.origin][p.term_year] = (slots[p.origin][p.term_year] or 0) + 1 end
    end
  end
  -- most constrained first: terminated projects, then latest start year, then generation order
  table.sort(hp, function(a, b)
    if (a.term_year ~= nil) ~= (b.term_year ~= nil) then return a.term_year ~= nil end
    if a.ys[1] ~= b.ys[1] then return a.ys[1] > b.ys[1] end
    return a.seq < b.seq
  end)
  local fallbacks = 0
  for _, p in ipairs(hp) do
    local s = slots[p.origin]
    local w, any = {}, false
    for i, y in ipairs(p.ys) do w[i] = s[y] or 0; if w[i] > 0 then any = true end end
    if not any then
      fallbacks = fallbacks + 1
      for i in ipairs(p.ys) do w[i] = 1 end
    end
    local y = p.ys[rng:pick(w)]
    if (s[y] or 0) > 0 then s[y] = s[y] - 1 end
    p.year = y
  end
  if fallbacks > 0 then io.stderr:write(string.format("note: %d HP projects placed outside the year slots\n", fallbacks)) end
end

-- Quảng Ngãi: draw from the year profile within each project's feasible years.
for _, p in ipairs(projects) do
  if p.prov == "qn" then
    local ys = feasible_years(p)
    local w = {}
    for i, y in ipairs(ys) do w[i] = QN_YEAR_W[y] or 1 end
    p.year = ys[rng:pick(w)]
  end
end

for _, p in ipairs(projects) do p.date = date_in_year(p.year) end

-- Termination dates: at least 180 days after the licence.
for _, p in ipairs(projects) do
  if p.term_year then
    local d
    for _ = 1, 200 do
      d = date_in_year(p.term_year, erng)
      if days(d) >= days(p.date) + 180 then break end
    end
    if days(d) < days(p.date) + 180 then error("no termination date for a project licensed " .. p.date) end
    p.term_date = d
  end
end

---------------------------------------------------------------------------
-- Step 3: status and sector
---------------------------------------------------------------------------
local function zone_operating(id) return ZONE[id].status == "operating" end

-- Hải Phòng: status by license year; zones not in operation hold only licensed/construction.
local HP_STATUS = { -- operating, construction, licensed, suspended
  { upto = 2017, w = { 94, 0, 0, 6 } }, { upto = 2019, w = { 88, 7, 0, 5 } }, { upto = 2021, w = { 75, 20, 2, 3 } }, { upto = 2022, w = { 50, 40, 8, 2 } },
  { upto = 2023, w = { 25, 50, 25, 0 } }, { upto = 2024, w = { 5, 35, 60, 0 } },
}
local STATUS_CODES = { "operating", "construction", "licensed", "suspended" }
for _, p in ipairs(projects) do
  if p.prov == "hp" then
    local w
    for _, e in ipairs(HP_STATUS) do if p.year <= e.upto then w = e.w; break end end
    if not zone_operating(p.zone) and p.zone ~= "hp-kkt-dvch" then w = { 0, 50, 50, 0 } end
    p.status = STATUS_CODES[rng:pick(w)]
    p.sector = draw(p.origin == "FDI" and SECTOR_MIX.hp_fdi or SECTOR_MIX.hp_dom)
  end
end

-- Quảng Ngãi: exactly 256 operating (the oldest valid projects by a noisy license date, in
-- operating zones), of which exactly 195 in industrial sectors.
do
  local cand, other = {}, {}
  for _, p in ipairs(projects) do
    if p.prov == "qn" then
      if (zone_operating(p.zone) or p.zone == "qn-kkt-dung-quat") and not p.term_year then
        p.key = p.year + rng:range(-4, 4); cand[#cand + 1] = p
      else other[#other + 1] = p end
    end
  end
  table.sort(cand, function(a, b) if a.key ~= b.key then return a.key < b.key end return a.seq < b.seq end)
  if #cand < TARGET.qn.operating then error("not enough QN candidates for operating") end
  local op = {}
  for i, p in ipairs(cand) do
    if i <= TARGET.qn.operating then p.status = "operating"; op[#op + 1] = p
    else other[#other + 1] = p end
  end
  table.sort(other, function(a, b) return a.seq < b.seq end)
  for _, p in ipairs(other) do
    if not zone_operating(p.zone) and p.zone ~= "qn-kkt-dung-quat" then p.status = (rng:uniform() < 0.5) and "licensed" or "construction"
    elseif p.year >= 2022 then p.status = (rng:uniform() < 0.55) and "licensed" or "construction"
    else p.status = STATUS_CODES[rng:pick({ 0, 60, 15, 25 })] end
    p.sector = draw(SECTOR_MIX.qn_all)
  end
  rng:shuffle(op)
  for i, p in ipairs(op) do
    p.sector = draw(i <= TARGET.qn.industrial and SECTOR_MIX.qn_ind or SECTOR_MIX.qn_non)
  end
end

for _, p in ipairs(projects) do
  if p.term_year then p.status = "terminated" end
  p.industrial = (p.status == "operating" and SECTOR[p.sector].industrial) and "yes" or "no"
end

---------------------------------------------------------------------------
-- Step 4: country and investor
---------------------------------------------------------------------------
for _, p in ipairs(projects) do
  if p.origin == "FDI" then
    p.country = draw(COUNTRY_MIX[p.zone] or COUNTRY_MIX[p.prov])
  else
    p.country = "Vietnam"
  end
  p.investor = investor_name(p.origin, p.country, p.sector)
end

---------------------------------------------------------------------------
-- Step 5: capital events (EVENTS.md) and capital
-- Every project has one new_licence at its license_date. Capital increases, share purchases and
-- decreases are placed on eligible projects (licensed at least 90 / 180 / 365 days before, not
-- terminated within 30 days after, no other event of the project that day); then the amounts are
-- apportioned per calibration bucket (integer USD, or whole million VND) so the exact targets hold.
---------------------------------------------------------------------------
local KIND_ORDER = { new_licence = 1, capital_increase = 2, capital_decrease = 3, share_purchase = 4, termination = 5 }
local SIGMA = { hp = 1.4, qn = 1.9 }
for _, p in ipairs(projects) do
  -- size weight; floor at 0.08 × the median so that no project is implausibly small
  p.w = math.max(0.08, rng:lognormal(1.0, SIGMA[p.prov])) * SECTOR[p.sector].cap
  p.currency = p.origin == "FDI" and "USD" or "VND"
  p.lic_day = days(p.date)
  p.term_day = p.term_date and days(p.term_date)
  p.events = { { kind = "new_licence", date = p.date, w = p.w, p = p } }
  p.on_date = { [p.date] = true }
  p.inc_year, p.n_inc = {}, 0
end

local function group(prov, origin)
  local t = {}
  for _, p in ipairs(projects) do if p.prov == prov and p.origin == origin then t[#t + 1] = p end end
  return t
end

local function valid_on_jan1(list, y)
  local d, n = days(string.format("%04d-01-01", y)), 0
  for _, p in ipairs(list) do
    if p.lic_day < d and not (p.term_day and p.term_day < d) then n = n + 1 end
  end
  return n
end

-- Place one event of `kind` dated in year y on a project of `list`; nil if none is eligible.
-- A capital increase goes to a project licensed in an earlier year, at most one per project and year.
local function place(list, y, kind, weight, min_gap)
  for _ = 1, 50 do
    local date = date_in_year(y, erng)
    local dd = days(date)
    local cand, w = {}, {}
    for _, p in ipairs(list) do
      if p.lic_day + min_gap <= dd and not (p.term_day and dd > p.term_day - 30) and not p.on_date[date]
        and not (kind == "capital_increase" and (p.inc_year[y] or p.year == y))
        and not (kind == "capital_decrease" and p.decreased) then
        cand[#cand + 1] = p; w[#w + 1] = weight(p)
      end
    end
    if #cand > 0 then
      local p = cand[erng:pick(w)]
      local e = { kind = kind, date = date, p = p }
      p.events[#p.events + 1] = e
      p.on_date[date] = true
      return p, e
    end
  end
  return nil
end

for _, spec in ipairs(INCREASES) do
  local list = group(spec.prov, spec.origin)
  for y = spec.from, CUTOFF_Y do
    if not (spec.rate_only and not FX[y]) then
      local n = spec.years[y] or math.floor(spec.rate * valid_on_jan1(list, y) * (y == CUTOFF_Y and 0.5 or 1) + 0.5)
      for _ = 1, n do
        local p, e = place(list, y, "capital_increase", function(q) return math.sqrt(q.w) * (1 + 0.4 * q.n_inc) end, 90)
        if p then
          p.inc_year[y] = true
          p.n_inc = p.n_inc + 1
          e.w = p.w * math.min(3.0, math.max(0.03, erng:lognormal(0.35, 0.8)))
        elseif spec.years[y] then
          error(string.format("no project for a %s %s capital increase in %d", spec.prov, spec.origin, y))
        end
      end
    end
  end
end
for _, spec in ipairs(SHARE_PURCHASES) do
  local list = group(spec.prov, spec.origin)
  for y = 1990, CUTOFF_Y do
    for _ = 1, spec.years[y] or 0 do
      local p, e = place(list, y, "share_purchase", function(q) return math.sqrt(q.w) end, 180)
      if not p then error("no project for a share purchase in " .. y) end
      e.w = math.sqrt(p.w) * erng:lognormal(1.0, 1.0)
    end
  end
end
for _, spec in ipairs(DECREASES) do
  local list = group(spec.prov, spec.origin)
  for _, y in ipairs(spec.years) do
    local p, e = place(list, y, "capital_decrease", function(q) return 1 / math.sqrt(q.w) end, 365) -- mostly small projects
    if not p then error("no project for a capital decrease in " .. y) end
    p.decreased = true
    e.r = erng:range(0.10, 0.40) -- share of the registered capital at that date
  end
end
for _, p in ipairs(projects) do
  if p.term_date then p.events[#p.events + 1] = { kind = "termination", date = p.term_date, p = p } end
  p.special = (p.term_date ~= nil) or (p.decreased == true)
  table.sort(p.events, function(a, b)
    if a.date ~= b.date then return a.date < b.date end
    return KIND_ORDER[a.kind] < KIND_ORDER[b.kind]
  end)
end

-- integer `total` (a multiple of unit) to the events in proportion to e.w
local function spread(evs, total, unit)
  total = math.tointeger(total) or error("spread: total is not an integer")
  if #evs == 0 then
    if total ~= 0 then error("spread: amount for an empty bucket") end
    return
  end
  local w = {}
  for i, e in ipairs(evs) do w[i] = e.w end
  local parts = L.apportion(total // unit, w)
  for i, e in ipairs(evs) do e.amount = parts[i] * unit end
end

-- running registered capital: decreases take their share, a termination records what leaves
local function settle(p, unit)
  local cap = 0
  for _, e in ipairs(p.events) do
    if e.kind == "new_licence" or e.kind == "capital_increase" then cap = cap + e.amount
    elseif e.kind == "capital_decrease" then
      if e.r then e.amount = math.max(unit, math.tointeger(math.floor(cap * e.r / unit)) * unit) end
      cap = cap - e.amount
    elseif e.kind == "termination" then e.capital_at = cap end
    if cap < 0 then error("negative registered capital") end
  end
  if cap <= 0 then error("zero registered capital for a project in " .. p.zone) end
  p.capital = cap
end

-- Two passes: (1) every licence/increase gets its share of the preliminary budgets; the projects
-- with a decrease or a termination keep those amounts, which fixes the outflows (decreases and the
-- capital of terminated projects) per bucket; (2) the exact budgets, which depend on the outflows,
-- go to the other projects' licences and increases.
local function calibrate(list, keys, bucket_of, budget_fn, unit)
  local function collect(ordinary_only)
    local b = {}
    for _, k in ipairs(keys) do b[k] = {} end
    for _, p in ipairs(list) do
      if not (ordinary_only and p.special) then
        for _, e in ipairs(p.events) do
          if e.kind == "new_licence" or e.kind == "capital_increase" then
            local t = b[bucket_of(e.date)] or error("no bucket for " .. e.date)
            t[#t + 1] = e
          end
        end
      end
    end
    return b
  end
  local zero = {}
  for _, k in ipairs(keys) do zero[k] = 0 end
  local all = collect(false)
  local pre = budget_fn(zero, all)
  for _, k in ipairs(keys) do spread(all[k], pre[k], unit) end
  local out, special = {}, {}
  for _, k in ipairs(keys) do out[k], special[k] = 0, 0 end
  for _, p in ipairs(list) do
    if p.special then
      settle(p, unit)
      for _, e in ipairs(p.events) do
        local k = bucket_of(e.date)
        if e.kind == "capital_decrease" then out[k] = out[k] + e.amount
        elseif e.kind == "termination" then out[k] = out[k] + e.capital_at
        elseif e.kind ~= "share_purchase" then special[k] = special[k] + e.amount end
      end
    end
  end
  local budgets = budget_fn(out, all)
  local ord = collect(true)
  for _, k in ipairs(keys) do
    local rest = budgets[k] - special[k]
    if rest < #ord[k] * unit then error("calibration bucket " .. tostring(k) .. " has no room for its projects") end
    spread(ord[k], rest, unit)
  end
  for _, p in ipairs(list) do if not p.special then settle(p, unit) end end
  return budgets
end

local function events_of(list, kind, y)
  local t = {}
  for _, p in ipairs(list) do
    for _, e in ipairs(p.events) do
      if e.kind == kind and (not y or tonumber(e.date:sub(1, 4)) == y) then t[#t + 1] = e end
    end
  end
  return t
end

-- Hải Phòng FDI (USD)
local HP_FDI_SP = {}
do
  local list = group("hp", "FDI")
  local keys = { "1994/2010", "2011/2015", "2016/2018", 2019, 2020, 2021, 2022, 2023, 2024 }
  local function bucket_of(date)
    local y = math.tointeger(tonumber(date:sub(1, 4)))
    if y <= 2010 then return "1994/2010" elseif y <= 2015 then return "2011/2015" elseif y <= 2018 then return "2016/2018" end
    return y
  end
  local I = HP_FDI_INFLOW
  local function budget_fn(out)
    local G, SP = {}, {}
    SP[2019] = math.tointeger(math.floor(I[2019] * HP_FDI_SP_SHARE[2019] + 0.5))
    SP[2020] = math.tointeger(math.floor(I[2020] * HP_FDI_SP_SHARE[2020] + 0.5))
    SP[2021] = HP_FDI_2021.share_purchase
    G[2019], G[2020], G[2021] = I[2019] - SP[2019], I[2020] - SP[2020], HP_FDI_2021.new_and_increase
    G["2011/2015"] = HP_FDI_2011_2015                     -- no share purchases before 2019
    G["2016/2018"] = HP_FDI_2016_2020 - I[2019] - I[2020]
    -- 2022–2024: what the registered stock must gain from end-2019 to 6/2024, the rest is share purchases
    local out_late = out[2020] + out[2021] + out[2022] + out[2023] + out[2024]
    local g_late = TARGET.hp.fdi_usd - HP_FDI_STOCK_2019 - G[2020] - G[2021] + out_late
    local sp_late = I[2022] + I[2023] + I[2024] - g_late
    if sp_late <= 0 then error("HP FDI: no room for share purchases in 2022–2024") end
    local parts = L.apportion(sp_late, { I[2022], I[2023], I[2024] })
    for i, y in ipairs({ 2022, 2023, 2024 }) do SP[y] = parts[i]; G[y] = I[y] - SP[y] end
    -- 1994–2010 closes the exact stock of 6/2024
    local g, o = 0, 0
    for _, k in ipairs(keys) do if k ~= "1994/2010" then g = g + G[k] end; o = o + out[k] end
    G["1994/2010"] = TARGET.hp.fdi_usd + o - g
    HP_FDI_SP = SP
    return G
  end
  calibrate(list, keys, bucket_of, budget_fn, 1)
  for y = 2019, 2024 do spread(events_of(list, "share_purchase", y), HP_FDI_SP[y], 1) end
end

-- Hải Phòng domestic (VND, whole millions): spans of HP_DOM_VND
do
  local list = group("hp", "domestic")
  -- before 2020 (one span back to 1994) nominal VND amounts grow: weights × 1.07^(year − 2019), an
  -- assumption standing in for price and size growth (no exchange rate is used)
  for _, p in ipairs(list) do
    for _, e in ipairs(p.events) do
      local y = math.tointeger(tonumber(e.date:sub(1, 4)))
      if e.w and y < 2020 then e.w = e.w * 1.07 ^ (y - 2019) end
    end
  end
  local keys = {}
  for i in ipairs(HP_DOM_VND) do keys[i] = i end
  local function bucket_of(date)
    for i, s in ipairs(HP_DOM_VND) do if date <= s.to then return i end end
  end
  local function budget_fn(out, all)
    local G, prev = {}, 0
    for i, s in ipairs(HP_DOM_VND) do
      if s.stock then G[i] = s.stock - prev + out[i]; prev = s.stock
      elseif s.add then G[i] = s.add + out[i]; prev = prev + s.add
      else G[i] = math.tointeger((G[i - 1] // 1000000) * #all[i] // #all[i - 1]) * 1000000 end
    end
    return G
  end
  calibrate(list, keys, bucket_of, budget_fn, 1000000)
end

-- Quảng Ngãi (USD): two spans, the valid stock of early 2023 (shape: 1.8 bn FDI + 15.8 bn
-- domestic, 2023-03-31) and of 6/2024 (exact: TARGET.qn)
local QN_KEYS = { "to2023q1", "after" }
local function qn_bucket(date) return (date <= QN_EARLY_2023.as_of) and "to2023q1" or "after" end
local function qn_budget(early, final)
  return function(out) return { to2023q1 = early + out.to2023q1, after = final - early + out.after } end
end

-- Quảng Ngãi FDI (USD); share purchases drawn
do
  local list = group("qn", "FDI")
  calibrate(list, QN_KEYS, qn_bucket, qn_budget(QN_EARLY_2023.fdi_usd, TARGET.qn.fdi_usd), 1)
  for _, e in ipairs(events_of(list, "share_purchase")) do
    e.amount = math.tointeger(math.floor(e.w * 4e6 + 0.5))
  end
end

-- Quảng Ngãi domestic: USD first (the valid stock of 6/2024 exact), then each event to whole
-- million VND at its own year's fx.csv rate (all its events fall in years with a rate).
do
  local list = group("qn", "domestic")
  calibrate(list, QN_KEYS, qn_bucket, qn_budget(QN_EARLY_2023.dom_usd, TARGET.qn.dom_usd), 1)
  for _, p in ipairs(list) do
    for _, e in ipairs(p.events) do
      if e.amount then
        local rate = FX[math.tointeger(tonumber(e.date:sub(1, 4)))] or error("no rate for a Quảng Ngãi domestic event " .. e.date)
        e.amount = math.tointeger(math.floor(e.amount * rate / 1e6 + 0.5)) * 1000000
        if e.amount <= 0 then error("zero VND amount") end
        e.r = nil
      end
    end
    settle(p, 1000000)
  end
end

local DISB = { operating = { 0.55, 1.0 }, construction = { 0.10, 0.60 }, licensed = { 0.0, 0.10 }, suspended = { 0.05, 0.50 },
               terminated = { 0.0, 0.30 } }
for _, p in ipairs(projects) do
  local d = DISB[p.status]
  local ratio = rng:range(d[1], d[2])
  if p.origin == "FDI" then
    p.disbursed = math.tointeger(math.floor(p.capital * ratio))
  else
    p.disbursed = math.tointeger(math.floor(p.capital * ratio / 1e6)) * 1000000
  end
end

-- A currency-free size for the workforce and land weights (never written): the capital, with the
-- province's domestic VND capital scaled so that its median valid domestic project equals its
-- median valid FDI project. No exchange rate is used.
for _, prov in ipairs({ "hp", "qn" }) do
  local f, d = {}, {}
  for _, p in ipairs(projects) do
    if p.prov == prov and not p.term_date then
      if p.origin == "FDI" then f[#f + 1] = p.capital else d[#d + 1] = p.capital end
    end
  end
  table.sort(f); table.sort(d)
  local k = f[(#f + 1) // 2] / d[(#d + 1) // 2]
  for _, p in ipairs(projects) do
    if p.prov == prov then p.size = (p.origin == "FDI") and p.capital or p.capital * k end
  end
end

---------------------------------------------------------------------------
-- Step 6: employees (operating projects only; scaled to the published workforce)
---------------------------------------------------------------------------
for _, prov in ipairs({ "hp", "qn" }) do
  local op = {}
  for _, p in ipairs(projects) do
    p.employees = p.employees or 0
    if p.prov == prov and p.status == "operating" then
      p.w = math.sqrt(p.size) * SECTOR[p.sector].lab * rng:lognormal(1.0, 0.5)
      op[#op + 1] = p
    end
  end
  apportion_into(op, TARGET[prov].employees, "employees")
end

---------------------------------------------------------------------------
-- Step 7: land (hundredths of a hectare, integers)
-- Hải Phòng's 14 KCN: industrial land = 120 (Nomura) and 369 (Xuân Cầu) as sourced, the others
-- r × area basis with r chosen so the total is 4,028 ha (">4,028 ha", end-2024 [L]); leased land
-- per zone from sourced occupancy where there is one, and one common rate for the rest so that
-- leased / industrial = 65 % (~5/2024 [M]) over all 14 established KCN. Projects in a KCN share
-- the zone's leased land; elsewhere land is drawn from capital.
-- The four zones not yet operating (or with only two tenants reported) keep the leased land their
-- projects' drawn land summed to when the file was first generated (`kept`, hundredths of a ha):
-- zones_synthetic_land.csv does not change when the project rows are regenerated, and their
-- projects share that land like the other zones' projects.
---------------------------------------------------------------------------
local function draw_land_cha(p)
  local ha = p.size / rng:lognormal(5e6, 0.6) -- median 5 mn USD per ha (size: see Step 5)
  if ha < 0.3 then ha = 0.3 end
  if ha > 400 then ha = 400 end
  return math.tointeger(math.floor(ha * 100 + 0.5))
end

local LAND = {
  -- id, area basis (ha), basis note, industrial (fixed, ha) or nil, occupancy rule
  { "hp-kcn-nomura", 153, "natural area 153 ha", 120, { occ = 1.0, why = "fully leased (5/2013) [H]" } },
  { "hp-kcn-do-son", 149.4, "≈149.4 ha derived in zones-hp-qn.md §1.2", nil, { free = true } },
  { "hp-kcn-dinh-vu", 541, "natural area 541 ha", nil, { occ = 1.0, why = "DEEP C HP zones 'fully booked' (10/2022) [M]" } },
  { "hp-kcn-nam-dinh-vu-2", 645, "natural area 645 ha", nil, { occ = 0.9, why = "'fully booked' (10/2022) but infrastructure still expanding (7/2023): 0.9 assumed" } },
  { "hp-kcn-nam-dinh-vu-1", 1329, "natural area 1,329 ha", nil, { free = true } },
  { "hp-kcn-mp-dinh-vu", 125, "half of the ≈250 ha derived for MP Đình Vũ + the 14th park (zones-hp-qn.md §1.2)", nil, { free = true } },
  { "hp-kcn-trang-due", 401, "natural area 401 ha", nil, { occ = 1.0, why = "phases 1 and 2 'filled' (HEZA ~2023) [H]" } },
  { "hp-kcn-vsip-hp", 507, "industrial part '>507 ha' of the 2008 plan [L]", nil, { free = true } },
  { "hp-kcn-deep-c-3", 500, "'gần 500 ha' in the 2015 plan [H]", nil, { drawn = true, kept = 302 } },
  { "hp-kcn-nam-cau-kien", 263.47, "natural area 263.47 ha", nil, { occ = 0.8, why = "phase 1 100 % (8/2020), phase 2 started 2020: 0.8 assumed" } },
  { "hp-kcn-an-duong", 196.1, "natural area 196.1 ha", nil, { free = true } },
  { "hp-kcn-xuan-cau", 752, "natural area 752 ha", 369, { drawn = true, kept = 511 } },
  { "hp-kcn-tien-thanh", 410, "natural area 410 ha", nil, { drawn = true, kept = 3879 } },
  { "hp-kcn-unresolved", 125, "half of the ≈250 ha derived for MP Đình Vũ + the 14th park (zones-hp-qn.md §1.2)", nil, { drawn = true, kept = 3009 } },
}
local LAND_TOTAL_IND, LAND_OCC = 402800, 0.65

local land_out = {}
do
  -- industrial land
  local fixed_ind, basis_rest = 0, 0.0
  for _, e in ipairs(LAND) do
    if e[4] then fixed_ind = fixed_ind + e[4] * 100 else basis_rest = basis_rest + e[2] end
  end
  local r = (LAND_TOTAL_IND - fixed_ind) / 100 / basis_rest
  local items = {}
  for _, e in ipairs(LAND) do if not e[4] then items[#items + 1] = { e = e, w = e[2] } end end
  apportion_into(items, LAND_TOTAL_IND - fixed_ind, "ind")
  local IND = {}
  for _, it in ipairs(items) do IND[it.e[1]] = it.ind end
  for _, e in ipairs(LAND) do if e[4] then IND[e[1]] = e[4] * 100 end end
  -- projects per zone
  local byzone = {}
  for _, p in ipairs(projects) do
    if not p.term_date then -- a terminated project has given its land back (land_ha 0)
      byzone[p.zone] = byzone[p.zone] or {}
      local t = byzone[p.zone]; t[#t + 1] = p
    end
  end
  -- leased land: fixed occupancies, the kept values, then the free zones share the remainder
  local LEASED, target = {}, math.tointeger(math.floor(LAND_TOTAL_IND * LAND_OCC + 0.5))
  local used, free = 0, {}
  for _, e in ipairs(LAND) do
    local id, rule = e[1], e[5]
    if rule.occ then LEASED[id] = math.tointeger(math.floor(IND[id] * rule.occ + 0.5)); used = used + LEASED[id]
    elseif rule.kept then LEASED[id] = rule.kept; used = used + rule.kept
    else free[#free + 1] = { id = id, w = IND[id] } end
  end
  apportion_into(free, target - used, "leased")
  local free_ind = 0
  for _, it in ipairs(free) do LEASED[it.id] = it.leased; free_ind = free_ind + IND[it.id] end
  local free_occ = (target - used) / free_ind
  -- split each KCN's leased land among its valid projects: 0.30 ha each, the rest by size^0.6
  for _, e in ipairs(LAND) do
    local id = e[1]
    local ps = byzone[id] or {}
    if #ps > 0 then
      local base = 30 * #ps
      if LEASED[id] < base then error("leased land too small for the projects in " .. id) end
      for _, p in ipairs(ps) do p.w = (p.size ^ 0.6) * rng:lognormal(1.0, 0.4) end
      apportion_into(ps, LEASED[id] - base, "land")
      for _, p in ipairs(ps) do p.land = p.land + 30 end
    end
  end
  -- synthetic land file rows
  for _, e in ipairs(LAND) do
    local id, rule = e[1], e[5]
    local ind_txt = e[4] and string.format("industrial land %g ha as sourced (zones.csv)", e[4])
      or string.format("industrial land = %.4f × area basis (%s), the ratio that makes the 14 KCN total 4,028 ha ('>4,028 ha', end-2024, namdinhvu.com [L])", r, e[3])
    local occ_txt
    if rule.occ then occ_txt = string.format("leased = %.2f × industrial: %s", rule.occ, rule.why)
    elseif rule.drawn then occ_txt = "leased = sum of the land of the zone's synthetic projects (zone not yet operating, or only two tenants reported)"
    else occ_txt = string.format("leased = %.4f × industrial, the common rate of the zones without a sourced occupancy, chosen so that the 14 KCN reach 65 %% occupancy ('65 %%', ~5/2024, vietnamnet [M]; denominator assumed = all 14 established KCN)", free_occ) end
    land_out[#land_out + 1] = { id, string.format("%.2f", IND[id] / 100), string.format("%.2f", LEASED[id] / 100), "yes", ind_txt .. "; " .. occ_txt }
  end
end
for _, p in ipairs(projects) do
  if p.term_date then p.land = 0
  elseif not p.land then p.land = draw_land_cha(p) end
end

---------------------------------------------------------------------------
-- Step 8: order, ids, output
---------------------------------------------------------------------------
table.sort(projects, function(a, b)
  if a.prov ~= b.prov then return a.prov == "hp" end
  if a.date ~= b.date then return a.date < b.date end
  if a.zone ~= b.zone then return a.zone < b.zone end
  return a.seq < b.seq
end)
local counters, rows = { hp = 0, qn = 0 }, {}
for _, p in ipairs(projects) do
  counters[p.prov] = counters[p.prov] + 1
  p.id = string.format("syn-%s-%04d", p.prov, counters[p.prov])
  rows[#rows + 1] = {
    p.id, p.zone, p.investor, p.country, p.origin, p.sector,
    string.format("%d", p.capital), p.currency, string.format("%d", p.disbursed), p.date, p.status,
    string.format("%d", p.employees), string.format("%d.%02d", p.land // 100, p.land % 100), p.industrial, "yes",
  }
end
-- events: by province, date, project, kind; ids ev-<prov>-NNNNNN
local erows, ev = {}, {}
for _, p in ipairs(projects) do
  for _, e in ipairs(p.events) do ev[#ev + 1] = e end
end
table.sort(ev, function(a, b)
  if a.p.prov ~= b.p.prov then return a.p.prov == "hp" end
  if a.date ~= b.date then return a.date < b.date end
  if a.p.id ~= b.p.id then return a.p.id < b.p.id end
  return KIND_ORDER[a.kind] < KIND_ORDER[b.kind]
end)
local ecount = { hp = 0, qn = 0 }
for _, e in ipairs(ev) do
  local p = e.p
  if e.date > CUTOFF then error("event after " .. CUTOFF) end
  ecount[p.prov] = ecount[p.prov] + 1
  local amount, currency, note = "", "", ""
  if e.kind == "termination" then
    note = string.format("amount empty: the registered capital at this date leaves (%d %s)", e.capital_at, p.currency)
  else
    amount, currency = string.format("%d", e.amount), p.currency
    if e.kind == "share_purchase" then note = "share purchase: counted in capital attracted, not in registered capital" end
  end
  erows[#erows + 1] = { string.format("ev-%s-%06d", p.prov, ecount[p.prov]), p.id, e.kind, e.date, amount, currency, "yes", note }
end
L.write_csv(OUT .. "/projects.csv",
  { "id", "zone_id", "investor", "country", "origin", "sector", "capital", "currency", "disbursed", "license_date",
    "status", "employees", "land_ha", "industrial_production", "synthetic" }, rows)
L.write_csv(OUT .. "/zones_synthetic_land.csv",
  { "zone_id", "industrial_land_ha", "leased_land_ha", "synthetic", "method" }, land_out)
L.write_csv(OUT .. "/events.csv", { "id", "project_id", "kind", "date", "amount", "currency", "synthetic", "note" }, erows)
io.stderr:write(string.format("wrote %d projects, %d events and %d synthetic land rows to %s\n", #rows, #erows, #land_out, OUT))
