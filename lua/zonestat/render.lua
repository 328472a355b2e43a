--- Rendering a report model (zonestat.report) as Markdown or as one
-- self-contained HTML page.  A cell is a table `{text, mark, note, class}`:
-- the value as text, its provenance mark (the source number `[n]` of a
-- published value, or TL/DX/SR/GL), and a note (the coverage of a total, or
-- why a value is missing).
-- @module zonestat.render

local chart = require "zonestat.chart"
local engine = require "zonestat.engine"

local M = {}

local esc = chart.escape

local function md_cell(c)
  if type(c) == "string" then c = { text = c } end
  local s = c.text or ""
  if c.mark and c.mark ~= "" then s = s .. " " .. c.mark end
  if c.note and c.note ~= "" then s = s .. " (" .. c.note .. ")" end
  return (s:gsub("|", "\\|"):gsub("\n", " "))
end

--- Markdown text of a report model.
-- @tparam table model
-- @treturn string
function M.markdown(model)
  local out = {}
  local function add(s) out[#out + 1] = s end
  add("# " .. model.title)
  for _, b in ipairs(model.blocks) do
    add("")
    if b.kind == "note" then
      add(b.class == "legend" and ("_" .. b.text .. "_") or b.text)
    elseif b.kind == "heading" then
      add("## " .. b.title)
    elseif b.kind == "table" then
      add(string.rep("#", b.level or 2) .. " " .. b.title)
      add("")
      add("| " .. table.concat(b.columns, " | ") .. " |")
      local rule = {}
      for i = 1, #b.columns do rule[i] = (b.align and b.align[i] == "right") and " ---: |" or " --- |" end
      add("|" .. table.concat(rule))
      for _, r in ipairs(b.rows) do
        local cells = {}
        for i = 1, #b.columns do cells[i] = md_cell(r[i] or "") end
        add("| " .. table.concat(cells, " | ") .. " |")
      end
      for _, n in ipairs(b.notes or {}) do add("") add(n) end
    elseif b.kind == "items" then
      add("## " .. b.title)
      add("")
      for _, it in ipairs(b.items) do add("- " .. it.text) end
    elseif b.kind == "chart" then
      add("## " .. b.title)
      add("")
      add("_(" .. (model.locale == "en" and "chart in the HTML report" or "biểu đồ trong bản HTML") .. ")_")
    end
  end
  add("")
  add("## " .. model.texts.sources)
  add("")
  for i, s in ipairs(model.sources.list) do
    add(string.format("%d. %s%s", i, s.citation ~= s.url and s.citation or "",
      s.url and ((s.citation ~= s.url and " " or "") .. "<" .. s.url .. ">") or " (" .. model.texts.url_missing .. ")"))
  end
  return table.concat(out, "\n") .. "\n"
end

local CSS = [[
body{font-family:"DejaVu Sans","Noto Sans",Arial,sans-serif;margin:2em auto;max-width:1000px;color:#222;line-height:1.45}
h1{font-size:1.6em;border-bottom:3px solid #1f6f8b;padding-bottom:.2em}h2{font-size:1.2em;margin-top:1.8em;color:#1f6f8b}
h3{font-size:1.05em}table{border-collapse:collapse;margin:.6em 0;font-size:.88em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right;vertical-align:top}th{background:#eef4f7}
td:not(.l){white-space:nowrap}td small{white-space:normal}.wide{overflow-x:auto}
td.l:first-child{min-width:13em}
th.l,td.l{text-align:left}td small{display:block;color:#666;font-size:.8em}sup{font-size:.7em;color:#1f6f8b}
td.synthetic{background:#fff4e0}td.na{color:#888}.note{color:#555;font-size:.9em}.legend{color:#555;font-size:.85em}
.synthetic-note{background:#fff4e0;border-left:4px solid #e07b39;padding:.5em .8em}
ol.sources{font-size:.85em;word-break:break-all}figure{margin:1em 0}svg{max-width:100%;height:auto}
@page{size:A4;margin:14mm 12mm 16mm}
@page wide{size:A4 landscape;margin:12mm 12mm 14mm}
@media print{
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{max-width:none;margin:0;font-size:10pt;line-height:1.35}
h1{margin-top:0}
section.part+section.part{break-before:page}
section.part.wide-part{page:wide}
table{break-inside:auto;font-size:8.5pt}
thead{display:table-header-group}
tfoot{display:table-footer-group}
tr,td,th,figure,svg,li,.note{break-inside:avoid}
h2,h3,caption{break-after:avoid}
.wide{overflow:visible}
td.l:first-child{min-width:0}
a{color:inherit;text-decoration:none}
}
]]

-- tables with more columns than this are printed on landscape pages
local WIDE_COLUMNS = 7

local function html_cell(c, align)
  if type(c) == "string" then c = { text = c } end
  local cls = {}
  if align ~= "right" then cls[#cls + 1] = "l" end
  if c.class == "synthetic" then cls[#cls + 1] = "synthetic" end
  if c.class == "na" then cls[#cls + 1] = "na" end
  local s = esc(c.text or "")
  if c.mark and c.mark ~= "" then
    local mark = esc(c.mark):gsub("%[(%d+)%]", '<a href="#src%1">[%1]</a>')
    s = s .. "<sup>" .. mark .. "</sup>"
  end
  if c.note and c.note ~= "" then s = s .. "<small>" .. esc(c.note) .. "</small>" end
  return string.format('<td%s>%s</td>', #cls > 0 and (' class="' .. table.concat(cls, " ") .. '"') or "", s)
end

local function linkify(text)
  return (esc(text):gsub("%[(%d+)%]", '<sup><a href="#src%1">[%1]</a></sup>'))
end

--- One self-contained HTML page of a report model.  The page is in parts
-- (`<section class="part">`: each heading, list, chart and level-2 table
-- opens one, level-3 tables go into the open one), and its print
-- stylesheet makes A4 pages: each part after the first from a new page
-- (the title shares the first), parts with a table of more than
-- `WIDE_COLUMNS` columns on landscape pages, table headers repeated on
-- every page, rows, charts and notes never split, shading kept.
-- @tparam table model
-- @treturn string
function M.html(model)
  local out = {}
  local function add(s) out[#out + 1] = s end
  add('<!DOCTYPE html><html lang="' .. model.locale .. '"><head><meta charset="utf-8">')
  add('<meta name="viewport" content="width=device-width, initial-scale=1">')
  add("<title>" .. esc(model.title) .. "</title><style>" .. CSS .. "</style></head><body>")
  add("<h1>" .. esc(model.title) .. "</h1>")
  -- the report in parts: each heading, chart, list and level-2 table opens
  -- one (printed from a new page), level-3 tables go into the open one
  local open = false
  local function part(wide)
    if open then add("</section>") end
    add('<section class="part' .. (wide and " wide-part" or "") .. '">')
    open = true
  end
  for k, b in ipairs(model.blocks) do
    if b.kind == "table" and (b.level or 2) <= 2 then
      part(#(b.columns or {}) > WIDE_COLUMNS)
    elseif b.kind == "heading" then
      -- a heading's part is wide when one of its tables is
      local wide = false
      for j = k + 1, #model.blocks do
        local n = model.blocks[j]
        if n.kind ~= "table" or (n.level or 2) <= 2 then break end
        wide = wide or #(n.columns or {}) > WIDE_COLUMNS
      end
      part(wide)
    elseif b.kind == "items" or b.kind == "chart" then
      part(false)
    end
    if b.kind == "note" then
      add(string.format('<p class="%s">%s</p>', b.class == "legend" and "legend" or "synthetic-note", esc(b.text)))
    elseif b.kind == "heading" then
      add("<h2>" .. esc(b.title) .. "</h2>")
    elseif b.kind == "table" then
      local h = "h" .. (b.level or 2)
      add('<section class="block" id="' .. esc(b.id or "") .. '">')
      add("<" .. h .. ">" .. esc(b.title) .. "</" .. h .. '><div class="wide"><table><thead><tr>')
      for i, c in ipairs(b.columns) do
        add(string.format("<th%s>%s</th>", (b.align and b.align[i] == "right") and "" or ' class="l"', esc(c)))
      end
      add("</tr></thead><tbody>")
      for _, r in ipairs(b.rows) do
        local cells = {}
        for i = 1, #b.columns do cells[i] = html_cell(r[i] or "", b.align and b.align[i]) end
        add("<tr>" .. table.concat(cells) .. "</tr>")
      end
      add("</tbody></table></div>")
      for _, n in ipairs(b.notes or {}) do add('<p class="note">' .. esc(n) .. "</p>") end
      add("</section>")
    elseif b.kind == "items" then
      add('<section class="block"><h2>' .. esc(b.title) .. "</h2><ul>")
      for _, it in ipairs(b.items) do add("<li>" .. linkify(it.text) .. "</li>") end
      add("</ul></section>")
    elseif b.kind == "chart" then
      add('<section class="block"><h2>' .. esc(b.title) .. "</h2><figure>" .. b.svg .. "</figure></section>")
    end
  end
  part(false)
  add('<h2>' .. esc(model.texts.sources) .. '</h2><ol class="sources">')
  for i, s in ipairs(model.sources.list) do
    local text = s.citation ~= s.url and esc(s.citation) or ""
    if s.url then
      text = text .. (text ~= "" and " " or "") .. string.format('<a href="%s">%s</a>', esc(s.url), esc(s.url))
    else
      text = text .. " (" .. esc(model.texts.url_missing) .. ")"
    end
    add(string.format('<li id="src%d">%s</li>', i, text))
  end
  add("</ol></section></body></html>")
  return table.concat(out, "\n") .. "\n"
end

--- Write text to a file atomically: an unnamed file in the same folder,
-- linked into place when complete (README "Files written"), so a failure or
-- a kill leaves the old file as it was and nothing else behind.
-- @tparam string path
-- @tparam string text
-- @tparam[opt] string writer its name for the test hook ZONESTAT_KILL_AT
--   (default "text")
-- @return true, or nil and "path: message"
function M.write(path, text, writer)
  return engine._core.write_file(path, text, writer or "text")
end

return M
