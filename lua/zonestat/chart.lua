--- Charts a reader can use, over any frame, as SVG text: `zs.chart.bar`
-- (horizontal bars, stacked when there are parts), `zs.chart.line` (values
-- over years) and `zs.chart.share` (100 % bars).
--
-- Every chart has a value axis with its unit, a source line under it and
-- the notes it is given; labels are never clipped: the margin is made for
-- the widest label, and a label longer than `label_width` characters is
-- wrapped to two lines (shortened with "…" beyond that, its full text in a
-- tooltip).  Bars are sorted by value, largest first, within their group
-- (e.g. a province), and the groups are headed.  Widths of text are
-- estimated from the display width of the characters at 0.62 em each (DejaVu
-- Sans, the first font named), which the HTML test checks in Chromium.
-- Plain strings, no scripts, no external fonts.
-- @module zonestat.chart

local engine = require "zonestat.engine"
local units = require "zonestat.units"

local M = {}

local PALETTE = { "#1f6f8b", "#e07b39", "#4c9a2a", "#a23b72", "#6c757d", "#c9a227" }
local FONT = 'font-family="DejaVu Sans, Noto Sans, Arial, sans-serif"'
local EM = 0.62 -- average advance of a character, in em

--- Escape text for XML.
function M.escape(s)
  return (tostring(s):gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;",
    ["'"] = "&#39;" }))
end
local esc = M.escape

local function num(x) return string.format("%.1f", x) end

--- The estimated width in pixels of text at a font size.
-- @tparam string s
-- @tparam number size font size in px
function M.text_width(s, size) return engine.display_width(s) * size * EM end

