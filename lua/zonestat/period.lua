--- Reporting periods: `2024`, `2024-H1`, `2024-Q2`, `2024-06`, `6T/2024`,
-- `6 tháng đầu năm 2024`, `quý II/2024`, ... read into plain tables with
-- their first and last days and their Vietnamese and English labels.
--
-- The module `zs.period`: `parse`, `of`, `previous_year`, `contains`,
-- `from_date`, `to_date`, `expr` and `cumulative`.
--
-- **A period** is a table
-- `{from = "yyyy-mm-dd", to = "yyyy-mm-dd", kind = ..., year = y, n = n, label_vi = ..., label_en = ...}`
-- with both days included. `kind` is one of
--
-- * `"Y"`: a calendar year (`n` is nil): `2024`, `năm 2024`, also `12T/2024`;
-- * `"H"`: a half, `n` 1 or 2: `2024-H1`, `H1 2024`, `6 tháng cuối năm 2024` (H2);
-- * `"Q"`: a quarter, `n` 1 to 4: `2024-Q2`, `Q2 2024`, `quý II/2024`, `quý 2/2024`, `quý II năm 2024`;
-- * `"M"`: a month, `n` 1 to 12: `2024-06`, `2024-M06`, `tháng 6/2024`, `tháng 6 năm 2024`, `June 2024`;
--   also `1T/2024` (January alone is a month);
-- * `"YTD"`: 1 January to the end of month `n`, 2 to 11: `6T/2024`, `9T/2024`,
--   `9 tháng đầu năm 2024`, `January–September 2024`;
-- * `"CUM"`: everything up to a day (`from` is nil, no `year` or `n`): `period.cumulative("2024-06-30")`,
--   `lũy kế đến 30/06/2024`, `cumulative to 30 June 2024`.
--
-- So `12T/2024` is the year (kind `Y`, the same table as `2024`) and `1T/2024` the month
-- `2024-01` (kind `M`): one period has one kind and one pair of labels. `6T/2024` is kind
-- `YTD` (labels `6 tháng đầu năm 2024`, `January–June 2024`), `2024-H1` kind `H` (labels
-- `6 tháng đầu năm 2024`, `H1 2024`): the same days, told apart by how they were asked for.
--
-- Text is matched in any letter case, NFC or NFD, with or without diacritics, with extra
-- spaces; years have four digits (0001 to 9999). Every label parses back to its period, except
-- that `6 tháng đầu năm 2024`, the Vietnamese label of H1, reads as the YTD of the same days.
--
-- **Errors.** Text that is not a period gives `nil, message_en, message_vi`; the English
-- message names the text and either the accepted forms or what is wrong in it (`'2024-13':
-- month 13 (months are 1 to 12)`), the Vietnamese one says the same (pick by locale). A wrong
-- argument type (a number, nil, ...) raises: the year 2024 is written `"2024"`.
-- @module zonestat.period

local engine = require "zonestat.engine"

local M = {}

local KINDS = { Y = true, H = true, Q = true, M = true, YTD = true, CUM = true }

local MONTHS_EN = { "January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December" }
local MONTH_OF = {}
for i, name in ipairs(MONTHS_EN) do MONTH_OF[name:lower()] = i end
local ROMAN = { "I", "II", "III", "IV" }
local QUARTER_OF = { i = 1, ii = 2, iii = 3, iv = 4, ["1"] = 1, ["2"] = 2, ["3"] = 3, ["4"] = 4 }

local FORMS_EN = "2024, 2024-H1, 2024-Q2, 2024-06, 2024-M06, 6T/2024, '6 tháng đầu năm 2024', "
  .. "'6 tháng cuối năm 2024', 'quý II/2024' or 'tháng 6/2024'"
local FORMS_VI = "2024, 2024-H1, 2024-Q2, 2024-06, 2024-M06, 6T/2024, '6 tháng đầu năm 2024', "
  .. "'6 tháng cuối năm 2024', 'quý II/2024' hoặc 'tháng 6/2024'"

