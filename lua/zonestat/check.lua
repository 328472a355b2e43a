--- Argument checks shared by every module, and calls into the C core.
--
-- Misuse of an API function raises `"fname: message"` at the line of the
-- function's caller (`error(msg, 2)` style, so the traceback points at the
-- user's code, not at zonestat's).  `check.call` runs a C core function and
-- turns a string error it raises into the same form; an error that is not
-- a string (a host's error object) and Lua's own "not enough memory" pass
-- through unchanged, so a memory error is never dressed up as misuse.
-- @module zonestat.check

local core = require "zonestat.core"

local M = {}

local function prefixed(fname, msg)
  if msg:sub(1, #fname + 2) == fname .. ": " then return msg end
  return fname .. ": " .. msg
end

-- an error raised inside zonestat's own Lua code carries the position of
-- the line that raised it; the user needs only the message
local function unplaced(msg)
  return (msg:gsub("^[^\n]-zonestat/[%w_]+%.lua:%d+: ", ""))
end

--- Raise `fname: msg` at the caller of the API function.
-- @tparam string fname the API function's name, as the user calls it
-- @tparam string msg what is wrong
-- @tparam[opt] integer depth helper functions between the API function and this call (default 0)
function M.fail(fname, msg, depth)
  error(prefixed(fname, msg), 3 + (depth or 0))
end

--- Raise unless `ok`; the message names the argument: `fname: argument 'what' msg`.
-- @param ok the condition
-- @tparam string fname the API function's name
-- @tparam string|integer what the argument's name or position
-- @tparam string msg what it must be
-- @tparam[opt] integer depth as in `fail`
function M.arg(ok, fname, what, msg, depth)
  if ok then return end
  local name = math.type(what) == "integer" and ("#" .. what) or ("'" .. tostring(what) .. "'")
  error(prefixed(fname, "argument " .. name .. " " .. msg), 3 + (depth or 0))
end

local function call(depth, fname, fn, ...)
  local res = table.pack(pcall(fn, ...))
  if res[1] then return table.unpack(res, 2, res.n) end
  local err = res[2]
  if type(err) ~= "string" or err == "not enough memory" then error(err, 0) end
  error(prefixed(fname, unplaced(err)), 4 + depth)
end

--- Call `fn(...)` (a C core function); its string errors are raised again
-- as `fname: message` at the caller of the API function.
-- @tparam string fname the API function's name
-- @tparam function fn
-- @return what fn returns
function M.call(fname, fn, ...) return call(0, fname, fn, ...) end

--- `call` from a helper `depth` levels below the API function.
-- @tparam integer depth
-- @tparam string fname
-- @tparam function fn
function M.call_from(depth, fname, fn, ...) return call(depth, fname, fn, ...) end

--- A column name (a string), or raise naming the argument.
-- @tparam string fname
-- @param name the value to check
-- @tparam[opt] string|integer what the argument (default "col")
-- @tparam[opt] integer depth
-- @treturn string name
function M.name(fname, name, what, depth)
  if type(name) ~= "string" then
    M.arg(false, fname, what or "col", "must be a column name, got " .. type(name), (depth or 0) + 1)
  end
  return name
end

--- A frame, or raise naming the argument.
-- @tparam string fname
-- @param f the value to check
-- @tparam[opt] string|integer what the argument (default 1)
-- @tparam[opt] integer depth
function M.frame(fname, f, what, depth)
  if core.type(f) ~= "frame" then
    M.arg(false, fname, what or 1, "must be a frame, got " .. (core.type(f) or type(f)), (depth or 0) + 1)
  end
  return f
end

--- A column name of `f`, or raise.
-- @tparam string fname
-- @param f a frame
-- @param name the value to check
-- @tparam[opt] string|integer what the argument
-- @tparam[opt] integer depth
-- @treturn string name
function M.column(fname, f, name, what, depth)
  if type(name) ~= "string" then
    M.arg(false, fname, what or 1, "must be a column name, got " .. type(name), (depth or 0) + 1)
  end
  if not core.frame_accessors.has(f, name) then
    M.fail(fname, "no column named '" .. name .. "'", (depth or 0) + 1)
  end
  return name
end

--- Column names of `f` (an array), each checked.
-- @tparam string fname
-- @param f a frame
-- @tparam table names
-- @tparam[opt] string what the argument's name (for messages)
-- @tparam[opt] integer depth
function M.columns(fname, f, names, what, depth)
  if type(names) ~= "table" then
    M.arg(false, fname, what or 1, "must be an array of column names, got " .. type(names), (depth or 0) + 1)
  end
  for i, name in ipairs(names) do
    if type(name) ~= "string" then
      M.arg(false, fname, (what or "names") .. "[" .. i .. "]", "must be a column name, got " .. type(name),
        (depth or 0) + 1)
    end
    if not core.frame_accessors.has(f, name) then M.fail(fname, "no column named '" .. name .. "'", (depth or 0) + 1) end
  end
  return names
end

--- An options table (nil gives `{}`): every key must be in `allowed`, a map
-- of option name → function(value) that returns true when the value is fine,
-- or a string describing what it must be (then only its presence is checked).
-- @tparam string fname
-- @param opts
-- @tparam table allowed option name → test, or option name → {test, "what it must be"}
-- @tparam[opt] integer depth
-- @treturn table opts
function M.options(fname, opts, allowed, depth)
  if opts == nil then return {} end
  if type(opts) ~= "table" then M.fail(fname, "options must be a table, got " .. type(opts), (depth or 0) + 1) end
  for k, v in pairs(opts) do
    local rule = type(k) == "string" and allowed[k]
    if not rule then M.fail(fname, "unknown option '" .. tostring(k) .. "'", (depth or 0) + 1) end
    if type(rule) == "table" and not rule[1](v) then
      M.fail(fname, "option '" .. k .. "' must be " .. rule[2], (depth or 0) + 1)
    end
  end
  return opts
end

--- A non-negative integer (or at least `min`), or raise naming it.
-- @tparam string fname
-- @param n
-- @tparam string|integer what
-- @tparam[opt] integer min (default 0)
-- @tparam[opt] integer depth
function M.integer(fname, n, what, min, depth)
  min = min or 0
  if math.type(n) ~= "integer" or n < min then
    M.arg(false, fname, what, min == 0 and "must be a non-negative integer" or ("must be an integer of at least " .. min),
      (depth or 0) + 1)
  end
  return n
end

--- A metatable for a Lua class whose objects do not give it away:
-- `getmetatable(obj)` returns `name` and `setmetatable(obj, ...)` raises, so
-- user code cannot change the class's metamethods or methods through an
-- object.  Test membership with `check.is`, not with `getmetatable(x) == mt`.
-- @tparam string name e.g. "zonestat.Expr"
-- @tparam[opt] table mt the metatable to protect (default: a new one)
-- @treturn table mt
function M.class(name, mt)
  mt = mt or {}
  mt.__name = name
  mt.__metatable = name
  return mt
end

--- Whether `x` is an object of the class `mt` (protected by `check.class`
-- or not).  An object forged with the same `__metatable` passes too, which
-- is harmless: the checks that matter for memory are in C.
-- @param x
-- @tparam table mt
-- @treturn boolean
function M.is(x, mt)
  local m = getmetatable(x)
  if m == nil then return false end
  local token = rawget(mt, "__metatable")
  return rawequal(m, mt) or (token ~= nil and rawequal(m, token))
end

return M