--- Lines of a label: at most two, each at most `width` columns, words kept.
local function wrap(label, width)
  if engine.display_width(label) <= width then return { label } end
  local lines, cur = {}, ""
  for word in label:gmatch("%S+") do
    local try = cur == "" and word or cur .. " " .. word
    if engine.display_width(try) <= width or cur == "" then
      cur = try
    else
      lines[#lines + 1] = cur
      cur = word
    end
  end
  lines[#lines + 1] = cur
  if #lines > 2 then
    lines = { lines[1], table.concat(lines, " ", 2) }
  end
  for i, l in ipairs(lines) do
    if engine.display_width(l) > width then
      -- cut by characters, keeping whole UTF-8 sequences
      local out, w = {}, 0
      for _, cp in utf8.codes(l) do
        local ch = utf8.char(cp)
        local cw = engine.display_width(ch)
        if w + cw > width - 1 then break end
        out[#out + 1], w = ch, w + cw
      end
      lines[i] = table.concat(out) .. "…"
    end
  end
  return lines
end

--- A "nice" upper bound and step for an axis from 0 to v.
local function nice(v)
  if v <= 0 then return 1, 0.25 end
  local p = 10 ^ math.floor(math.log(v, 10))
  for _, m in ipairs({ 1, 2, 2.5, 5, 10 }) do
    if m * p >= v then return m * p, m * p / 4 end
  end
  return 10 * p, 2.5 * p
end

local function fmt(v, unit, locale)
  if unit == "count" or unit == nil then return units.format(v, nil, { locale = locale }) end
  return units.format(v, unit, { locale = locale })
end

local function header(w, h, title)
  return {
    string.format('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" %s>',
      w, h, w, h, FONT),
    string.format("<title>%s</title>", esc(title)),
    string.format('<rect width="%d" height="%d" fill="#ffffff"/>', w, h),
  }
end

-- title, legend, source and notes: lines of text that the layout makes room for
local function texts(out, y, lines, size, color, weight)
  for _, l in ipairs(lines) do
    out[#out + 1] = string.format('<text x="10" y="%s" font-size="%d" fill="%s"%s>%s</text>', num(y), size, color,
      weight and ' font-weight="bold"' or "", esc(l))
    y = y + size * 1.35
  end
  return y
end

-- text lines wrapped to a pixel width
local function wrap_px(s, px, size)
  local cols = math.max(10, math.floor(px / (size * EM)))
  local lines, cur = {}, ""
  for word in s:gmatch("%S+") do
    local try = cur == "" and word or cur .. " " .. word
    if engine.display_width(try) <= cols or cur == "" then cur = try
    else lines[#lines + 1], cur = cur, word end
  end
  if cur ~= "" then lines[#lines + 1] = cur end
  return lines
end

-- the end of a chart from height y: its source and notes, then the height
-- the layout reached written into the opening tags; the SVG text
local function finish(out, y, spec, w)
  if spec.source then y = texts(out, y, wrap_px(spec.source, w - 20, 11), 11, "#555") end
  for _, n in ipairs(spec.notes or {}) do y = texts(out, y, wrap_px(n, w - 20, 11), 11, "#555") end
  local h = math.ceil(y)
  out[1] = out[1]:gsub('height="0" viewBox="0 0 (%d+) 0"', 'height="' .. h .. '" viewBox="0 0 %1 ' .. h .. '"')
  out[3] = out[3]:gsub('height="0"', 'height="' .. h .. '"')
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

local function legend(out, names, x, y, w)
  local lx, ly = x, y
  for k, s in ipairs(names) do
    local width = 16 + M.text_width(s, 12) + 24
    if lx + width > w - 10 and lx > x then lx, ly = x, ly + 18 end
    out[#out + 1] = string.format('<rect x="%s" y="%s" width="12" height="12" fill="%s"/>', num(lx), num(ly),
      PALETTE[(k - 1) % #PALETTE + 1])
    out[#out + 1] = string.format('<text x="%s" y="%s" font-size="12" fill="#222">%s</text>', num(lx + 16),
      num(ly + 11), esc(s))
    lx = lx + width
  end
  return ly + 18
end

local function check_frame(fname, f, spec, cols)
  if engine.type(f) ~= "frame" then error(fname .. ": the data must be a frame", 3) end
  if type(spec) ~= "table" then error(fname .. ": the options must be a table", 3) end
  for _, c in ipairs(cols) do
    local name = spec[c]
    if name ~= nil and (type(name) ~= "string" or not f:has(name)) then
      error(fname .. ": option '" .. c .. "' names no column of the frame (" .. tostring(name) .. ")", 3)
    end
  end
end

--- Horizontal bars, one per row of `f`, sorted by value (largest first)
-- within their group; with `parts`, each bar stacks the parts' values.
-- @tparam Frame f
-- @tparam table spec `label` (column of the bar labels), `value` (column of
--   the values; or `parts`, a list of value columns stacked), `group`
--   (optional column: bars are grouped and headed by it), `part_names`
--   (legend of the parts), `unit` (for the axis: "USD", "ha", "count", ...),
--   `title`, `source` (the source line), `notes` (lines under it), `locale`,
--   `width` (px, default 820), `label_width` (columns, default 28), `tooltip`
--   (optional column of full texts for the tooltips)
-- @treturn string SVG
function M.bar(f, spec)
  check_frame("chart.bar", f, spec, { "label", "value", "group", "tooltip" })
  local locale, unit = spec.locale or "vi", spec.unit
  local parts = spec.parts or { spec.value }
  for _, p in ipairs(parts) do
    if type(p) ~= "string" or not f:has(p) then error("chart.bar: no value column '" .. tostring(p) .. "'", 2) end
  end
  local rows = {}
  for i = 1, f:nrow() do
    local total, vals = 0, {}
    for k, p in ipairs(parts) do
      local v = f:get(p, i)
      vals[k] = (type(v) == "number" and v > 0) and v or 0
      total = total + vals[k]
    end
    rows[#rows + 1] = { label = tostring(f:get(spec.label, i) or "–"), group = spec.group and f:get(spec.group, i) or "",
      vals = vals, total = total, tip = spec.tooltip and f:get(spec.tooltip, i) or nil }
  end
  local group_order, seen = {}, {}
  for _, r in ipairs(rows) do
    if not seen[r.group] then seen[r.group], group_order[#group_order + 1] = #group_order + 1, r.group end
  end
  table.sort(rows, function(a, b)
    if a.group ~= b.group then return seen[a.group] < seen[b.group] end
    if a.total ~= b.total then return a.total > b.total end
    return a.label < b.label
  end)
  local label_cols = spec.label_width or 28
  local wrapped, widest = {}, 0
  for i, r in ipairs(rows) do
    wrapped[i] = wrap(r.label, label_cols)
    for _, l in ipairs(wrapped[i]) do widest = math.max(widest, M.text_width(l, 12)) end
  end
  local w = spec.width or 820
  local left = math.floor(widest + 20)
  local maxv = 0
  for _, r in ipairs(rows) do maxv = math.max(maxv, r.total) end
  local top_v, step = nice(maxv)
  local value_w = M.text_width(fmt(top_v, unit, locale), 11) / 2
  for _, r in ipairs(rows) do value_w = math.max(value_w, M.text_width(fmt(r.total, unit, locale), 11) + 4) end
  local right = math.floor(value_w + 16)
  local out = header(w, 0, spec.title or "")
  local y = texts(out, 20, wrap_px(spec.title or "", w - 20, 14), 14, "#222", true)
  if spec.parts and spec.part_names then y = legend(out, spec.part_names, 10, y, w) + 4 end
  local plot_w = w - left - right
  if plot_w < 120 then error("chart.bar: the labels leave no room for the bars (width " .. w .. ")", 2) end
  local scale = plot_w / top_v
  local top = y + 6
  local row_y = top
  local current
  for i, r in ipairs(rows) do
    if spec.group and r.group ~= current then
      current = r.group
      out[#out + 1] = string.format('<text x="10" y="%s" font-size="12" font-weight="bold" fill="#1f6f8b">%s</text>',
        num(row_y + 13), esc(current))
      row_y = row_y + 20
    end
    local lines = wrapped[i]
    local h = 10 + 14 * #lines
    local tip = r.tip or r.label
    out[#out + 1] = "<g>"
    out[#out + 1] = string.format("<title>%s: %s</title>", esc(tip), esc(fmt(r.total, unit, locale)))
    for k, l in ipairs(lines) do
      out[#out + 1] = string.format('<text x="%d" y="%s" font-size="12" text-anchor="end" fill="#222">%s</text>',
        left - 8, num(row_y + 4 + 13 * k), esc(l))
    end
    local x = left
    for k, v in ipairs(r.vals) do
      if v > 0 then
        out[#out + 1] = string.format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>', num(x),
          num(row_y + 3), num(v * scale), num(h - 6), PALETTE[(k - 1) % #PALETTE + 1])
        x = x + v * scale
      end
    end
    out[#out + 1] = string.format('<text x="%s" y="%s" font-size="11" fill="#444">%s</text>', num(x + 4),
      num(row_y + h / 2 + 4), esc(fmt(r.total, unit, locale)))
    out[#out + 1] = "</g>"
    row_y = row_y + h
  end
  -- the value axis
  local axis_y = row_y + 4
  out[#out + 1] = string.format('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#999"/>', left, num(top), left,
    num(axis_y))
  out[#out + 1] = string.format('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#999"/>', left, num(axis_y),
    left + plot_w, num(axis_y))
  for k = 0, 4 do
    local v = step * k
    local tx = left + v * scale
    out[#out + 1] = string.format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#999"/>', num(tx), num(axis_y),
      num(tx), num(axis_y + 4))
    out[#out + 1] = string.format('<text x="%s" y="%s" font-size="11" text-anchor="%s" fill="#555">%s</text>',
      num(tx), num(axis_y + 17), k == 4 and "end" or (k == 0 and "start" or "middle"), esc(fmt(v, unit, locale)))
  end
  y = axis_y + 36
  return finish(out, y, spec, w)
end

--- Values over years: one line per series, the values marked.
-- @tparam Frame f long format
-- @tparam table spec `x` (the year column), `y` (values), `series` (optional
--   column naming the line), `unit`, `title`, `source`, `notes`, `locale`,
--   `width`, `height`
-- @treturn string SVG
function M.line(f, spec)
  check_frame("chart.line", f, spec, { "x", "y", "series" })
  local locale, unit = spec.locale or "vi", spec.unit
  local xs, series, values, sindex, xindex = {}, {}, {}, {}, {}
  for i = 1, f:nrow() do
    local x, v = f:get(spec.x, i), f:get(spec.y, i)
    local s = spec.series and tostring(f:get(spec.series, i)) or ""
    if not sindex[s] then sindex[s] = #series + 1 series[#series + 1] = s values[#series] = {} end
    if x ~= nil and not xindex[x] then xindex[x] = true xs[#xs + 1] = x end
    if x ~= nil and type(v) == "number" then values[sindex[s]][x] = v end
  end
  table.sort(xs)
  local w, ph = spec.width or 820, spec.height or 220
  local maxv = 0
  for _, vals in ipairs(values) do for _, v in pairs(vals) do maxv = math.max(maxv, v) end end
  local top_v, step = nice(maxv)
  local left = 10
  for k = 0, 4 do left = math.max(left, M.text_width(fmt(step * k, unit, locale), 11) + 16) end
  left = math.floor(left)
  local right = 30
  local out = header(w, 0, spec.title or "")
  local y = texts(out, 20, wrap_px(spec.title or "", w - 20, 14), 14, "#222", true)
  if spec.series then y = legend(out, series, left, y, w) + 4 end
  local top = y + 8
  local pw = w - left - right
  local function px(i) return left + (#xs > 1 and (i - 1) / (#xs - 1) or 0.5) * pw end
  local function py(v) return top + ph - v / top_v * ph end
  for k = 0, 4 do
    local v = step * k
    out[#out + 1] = string.format('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#e5e5e5"/>', left, num(py(v)),
      w - right, num(py(v)))
    out[#out + 1] = string.format('<text x="%d" y="%s" font-size="11" text-anchor="end" fill="#555">%s</text>',
      left - 6, num(py(v) + 4), esc(fmt(v, unit, locale)))
  end
  for i, x in ipairs(xs) do
    out[#out + 1] = string.format('<text x="%s" y="%s" font-size="11" text-anchor="middle" fill="#555">%s</text>',
      num(px(i)), num(top + ph + 16), esc(tostring(x)))
  end
  for s, vals in ipairs(values) do
    local pts = {}
    for i, x in ipairs(xs) do
      if vals[x] then pts[#pts + 1] = num(px(i)) .. "," .. num(py(vals[x])) end
    end
    local color = PALETTE[(s - 1) % #PALETTE + 1]
    out[#out + 1] = string.format('<polyline fill="none" stroke="%s" stroke-width="2.5" points="%s"/>', color,
      table.concat(pts, " "))
    for i, x in ipairs(xs) do
      if vals[x] then
        out[#out + 1] = string.format('<circle cx="%s" cy="%s" r="4" fill="%s"><title>%s %s: %s</title></circle>',
          num(px(i)), num(py(vals[x])), color, esc(series[s]), esc(tostring(x)), esc(fmt(vals[x], unit, locale)))
      end
    end
  end
  y = top + ph + 36
  return finish(out, y, spec, w)
end

--- One 100 % bar per row, showing the shares of the parts.
-- @tparam Frame f
-- @tparam table spec `label`, `parts` (value columns), `part_names`,
--   `title`, `source`, `notes`, `locale`, `width`
-- @treturn string SVG
function M.share(f, spec)
  check_frame("chart.share", f, spec, { "label" })
  local locale = spec.locale or "vi"
  local w = spec.width or 820
  local widest = 0
  for i = 1, f:nrow() do widest = math.max(widest, M.text_width(tostring(f:get(spec.label, i)), 12)) end
  local left = math.floor(widest + 20)
  local out = header(w, 0, spec.title or "")
  local y = texts(out, 20, wrap_px(spec.title or "", w - 20, 14), 14, "#222", true)
  y = legend(out, spec.part_names or spec.parts, 10, y, w) + 4
  local pw = w - left - 30
  for i = 1, f:nrow() do
    local label = tostring(f:get(spec.label, i))
    local total = 0
    for _, p in ipairs(spec.parts) do total = total + math.max(0, f:get(p, i) or 0) end
    out[#out + 1] = string.format('<text x="%d" y="%s" font-size="12" text-anchor="end" fill="#222">%s</text>',
      left - 8, num(y + 18), esc(label))
    local x = left
    for k, p in ipairs(spec.parts) do
      local share = total > 0 and math.max(0, f:get(p, i) or 0) / total or 0
      if share > 0 then
        local text = units.format(share, "ratio", { locale = locale, decimals = 1 })
        out[#out + 1] = string.format('<rect x="%s" y="%s" width="%s" height="24" fill="%s"><title>%s: %s</title></rect>',
          num(x), num(y + 3), num(share * pw), PALETTE[(k - 1) % #PALETTE + 1],
          esc((spec.part_names or spec.parts)[k]), esc(text))
        if share * pw > M.text_width(text, 11) + 8 then
          out[#out + 1] = string.format('<text x="%s" y="%s" font-size="11" fill="#fff">%s</text>', num(x + 4),
            num(y + 19), esc(text))
        end
        x = x + share * pw
      end
    end
    y = y + 32
  end
  y = y + 16
  return finish(out, y, spec, w)
end

return M