-- ---- days --------------------------------------------------------------------

local function is_leap(y) return y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0) end

local function month_days(y, m)
  if m == 2 then return is_leap(y) and 29 or 28 end
  return (m == 4 or m == 6 or m == 9 or m == 11) and 30 or 31
end

local function iso(y, m, d) return string.format("%04d-%02d-%02d", y, m, d) end

--- y, m, d of a valid ISO date string, else nil
local function read_iso(s)
  if type(s) ~= "string" then return nil end
  local y, m, d = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return nil end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if y < 1 or m < 1 or m > 12 or d < 1 or d > month_days(y, m) then return nil end
  return y, m, d
end

-- ---- building periods ------------------------------------------------------------

local function year_text(y) return string.format("%04d", y) end

--- the period of kind, year and n (n in range; the caller checks)
local function make(kind, y, n)
  local Y = year_text(y)
  local p = { kind = kind, year = y, n = n }
  if kind == "Y" then
    p.n = nil
    p.from, p.to = iso(y, 1, 1), iso(y, 12, 31)
    p.label_vi, p.label_en = "năm " .. Y, Y
  elseif kind == "H" then
    p.from, p.to = iso(y, n == 1 and 1 or 7, 1), n == 1 and iso(y, 6, 30) or iso(y, 12, 31)
    p.label_vi = (n == 1 and "6 tháng đầu năm " or "6 tháng cuối năm ") .. Y
    p.label_en = "H" .. n .. " " .. Y
  elseif kind == "Q" then
    local last = 3 * n
    p.from, p.to = iso(y, last - 2, 1), iso(y, last, month_days(y, last))
    p.label_vi = "quý " .. ROMAN[n] .. "/" .. Y
    p.label_en = "Q" .. n .. " " .. Y
  elseif kind == "M" then
    p.from, p.to = iso(y, n, 1), iso(y, n, month_days(y, n))
    p.label_vi = "tháng " .. n .. "/" .. Y
    p.label_en = MONTHS_EN[n] .. " " .. Y
  else -- YTD
    p.from, p.to = iso(y, 1, 1), iso(y, n, month_days(y, n))
    p.label_vi = n .. " tháng đầu năm " .. Y
    p.label_en = "January–" .. MONTHS_EN[n] .. " " .. Y
  end
  return p
end

--- n months from 1 January: YTD, but 1 is the month of January and 12 the year
local function months_from_january(y, n)
  if n == 12 then return make("Y", y) end
  if n == 1 then return make("M", y, 1) end
  return make("YTD", y, n)
end

local function make_cumulative(y, m, d)
  return {
    from = nil, to = iso(y, m, d), kind = "CUM",
    label_vi = string.format("lũy kế đến %02d/%02d/%04d", d, m, y),
    label_en = string.format("cumulative to %d %s %04d", d, MONTHS_EN[m], y),
  }
end

-- ---- parsing -----------------------------------------------------------------------

-- a failure: nil, English message, Vietnamese message
local function failure(fname, en, vi) return nil, fname .. ": " .. en, fname .. ": " .. vi end

local function not_a_period(text)
  return failure("period.parse",
    string.format("'%s' is not a period: write %s", text, FORMS_EN),
    string.format("'%s' không phải là một kỳ: hãy viết %s", text, FORMS_VI))
end

local function bad_number(text, what_en, what_vi)
  return failure("period.parse", string.format("'%s': %s", text, what_en), string.format("'%s': %s", text, what_vi))
end

local function month_period(text, m, y)
  if m < 1 or m > 12 then
    return bad_number(text, "month " .. m .. " (months are 1 to 12)", "tháng " .. m .. " (tháng từ 1 đến 12)")
  end
  return make("M", y, m)
end

