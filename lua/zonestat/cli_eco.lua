--- The `zonestat eco` command: the eco-industrial-park readiness of a park.
--
--     zonestat eco --park ID [--framework ND35/2022|ND82/2018|EIP-2.0] [--as-of DATE] [--since DATE]
--                  [--evidence FILE]... [--criteria FILE] [--data PATH] [--xlsx FILE]
--     zonestat eco --list
--     zonestat eco --criteria-list [--framework ...]
--
-- `cli.lua` wires it: `cli_eco.add_command(parser, h, locale)` adds the
-- command to the argparse parser (its help in the locale), and
-- `cli_eco.run(args, out, fail)` runs it on the parsed arguments, writing
-- with `out` and reporting a user's mistake through `fail(message)`.  The
-- global options apply: `--locale`, `--format table|md|csv|json` (CSV in the
-- locale's conventions unless `--out-sep`, `--out-decimal`, `--bom`,
-- `--no-bom` say otherwise).
-- @module zonestat.cli_eco

local engine = require "zonestat.engine"
local cjson = require "cjson.safe"
local cells = require "zonestat.cells"
local dataset = require "zonestat.dataset"
local export = require "zonestat.export"
local l10n = require "zonestat.l10n"
local eco = require "zonestat.eco"
local evidence = require "zonestat.eco_evidence"
local eco_report = require "zonestat.eco_report"
local words = require "zonestat.eco_text"

local M = {}

-- the help texts: key -> {vi, en}
local HELP = {
  eco = { "Mức sẵn sàng khu công nghiệp sinh thái của một khu: tiêu chí, bằng chứng, chênh lệch, tiến bộ.",
    "Eco-industrial-park readiness of a park: criteria, evidence, gaps, progress." },
  park = { "Khu cần đánh giá (mã khu, ví dụ hp-kcn-nam-cau-kien, hoặc tên).",
    "The park to assess (its zone id, e.g. hp-kcn-nam-cau-kien, or its name)." },
  list = { "Liệt kê các khu có bằng chứng.", "List the parks with evidence." },
  criteria_list = { "Liệt kê các tiêu chí của bộ tiêu chí (--framework), với nguồn và độ tin cậy.",
    "List the criteria of the framework (--framework), with their sources and confidence." },
  framework = { "Bộ tiêu chí: ND35/2022 (luật hiện hành), ND82/2018 (đã hết hiệu lực, để so sánh), EIP-2.0 " ..
    "(khung quốc tế).", "The framework: ND35/2022 (current law), ND82/2018 (superseded, a benchmark), EIP-2.0 " ..
    "(the international framework)." },
  as_of = { "Ngày đánh giá yyyy-mm-dd hoặc dd/mm/yyyy (mặc định: hôm nay); bằng chứng sau ngày này không tính.",
    "Assessment date yyyy-mm-dd or dd/mm/yyyy (default: today); evidence dated later is left out." },
  since = { "So sánh với đánh giá tại ngày này: các tiêu chí thay đổi trạng thái hoặc giá trị.",
    "Compare with the assessment at this date: the criteria whose status or value changed." },
  evidence = { "Tệp bằng chứng (CSV, JSON, .xlsx) hoặc thư mục; lặp lại để nêu nhiều tệp (mặc định: bằng chứng " ..
    "đi kèm).", "An evidence file (CSV, JSON, .xlsx) or folder; repeat for several (default: the bundled evidence)." },
  criteria = { "Tệp tiêu chí thay cho data/eco/criteria.csv (để sửa hoặc bổ sung một ngưỡng).",
    "A criteria file instead of data/eco/criteria.csv (to correct or add a threshold)." },
  data = { "Danh sách đăng ký có các khu mà bằng chứng nêu (mặc định: data/vn đi kèm).",
    "A registry whose zones the evidence names (default: the bundled data/vn)." },
  xlsx = { "Ghi thêm đánh giá vào sổ Excel (.xlsx) này: trang Đánh giá, Tổng hợp, Bằng chứng, Tiêu chí.",
    "Also write the assessment to this Excel workbook (.xlsx): sheets Assessment, Summary, Evidence, Criteria." },
}

