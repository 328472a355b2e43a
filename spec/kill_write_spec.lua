-- Every writer killed mid-write (issue 13, items 15 and 21).  A child lua5.4
-- writes a target with the test hook ZONESTAT_KILL_AT=<writer>:<step>, which
-- makes the writer kill itself (SIGKILL) at that step; then the rule is
-- checked: the target is either as it was or completely new, and nothing
-- else is left once the next write to the same target has run (a writer
-- through a file descriptor leaves nothing at all, except a temporary name
-- at step `linked`; an SQLite journal is the one exception, rolled back by
-- the next open).
local util = require "spec_util"
local zs = require "zonestat"

local core = zs._core
local ROOT = util.run("pwd"):match("[^\n]+")

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function read(path)
  local fh = io.open(path, "rb")
  if not fh then return nil end
  local s = fh:read("a")
  fh:close()
  return s
end

local function write(path, text)
  local fh = assert(io.open(path, "wb"))
  fh:write(text)
  fh:close()
end

local function entries(dir)
  local names = core.list_dir(dir)
  return names or {}
end

local function escape(s) return (s:gsub("%p", "%%%0")) end

-- the child: writes `target` (in folder arg[1]) with frame version arg[2]
local PRELUDE = [[
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath
local zs = require "zonestat"
local dir, version = arg[1], arg[2]
local n = 3000
local v, s = {}, {}
for i = 1, n do v[i] = version == "new" and i * 2 or i; s[i] = version .. "-" .. (i % 17) end
local f = zs.frame({ v = v, s = s }, { "v", "s" })
]]

local counter = 0
local function child(body, dir, version, kill)
  counter = counter + 1
  local script = util.tmpdir() .. "/kill-child-" .. counter .. ".lua"
  write(script, PRELUDE .. body)
  local cmd = string.format("cd %s && ZONESTAT_KILL_AT=%s exec lua5.4 %s %s %s >%s 2>&1", q(ROOT), q(kill or ""),
    q(script), q(dir), version, q(script .. ".out"))
  local _, how, code = os.execute(cmd)
  local killed = (how == "signal" and code == 9) or (how == "exit" and code == 137)
  return killed, read(script .. ".out"), how, code
end

local function fresh(name)
  counter = counter + 1
  local dir = util.tmpdir() .. "/kill-" .. counter .. "-" .. name
  assert(core.make_dir(dir))
  return dir
end

-- The writers.  body: Lua that writes `target` in `dir`; content(dir, target):
-- what identifies the target's content (text, or a summary of what a reader
-- reads back); journal: the target's own journal may stay after a kill
local WRITERS = {
  csv = { target = "out.csv", steps = { "temp", "data", "commit", "linked" },
    body = [[assert(f:write_csv(dir .. "/out.csv"))]] },
  json = { target = "out.json", steps = { "temp", "data", "commit", "linked" },
    body = [[assert(f:write_json(dir .. "/out.json"))]] },
  text = { target = "report.html", steps = { "temp", "data", "commit", "linked" },
    body = [[assert(require("zonestat.render").write(dir .. "/report.html", f:to_csv()))]] },
  xlsx = { target = "out.xlsx", steps = { "temp", "data", "commit" },
    body = [[assert(f:write_xlsx(dir .. "/out.xlsx"))]],
    content = function(path)
      local t = assert(zs.read_xlsx(path))
      return t:to_csv()
    end },
  sqlite = { target = "out.db", steps = { "temp", "data", "commit" },
    body = [[assert(f:write_sqlite(dir .. "/out.db", "t", { mode = "replace" }))]],
    content = function(path)
      local t = assert(zs.read_sqlite(path, "t"))
      return t:to_csv()
    end, journal = true },
  csv_dir = { target = "tables", steps = { "temp", "data", "commit", "swapped" }, folder = true,
    body = [[
local export = require "zonestat.export"
local model = { locale = "en", as_of = "2024-06-30", title = "T", profiles = {}, texts = { sources = "Sources" },
  sources = { list = { { id = "s1", citation = "c", url = "https://x.vn" } } },
  blocks = { { kind = "table", title = "A", columns = { "x" }, rows = { { version }, { "b" } } },
    { kind = "table", title = "B", columns = { "y" }, rows = { { version } } } } }
assert(export.csv_dir(model, dir .. "/tables", { force = true }))]] },
  dataset = { target = "data", steps = { "temp", "data", "commit", "swapped" }, folder = true,
    body = [[
local ds = assert(zs.dataset.load())
if version == "new" then ds.zones = ds.zones:head(3) end
assert(ds:write(dir .. "/data", { force = true }))]] },
  pdf = { target = "report.pdf", steps = { "temp", "data", "commit" },
    body = [[
local fake = dir .. "/../fake-chromium.sh"
assert(require("zonestat.export").pdf("<p>" .. version .. "</p>", dir .. "/report.pdf", { chromium = fake }))]] },
}

-- a Chromium stand-in: writes a small PDF that names the page it printed
local FAKE = [[#!/bin/sh
for a in "$@"; do case "$a" in --print-to-pdf=*) out="${a#--print-to-pdf=}";; file://*) page="${a#file://}";; esac; done
printf '%%PDF-1.4 fake\n' > "$out"; cat "$page" >> "$out"
]]