local function quarter_period(text, q, y)
  local n = QUARTER_OF[q]
  if not n then
    return bad_number(text, "quarter " .. q:upper() .. " (quarters are 1 to 4, or I to IV)",
      "quý " .. q:upper() .. " (quý từ 1 đến 4, hoặc I đến IV)")
  end
  return make("Q", y, n)
end

local function ytd_period(text, n, y)
  if n < 1 or n > 12 then
    return bad_number(text, n .. " months from January (give 1 to 12)", n .. " tháng đầu năm (từ 1 đến 12)")
  end
  return months_from_january(y, n)
end

-- the matching form: folded (NFC, lower case, no diacritics), one space between words
local function normalize(text)
  local s = engine.fold(text)
  if not s then return nil end
  s = s:gsub("\u{a0}", " "):gsub("\u{202f}", " "):gsub("\u{2009}", " ")
  s = s:gsub("\u{2013}", "-"):gsub("%s+", " "):match("^ ?(.-) ?$")
  s = s:gsub(" ?/ ?", "/"):gsub(" ?%- ?", "-")
  return s
end

-- the forms: {pattern, function(text, captures...) -> period | nil, en, vi, y = the capture that
-- is the year, raw = the captures kept as text (the others are numbers)}
local function half_period(text, h, y)
  if h ~= 1 and h ~= 2 then
    return bad_number(text, "half " .. h .. " (halves are H1 and H2)", "nửa năm " .. h .. " (H1 hoặc H2)")
  end
  return make("H", y, h)
end

local function day_of(text, d, m, y)
  if m < 1 or m > 12 or d < 1 or d > month_days(y, m) then
    return bad_number(text, "no such day", "không có ngày này")
  end
  return make_cumulative(y, m, d)
end

local FORMS = {
  { "^(%d%d%d%d)$", function(_, y) return make("Y", y) end, y = 1 },
  { "^nam (%d%d%d%d)$", function(_, y) return make("Y", y) end, y = 1 },
  { "^(%d%d%d%d)%-h(%d+)$", function(text, y, h) return half_period(text, h, y) end, y = 1 },
  { "^h(%d+) (%d%d%d%d)$", half_period, y = 2 },
  { "^(%d%d%d%d)%-q(%w+)$", function(text, y, q) return quarter_period(text, q, y) end, y = 1, raw = 2 },
  { "^q(%w+) (%d%d%d%d)$", quarter_period, y = 2, raw = 1 },
  { "^q(%w+)/(%d%d%d%d)$", quarter_period, y = 2, raw = 1 },
  { "^quy (%w+)/(%d%d%d%d)$", quarter_period, y = 2, raw = 1 },
  { "^quy (%w+) (%d%d%d%d)$", quarter_period, y = 2, raw = 1 },
  { "^quy (%w+) nam (%d%d%d%d)$", quarter_period, y = 2, raw = 1 },
  { "^(%d%d%d%d)%-m?(%d%d?)$", function(text, y, m) return month_period(text, m, y) end, y = 1 },
  { "^thang (%d+)/(%d%d%d%d)$", month_period, y = 2 },
  { "^thang (%d+) nam (%d%d%d%d)$", month_period, y = 2 },
  { "^(%d+)t/(%d%d%d%d)$", ytd_period, y = 2 },
  { "^(%d+) thang dau nam (%d%d%d%d)$", ytd_period, y = 2 },
  { "^(%d+) thang cuoi nam (%d%d%d%d)$", function(text, n, y)
    if n ~= 6 then
      return bad_number(text, "the last " .. n .. " months (only '6 tháng cuối năm', the second half, is a period)",
        n .. " tháng cuối năm (chỉ '6 tháng cuối năm' là một kỳ)")
    end
    return make("H", y, 2)
  end, y = 2 },
  { "^(%a+) (%d%d%d%d)$", function(text, name, y)
    local m = MONTH_OF[name]
    if not m then return not_a_period(text) end
    return make("M", y, m)
  end, y = 2, raw = 1 },
  { "^january%-(%a+) (%d%d%d%d)$", function(text, name, y)
    local m = MONTH_OF[name]
    if not m or m == 1 then return not_a_period(text) end
    return ytd_period(text, m, y)
  end, y = 2, raw = 1 },
  { "^luy ke den (%d%d?)/(%d%d?)/(%d%d%d%d)$", day_of, y = 3 },
  { "^cumulative to (%d%d?) (%a+) (%d%d%d%d)$", function(text, d, name, y)
    local m = MONTH_OF[name]
    if not m then return not_a_period(text) end
    return day_of(text, d, m, y)
  end, y = 3, raw = 2 },
}

