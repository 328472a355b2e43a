--- Vietnamese numbers and units: "18,37 tỷ USD", "1.083,30 triệu USD", "6,144 ha", USD/VND by year.
--
-- The module `zs.units`: `parse`, `format`, `convert` and `rate`.
--
-- **Numbers.** Locale `vi` (the default, CLDR vi): `.` groups thousands and `,` is the decimal mark
-- ("1.083,30" = 1083.3, "1.083" = 1083, "6,144" = 6.144). Locale `en`: the reverse ("6,144" = 6144).
-- Grouping is optional ("1083,3" is fine) but, when used, must be exact: 1–3 leading digits (not
-- starting with 0), then groups of exactly three. One decimal mark at most, with digits on both sides.
-- An optional sign `-`, `+` or `−` (U+2212) comes first. Spaces (also U+00A0, U+2009, U+202F) around the
-- text and between words are ignored; a space never groups digits ("1 083" is two numbers).
--
-- **Scale words** (after the number, per locale):
-- `vi`: `nghìn`/`ngàn` 10³, `triệu` 10⁶, `tỷ`/`tỉ` 10⁹, `nghìn tỷ`/`ngàn tỷ`/`nghìn tỉ`/`ngàn tỉ` 10¹²
-- (any letter case); the CLDR short forms `N` 10³, `Tr` 10⁶, `T` 10⁹, `NT` 10¹² in exactly that case.
-- `en`: `thousand`/`k` 10³, `million`/`mn`/`m` 10⁶, `billion`/`bn`/`b` 10⁹, `trillion`/`trn`/`tn` 10¹²
-- (any case, so `M`, `Bn` work). A scale word may be glued to the number ("5tỷ", "5bn"); it can only be
-- followed by a unit or by the end of the text, so the one-letter forms are never read inside other words.
--
-- **Units** (either locale, any letter case, after the number and the scale word):
-- `USD`, `US$`, `$`, `đô la Mỹ`, `đô la`, `đô` → "USD"; `VND`, `VNĐ`, `đồng`, `đ`, `₫`, `dong` → "VND";
-- `ha`, `hécta`, `hecta`, `hectare`, `hectares` → "ha"; `%` → "%". `US$`, `$` and `USD` may also come before
-- the number ("$5 bn", "USD 5 million"). No unit: the unit is nil.
--
-- **Percent.** "5,05%" parses to `5.05, "%"` (percentage points, as written) so that `format` and
-- `parse` round-trip; `format(v, "%")` takes points too. The data files store ratios (0.625 for
-- 62,5 %): use unit "ratio" in `format` (0.625 → "62,5%") and `{percent = "ratio"}` in `parse`
-- ("62,5%" → `0.625, "ratio"`).
--
-- **Qualifiers** ("gần", "khoảng", "hơn", "trên", "~", ">", ...) are rejected by default with a message
-- naming them: a qualified figure is not a plain value. With `{qualifiers = true}` they are accepted
-- and returned as a third value: "approximate", "lower bound" or "upper bound" (the `note`
-- vocabulary of data/vn/README.md).
--
-- **Exactness.** Values are computed from the digit strings: "18,37 tỷ" is the integer 18370000000,
-- never 18.37 × 1e9 in floating point. A result that is integral and fits in 64 bits is a Lua integer;
-- otherwise it is the float nearest to the decimal value.
--
-- **Unicode.** Text may be NFC or NFD. `zs.nfc` normalizes it, then the
-- marks of the few letters in the words above are put in canonical order before matching.
-- @module zonestat.units

local engine = require "zonestat.engine"
local check = require "zonestat.check"
local datadir = require "zonestat.datadir"

local units = {}


----------------------------------------------------------------------------------------------------
-- Words (all data)