-- the command's messages: key -> {vi, en}
local MSG = {
  give_park = { "eco: hãy nêu --park ID (hoặc --list để xem các khu có bằng chứng)",
    "eco: give --park ID (or --list for the parks with evidence)" },
  one_of = { "eco: --park, --list và --criteria-list không dùng cùng nhau", "eco: --park, --list and --criteria-list " ..
    "do not go together" },
  xlsx_name = { "--xlsx %s: tên tệp phải có đuôi .xlsx (Excel không mở đuôi khác)",
    "--xlsx %s: the file name must end in .xlsx (Excel refuses another extension)" },
  no_folder = { "--xlsx %s: không có thư mục %s", "--xlsx %s: there is no folder %s" },
  since_later = { "--since %s: phải trước --as-of %s", "--since %s: must be before --as-of %s" },
  same_marks = { "--out-decimal '%s' cũng là ký tự ngăn cách trường: hãy thêm --out-sep '%s'",
    "--out-decimal '%s' is also the field separator: add --out-sep '%s'" },
  no_park = { "--park %s: %s", "--park %s: %s" },
  title = { "%s (%s) — %s, đánh giá đến %s", "%s (%s) — %s, as of %s" },
  readiness = { "Mức sẵn sàng: %s", "Readiness: %s" },
  rule = { "Quy tắc: %s", "Rule: %s" },
  summary = { "Tổng hợp theo bên và nhóm", "Summary by party and category" },
  sources = { "Nguồn:", "Sources:" },
  progress = { "Tiến bộ từ %s đến %s: %d tiêu chí tốt lên, %d xấu đi, %d thay đổi khác; mức sẵn sàng %s → %s",
    "Progress from %s to %s: %d criteria improved, %d worsened, %d otherwise changed; readiness %s → %s" },
  no_change = { "Không có tiêu chí nào thay đổi.", "No criterion changed." },
  sheets = { { "Đánh giá", "Tổng hợp", "Bằng chứng", "Tiêu chí", "Tiến bộ" },
    { "Assessment", "Summary", "Evidence", "Criteria", "Progress" } },
  list_columns = { { "mã", "tên", "loại", "trạng thái sinh thái", "thông tin", "mục tiêu", "dòng doanh nghiệp",
    "giả lập", "bối cảnh từ" }, { "park", "name", "kind", "eco status", "facts", "targets", "enterprise rows",
    "synthetic", "context from" } },
}

local function msg(locale, key, ...)
  local s = MSG[key][locale == "en" and 2 or 1]
  if select("#", ...) > 0 then return string.format(s, ...) end
  return s
end

--- Add the `eco` command to the argparse parser of zonestat.cli.
-- @param parser the argparse parser (its `command` gives the help flag)
-- @tparam function h cli's help-text function (`h(key)`); its locale is
--   that of `h("default")` ("mặc định" or "default") unless `locale` is given
-- @tparam[opt] string locale "vi" or "en"
-- @return the command
function M.add_command(parser, h, locale)
  if not locale then
    local ok, d = pcall(h, "default")
    locale = ok and d == "default" and "en" or "vi"
  end
  local function hh(key) return HELP[key][locale == "en" and 2 or 1] end
  local c = parser:command("eco", hh("eco"))
  c:option("--park", hh("park"))
  c:flag("--list", hh("list"))
  c:flag("--criteria-list", hh("criteria_list"))
  c:option("--framework", hh("framework"), eco.DEFAULT_FRAMEWORK)
  c:option("--as-of", hh("as_of"))
  c:option("--since", hh("since"))
  c:option("--evidence", hh("evidence")):count("*")
  c:option("--criteria", hh("criteria"))
  c:option("--data", hh("data"))
  c:option("--xlsx", hh("xlsx"))
  return c
end

local function say(s) io.stderr:write("zonestat: ", s, "\n") end

local function csv_options(a, fail)
  local o = {}
  if a.out_sep then o.sep = a.out_sep == "tab" and "\t" or a.out_sep end
  o.decimal = a.out_decimal
  if a.bom then o.bom = true elseif a.no_bom then o.bom = false end
  o = export.csv_options(a.locale, o)
  if o.sep == o.decimal then fail(msg(a.locale, "same_marks", o.decimal, o.decimal == "," and ";" or ",")) end
  return o
end

local function render(f, a, fail)
  if a.format == "csv" then return f:to_csv(csv_options(a, fail)) end
  if a.format == "json" then return f:to_json() end
  if a.format == "md" then return engine.format_markdown(f) end
  return engine.format_frame(f, nil, { all = true }) .. "\n"
end

local function date_of(s, option, locale, fail)
  if not s then return nil end
  local d = cells.date(s, "%d/%m/%Y")
  if not d then fail(l10n.text(locale, "bad_date", option, s)) end
  return d
end

local function problems(locale, what, list, fail)
  fail(l10n.text(locale, "cannot_load", what) .. "\n  " .. table.concat(list, "\n  "))
end

-- the workbook's folder exists and its name ends in .xlsx
local function check_xlsx(path, locale, fail)
  if not path:lower():match("%.xlsx$") then fail(msg(locale, "xlsx_name", path)) end
  local dir = path:match("^(.*)/[^/]*$") or "."
  if dir == "" then dir = "/" end
  local info = engine.path_info(dir)
  if not info or info.kind ~= "directory" then fail(msg(locale, "no_folder", path, dir)) end