--- Read a period from text.
-- See the module description for the forms, kinds and labels.
-- @tparam string text e.g. "2024", "2024-H1", "2024-Q2", "2024-06", "2024-M06", "6T/2024",
--   "9 tháng đầu năm 2024", "quý II/2024", "6 tháng cuối năm 2024"
-- @treturn[1] table `{from = "yyyy-mm-dd", to = "yyyy-mm-dd", kind = "Y"|"H"|"Q"|"M"|"YTD"|"CUM",
--   year = integer, n = ?integer, label_vi = string, label_en = string}` (both days included)
-- @return[2] nil
-- @treturn[2] string "period.parse: '<text>' is not a period: write ..." (or what is wrong, e.g. "month 13 in '2024-13'")
-- @treturn[2] string the same in Vietnamese
-- @usage zs.period.parse("9T/2024")   --> {from = "2024-01-01", to = "2024-09-30", kind = "YTD", n = 9, ...}
-- zs.period.parse("quý II/2024").label_en  --> "Q2 2024"
function M.parse(text)
  if type(text) ~= "string" then error("period.parse: argument #1 must be a string, got " .. type(text), 2) end
  local s = normalize(text)
  if not s then
    return failure("period.parse", "invalid UTF-8 in '" .. text .. "'", "UTF-8 không hợp lệ trong '" .. text .. "'")
  end
  if s == "" then return failure("period.parse", "empty text: write " .. FORMS_EN, "văn bản rỗng: hãy viết " .. FORMS_VI) end
  for _, form in ipairs(FORMS) do
    local caps = { s:match(form[1]) }
    if caps[1] then
      for k, c in ipairs(caps) do
        if k ~= form.raw then caps[k] = tonumber(c) end
      end
      if caps[form.y] < 1 then
        return bad_number(text, "year 0000 (years are 0001 to 9999)", "năm 0000 (năm từ 0001 đến 9999)")
      end
      return form[2](text, table.unpack(caps))
    end
  end
  return not_a_period(text)
end

-- ---- validating a table ----------------------------------------------------------------

local N_RANGE = { Y = { nil, nil }, H = { 1, 2 }, Q = { 1, 4 }, M = { 1, 12 }, YTD = { 2, 11 } }

local function invalid(what_en, what_vi)
  return failure("period.of", "not a period: " .. what_en, "không phải là một kỳ: " .. what_vi)
end

local function check_fields(t, p)
  for _, k in ipairs({ "year", "n", "label_vi", "label_en" }) do
    if t[k] ~= nil and t[k] ~= p[k] then
      return invalid(string.format("%s is %s, but the period %s .. %s of kind %s has %s", k, tostring(t[k]),
        tostring(p.from), p.to, p.kind, tostring(p[k])),
        string.format("%s là %s, nhưng kỳ %s .. %s loại %s có %s", k, tostring(t[k]), tostring(p.from), p.to, p.kind,
          tostring(p[k])))
    end
  end
  return p
end

