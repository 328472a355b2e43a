--- Small SVG charts for the HTML report: grouped or stacked bars, a line
-- over years, and a 100 % share bar.  Plain strings, no scripts, no
-- external fonts (the page names system fonts only).
-- @module zonestat.svg

local M = {}

local PALETTE = { "#1f6f8b", "#e07b39", "#4c9a2a", "#a23b72", "#6c757d", "#c9a227" }
local FONT = 'font-family="DejaVu Sans, Noto Sans, Arial, sans-serif"'

--- Escape text for XML.
function M.escape(s)
  return (tostring(s):gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;",
    ["'"] = "&#39;" }))
end
local esc = M.escape

local function num(x) return string.format("%.2f", x) end

--- A "nice" upper bound for an axis.
local function nice_max(v)
  if v <= 0 then return 1 end
  local p = 10 ^ math.floor(math.log(v, 10))
  for _, m in ipairs({ 1, 2, 2.5, 5, 10 }) do
    if m * p >= v then return m * p end
  end
  return 10 * p
end

local function header(w, h, title)
  return {
    string.format('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" %s>',
      w, h, w, h, FONT),
    string.format("<title>%s</title>", esc(title)),
    string.format('<rect width="%d" height="%d" fill="#ffffff"/>', w, h),
    string.format('<text x="10" y="20" font-size="14" font-weight="bold" fill="#222">%s</text>', esc(title)),
  }
end

local function legend(out, series, x, y)
  for k, s in ipairs(series) do
    local lx = x + (k - 1) * 150
    out[#out + 1] = string.format('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>', lx, y, PALETTE[k])
    out[#out + 1] = string.format('<text x="%d" y="%d" font-size="12" fill="#222">%s</text>', lx + 16, y + 11,
      esc(s))
  end
end

--- Horizontal bars, one row per label, the series stacked in a row.
-- @tparam table spec `title`, `labels` (row names), `series` (names),
--   `values` (values[row][series], nil = 0), `format` (value → text)
-- @treturn string SVG
function M.stacked_bars(spec)
  local labels, series, values = spec.labels, spec.series, spec.values
  local fmt = spec.format or function(v) return string.format("%.3g", v) end
  local row_h, left, right, top = 24, 260, 110, 50
  local w = spec.width or 820
  local h = top + #labels * row_h + 40
  local out = header(w, h, spec.title or "")
  legend(out, series, left, 28)
  local maxv = 0
  for r = 1, #labels do
    local t = 0
    for s = 1, #series do t = t + (values[r][s] or 0) end
    if t > maxv then maxv = t end
  end
  local scale = (w - left - right) / nice_max(maxv)
  for r, label in ipairs(labels) do
    local y = top + (r - 1) * row_h
    out[#out + 1] = string.format('<text x="%d" y="%s" font-size="12" text-anchor="end" fill="#222">%s</text>',
      left - 6, num(y + row_h * 0.65), esc(label))
    local x, total = left, 0
    for s = 1, #series do
      local v = values[r][s] or 0
      if v > 0 then
        out[#out + 1] = string.format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s: %s</title></rect>',
          num(x), num(y + 3), num(v * scale), num(row_h - 6), PALETTE[s], esc(label .. " · " .. series[s]), esc(fmt(v)))
        x = x + v * scale
      end
      total = total + v
    end
    out[#out + 1] = string.format('<text x="%s" y="%s" font-size="11" fill="#444">%s</text>', num(x + 4),
      num(y + row_h * 0.65), esc(fmt(total)))
  end
  out[#out + 1] = string.format('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>', left, top - 2, left,
    top + #labels * row_h)
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

--- A line over years, one line per series, with the values marked.
-- @tparam table spec `title`, `years` (array), `series` (names),
--   `values` (values[series][i], nil = gap), `format`
-- @treturn string SVG
function M.lines(spec)
  local years, series, values = spec.years, spec.series, spec.values
  local fmt = spec.format or function(v) return string.format("%.3g", v) end
  local w, h = spec.width or 820, spec.height or 320
  local left, right, top, bottom = 70, 30, 50, 40
  local out = header(w, h, spec.title or "")
  legend(out, series, left, 28)
  local maxv = 0
  for s = 1, #series do
    for i = 1, #years do
      local v = values[s][i]
      if v and v > maxv then maxv = v end
    end
  end
  maxv = nice_max(maxv)
  local pw, ph = w - left - right, h - top - bottom
  local function px(i) return left + (#years > 1 and (i - 1) / (#years - 1) or 0.5) * pw end
  local function py(v) return top + ph - v / maxv * ph end
  for k = 0, 4 do
    local v = maxv * k / 4
    out[#out + 1] = string.format('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#e5e5e5"/>', left, num(py(v)),
      w - right, num(py(v)))
    out[#out + 1] = string.format('<text x="%d" y="%s" font-size="11" text-anchor="end" fill="#555">%s</text>',
      left - 6, num(py(v) + 4), esc(fmt(v)))
  end
  for i, y in ipairs(years) do
    out[#out + 1] = string.format('<text x="%s" y="%d" font-size="11" text-anchor="middle" fill="#555">%s</text>',
      num(px(i)), h - bottom + 18, esc(y))
  end
  for s = 1, #series do
    local pts = {}
    for i = 1, #years do
      local v = values[s][i]
      if v then pts[#pts + 1] = num(px(i)) .. "," .. num(py(v)) end
    end
    out[#out + 1] = string.format('<polyline fill="none" stroke="%s" stroke-width="2.5" points="%s"/>', PALETTE[s],
      table.concat(pts, " "))
    for i = 1, #years do
      local v = values[s][i]
      if v then
        out[#out + 1] = string.format('<circle cx="%s" cy="%s" r="4" fill="%s"><title>%s %s: %s</title></circle>',
          num(px(i)), num(py(v)), PALETTE[s], esc(series[s]), esc(years[i]), esc(fmt(v)))
      end
    end
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

--- One 100 % bar per label showing the parts' shares.
-- @tparam table spec `title`, `labels`, `parts` (names), `values` (values[row][part])
-- @treturn string SVG
function M.shares(spec)
  local labels, parts, values = spec.labels, spec.parts, spec.values
  local w, row_h, left, top = spec.width or 820, 30, 160, 50
  local h = top + #labels * row_h + 20
  local out = header(w, h, spec.title or "")
  legend(out, parts, left, 28)
  local pw = w - left - 30
  for r, label in ipairs(labels) do
    local y, total = top + (r - 1) * row_h, 0
    for p = 1, #parts do total = total + (values[r][p] or 0) end
    out[#out + 1] = string.format('<text x="%d" y="%s" font-size="12" text-anchor="end" fill="#222">%s</text>',
      left - 6, num(y + row_h * 0.62), esc(label))
    local x = left
    for p = 1, #parts do
      local share = total > 0 and (values[r][p] or 0) / total or 0
      if share > 0 then
        out[#out + 1] = string.format('<rect x="%s" y="%s" width="%s" height="%d" fill="%s"><title>%s</title></rect>',
          num(x), num(y + 3), num(share * pw), row_h - 6, PALETTE[p], esc(string.format("%s: %.1f %%", parts[p],
            share * 100)))
        if share > 0.08 then
          out[#out + 1] = string.format('<text x="%s" y="%s" font-size="11" fill="#fff">%.0f %%</text>', num(x + 4),
            num(y + row_h * 0.62), share * 100)
        end
        x = x + share * pw
      end
    end
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

return M