-- Scale words accepted by parse, per locale: { words, power of ten, exact = case-sensitive }.
local SCALE_WORDS = {
  vi = {
    { "nghìn", 3 }, { "ngàn", 3 }, { "triệu", 6 }, { "tỷ", 9 }, { "tỉ", 9 },
    { "nghìn tỷ", 12 }, { "ngàn tỷ", 12 }, { "nghìn tỉ", 12 }, { "ngàn tỉ", 12 },
    { "N", 3, exact = true }, { "Tr", 6, exact = true }, { "T", 9, exact = true }, { "NT", 12, exact = true },
  },
  en = {
    { "thousand", 3 }, { "k", 3 }, { "million", 6 }, { "mn", 6 }, { "m", 6 },
    { "billion", 9 }, { "bn", 9 }, { "b", 9 }, { "trillion", 12 }, { "trn", 12 }, { "tn", 12 },
  },
}

-- Unit words accepted by parse in either locale (any case) -> unit code.
local UNIT_WORDS = {
  USD = { "USD", "US$", "$", "đô la Mỹ", "đô la", "đô" },
  VND = { "VND", "VNĐ", "đồng", "đ", "₫", "dong" },
  ha = { "ha", "hécta", "hecta", "hectare", "hectares" },
  ["%"] = { "%" },
}

-- Currencies that may precede the number (exact case), longest first.
local PREFIXES = { { "US$", "USD" }, { "USD", "USD" }, { "$", "USD" } }

-- Qualifiers at the start of the text -> kind.
local QUALIFIER_WORDS = {
  approximate = { "gần", "khoảng", "xấp xỉ", "~", "≈", "about", "around", "approximately", "nearly" },
  ["lower bound"] = { "hơn", "trên", ">", ">=", "≥", "over", "more than", "above" },
  ["upper bound"] = { "dưới", "<", "<=", "≤", "under", "less than", "below" },
}

-- What format writes.
local SEPARATORS = { vi = { group = ".", mark = "," }, en = { group = ",", mark = "." } }
local SCALE_OUT = {
  vi = { [3] = "nghìn", [6] = "triệu", [9] = "tỷ", [12] = "nghìn tỷ" },
  en = { [3] = "thousand", [6] = "mn", [9] = "bn", [12] = "trn" },
}
local UNIT_OUT = {
  vi = { USD = "USD", VND = "đồng", ha = "ha", ["%"] = "%", ratio = "%", count = "", persons = "người",
    projects = "dự án", KCN = "KCN", zones = "khu", ["USD/ha"] = "USD/ha", ["persons/ha"] = "người/ha",
    times = "lần", years = "năm", events = "lượt" },
  en = { USD = "USD", VND = "VND", ha = "ha", ["%"] = "%", ratio = "%", count = "", persons = "persons",
    projects = "projects", KCN = "KCN", zones = "zones", ["USD/ha"] = "USD/ha", ["persons/ha"] = "persons/ha",
    times = "times", years = "years", events = "events" },
}
local UNIT_ONE = { en = { projects = "project", zones = "zone", persons = "person", years = "year",
  events = "event" } } -- for exactly 1
local GLUED = { ["%"] = true, ratio = true }            -- written without a space: "62,5%"
local AUTO_SCALES = { VND = { 12, 9, 6 }, USD = { 9, 6 }, ["USD/ha"] = { 9, 6 } } -- largest first; others: none
-- The words of a published qualifier (figures.csv `qualifier`): the source's own word when it is one
-- of these, else the first.
local QUALIFIER_OUT = {
  vi = { nearly = { "gần" }, about = { "khoảng", "xấp xỉ" }, over = { "hơn", "trên" }, at_least = { "ít nhất" },
    at_most = { "nhiều nhất", "dưới" } },
  en = { nearly = { "nearly", "almost" }, about = { "about", "around", "approximately" }, over = { "over", "more than" },
    at_least = { "at least" }, at_most = { "at most", "under" } },
}
local FIXED_SCALES = { [1] = 0, [1e3] = 3, [1e6] = 6, [1e9] = 9, [1e12] = 12 }

----------------------------------------------------------------------------------------------------
-- Unicode: canonical decomposition of the letters used above, canonical order of marks