local function validate(t)
  local kind = t.kind
  if not KINDS[kind] then
    return invalid("kind is " .. tostring(kind) .. " (kinds are Y, H, Q, M, YTD and CUM)",
      "kind là " .. tostring(kind) .. " (các loại: Y, H, Q, M, YTD, CUM)")
  end
  local ty, tm, td = read_iso(t.to)
  if not ty then
    return invalid("'to' is " .. tostring(t.to) .. ", not a date yyyy-mm-dd",
      "'to' là " .. tostring(t.to) .. ", không phải ngày yyyy-mm-dd")
  end
  if kind == "CUM" then
    if t.from ~= nil then return invalid("a CUM period has no 'from'", "kỳ lũy kế (CUM) không có 'from'") end
    return check_fields(t, make_cumulative(ty, tm, td))
  end
  local fy = read_iso(t.from)
  if not fy then
    return invalid("'from' is " .. tostring(t.from) .. ", not a date yyyy-mm-dd",
      "'from' là " .. tostring(t.from) .. ", không phải ngày yyyy-mm-dd")
  end
  local lo, hi = N_RANGE[kind][1], N_RANGE[kind][2]
  for n = lo or 0, hi or 0 do
    local p = make(kind, fy, lo and n or nil)
    if p.from == t.from and p.to == t.to then return check_fields(t, p) end
  end
  local hint_en, hint_vi = "", ""
  if kind == "YTD" and t.from == iso(fy, 1, 1) and (t.to == iso(fy, 1, 31) or t.to == iso(fy, 12, 31)) then
    hint_en, hint_vi = " (1 January to the end of January is kind M, to 31 December kind Y)",
      " (từ 1/1 đến hết tháng 1 là loại M, đến 31/12 là loại Y)"
  end
  return invalid(string.format("%s .. %s is not a period of kind %s%s", t.from, t.to, kind, hint_en),
    string.format("%s .. %s không phải là kỳ loại %s%s", t.from, t.to, kind, hint_vi))
end

--- A period from text or from a table (an already-parsed period, or one built by hand).
-- A table is checked: `kind` one of the kinds, `from` and `to` the days of a period of that
-- kind (a CUM has only `to`); `year`, `n` and the labels, when present, must agree. The result
-- is always a new, complete period table.
-- @tparam string|table p text as for `parse`, or a period table
-- @treturn[1] table the period
-- @return[2] nil
-- @treturn[2] string what is wrong (English)
-- @treturn[2] string the same in Vietnamese
-- @usage zs.period.of({kind = "Q", from = "2024-04-01", to = "2024-06-30"}).label_vi  --> "quý II/2024"
function M.of(p)
  if type(p) == "string" then return M.parse(p) end
  if type(p) ~= "table" then error("period.of: argument #1 must be a string or a period table, got " .. type(p), 2) end
  return validate(p)
end

-- a period or raise at the caller of the API function `fname`
local function need(fname, p)
  if type(p) ~= "string" and type(p) ~= "table" then
    error(fname .. ": argument #1 must be a period (text or table), got " .. type(p), 3)
  end
  local q, err = M.of(p)
  if not q then error(fname .. ": " .. err:gsub("^period%.[%w_]+: ", ""), 3) end
  return q
end

-- ---- using periods -----------------------------------------------------------------------

--- The same period one year earlier ("cùng kỳ năm trước"): the same kind, its days and
-- labels for the year before (`2024-H1` → `2023-H1`; `2024-02` → `2023-02`, ending on
-- 2023-02-28; a CUM to 2024-02-29 → a CUM to 2023-02-28).
-- @tparam string|table p a period (text or table); raises if it is not one
-- @treturn[1] table the period a year earlier
-- @return[2] nil
-- @treturn[2] string for a period in the year 0001: there is no year before
-- @treturn[2] string the same in Vietnamese
-- @usage zs.period.previous_year("2024-M02").to   --> "2023-02-28"
function M.previous_year(p)
  p = need("period.previous_year", p)
  local y, m, d = read_iso(p.to)
  if y <= 1 then
    return failure("period.previous_year", "no year before 0001", "không có năm trước năm 0001")
  end
  if p.kind == "CUM" then return make_cumulative(y - 1, m, math.min(d, month_days(y - 1, m))) end
  return make(p.kind, p.year - 1, p.n)
end

