--- Exports of a report (the model of `zs.report.build`): its tables as
-- frames, and as an Excel workbook, CSV (one long table, or a folder of
-- files), JSON and PDF.
--
-- **The shape of a table** (`export.tables`, xlsx sheets, `csv_dir` files,
-- JSON): one row per row of the report's table; first the report's own
-- columns in its order, then, for each column of figures `X` in that order,
-- its provenance in five companion columns:
--
-- * `X` the value as a number (int when every value of the column is an
--   integer, else float; NA where the report shows "–"), in the unit's base:
--   USD and VND in units of currency (not millions), `ratio` as a fraction
--   (0.65 is 65%), areas in ha;
-- * `X_unit` (`count`, `USD`, `VND`, `ha`, `ratio`, `times`, `persons`, ...),
-- * `X_class` (`published`, `recomputed`, `derived`, `implied`,
--   `synthetic`, or `na` where there is no value),
-- * `X_qualifier` (`nearly`, `about`, `over`, `at_least`, `at_most`: the
--   published "gần", "khoảng", "hơn", "trên"),
-- * `X_source` (the number `n` of the source in the sources table),
-- * `X_note` (the coverage of a total, "9/14 KCN có số liệu diện tích", or
--   why a value is missing).
--
-- A column is a column of figures when one of its cells has a numeric
-- `value` (or all of its cells are figures without one); a column whose
-- every cell is a date as the report writes it (dd/mm/yyyy in vi,
-- yyyy-mm-dd in en) is a `date` column; every other column is text ("–"
-- is NA), with an `X_note` companion when one of its cells has a note.
--
-- Two more tables go with the report's: **sources** (`n`, `citation`,
-- `url`, `id`: the report's numbered sources, `id` the dataset's source
-- id) and **notes** (`table`, `sheet`, `kind`, `text`: the report's title,
-- date, notes and legend, what is synthetic, how the columns read, and per
-- table its title, its notes and its count of synthetic cells; `kind` is
-- one of `title`, `as_of`, `note`, `legend`, `synthetic`, `columns`,
-- `table`, `item`, `chart`).  Charts are not exported (their data are the
-- tables'); the statements of the growth and ranking sections are notes of
-- kind `item`.
--
-- **The long shape** (`export.long`, `export.csv`): every table in one
-- frame, one row per cell: `table` (the table's id), `row`, `column` (the
-- column's name), `text` (as the report shows it), `value`, `unit`,
-- `class`, `qualifier`, `source`, `mark`, `note`.
--
-- Each table has an `id` (ASCII, the same in every locale and unique: the
-- JSON key, the `table` of the long shape and of the notes, the file name
-- of `csv_dir`) and a `name` (its sheet name in the workbook: at most 31
-- characters, none of `[ ] : * ? / \`, unique ignoring case; Vietnamese in
-- vi, English in en).
-- @module zonestat.export

local engine = require "zonestat.engine"
local cells = require "zonestat.cells"
local render = require "zonestat.render"

local NA = engine.NA
local DASH = "–"

local M = {}

--- The companion columns of a column of figures `X`: `X_unit`, ...
M.COMPANIONS = { "unit", "class", "qualifier", "source", "note" }

--- CSV conventions of each locale: what Excel in that locale opens in
-- columns (vi: `;` between fields, decimal comma, a UTF-8 BOM).
M.CSV = {
  vi = { sep = ";", decimal = ",", bom = true },
  en = { sep = ",", decimal = ".", bom = false },
}

local TEXT = {
  vi = {
    sources = "Nguồn", notes = "Ghi chú",
    synthetic = "Có dữ liệu giả lập: các số có class 'synthetic' (dấu GL) được tính từ dữ liệu giả lập, không " ..
      "phải số thật; số công bố có class 'published' và số thứ tự nguồn.",
    synthetic_cells = "%d ô số liệu giả lập (class 'synthetic', dấu GL)",
    columns = "Mỗi cột số X có thêm các cột X_unit (đơn vị: count, USD, VND, ha, persons, times; ratio là tỷ lệ " ..
      "dạng thập phân, 0,65 là 65%%), X_class (published: công bố; recomputed: TL; derived: DX; implied: SR; " ..
      "synthetic: GL; na: không có số liệu), X_qualifier (nearly: gần; about: khoảng; over: hơn; at_least: trên), " ..
      "X_source (số thứ tự trong bảng %s) và X_note (phạm vi của một tổng, hoặc lý do thiếu số liệu). " ..
      "Vốn tính bằng USD hoặc VND (không phải triệu).",
    chart = "Biểu đồ (trong bản HTML, PDF): %s",
    no_chromium = "không tìm thấy Chromium để in PDF (đã tìm chromium, chromium-browser, google-chrome trong " ..
      "PATH): hãy cài Chromium (Debian: apt-get install chromium) hoặc đặt ZONESTAT_CHROMIUM là đường dẫn tới nó",
    bad_chromium = "ZONESTAT_CHROMIUM=%s: không có chương trình này: hãy cài Chromium (Debian: apt-get install " ..
      "chromium) hoặc sửa ZONESTAT_CHROMIUM",
    chromium_failed = "%s: Chromium không in được PDF (%s)",
    not_empty = "%s: thư mục không rỗng (force để thay thế)",
    not_folder = "%s: đã có và không phải thư mục",
  },
  en = {
    sources = "Sources", notes = "Notes",
    synthetic = "Synthetic data: figures of class 'synthetic' (mark S) are computed from synthetic data, not real " ..
      "figures; published figures have class 'published' and a source number.",
    synthetic_cells = "%d synthetic cells (class 'synthetic', mark S)",
    columns = "Each column of figures X comes with X_unit (count, USD, VND, ha, persons, times; ratio is a " ..
      "fraction, 0.65 is 65%%), X_class (published; recomputed: R; derived: D; implied: I; synthetic: S; na: no " ..
      "value), X_qualifier (nearly, about, over, at_least: the published gần, khoảng, hơn, trên), X_source (the " ..
      "number in the %s table) and X_note (the coverage of a total, or why a value is missing). Capital is in " ..
      "USD or VND (not millions).",
    chart = "Chart (in the HTML and PDF report): %s",
    no_chromium = "Chromium was not found to print the PDF (looked for chromium, chromium-browser, google-chrome " ..
      "on PATH): install it (Debian: apt-get install chromium) or set ZONESTAT_CHROMIUM to its path",
    bad_chromium = "ZONESTAT_CHROMIUM=%s: no such program: install Chromium (Debian: apt-get install chromium) " ..
      "or correct ZONESTAT_CHROMIUM",
    chromium_failed = "%s: Chromium could not print the PDF (%s)",
    not_empty = "%s: the folder is not empty (force replaces it)",
    not_folder = "%s: exists and is not a folder",
  },
}

local function text(locale, key, ...)
  local s = (TEXT[locale] or TEXT.vi)[key]
  if select("#", ...) > 0 then return string.format(s, ...) end
  return s
end

local function check_model(fname, model)
  if type(model) ~= "table" or type(model.blocks) ~= "table" or type(model.sources) ~= "table" then
    error("export." .. fname .. ": expected a report model (zs.report.build())", 3)
  end
end

-- ---- names --------------------------------------------------------------------------

-- characters of UTF-8 text (bytes of text that is not)
local function len(s) return utf8.len(s) or #s end

local function clip(s, n)
  if len(s) <= n then return s end
  if not utf8.len(s) then return s:sub(1, n) end
  return s:sub(1, utf8.offset(s, n + 1) - 1)
end

-- without separators at the end (spaces, punctuation, dashes)
local function trim_end(s)
  repeat
    local before = s
    s = s:gsub("[%s,;.%-]+$", "")
    for _, dash in ipairs({ "·", "–", "—" }) do
      if s:sub(-#dash) == dash then s = s:sub(1, -#dash - 1) end
    end
  until s == before
  return s
end

-- at most n characters, cut at a word with "…" when it must be cut
local function shorten(s, n)
  if len(s) <= n then return s end
  local cut = clip(s, n - 1)
  local word = s:sub(#cut + 1, #cut + 1):match("%s") and cut or cut:match("^(.*%S)%s+%S*$")
  if word and len(word) >= n // 2 then cut = word end
  return trim_end(cut) .. "…"
end

-- a sheet name Excel takes: no []:*?/\ or control characters, no
-- apostrophe at either end, 1..31 characters
local function sheet_safe(s)
  s = s:gsub("[%[%]:*?/\\%c]", " "):gsub("%s+", " "):gsub("^[%s']+", ""):gsub("[%s']+$", "")
  return s
end

-- the short name of a table from its title: "Head: more — Entity" gives
-- "Head — Entity", cut to 31 characters
local function short_name(title)
  local head, tail = title:match("^(.-)%s+—%s+(.+)$")
  head = head or title
  head = sheet_safe(head:match("^(.-)%s*:") or head)
  title = sheet_safe(title)
  if tail then tail = sheet_safe(tail) end
  if not tail or tail == "" then return shorten(head ~= "" and head or title, 31) end
  local name = head .. " — " .. tail
  if len(name) <= 31 then return name end
  -- as much of the entity as leaves the head 12 characters, then the head in the rest
  tail = shorten(tail, 31 - 3 - math.min(len(head), 12))
  return shorten(head, 31 - 3 - len(tail)) .. " — " .. tail
end

-- unique among `used` (keys folded to lower case, without diacritics)
local function unique(name, used, limit, sep)
  local key = engine.fold(name)
  local k, candidate = 1, name
  while used[key] do
    k = k + 1
    local suffix = sep .. k .. (sep == " (" and ")" or "")
    candidate = (limit and shorten(name, limit - len(suffix)) or name) .. suffix
    key = engine.fold(candidate)
  end
  used[key] = true
  return candidate
end

local function slug(s)
  local id = engine.fold(s):lower():gsub("[^%w]+", "_"):sub(1, 40):gsub("^_+", ""):gsub("_+$", "")
  return id ~= "" and id or "table"
end

-- ---- cells and columns --------------------------------------------------------------

local function as_cell(c)
  if c == nil then return { text = "" } end
  if type(c) ~= "table" then return { text = tostring(c) } end
  return c
end

local function is_number(v) return type(v) == "number" and v == v end

local function blank(s) return s == nil or s == "" end

local function nonblank(s)
  if blank(s) then return NA end
  return s
end

local function date_of(s, locale)
  return cells.date(s, locale ~= "en" and "%d/%m/%Y" or nil)
end

-- "figure", "date" or "text": what a column of the report's table holds
local function column_kind(rows, j, locale)
  local numbers, empty_figures, texts, dates = 0, 0, 0, 0
  for _, r in ipairs(rows) do
    local c = as_cell(r[j])
    if is_number(c.value) then
      numbers = numbers + 1
    elseif c.class or c.unit then
      empty_figures = empty_figures + 1
    elseif not blank(c.text) and c.text ~= DASH then
      texts = texts + 1
      if date_of(c.text, locale) then dates = dates + 1 end
    end
  end
  if numbers > 0 or (empty_figures > 0 and texts == 0) then return "figure" end
  if texts > 0 and dates == texts then return "date" end
  return "text"
end

local function integral(values)
  for _, v in ipairs(values) do
    if v ~= NA and (v ~= math.floor(v) or math.abs(v) > 2 ^ 53) then return false end
  end
  return true
end

-- units shown without decimals (the cell keeps every digit)
local WHOLE = { count = true, persons = true, USD = true, VND = true }

-- an Excel number format for a column of figures, from its units
local function number_format(values, units)
  local unit, mixed = nil, false
  for _, u in ipairs(units) do
    if u ~= NA then
      if unit and u ~= unit then mixed = true end
      unit = unit or u
    end
  end
  if not mixed and unit == "ratio" then return "0.0%" end
  if integral(values) or (not mixed and WHOLE[unit]) then return "#,##0" end
  if mixed then return "#,##0.00##" end
  return "#,##0.00"
end

-- the frame of a table block: its columns, then each figure column's companions
local function block_frame(b, locale)
  local rows, columns = b.rows or {}, b.columns or {}
  local used, order, cols, formats = {}, {}, {}, {}
  local names = {}
  for j, name in ipairs(columns) do
    name = tostring(name)
    if name == "" then name = "V" .. j end
    names[j] = unique(name, used, nil, " (")
  end
  local later = {}
  for j = 1, #columns do
    local kind = column_kind(rows, j, locale)
    local name = names[j]
    order[#order + 1] = name
    if kind == "figure" then
      local v, u, cl, q, s, n = {}, {}, {}, {}, {}, {}
      for i, r in ipairs(rows) do
        local c = as_cell(r[j])
        local has = is_number(c.value)
        v[i] = has and c.value or NA
        u[i] = nonblank(c.unit)
        cl[i] = has and nonblank(c.class) or (c.class or c.unit) and "na" or NA
        q[i] = nonblank(c.qualifier)
        s[i] = math.tointeger(c.source) or NA
        local note = c.note
        if not has and not (c.class or c.unit) and not blank(c.text) and c.text ~= DASH then note = c.text end
        n[i] = nonblank(note)
      end
      local int = integral(v)
      if int then
        for i = 1, #v do if v[i] ~= NA then v[i] = math.tointeger(v[i]) end end
      end
      cols[name] = engine.column(v, int and "int" or "float")
      formats[name] = number_format(v, u)
      local companions = { unit = u, class = cl, qualifier = q, source = s, note = n }
      for _, k in ipairs(M.COMPANIONS) do
        later[#later + 1] = { name = unique(name .. "_" .. k, used, nil, "_"), values = companions[k],
          type = k == "source" and "int" or "str" }
      end
    else
      local v, n, any_note = {}, {}, false
      for i, r in ipairs(rows) do
        local c = as_cell(r[j])
        local s = c.text or ""
        if not blank(c.mark) then s = s .. " " .. c.mark end
        if kind == "date" then
          v[i] = (not blank(s) and s ~= DASH) and date_of(s, locale) or NA
        else
          v[i] = (blank(s) or s == DASH) and NA or s
        end
        n[i] = nonblank(c.note)
        any_note = any_note or n[i] ~= NA
      end
      cols[name] = engine.column(v, kind == "date" and "date" or "str")
      if any_note then
        later[#later + 1] = { name = unique(name .. "_note", used, nil, "_"), values = n, type = "str" }
      end
    end
  end
  for _, c in ipairs(later) do
    order[#order + 1] = c.name
    cols[c.name] = engine.column(c.values, c.type)
  end
  return engine.frame(cols, order), formats
end

local function count_synthetic(b)
  local k = 0
  for _, r in ipairs(b.rows or {}) do
    for j = 1, #(b.columns or {}) do
      local c = r[j]
      if type(c) == "table" and c.class == "synthetic" then k = k + 1 end
    end
  end
  return k
end

-- ---- the tables ---------------------------------------------------------------------

local function sources_frame(model)
  local n, citation, url, id = {}, {}, {}, {}
  for i, s in ipairs(model.sources.list or {}) do
    n[i], citation[i], url[i] = i, nonblank(s.citation), nonblank(s.url)
    id[i] = s.id ~= nil and s.id ~= NA and tostring(s.id) or NA
  end
  return engine.frame({ n = engine.column(n, "int"), citation = engine.column(citation, "str"),
    url = engine.column(url, "str"), id = engine.column(id, "str") }, { "n", "citation", "url", "id" })
end

local function is_synthetic(model)
  for _, p in ipairs(model.profiles or {}) do
    if p.synthetic or p.land_synthetic then return true end
  end
  for _, b in ipairs(model.blocks) do
    if b.kind == "table" and count_synthetic(b) > 0 then return true end
  end
  return false
end

local function notes_frame(model, entries, locale)
  local tbl, sheet, kind, txt = {}, {}, {}, {}
  local function add(e, k, s)
    local i = #kind + 1
    tbl[i], sheet[i], kind[i], txt[i] = e and e.id or NA, e and e.name or NA, k, s
  end
  add(nil, "title", model.title)
  if model.as_of then add(nil, "as_of", tostring(model.as_of)) end
  for _, b in ipairs(model.blocks) do
    if b.kind == "note" then add(nil, b.class == "legend" and "legend" or "note", b.text) end
  end
  if is_synthetic(model) then add(nil, "synthetic", text(locale, "synthetic")) end
  add(nil, "columns", text(locale, "columns", text(locale, "sources")))
  local k = 0 -- the entries are the table blocks, in order
  for _, b in ipairs(model.blocks) do
    local e
    if b.kind == "table" then
      k = k + 1
      e = entries[k]
    end
    if e then
      add(e, "table", b.title or e.name)
      for _, n in ipairs(b.notes or {}) do add(e, "note", n) end
      local synthetic = count_synthetic(b)
      if synthetic > 0 then add(e, "synthetic", text(locale, "synthetic_cells", synthetic)) end
    elseif b.kind == "items" then
      for _, it in ipairs(b.items or {}) do add(nil, "item", (b.title and b.title .. " — " or "") .. it.text) end
    elseif b.kind == "chart" then
      add(nil, "chart", text(locale, "chart", b.title or ""))
    end
  end
  return engine.frame({ table = engine.column(tbl, "str"), sheet = engine.column(sheet, "str"),
    kind = engine.column(kind, "str"), text = engine.column(txt, "str") }, { "table", "sheet", "kind", "text" })
end

--- The tables of a report as frames, in the report's order, followed by
-- its sources and its notes (the shapes are in the module's description).
-- @tparam table model a report model (`zs.report.build`)
-- @treturn {table,...} entries `{kind = "table" | "sources" | "notes", id =,
--   name =, title =, frame =, formats =, block =}`: `id` ASCII and unique
--   (the JSON key and file name), `name` the sheet name (≤ 31 characters,
--   unique ignoring case, Vietnamese or English as the report), `formats`
--   Excel number formats of the number columns, `block` the report's table
-- @usage for _, t in ipairs(zs.export.tables(model)) do print(t.id, t.name, t.frame:nrow()) end
function M.tables(model)
  check_model("tables", model)
  local locale = model.locale == "en" and "en" or "vi"
  local names, ids = {}, { sources = true, notes = true }
  unique(text(locale, "sources"), names, 31, " (")
  unique(text(locale, "notes"), names, 31, " (")
  local entries = {}
  for _, b in ipairs(model.blocks) do
    if b.kind == "table" then
      local title = b.title or ""
      local id = type(b.id) == "string" and b.id:match("^[%w_%-]+$") and b.id:lower() or slug(title)
      local name = short_name(title)
      if name == "" then name = id end
      local frame, formats = block_frame(b, locale)
      entries[#entries + 1] = { kind = "table", id = unique(id, ids, nil, "_"), name = unique(name, names, 31, " ("),
        title = title, frame = frame, formats = formats, block = b }
    end
  end
  local notes = notes_frame(model, entries, locale)
  entries[#entries + 1] = { kind = "sources", id = "sources", name = text(locale, "sources"),
    title = model.texts and model.texts.sources or text(locale, "sources"), frame = sources_frame(model), formats = {} }
  entries[#entries + 1] = { kind = "notes", id = "notes", name = text(locale, "notes"), title = text(locale, "notes"),
    frame = notes, formats = {} }
  return entries
end

--- Every table of a report in one frame, one row per cell (the long
-- shape: `table, row, column, text, value, unit, class, qualifier, source,
-- mark, note`), the sources and notes included.
-- @tparam table model a report model
-- @return a frame
function M.long(model)
  check_model("long", model)
  local out = { table = {}, row = {}, column = {}, text = {}, value = {}, unit = {}, class = {}, qualifier = {},
    source = {}, mark = {}, note = {} }
  local order = { "table", "row", "column", "text", "value", "unit", "class", "qualifier", "source", "mark", "note" }
  local types = { row = "int", value = "float", source = "int" }
  local function add(id, i, column, t)
    local k = #out.table + 1
    out.table[k], out.row[k], out.column[k] = id, i, column
    for _, f in ipairs(order) do
      if f ~= "table" and f ~= "row" and f ~= "column" then
        local v = t[f]
        if f == "value" then v = is_number(v) and v + 0.0 or NA
        elseif f == "source" then v = math.tointeger(v) or NA
        elseif blank(v) then v = NA
        else v = tostring(v) end
        out[f][k] = v
      end
    end
  end
  for _, e in ipairs(M.tables(model)) do
    if e.block then
      local b = e.block
      for i, r in ipairs(b.rows or {}) do
        for j, name in ipairs(b.columns or {}) do add(e.id, i, tostring(name), as_cell(r[j])) end
      end
    else
      local f = e.frame
      local numeric = {}
      for j, t in ipairs(f:types()) do numeric[f:names()[j]] = t == "int" or t == "float" end
      for i = 1, f:nrow() do
        for _, name in ipairs(f:names()) do
          local v = f:get(name, i)
          add(e.id, i, name, { text = v ~= nil and tostring(v) or nil, value = numeric[name] and v or nil })
        end
      end
    end
  end
  local cols = {}
  for _, f in ipairs(order) do cols[f] = engine.column(out[f], types[f] or "str") end
  return engine.frame(cols, order)
end

-- ---- writers ------------------------------------------------------------------------

--- The CSV options of a locale (`M.CSV`), with the options given on top.
-- @tparam ?string locale "vi" (default) or "en"
-- @tparam[opt] table opts `sep`, `decimal`, `bom`, `eol`, `na`, ... (any of
--   write_csv's; nil ones take the locale's)
-- @treturn table options for `f:to_csv` and `f:write_csv`
function M.csv_options(locale, opts)
  local o = {}
  for k, v in pairs(M.CSV[locale] or M.CSV.vi) do o[k] = v end
  for k, v in pairs(opts or {}) do
    if k ~= "locale" and k ~= "force" then o[k] = v end
  end
  return o
end

--- Every table of a report as one CSV text in the long shape (a `table`
-- column names each cell's table).
-- @tparam table model a report model
-- @tparam[opt] table opts `locale` (the conventions, default the model's:
--   vi `;`, decimal comma and a BOM; en `,`, decimal point, no BOM), and any
--   of write_csv's options (`sep`, `decimal`, `bom`, `eol`), which win
-- @treturn string
-- @usage local f = zs.parse_csv(zs.export.csv(model), {sep = ";", decimal = ",", thousands = ""})
function M.csv(model, opts)
  check_model("csv", model)
  opts = opts or {}
  return M.long(model):to_csv(M.csv_options(opts.locale or model.locale, opts))
end

--- Write every table of a report, one CSV file each (`<id>.csv`, in the
-- table shape), with `sources.csv` and `notes.csv`, into a folder,
-- atomically: the files go to a temporary folder beside it, which then takes
-- its place in one step (exchanged with the old folder, which is removed),
-- so a failure or a kill leaves the old folder as it was (a temporary left
-- by a kill is swept by the next write to the same folder).
-- @tparam table model a report model
-- @tparam string dir the folder; refused when it exists and is not empty,
--   unless `opts.force` (then replaced)
-- @tparam[opt] table opts `force`, `locale` and write_csv's options, as `csv`'s
-- @return[1] true, and the list of file names written
-- @return[2] nil
-- @treturn[2] string "dir: message"
-- @treturn[2] ?string "not_empty" when the folder is not empty
function M.csv_dir(model, dir, opts)
  check_model("csv_dir", model)
  if type(dir) ~= "string" then error("export.csv_dir: dir must be a string", 2) end
  opts = opts or {}
  local locale = model.locale == "en" and "en" or "vi"
  local info = engine.path_info(dir)
  if info and info.kind ~= "directory" then return nil, text(locale, "not_folder", dir) end
  local existing = info and engine.list_dir(dir) or {}
  if #existing > 0 and not opts.force then return nil, text(locale, "not_empty", dir), "not_empty" end
  local o = M.csv_options(opts.locale or model.locale, opts)
  local core = engine._core
  local tmp, lock = core.temp_dir(dir, "csv_dir")
  if not tmp then return nil, lock end
  local files = {}
  for _, e in ipairs(M.tables(model)) do
    local file = e.id .. ".csv"
    local wok, werr = e.frame:write_csv(tmp .. "/" .. file, o)
    if not wok then
      core.remove_temp(lock)
      if werr:sub(1, #tmp) == tmp then werr = dir .. werr:sub(#tmp + 1) end
      return nil, werr
    end
    files[#files + 1] = file
    if #files == 1 then core.kill_point("csv_dir", "data") end
  end
  local ok, err = core.replace_dir(lock, dir, "csv_dir")
  if not ok then return nil, err end
  return true, files
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local named = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
    return named[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

--- Every table of a report as one JSON object: the tables' ids as keys, in
-- the report's order, each `{"name": sheet name, "title": ..., "columns":
-- [names in order], "rows": [{column: value, ...}, ...]}` (the table
-- shape; NA is null, dates ISO text), the sources and the notes last.
-- @tparam table model a report model
-- @treturn string
-- @usage local t = require("cjson").decode(zs.export.json(model)); print(t.sources.rows[1].citation)
function M.json(model)
  check_model("json", model)
  local parts = {}
  for _, e in ipairs(M.tables(model)) do
    local names = {}
    for j, name in ipairs(e.frame:names()) do names[j] = json_string(name) end
    local rows = e.frame:nrow() > 0 and e.frame:to_json():gsub("%s+$", "") or "[]"
    parts[#parts + 1] = string.format('%s: {"name": %s, "title": %s, "columns": [%s], "rows": %s}',
      json_string(e.id), json_string(e.name), json_string(e.title or ""), table.concat(names, ", "), rows)
  end
  return "{\n" .. table.concat(parts, ",\n") .. "\n}\n"
end

--- Write every table of a report to an Excel workbook: a sheet per table
-- (named as `tables` says), then the sources ("Nguồn" / "Sources") and the
-- notes ("Ghi chú" / "Notes"); numbers are numbers with Excel formats
-- (thousands grouped, ratios as percentages), dates are dates.  Atomic (a
-- temporary file in the target's folder, renamed into place).
-- @tparam table model a report model
-- @tparam string path
-- @return true, or nil and "path: message"
-- @usage assert(zs.export.xlsx(zs.report.build(ds, {provinces = {"hp"}}), "out/hp.xlsx"))
function M.xlsx(model, path)
  check_model("xlsx", model)
  if type(path) ~= "string" then error("export.xlsx: path must be a string", 2) end
  local sheets = {}
  for i, e in ipairs(M.tables(model)) do
    sheets[i] = { name = e.name, frame = e.frame, formats = next(e.formats) and e.formats or nil }
  end
  return engine.write_xlsx(path, sheets)
end

-- ---- PDF ----------------------------------------------------------------------------

local function quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function is_file(path)
  local info = engine.path_info(path)
  return info ~= nil and info.kind == "file"
end

local function on_path(name)
  if name:find("/", 1, true) then return is_file(name) and name or nil end
  for dir in (os.getenv("PATH") or ""):gmatch("[^:]+") do
    if is_file(dir .. "/" .. name) then return dir .. "/" .. name end
  end
end

--- The Chromium program `pdf` uses: `$ZONESTAT_CHROMIUM` when set, else
-- the first of chromium, chromium-browser, google-chrome on PATH.
-- @tparam[opt] string locale of the message ("vi" default, or "en")
-- @return[1] string its path
-- @return[2] nil
-- @treturn[2] string how to install it
function M.chromium(locale)
  local env = os.getenv("ZONESTAT_CHROMIUM")
  if env and env ~= "" then
    local found = on_path(env)
    if not found then return nil, text(locale, "bad_chromium", env) end
    return found
  end
  for _, name in ipairs({ "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" }) do
    local found = on_path(name)
    if found then return found end
  end
  return nil, text(locale, "no_chromium")
end

local function file_url(path)
  if path:sub(1, 1) ~= "/" then
    local p = io.popen("pwd")
    local cwd = p and p:read("l") or "."
    if p then p:close() end
    path = cwd .. "/" .. path
  end
  return "file://" .. path:gsub("[^%w/%-%._~]", function(c) return string.format("%%%02X", c:byte()) end)
end

local function last_line(s)
  local line
  for l in s:gmatch("[^\n]+") do
    if not l:find("dbus", 1, true) and not l:find("bytes written", 1, true) then line = l end
  end
  return line and line:gsub("^%[[^%]]*%]%s*", "") or "no PDF written"
end

--- Print a report to PDF through headless Chromium (A4, the page's print
-- stylesheet: sections on new pages, table headers repeated, rows and
-- charts never split).  Chromium works in a temporary folder beside the
-- target (the page, its profile and the PDF); the PDF is renamed into place
-- once it is one, and the folder removed: never a half-written file, and a
-- folder left by a kill is swept by the next write to the same target.
-- @param model_or_html a report model, or the HTML text of a report
-- @tparam string path the PDF file
-- @tparam[opt] table opts `locale` of the messages (default the model's, or
--   "vi"), `chromium` (the program; default `M.chromium()`), `timeout`
--   (seconds, 120)
-- @return[1] true
-- @return[2] nil
-- @treturn[2] string one line: how to install Chromium when there is none,
--   or "path: Chromium could not print the PDF (its reason)"
function M.pdf(model_or_html, path, opts)
  opts = opts or {}
  local html, locale
  if type(model_or_html) == "string" then
    html, locale = model_or_html, opts.locale or "vi"
  else
    check_model("pdf", model_or_html)
    html, locale = render.html(model_or_html), opts.locale or model_or_html.locale or "vi"
  end
  if type(path) ~= "string" then error("export.pdf: path must be a string", 2) end
  local chromium, cerr = opts.chromium, nil
  if not chromium then chromium, cerr = M.chromium(locale) end
  if not chromium then return nil, cerr end
  local info = engine.path_info(path)
  if info and info.kind == "directory" then return nil, path .. ": Is a directory" end
  local core = engine._core
  local base, lock = core.temp_dir(path, "pdf")
  if not base then return nil, lock end
  local page = base .. "/report.html"
  local wok, werr = render.write(page, html, "pdf_page")
  if not wok then core.remove_temp(lock) return nil, werr end
  local tmp = base .. "/report.pdf"
  local timeout = on_path("timeout")
  local cmd = string.format("%s%s --headless --no-sandbox --disable-gpu --no-pdf-header-footer --no-first-run " ..
    "--disable-extensions --disable-background-networking --disable-component-update --disable-sync " ..
    "--disable-dev-shm-usage --user-data-dir=%s --print-to-pdf=%s %s 2>&1",
    timeout and (quote(timeout) .. " " .. tostring(opts.timeout or 120) .. " ") or "", quote(chromium),
    quote(base .. "/profile"), quote(tmp), quote(file_url(page)))
  local p = io.popen(cmd)
  local out = p:read("a")
  p:close()
  core.kill_point("pdf", "data")
  local fh = io.open(tmp, "rb")
  local head = fh and fh:read(5)
  if fh then fh:close() end
  if head ~= "%PDF-" then
    core.remove_temp(lock)
    return nil, text(locale, "chromium_failed", path, last_line(out))
  end
  core.kill_point("pdf", "commit")
  local renamed, rerr = os.rename(tmp, path)
  core.remove_temp(lock)
  if not renamed then return nil, path .. ": " .. tostring(rerr):gsub("^.-: ", "") end
  return true
end

return M