local function folder_content(path)
  local names = entries(path)
  local parts = {}
  for _, name in ipairs(names) do parts[#parts + 1] = name .. "=" .. (read(path .. "/" .. name) or "?") end
  return table.concat(parts, "\n")
end

local function content_of(w, path)
  if w.folder then
    if not (core.path_info(path) or {}).kind then return nil end
    return folder_content(path)
  end
  if not core.path_info(path) then return nil end
  if w.content then return w.content(path) end
  return read(path)
end

-- what a complete write of `version` gives, from a write without a kill
local expected = {}
local function complete(name, w, version)
  local key = name .. ":" .. version
  if expected[key] == nil then
    local dir = fresh("expected-" .. name)
    local killed, out = child(w.body, dir, version, nil)
    assert.is_false(killed, out)
    expected[key] = content_of(w, dir .. "/" .. w.target)
    assert.is_not_nil(expected[key], name .. " wrote nothing: " .. tostring(out))
  end
  return expected[key]
end

-- everything in dir but the target is a temporary of the target's pattern
-- (or, where allowed, the target's SQLite journal)
local function only_temporaries(dir, w, where)
  local pattern = "^" .. escape(w.target) .. "%.tmp%-%w%w%w%w%w%w"
  local left = {}
  for _, name in ipairs(entries(dir)) do
    if name ~= w.target then
      local ok = name:find(pattern .. "$") or name:find(pattern .. "%-journal$")
        or (w.journal and name == w.target .. "-journal")
      assert.is_truthy(ok, where .. ": left " .. name)
      left[#left + 1] = name
    end
  end
  return left
end

local function nothing_else(dir, w, where)
  for _, name in ipairs(entries(dir)) do
    assert.equals(w.target, name, where .. ": left " .. name)
  end
end

describe("a writer killed mid-write", function()
  write(util.tmpdir() .. "/fake-chromium.sh", FAKE)
  assert(os.execute("chmod +x " .. q(util.tmpdir() .. "/fake-chromium.sh")))

  local names = {}
  for name in pairs(WRITERS) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do
    local w = WRITERS[name]
    for _, case in ipairs({ "replacing", "creating" }) do
      for _, step in ipairs(w.steps) do
        -- a new target has nothing to link beside or exchange with
        local applies = not (case == "creating" and (step == "linked" or step == "swapped"))
        -- a new SQLite database is made under a temporary name; an existing
        -- one is written in a transaction (no temporary to make)
        if name == "sqlite" and case == "replacing" and step == "temp" then applies = false end
        if applies then
          it(name .. " " .. case .. " its target, at step " .. step, function()
            local dir = fresh(name .. "-" .. step)
            local target = dir .. "/" .. w.target
            local old
            if case == "replacing" then
              local killed, out = child(w.body, dir, "old", nil)
              assert.is_false(killed, out)
              old = content_of(w, target)
              assert.is_not_nil(old)
            end
            local new = complete(name, w, "new")
            local killed, out, how, code = child(w.body, dir, "new", name .. ":" .. step)
            assert.is_true(killed, string.format("%s %s (%s)", tostring(how), tostring(code), tostring(out)))
            local where = name .. ":" .. step .. " " .. case
            -- the temporaries, and for SQLite the journal: a read rolls it back
            local left = only_temporaries(dir, w, where)
            if (name == "csv" or name == "json" or name == "text") and step ~= "linked" then
              assert.same({}, left, where .. ": an unnamed temporary leaves nothing")
            end
            local now = content_of(w, target)
            if case == "creating" then
              assert.is_true(now == nil or now == new, where .. ": the target is absent or complete")
            else
              assert.is_true(now == old or now == new, where .. ": the target is the old one or the new one")
            end
            -- the next write sweeps what the kill left
            killed, out = child(w.body, dir, "old", nil)
            assert.is_false(killed, out)
            nothing_else(dir, w, where .. ", after the next write")
            if case == "replacing" then assert.equals(old, content_of(w, target)) end
          end)
        end
      end
    end
  end

  it("leaves a temporary of another writer still at work alone", function()
    -- a live writer holds its temporary locked: the sweep of a second write
    -- to the same target must not remove it
    local dir = fresh("live")
    local target = dir .. "/out.csv"
    assert(zs.frame({ a = { 1 } }):write_csv(target))
    -- hold a named temporary of out.csv open and locked, as libxlsxwriter's writer does
    local script = util.tmpdir() .. "/hold.lua"
    write(script, [[
package.cpath = "build/?.so;" .. package.cpath
local core = require "zonestat.core"
local t, lock = core.temp_dir(arg[1])
io.write(t, "\n") io.flush()
io.read("l")
core.remove_temp(lock)
]])
    local p = io.popen(string.format("cd %s && exec lua5.4 %s %s > %s", q(ROOT), q(script), q(target),
      q(dir .. "/../hold.out")), "w")
    local held
    for _ = 1, 200 do
      held = (read(dir .. "/../hold.out") or ""):match("[^\n]+")
      if held then break end
      os.execute("sleep 0.02")
    end
    assert.is_string(held)
    assert(zs.frame({ a = { 2 } }):write_csv(target))
    assert.is_not_nil(core.path_info(held), "the live writer's temporary was swept")
    p:write("\n")
    p:close()
    assert.is_nil(core.path_info(held))
  end)

  it("zonestat report --html killed mid-write leaves the old page and nothing else", function()
    local dir = fresh("cli")
    local page = dir .. "/r.html"
    write(page, "old page")
    local cmd = string.format("cd %s && ZONESTAT_KILL_AT=text:data LUA_PATH='lua/?.lua;lua/?/init.lua;;' "
      .. "LUA_CPATH='build/?.so;;' exec lua5.4 bin/zonestat report --province 'Hải Phòng' --html %s >/dev/null 2>&1",
      q(ROOT), q(page))
    local _, how, code = os.execute(cmd)
    assert.is_true((how == "signal" and code == 9) or (how == "exit" and code == 137), how .. " " .. code)
    assert.equals("old page", read(page))
    assert.same({ "r.html" }, entries(dir))
  end)
end)