local DECOMPOSED = {
  ["à"] = "a\u{300}", ["ả"] = "a\u{309}", ["â"] = "a\u{302}", ["ầ"] = "a\u{302}\u{300}",
  ["ấ"] = "a\u{302}\u{301}", ["é"] = "e\u{301}", ["ê"] = "e\u{302}", ["ệ"] = "e\u{323}\u{302}",
  ["ẹ"] = "e\u{323}", ["ì"] = "i\u{300}", ["ỉ"] = "i\u{309}", ["ó"] = "o\u{301}", ["ô"] = "o\u{302}",
  ["ồ"] = "o\u{302}\u{300}", ["ơ"] = "o\u{31B}", ["ớ"] = "o\u{31B}\u{301}", ["ư"] = "u\u{31B}",
  ["ỷ"] = "y\u{309}", ["ỹ"] = "y\u{303}",
  ["À"] = "A\u{300}", ["Ả"] = "A\u{309}", ["Â"] = "A\u{302}", ["Ầ"] = "A\u{302}\u{300}",
  ["Ấ"] = "A\u{302}\u{301}", ["É"] = "E\u{301}", ["Ê"] = "E\u{302}", ["Ệ"] = "E\u{323}\u{302}",
  ["Ẹ"] = "E\u{323}", ["Ì"] = "I\u{300}", ["Ỉ"] = "I\u{309}", ["Ó"] = "O\u{301}", ["Ô"] = "O\u{302}",
  ["Ồ"] = "O\u{302}\u{300}", ["Ơ"] = "O\u{31B}", ["Ớ"] = "O\u{31B}\u{301}", ["Ư"] = "U\u{31B}",
  ["Ỷ"] = "Y\u{309}", ["Ỹ"] = "Y\u{303}",
}
local REPLACED = { [0xA0] = 0x20, [0x2009] = 0x20, [0x202F] = 0x20, [0x2212] = 0x2D } -- spaces, minus
local decomposition = {}
for c, d in pairs(DECOMPOSED) do decomposition[utf8.codepoint(c)] = { utf8.codepoint(d, 1, -1) } end

-- canonical combining class of a mark in U+0300–U+036F (0 = not a mark); exact for the marks of
-- Vietnamese (horn 216, dot below 220, the others above 230), which is all the words need
local function class(c)
  if c < 0x300 or c > 0x36F then return 0 end
  return c == 0x31B and 216 or c == 0x323 and 220 or 230
end