--- Is the day `date` in the period (its first and last days included)?
-- @tparam string|table p a period (text or table); raises if it is not one
-- @tparam string date an ISO date "yyyy-mm-dd"; nil or `zs.NA` give nil (unknown); anything else raises
-- @treturn ?boolean
-- @usage zs.period.contains("2024-Q2", "2024-06-30")   --> true
function M.contains(p, date)
  p = need("period.contains", p)
  if date == nil or engine.is_na(date) then return nil end
  if not read_iso(date) then
    error("period.contains: argument #2 must be a date yyyy-mm-dd, got " ..
      (type(date) == "string" and ("'" .. date .. "'") or type(date)), 2)
  end
  return (p.from == nil or date >= p.from) and date <= p.to
end

--- The first day of a period.
-- @tparam string|table p a period (text or table); raises if it is not one
-- @treturn ?string "yyyy-mm-dd"; nil for a CUM period
function M.from_date(p) return need("period.from_date", p).from end

--- The last day of a period (the "as of" date of a report on it).
-- @tparam string|table p a period (text or table); raises if it is not one
-- @treturn string "yyyy-mm-dd"
-- @usage zs.period.to_date("9T/2024")   --> "2024-09-30"
function M.to_date(p) return need("period.to_date", p).to end

--- An expression true where the date column `column` falls in the period, for `f:filter`
-- (NA dates give NA, so `filter` drops them).
-- @tparam string|table p a period (text or table); raises if it is not one
-- @tparam string column the name of a date column (or of a str column of ISO dates)
-- @return an expression
-- @usage projects:filter(zs.period.expr("2024-H1", "license_date"))
function M.expr(p, column)
  p = need("period.expr", p)
  if type(column) ~= "string" then error("period.expr: argument #2 must be a column name, got " .. type(column), 2) end
  local c = engine.col(column)
  if p.from == nil then return c:le(p.to) end
  return c:ge(p.from) & c:le(p.to)
end

--- Everything up to a day: a period-like table of kind "CUM".
-- @tparam string as_of the last day, "yyyy-mm-dd" or "dd/mm/yyyy"
-- @treturn[1] table `{from = nil, to = "yyyy-mm-dd", kind = "CUM", label_vi = "lũy kế đến 30/06/2024",
--   label_en = "cumulative to 30 June 2024"}`
-- @return[2] nil
-- @treturn[2] string "period.cumulative: '<as_of>' is not a date: write yyyy-mm-dd or dd/mm/yyyy"
-- @treturn[2] string the same in Vietnamese
-- @usage zs.period.cumulative("2024-06-30").label_vi   --> "lũy kế đến 30/06/2024"
function M.cumulative(as_of)
  if type(as_of) ~= "string" then error("period.cumulative: argument #1 must be a date string, got " .. type(as_of), 2) end
  local y, m, d = read_iso(as_of)
  if not y then
    local dd, mm, yy = as_of:match("^%s*(%d%d?)/(%d%d?)/(%d%d%d%d)%s*$")
    if dd then
      y, m, d = tonumber(yy), tonumber(mm), tonumber(dd)
      if y < 1 or m < 1 or m > 12 or d < 1 or d > month_days(y, m) then y = nil end
    end
  end
  if not y then
    return failure("period.cumulative", "'" .. as_of .. "' is not a date: write yyyy-mm-dd or dd/mm/yyyy",
      "'" .. as_of .. "' không phải là ngày: hãy viết yyyy-mm-dd hoặc dd/mm/yyyy")
  end
  return make_cumulative(y, m, d)
end

--- The last day of the month of a date ("2024-06-27" -> "2024-06-30").
-- @tparam string date "yyyy-mm-dd"
-- @treturn string "yyyy-mm-dd"
function M.month_end(date)
  local y, m = read_iso(date)
  if not y then error("period.month_end: '" .. tostring(date) .. "' is not a date (yyyy-mm-dd)", 2) end
  return iso(y, m, month_days(y, m))
end

return M