end

local function list_frame(f, locale)
  local names = MSG.list_columns[locale == "en" and 2 or 1]
  local rows = {}
  for r in f:rows() do
    rows[#rows + 1] = { [names[1]] = r.park, [names[2]] = r.name, [names[3]] = r.kind, [names[4]] = r.eco_status or "–",
      [names[5]] = r.facts, [names[6]] = r.targets, [names[7]] = r.enterprises, [names[8]] = r.synthetic_enterprises,
      [names[9]] = r.groups or "–" }
  end
  return engine.from_rows(rows, names)
end

-- the park the user named: an id of the evidence, else a zone of the dataset by name
local function park_id(a, ev, ds_of, fail)
  for _, id in ipairs(ev.parks) do if id == a.park then return a.park end end
  local known = ev.known or {}
  if known[a.park] then return a.park end
  local ds = ds_of()
  local id = ds and ds:zone(a.park)
  if id then return id end
  fail(msg(a.locale, "no_park", a.park, words.text(a.locale, "unknown_park", a.park, table.concat(ev.parks, ", "))))
end

local function json_of(a, progress)
  local parts = { '{"park":', cjson.encode(a.park), ',"name":', cjson.encode(a.name), ',"framework":',
    cjson.encode(a.framework), ',"as_of":', cjson.encode(a.as_of), ',"ready":', cjson.encode(a.ready),
    ',"reasons":', cjson.encode(#a.reasons > 0 and a.reasons or cjson.empty_array), ',"rule":', cjson.encode(a.rule),
    ',"notes":', cjson.encode(#a.notes > 0 and a.notes or cjson.empty_array),
    ',"criteria":', a.frame:to_json(), ',"summary":', a.summary:to_json() }
  if progress then
    parts[#parts + 1] = ',"progress":{"from":' .. cjson.encode(progress.from) .. ',"to":' .. cjson.encode(progress.to) ..
      ',"ready_from":' .. cjson.encode(progress.ready.from) .. ',"changes":' .. progress.frame:to_json() .. "}"
  end
  parts[#parts + 1] = "}\n"
  return table.concat(parts)
end

-- the frame of an assessment with its park, date and readiness first
local function with_keys(a, f)
  local n = f:nrow()
  local function const(v)
    local t = {}
    for i = 1, n do t[i] = v end
    return engine.column(t, "str")
  end
  local out = f:mutate { park = const(a.park), as_of = const(a.as_of), readiness = const(a.ready) }
  local names = { "park", "as_of", "readiness" }
  for _, name in ipairs(f:names()) do names[#names + 1] = name end
  return out:select(table.unpack(names)):cast { as_of = "date" }
end

local function text_output(a, progress, out)
  local locale = a.locale
  local md = false
  local function table_text(f)
    if md then return engine.format_markdown(f) end
    return engine.format_frame(f, nil, { all = true }) .. "\n"
  end
  return function(format)
    md = format == "md"
    local h = md and "## " or ""
    out(h .. msg(locale, "title", a.name, a.park, a.framework_name, eco_report.date_text(a.as_of, locale)) .. "\n\n")
    out(msg(locale, "readiness", a.ready_text) .. "\n")
    for _, r in ipairs(a.reasons) do out("- " .. r .. "\n") end
    out("\n" .. msg(locale, "rule", a.rule) .. "\n\n")
    local f, sources = eco.table(a)
    out(table_text(f))
    out((md and "\n" or "") .. eco_report.star(locale) .. "\n")
    if #sources > 0 then
      out("\n" .. msg(locale, "sources", "") .. "\n")
      for i, s in ipairs(sources) do out(string.format("%s[%d] %s\n", md and "- " or "  ", i, s)) end
    end
    out("\n" .. h .. msg(locale, "summary") .. "\n\n")
    out(table_text(eco_report.summary_frame(a)))
    if #a.notes > 0 then out("\n") end
    for _, n in ipairs(a.notes) do out((md and "- " or "") .. n .. "\n") end
    if progress then
      out("\n" .. h .. msg(locale, "progress", eco_report.date_text(progress.from, locale),
        eco_report.date_text(progress.to, locale), progress.improved, progress.worsened, progress.changed,
        words.word(locale, "readiness", progress.ready.from), words.word(locale, "readiness", progress.ready.to)) .. "\n\n")
      if progress.frame:nrow() == 0 then out(msg(locale, "no_change") .. "\n")
      else
        out(table_text(eco_report.progress_frame(progress, locale)))
      end
    end
  end
end

local function write_xlsx(path, a, progress, criteria_frame, locale, fail)
  local names = MSG.sheets[locale == "en" and 2 or 1]
  local evidence_frame = engine.concat(a.evidence, a.context)
  local sheets = { { name = names[1], frame = with_keys(a, a.frame) }, { name = names[2], frame = a.summary },
    { name = names[3], frame = evidence_frame }, { name = names[4], frame = criteria_frame } }
  if progress then sheets[#sheets + 1] = { name = names[5], frame = progress.all } end
  local ok, err = engine.write_xlsx(path, sheets)
  if not ok then fail(err) end
  say(l10n.text(locale, "wrote", path))
end

--- Run the command on the parsed arguments.
-- @tparam table a the arguments argparse parsed (`park`, `list`,
--   `criteria_list`, `framework`, `as_of`, `since`, `evidence`, `criteria`,
--   `data`, `xlsx`, and the global `locale`, `format`, `out_sep`,
--   `out_decimal`, `bom`, `no_bom`)
-- @tparam function out writes standard output
-- @tparam function fail reports a user's mistake (one message; it does not return)
function M.run(a, out, fail)
  local locale = a.locale == "en" and "en" or "vi"
  a.locale, a.format = locale, a.format or "table"
  local n = (a.park and 1 or 0) + (a.list and 1 or 0) + (a.criteria_list and 1 or 0)
  if n > 1 then fail(msg(locale, "one_of")) end
  if n == 0 then fail(msg(locale, "give_park")) end
  if a.format ~= "csv" then
    for _, o in ipairs({ { a.out_sep, "--out-sep" }, { a.out_decimal, "--out-decimal" }, { a.bom, "--bom" },
      { a.no_bom, "--no-bom" } }) do
      if o[1] then fail(string.format(locale == "en" and "%s: only with --format csv" or
        "%s: chỉ dùng với --format csv", o[2])) end
    end
  end
  if a.xlsx then check_xlsx(a.xlsx, locale, fail) end
  local as_of = date_of(a.as_of, "--as-of", locale, fail) or evidence.today()
  local since = date_of(a.since, "--since", locale, fail)
  if since and since >= as_of then fail(msg(locale, "since_later", since, as_of)) end
  local cat
  if a.criteria then
    local err
    cat, err = eco.read_criteria(a.criteria)
    if not cat then problems(locale, a.criteria, err, fail) end
  end
  if a.criteria_list then
    local f, err = eco.criteria(a.framework, { criteria = cat, locale = locale })
    if not f then fail("--framework: " .. err) end
    f = f:select("id", "article", "party", "category", "prerequisite", "indicator", "unit", "comparison", "threshold",
      "threshold_status", "text_status", "confidence", "verified", "source")
    out(render(f, a, fail))
    return
  end
  local ds_cache
  local function ds_of()
    if ds_cache == nil then
      ds_cache = dataset.load(a.data) or false
    end
    return ds_cache or nil
  end
  local ev
  if a.evidence and #a.evidence > 0 then
    local err
    ev, err = eco.read_evidence(a.evidence, { as_of = evidence.today() > as_of and evidence.today() or as_of,
      dataset = a.data and ds_of() or nil, criteria = cat })
    if not ev then problems(locale, table.concat(a.evidence, ", "), err, fail) end
    for _, note in ipairs(ev.notes) do say(l10n.text(locale, "note", note)) end
  else
    local err
    ev, err = evidence.bundled()
    if not ev then problems(locale, "data/eco", err, fail) end
  end
  if a.list then
    local f = eco.parks { evidence = ev, dataset = a.data and ds_of() or nil }
    if a.format == "csv" or a.format == "json" then out(render(f, a, fail)) else out(render(list_frame(f, locale), a, fail)) end
    return
  end
  local park = park_id(a, ev, ds_of, fail)
  local opts = { evidence = ev, as_of = as_of, framework = a.framework, locale = locale, criteria = cat,
    dataset = a.data and ds_of() or nil }
  local result, err = eco.assess(park, opts)
  if not result then fail(err) end
  local progress
  if since then
    opts.as_of = since
    local before = assert(eco.assess(park, opts))
    progress = eco.compare(before, result)
  end
  if a.format == "csv" then
    out((progress and progress.all or with_keys(result, result.frame)):to_csv(csv_options(a, fail)))
  elseif a.format == "json" then
    out(json_of(result, progress))
  else
    text_output(result, progress, out)(a.format)
  end
  if a.xlsx then
    write_xlsx(a.xlsx, result, progress, eco.criteria(result.framework, { criteria = cat }), locale, fail)
  end
end

return M