-- The matching form of valid UTF-8 text: NFC (zs.nfc), then the letters above decomposed,
-- marks in canonical order, odd spaces and U+2212 replaced.
local function normalize(s)
  s = engine.nfc(s) or s
  local cps = {}
  for _, c in utf8.codes(s) do
    local d = decomposition[c]
    if d then
      table.move(d, 1, #d, #cps + 1, cps)
    else
      cps[#cps + 1] = REPLACED[c] or c
    end
  end
  for i = 2, #cps do -- insertion sort of each run of marks (stable)
    local j = i
    while j > 1 and class(cps[j]) > 0 and class(cps[j - 1]) > class(cps[j]) do
      cps[j], cps[j - 1] = cps[j - 1], cps[j]
      j = j - 1
    end
  end
  for i = 1, #cps do cps[i] = utf8.char(cps[i]) end
  return table.concat(cps)
end

local function fold(s) return (s:lower():gsub("Đ", "đ")) end

-- lookup tables: exact[normalized] and folded[fold(normalized)] -> value
local function word_map()
  return { exact = {}, folded = {} }
end
local function add_word(map, word, value, exact)
  local k = normalize(word)
  if exact then map.exact[k] = value else map.folded[fold(k)] = value end
end
local function find_word(map, s) return map.exact[s] or map.folded[fold(s)] end

local scale_maps = {}
for locale, list in pairs(SCALE_WORDS) do
  scale_maps[locale] = word_map()
  for _, w in ipairs(list) do add_word(scale_maps[locale], w[1], w[2], w.exact) end
end
local unit_map = word_map()
for unit, list in pairs(UNIT_WORDS) do
  for _, w in ipairs(list) do add_word(unit_map, w, unit) end
end
local qualifiers = {} -- { folded normalized word, word as written, kind }, longest first
for kind, list in pairs(QUALIFIER_WORDS) do
  for _, w in ipairs(list) do qualifiers[#qualifiers + 1] = { fold(normalize(w)), w, kind } end
end
table.sort(qualifiers, function(a, b) return #a[1] > #b[1] or (#a[1] == #b[1] and a[1] < b[1]) end)

----------------------------------------------------------------------------------------------------
-- Helpers


local function is_locale(v) return SEPARATORS[v] ~= nil end
local function is_boolean(v) return type(v) == "boolean" end

-- A qualifier at the start of s (folded match): kind, word as written, rest of s.
local function take_qualifier(s)
  local low = fold(s)
  for _, q in ipairs(qualifiers) do
    local k = q[1]
    if low:sub(1, #k) == k then
      local rest = s:sub(#k + 1)
      if not k:find("^%a") then return q[3], q[2], (rest:gsub("^%s+", "")) end
      if rest:find("^%s") then return q[3], q[2], (rest:gsub("^%s+", "")) end
    end
  end
  return nil, nil, s
end

-- Integer and fraction digits of a run like "1.083,30" under separators sep, or nil.
local function split_number(run, sep)
  local int, frac = run, ""
  local at = run:find(sep.mark, 1, true)
  if at then
    int, frac = run:sub(1, at - 1), run:sub(at + 1)
    if not frac:find("^%d+$") then return nil end
  end
  if int:find("^%d+$") then return int, frac end
  local head, tail = int:match("^([1-9]%d?%d?)(%" .. sep.group .. ".*)$")
  if not head then return nil end
  local groups = { head }
  for group in tail:gmatch("%" .. sep.group .. "([^%" .. sep.group .. "]*)") do
    if not group:find("^%d%d%d$") then return nil end
    groups[#groups + 1] = group
  end
  return table.concat(groups), frac
end

-- The number sign × digits × 10^exp: an integer when integral and representable, else the nearest float.
local function make_number(sign, digits, exp)
  digits = digits:gsub("^0+", "")
  if digits == "" then return 0 end
  while exp < 0 and digits:sub(-1) == "0" do digits, exp = digits:sub(1, -2), exp + 1 end
  if exp >= 0 then return tonumber(sign .. digits .. string.rep("0", exp)) end
  return tonumber(sign .. digits .. "e" .. exp)
end

-- Exact decimal form of a number: sign ("" or "-"), digits (no leading zeros; "0" for zero), exponent.
-- Integral floats below 2^63 are written exactly (parse reads them back as the same integer);
-- other floats use the shortest decimal that reads back as the same float.
local function decimal(v)
  local sign, digits, exp
  if math.type(v) == "float" and v == math.floor(v) and math.abs(v) < 2 ^ 63 then v = math.tointeger(v) end
  if math.type(v) == "integer" then
    sign, digits = tostring(v):match("^(-?)(%d+)$")
    exp = 0
  else
    for p = 0, 16 do
      local s = string.format("%." .. p .. "e", v)
      if p == 16 or tonumber(s) == v then
        local m, f, e
        sign, m, f, e = s:match("^(-?)(%d)%.?(%d*)e([-+]%d+)$")
        digits, exp = m .. f, tonumber(e) - #f
        break
      end
    end
  end
  digits = digits:gsub("^0+", "")
  if digits == "" then return "", "0", 0 end
  while digits:sub(-1) == "0" do digits, exp = digits:sub(1, -2), exp + 1 end
  return sign, digits, exp
end

-- digits + 1, as decimal strings ("" + 1 = "1")
local function increment(digits)
  local i = #digits
  while i > 0 and digits:sub(i, i) == "9" do i = i - 1 end
  if i == 0 then return "1" .. string.rep("0", #digits) end
  return digits:sub(1, i - 1) .. string.char(digits:byte(i) + 1) .. string.rep("0", #digits - i)
end

-- digits × 10^exp rounded half away from zero to at most `decimals` decimals:
-- integer part (no leading zeros) and fraction part (no trailing zeros).
local function fixed(digits, exp, decimals)
  if exp < -decimals then
    local drop = -decimals - exp
    if drop > #digits then digits = string.rep("0", drop - #digits) .. digits end
    local keep = digits:sub(1, #digits - drop)
    if digits:byte(#digits - drop + 1) >= 53 then keep = increment(keep) end -- "5"
    digits, exp = keep, -decimals
  end
  local int, frac
  if exp >= 0 then
    int, frac = digits .. string.rep("0", exp), ""
  else
    if #digits <= -exp then digits = string.rep("0", -exp - #digits + 1) .. digits end
    int, frac = digits:sub(1, #digits + exp), digits:sub(#digits + exp + 1)
  end
  int = int:gsub("^0+", "")
  frac = frac:gsub("0+$", "")
  return int == "" and "0" or int, frac
end

local function group_digits(int, sep)
  local head = #int % 3
  local parts = { head > 0 and int:sub(1, head) or nil }
  for i = head + 1, #int, 3 do parts[#parts + 1] = int:sub(i, i + 2) end
  return table.concat(parts, sep)
end

----------------------------------------------------------------------------------------------------
-- parse

local PARSE_OPTIONS = {
  locale = { is_locale, '"vi" or "en"' },
  qualifiers = { is_boolean, "a boolean" },
  percent = { function(v) return v == "points" or v == "ratio" end, '"points" or "ratio"' },
  shift = { function(v) return math.type(v) == "integer" and v >= -12 and v <= 12 end, "an integer in -12..12" },
}

--- Read a number with optional scale word and unit.
-- See the module description for the exact words, separators and decisions.
-- @tparam string text e.g. "18,37 tỷ USD", "1.083,30 triệu USD", "6.144 ha", "5,05%", "-3 tỉ đồng"
-- @tparam[opt] table opts `locale`: "vi" (default) or "en";
--   `qualifiers`: true to accept a leading "gần", "hơn", "~", ... and return its kind;
--   `percent`: "points" (default: "62,5%" → 62.5, "%") or "ratio" ("62,5%" → 0.625, "ratio");
--   `shift`: multiply by 10^shift exactly (the digits are shifted: "12,5" with shift 6 is 12500000)
-- @treturn[1] number the value in base units (an integer when integral and representable)
-- @treturn[1] ?string "USD", "VND", "ha", "%", "ratio" or nil (no unit)
-- @treturn[1] ?string with `qualifiers`: "approximate", "lower bound", "upper bound" or nil
-- @return[2] nil
-- @treturn[2] string "units.parse: <what is wrong> in '<text>'"
-- @usage zs.units.parse("18,37 tỷ USD")                --> 18370000000, "USD"
-- zs.units.parse("6,144 ha", {locale = "en"})          --> 6144, "ha"
-- zs.units.parse("gần 500 ha", {qualifiers = true})    --> 500, "ha", "approximate"
function units.parse(text, opts)
  if type(text) ~= "string" then error("units.parse: text must be a string, got " .. type(text), 2) end
  local o = check.options("units.parse", opts, PARSE_OPTIONS)
  local locale = o.locale or "vi"
  local function fail(what) return nil, ("units.parse: %s in '%s'"):format(what, text) end

  if not utf8.len(text) then return fail("invalid UTF-8") end
  local s = normalize(text):match("^%s*(.-)%s*$")
  if s == "" then return fail("empty text") end

  local qualifier, word
  qualifier, word, s = take_qualifier(s)
  if qualifier and not o.qualifiers then
    return fail(("qualifier '%s' (%s) not accepted; pass {qualifiers = true}"):format(word, qualifier))
  end

  local sign = ""
  local c = s:sub(1, 1)
  if c == "-" or c == "+" then sign, s = (c == "-" and "-" or ""), s:sub(2) end
  local prefix
  for _, p in ipairs(PREFIXES) do
    if s:sub(1, #p[1]) == p[1] then prefix, s = p[2], s:sub(#p[1] + 1):gsub("^%s+", "") break end
  end

  local run, rest = s:match("^([%d.,]+)(.*)$")
  if not run or not run:find("%d") then return fail("no number") end
  local sep = SEPARATORS[locale]
  local int, frac = split_number(run, sep)
  if not int then
    return fail(("malformed number '%s' (%s: '%s' groups thousands, '%s' is the decimal mark)")
      :format(run, locale, sep.group, sep.mark))
  end
  if rest:find("%d") then return fail("more than one number") end

  local tokens = {}
  for t in rest:gmatch("%S+") do tokens[#tokens + 1] = t end
  local exp, unit = 0, nil
  if #tokens > 0 then
    local found = false
    for i = 0, #tokens do -- tokens[1..i] is the scale word, the rest the unit
      local scale = i > 0 and find_word(scale_maps[locale], table.concat(tokens, " ", 1, i))
      local u = i < #tokens and find_word(unit_map, table.concat(tokens, " ", i + 1))
      if (i == 0 or scale) and (i == #tokens or u) then
        found, exp, unit = true, scale or 0, u or nil
        break
      end
    end
    if not found then return fail(("unknown unit or scale word '%s'"):format(table.concat(tokens, " "))) end
  end
  if prefix and unit then return fail("two units") end
  unit = unit or prefix
  if unit == "%" and exp ~= 0 then return fail("scale word before '%'") end
  if unit == "%" and o.percent == "ratio" then unit, exp = "ratio", exp - 2 end

  local value = make_number(sign, int .. frac, exp - #frac + (o.shift or 0))
  if value == math.huge or value == -math.huge then return fail("number out of range") end
  if o.qualifiers then return value, unit, qualifier end
  return value, unit
end

----------------------------------------------------------------------------------------------------
-- format

local FORMAT_OPTIONS = {
  locale = { is_locale, '"vi" or "en"' },
  qualifier = { function(v) return QUALIFIER_OUT.en[v] ~= nil end, '"nearly", "about", "over", "at_least" or "at_most"' },
  qualifier_text = { function(v) return type(v) == "string" end, "the source's word (a string)" },
  decimals = { function(v) return math.type(v) == "integer" and v >= 0 end, "a non-negative integer" },
  scale = {
    function(v) return v == "auto" or v == "none" or (type(v) == "number" and FIXED_SCALES[v] ~= nil) end,
    '"auto", "none", 1, 1e3, 1e6, 1e9 or 1e12',
  },
}

--- Write a value with a scale word and unit, as Vietnamese (or English) statistics are written.
-- Rounds half away from zero (on the shortest decimal form of a float) to `decimals` places after
-- scaling and drops trailing zeros; `-` for negatives; no sign on a result that rounds to 0.
-- Automatic scale: the largest scale word not above the value (VND: nghìn tỷ, tỷ, triệu; USD: tỷ, triệu
-- in vi; trn, bn, mn / bn, mn in en), moving up one word when rounding reaches 1000 of it
-- (999.999.999 USD → "1 tỷ USD"); other units are not scaled unless `scale` is given.
-- Written units: vi "USD", "đồng", "ha"; en "USD", "VND", "ha"; "%" for "%" (value in points: 5.05 →
-- "5,05%") and for "ratio" (value as a fraction: 0.625 → "62,5%"), without a space, as CLDR does;
-- "count" a bare number; "persons", "projects", "KCN", "zones", "times", "years", "events" (vi "lượt") with their word
-- (vi "người", "dự án", "KCN", "khu", "lần", "năm"); "USD/ha" (scaled like USD: "8,63 triệu USD/ha")
-- and "persons/ha". Integers are written as integers. A qualifier ("nearly", "about", "over",
-- "at_least", "at_most", as figures.csv records them) goes first, in the source's own word when it
-- is one of the locale's ("gần", "khoảng", "hơn", "trên"), else the locale's first word.
-- @tparam number value a finite number in base units
-- @tparam ?string unit "USD", "VND", "ha", "%", "ratio", "count", "persons", "projects", "KCN",
--   "zones", "USD/ha", "persons/ha", "times", "years", "events" or nil (a bare number)
-- @tparam[opt] table opts `locale`: "vi" (default) or "en"; `decimals`: at most this many decimals
--   (default 2); `scale`: "auto" (default), "none", or a fixed 1, 1e3, 1e6, 1e9, 1e12;
--   `qualifier` and `qualifier_text` (the source's word)
-- @treturn string
-- @usage zs.units.format(18370000000, "USD")                  --> "18,37 tỷ USD"
-- zs.units.format(18370000000, "USD", {locale = "en"})         --> "18.37 bn USD"
-- zs.units.format(115200, "ha", {scale = 1e3})                 --> "115,2 nghìn ha"
function units.format(value, unit, opts)
  if type(value) ~= "number" then error("units.format: value must be a number, got " .. type(value), 2) end
  if value ~= value or value == math.huge or value == -math.huge then
    error("units.format: value must be finite", 2)
  end
  if unit ~= nil and not UNIT_OUT.vi[unit] then
    error("units.format: unknown unit '" .. tostring(unit) .. "' (USD, VND, ha, %, ratio, count, persons, "
      .. "projects, KCN, zones, USD/ha, persons/ha, times, years or nil)", 2)
  end
  local o = check.options("units.format", opts, FORMAT_OPTIONS)
  local locale, decimals, scale = o.locale or "vi", o.decimals or 2, o.scale or "auto"
  if GLUED[unit] and scale ~= "auto" and scale ~= "none" and scale ~= 1 then
    error("units.format: a scale word does not apply to " .. unit, 2)
  end

  local sign, digits, exp = decimal(value)
  if unit == "ratio" then exp = exp + 2 end
  local e, int, frac
  if scale == "auto" then
    local list = AUTO_SCALES[unit] or {}
    local magnitude = #digits + exp - 1
    local k = #list + 1 -- index of the scale used; #list + 1 = none
    for i, x in ipairs(list) do
      if digits ~= "0" and x <= magnitude then k = i break end
    end
    e = list[k] or 0
    int, frac = fixed(digits, exp - e, decimals)
    if k > 1 and #int > list[k - 1] - e then -- rounding reached the next word
      e = list[k - 1]
      int, frac = fixed(digits, exp - e, decimals)
    end
  else
    e = scale == "none" and 0 or FIXED_SCALES[scale]
    int, frac = fixed(digits, exp - e, decimals)
  end

  local sep = SEPARATORS[locale]
  local out = {}
  if o.qualifier then
    local words, word = QUALIFIER_OUT[locale][o.qualifier], nil
    for _, w in ipairs(words) do
      if o.qualifier_text and fold(normalize(o.qualifier_text)) == fold(normalize(w)) then word = w end
    end
    out[1] = (word or words[1]) .. " "
  end
  out[#out + 1] = (int == "0" and frac == "") and "" or sign
  out[#out + 1] = group_digits(int, sep.group)
  if frac ~= "" then out[#out + 1] = sep.mark .. frac end
  if e > 0 then out[#out + 1] = " " .. SCALE_OUT[locale][e] end
  local word = unit and (value == 1 and e == 0 and UNIT_ONE[locale] and UNIT_ONE[locale][unit] or UNIT_OUT[locale][unit])
  if word and word ~= "" then out[#out + 1] = (GLUED[unit] and "" or " ") .. word end
  return table.concat(out)
end

----------------------------------------------------------------------------------------------------
-- rates and convert

--- VND per USD by year, used when no rates are passed; nil until loaded.
units.default_rates = nil
--- A function returning a rates table (or nil, message); called once, its table becomes
-- `default_rates`.  The default reads the bundled `fx.csv` (zonestat.datadir).
units.rates_loader = function()
  local f, err = engine.read_csv(datadir.default() .. "/fx.csv")
  if not f then return nil, err end
  local rates = {}
  for row in f:rows() do rates[row.year] = row.vnd_per_usd end
  return rates
end

local CURRENCIES = { USD = true, VND = true }

local function is_year(y)
  return math.type(y) == "integer" or (math.type(y) == "float" and y == math.floor(y) and math.abs(y) < 2 ^ 53)
end

-- The rate for a year from rates, default_rates or rates_loader: rate, or nil and a message.
local function find_rate(year, rates)
  if rates == nil then rates = units.default_rates end
  if rates == nil and units.rates_loader then
    local loaded, msg = units.rates_loader()
    if type(loaded) ~= "table" then
      return nil, "no exchange rates loaded" .. (msg and (" (" .. tostring(msg) .. ")") or "")
    end
    units.default_rates, rates = loaded, loaded
  end
  if rates == nil then return nil, "no exchange rates loaded" end
  local r = rates[year]
  if r == nil then return nil, ("no USD/VND rate for %d"):format(year) end
  if type(r) ~= "number" or not (r > 0 and r < math.huge) then
    return nil, ("invalid USD/VND rate for %d: %s"):format(year, tostring(r))
  end
  return r
end

--- The USD/VND rate (VND per USD) of a year.
-- @tparam integer year
-- @tparam[opt] table rates year → VND per USD; default `units.default_rates`, else `units.rates_loader()`
-- @treturn[1] number VND per USD
-- @return[2] nil
-- @treturn[2] string e.g. "units.rate: no USD/VND rate for 2022"
-- @usage zs.units.rate(2019, {[2019] = 23050.24})   --> 23050.24
function units.rate(year, rates)
  if not is_year(year) then error("units.rate: year must be an integer, got " .. tostring(year), 2) end
  if rates ~= nil and type(rates) ~= "table" then error("units.rate: rates must be a table", 2) end
  local r, msg = find_rate(math.tointeger(year), rates)
  if not r then return nil, "units.rate: " .. msg end
  return r
end

--- Convert between USD and VND at a year's average rate.
-- The same unit converts to itself at rate 1 (no rates needed). The result is a float.
-- @tparam number value
-- @tparam string from "USD" or "VND"
-- @tparam string to "USD" or "VND"
-- @tparam integer year
-- @tparam[opt] table rates year → VND per USD (see `rate`)
-- @treturn[1] number the converted value
-- @treturn[1] number the rate used (VND per USD; 1 for the same unit)
-- @return[2] nil
-- @treturn[2] string e.g. "units.convert: no USD/VND rate for 2022"
-- @usage zs.units.convert(1e6, "USD", "VND", 2019, {[2019] = 23050.24})  --> 23050240000.0, 23050.24
function units.convert(value, from, to, year, rates)
  if type(value) ~= "number" then error("units.convert: value must be a number, got " .. type(value), 2) end
  if not CURRENCIES[from] then error("units.convert: unknown currency '" .. tostring(from) .. "' (USD or VND)", 2) end
  if not CURRENCIES[to] then error("units.convert: unknown currency '" .. tostring(to) .. "' (USD or VND)", 2) end
  if not is_year(year) then error("units.convert: year must be an integer, got " .. tostring(year), 2) end
  if rates ~= nil and type(rates) ~= "table" then error("units.convert: rates must be a table", 2) end
  if from == to then return value, 1 end
  local r, msg = find_rate(math.tointeger(year), rates)
  if not r then return nil, "units.convert: " .. msg end
  if from == "USD" then return value * r, r end
  return value / r, r
end


return units
