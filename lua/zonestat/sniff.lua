--- Sniffing the conventions of a CSV file: separator, quote, decimal and
-- thousands marks, date format, encoding, BOM, header and line ends, as
-- `zs.sniff_csv(path)` (after DuckDB's `sniff_csv`).
--
-- Everything is decided from the first 256 KiB of the file (the sample):
--
-- * **Separator**: of `,`, `;`, tab and `|`, the one that splits the most
--   records of the sample (quoted text left out) into the same number of
--   fields, at least two; none: one column (`,`).
-- * **Numbers**: `1.234,5` gives decimal `,` and thousands `.`; `1,234.5`
--   the reverse; `1.25` or `3.14159` (not three digits after the mark)
--   decimal `.`; `3,5` decimal `,` (thousands `.`). Without such evidence
--   (only `1.250` or `1,250`, or no decimals at all) a `;` separator, or
--   `locale = "vi"`, gives the Vietnamese conventions (decimal `,`,
--   thousands `.`) and anything else decimal `.` without thousands marks;
--   the guess is listed in `assumed`.
-- * **Dates**: `d/m/yyyy` and `d-m-yyyy` (one or two digits for day and
--   month): day first when a first part is above 12, month first when a
--   second part is; neither: day first (Vietnamese), an assumption.
-- * **Encoding**: a BOM (UTF-8, UTF-16, UTF-32) decides; otherwise UTF-8
--   when the sample is valid UTF-8, else `cp1258` (a guess: TCVN3 and VNI
--   files exist and cannot be told apart).
-- * **Header**: the first record is a header unless some column has a
--   number, date or boolean in the first record like in the rows below;
--   a file whose columns are all text is taken to have a header (assumed).
-- * **Types**: the inference of `read_csv` over the sample's complete
--   records, with the conventions above.
-- @module zonestat.sniff

local core = require "zonestat.core"
local check = require "zonestat.check"
require "zonestat.frame"

local M = {}

--- Bytes read from the start of the file.
M.SAMPLE = 256 * 1024

local CANDIDATES = { ",", ";", "\t", "|" }

-- UTF-16/32 to UTF-8, for the sample only (the reader transcodes the file)
local function decode_wide(bytes, unit, little)
  local out, i, n = {}, 1, #bytes - (#bytes % unit)
  while i + unit - 1 <= n do
    local cp
    if unit == 2 then
      local a, b = bytes:byte(i, i + 1)
      cp = little and a + b * 256 or a * 256 + b
      if cp >= 0xD800 and cp <= 0xDBFF and i + 3 <= n then
        local c, d = bytes:byte(i + 2, i + 3)
        local lo = little and c + d * 256 or c * 256 + d
        if lo >= 0xDC00 and lo <= 0xDFFF then
          cp = 0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00)
          i = i + 2
        end
      end
    else
      local a, b, c, d = bytes:byte(i, i + 3)
      cp = little and a + b * 256 + c * 65536 + d * 16777216 or a * 16777216 + b * 65536 + c * 256 + d
    end
    if cp >= 0xD800 and cp <= 0xDFFF or cp > 0x10FFFF then cp = 0xFFFD end
    out[#out + 1] = utf8.char(cp)
    i = i + unit
  end
  return table.concat(out)
end

-- the text of the sample, its BOM and encoding
local function decode(bytes, assumed, locale)
  local boms = {
    { "\255\254\0\0", "UTF-32LE", 4, true }, { "\0\0\254\255", "UTF-32BE", 4, false },
    { "\255\254", "UTF-16LE", 2, true }, { "\254\255", "UTF-16BE", 2, false },
  }
  for _, b in ipairs(boms) do
    if bytes:sub(1, #b[1]) == b[1] then return decode_wide(bytes:sub(#b[1] + 1), b[3], b[4]), true, b[2] end
  end
  local bom = bytes:sub(1, 3) == "\239\187\191"
  if bom then bytes = bytes:sub(4) end
  -- a sample cut inside a character is still UTF-8
  local text = bytes
  for cut = 0, 3 do
    if utf8.len(text, 1, #text - cut) then return text, bom, "utf-8" end
  end
  assumed[#assumed + 1] = locale == "vi" and "the bytes are not UTF-8: read as cp1258 (a guess; TCVN3 and VNI files "
    .. "cannot be told apart)" or "the bytes are not UTF-8: read as cp1258 (a guess)"
  return text, bom, "cp1258"
end

-- the sample without its last record when the sample ends inside it
local function complete_records(text, whole)
  if whole then return text end
  local pos = #text
  while pos > 0 do
    local nl = text:sub(1, pos):match(".*()\n")
    if not nl then return "" end
    local head = text:sub(1, nl)
    local _, quotes = head:gsub('"', "")
    if quotes % 2 == 0 then return head end
    pos = nl - 1
  end
  return ""
end

local function line_end(text)
  local plain = text:gsub('"[^"]*"', "")
  local a = plain:find("[\r\n]")
  if not a then return "\n" end
  if plain:sub(a, a + 1) == "\r\n" then return "\r\n" end
  return plain:sub(a, a)
end

-- records of the sample with quoted text removed (so separators and line
-- breaks inside quotes do not count), up to `limit`
local function plain_records(text, limit)
  local plain = text:gsub('"[^"]*"', '""')
  local records = {}
  for line in (plain .. "\n"):gmatch("([^\r\n]*)\r?\n?") do
    if #records >= limit then break end
    if line ~= "" then records[#records + 1] = line end
  end
  return records
end

local function count(s, sep)
  local _, n = s:gsub(sep == "|" and "%|" or sep, "")
  return n + 1
end

-- the separator that splits the most records into the same number (>= 2) of fields
local function separator(records, assumed)
  local best, best_score, best_fields = nil, -1, 0
  for _, sep in ipairs(CANDIDATES) do
    local freq = {}
    for _, r in ipairs(records) do
      local n = count(r, sep)
      freq[n] = (freq[n] or 0) + 1
    end
    local mode, hits = 1, 0
    for n, k in pairs(freq) do
      if k > hits or (k == hits and n > mode) then mode, hits = n, k end
    end
    if mode >= 2 then
      local score = hits / #records
      if score > best_score + 1e-9 or (math.abs(score - best_score) <= 1e-9 and mode > best_fields) then
        best, best_score, best_fields = sep, score, mode
      end
    end
  end
  if not best then
    assumed[#assumed + 1] = "no separator splits the records: one column"
    return ","
  end
  return best
end

-- the unquoted fields of the records after the first, for number and date evidence
local function fields(records, sep, limit)
  local out = {}
  local pattern = "([^" .. (sep == "\t" and "\t" or "%" .. sep) .. "]*)"
  for k = 2, #records do
    for f in records[k]:gmatch(pattern) do
      if f ~= "" and not f:find('"', 1, true) then out[#out + 1] = f end
    end
    if #out >= limit then break end
  end
  return out
end

local function number_conventions(values, sep, locale, assumed)
  local seen = {}
  for _, v in ipairs(values) do
    v = v:gsub("^[+-]", "")
    if v:find("^%d%d?%d?%.%d%d%d[%.%d]*,%d+$") then seen.dot_comma = true
    elseif v:find("^%d%d?%d?,%d%d%d[,%d]*%.%d+$") then seen.comma_dot = true
    elseif v:find("^%d+%.%d+$") and not v:find("^%d%d?%d?%.%d%d%d$") and not v:find("^%d%d?%d?%.%d%d%d%.") then
      seen.point = true
    elseif v:find("^%d+,%d+$") and not v:find("^%d%d?%d?,%d%d%d$") and not v:find("^%d%d?%d?,%d%d%d,") then
      seen.comma = true
    elseif v:find("^%d%d?%d?%.%d%d%d$") or v:find("^%d%d?%d?%.%d%d%d%.[%.%d]+$") then
      seen.dot_groups = true
    elseif v:find("^%d%d?%d?,%d%d%d$") or v:find("^%d%d?%d?,%d%d%d,[,%d]+$") then
      seen.comma_groups = true
    end
  end
  if seen.dot_comma then return ",", "." end
  if seen.comma_dot then return ".", "," end
  if seen.point and not seen.comma then
    return ".", (seen.comma_groups and sep ~= ",") and "," or ""
  end
  if seen.comma and not seen.point and sep ~= "," then return ",", "." end
  if locale == "vi" or sep == ";" then
    if seen.dot_groups or seen.comma_groups or seen.point or seen.comma then
      assumed[#assumed + 1] = (locale == "vi" and "locale vi" or "';' between fields")
        .. ": decimal ',' and thousands '.' (so 1.250 is 1250)"
    end
    return ",", "."
  end
  if seen.dot_groups then
    assumed[#assumed + 1] = "decimal '.' without thousands marks (so 1.250 is 1.25): nothing in the file says otherwise"
  elseif seen.comma_groups and sep ~= "," then
    assumed[#assumed + 1] = "decimal '.' and thousands ',' (so 1,250 is 1250)"
    return ".", ","
  end
  return ".", ""
end

local function date_convention(values, assumed)
  local day_first, month_first, mark
  for _, v in ipairs(values) do
    local a, m, b = v:match("^(%d%d?)([/-])(%d%d?)%2%d%d%d%d$")
    if a then
      mark = mark or m
      if tonumber(a) > 12 then day_first = true end
      if tonumber(b) > 12 then month_first = true end
    end
  end
  if not mark then return nil end
  if day_first and month_first then
    assumed[#assumed + 1] = "dates with day first and with month first: left as text"
    return nil
  end
  if month_first then
    if mark == "-" then return nil end
    return "%m/%d/%Y"
  end
  if not day_first then assumed[#assumed + 1] = "dates read day first: no day above 12 in the sample" end
  return mark == "/" and "%d/%m/%Y" or "%d-%m-%Y"
end

-- header: does the first record look like the rows below it?
local function has_header(sample, opts, assumed)
  local body = core.parse_csv(sample, { sep = opts.sep, decimal = opts.decimal, thousands = opts.thousands,
    date_format = opts.date_format, header = false, pad = true, strict = false, skip = 1, threads = 1 })
  local first = core.parse_csv(sample, { sep = opts.sep, decimal = opts.decimal, thousands = opts.thousands,
    date_format = opts.date_format, header = false, pad = true, strict = false, nrows = 1, threads = 1 })
  if not body or not first or body:nrow() == 0 then return true end
  local bt, ft = body:types(), first:types()
  local all_text = true
  for j = 1, #bt do
    if bt[j] ~= "str" then
      all_text = false
      if ft[j] == bt[j] or (ft[j] == "int" and bt[j] == "float") then return false end
    end
  end
  if all_text then assumed[#assumed + 1] = "every column is text: the first line taken as the header" end
  return true
end

--- The conventions of a CSV file, or of CSV text.
-- @tparam string path the file (or, with `{text = true}`, the CSV text itself)
-- @tparam[opt] table opts `locale` ("vi": Vietnamese conventions when the
--   evidence is ambiguous), `text` (true: `path` is the text), `sep` (the
--   separator, when it is known: the rest is sniffed under it)
-- @return[1] table of `read_csv` options `sep`, `quote`, `decimal`,
--   `thousands`, `date_format`, `encoding`, `bom`, `header`, `eol`, plus
--   `types` (per column, from the sample) and `assumed` (the guesses made)
-- @return[2] nil
-- @treturn[2] string "path: message"
-- @usage local conv = assert(zs.sniff_csv("dang_ky.csv")); print(conv.sep, conv.decimal)
function M.sniff_csv(path, opts)
  check.arg(type(path) == "string", "sniff_csv", "path", "must be a string, got " .. type(path))
  opts = check.options("sniff_csv", opts, {
    locale = { function(v) return v == "vi" or v == "en" end, '"vi" or "en"' },
    text = { function(v) return type(v) == "boolean" end, "a boolean" },
    sep = { function(v) return type(v) == "string" and #v == 1 end, "one character" },
  })
  local bytes, whole
  if opts.text then
    bytes, whole = path:sub(1, M.SAMPLE), #path <= M.SAMPLE
  else
    local fh, err = io.open(path, "rb")
    if not fh then return nil, err end
    local data, rerr = fh:read(M.SAMPLE + 1)
    fh:close()
    if not data and rerr then return nil, path .. ": " .. rerr end
    bytes = data or ""
    whole = #bytes <= M.SAMPLE
    bytes = bytes:sub(1, M.SAMPLE)
  end
  local assumed = {}
  local text, bom, encoding = decode(bytes, assumed, opts.locale)
  local sample = complete_records(text, whole)
  if sample:find("^%s*$") then return nil, (opts.text and "<string>" or path) .. ": no records to sniff" end
  local records = plain_records(sample, 2000)
  local r = { quote = '"', bom = bom, encoding = encoding, eol = line_end(sample), assumed = assumed }
  r.sep = opts.sep or separator(records, assumed)
  local values = fields(records, r.sep, 20000)
  r.decimal, r.thousands = number_conventions(values, r.sep, opts.locale, assumed)
  r.date_format = date_convention(values, assumed) or "%Y-%m-%d"
  local parse_opts = { sep = r.sep, decimal = r.decimal, thousands = r.thousands, date_format = r.date_format }
  if encoding ~= "utf-8" then
    -- the structure is in ASCII: read the sample's types from a copy whose
    -- other bytes are letters
    sample = sample:gsub("[\128-\255]", "x")
  end
  r.header = has_header(sample, parse_opts, assumed)
  local f = core.parse_csv(sample, { sep = r.sep, decimal = r.decimal, thousands = r.thousands,
    date_format = r.date_format, header = r.header, pad = true, strict = false, threads = 1 })
  r.types = {}
  if f then
    local types = f:types()
    for j, name in ipairs(f:names()) do r.types[name] = types[j] end
  end
  return r
end

return M
