--- Helpers shared by the specs.
local zs = require "zonestat.engine"
local assert = require "luassert"

local M = {}

--- The public test suites (../shared/testdata from the repository root).
M.testdata = os.getenv("ZS_TESTDATA") or "../shared/testdata"

local tmpdir

--- A fresh temporary directory for this run.
function M.tmpdir()
  if not tmpdir then
    local p = io.popen("mktemp -d /tmp/zonestat-spec-XXXXXX")
    tmpdir = p:read("l")
    p:close()
  end
  return tmpdir
end

--- Write `content` to a temporary file called `name`; returns its path.
function M.tmpfile(name, content)
  local path = M.tmpdir() .. "/" .. name
  if content then
    local fh = assert(io.open(path, "wb"))
    fh:write(content)
    fh:close()
  end
  return path
end

function M.read(path)
  local fh = assert(io.open(path, "rb"))
  local s = fh:read("a")
  fh:close()
  return s
end

--- Assert two frames have the same names, types and values (NaN-free).
function M.assert_frames_equal(a, b)
  assert.same(a:names(), b:names())
  assert.same(a:types(), b:types())
  assert.equals(a:nrow(), b:nrow())
  for _, name in ipairs(a:names()) do
    local ca, cb = a:column(name), b:column(name)
    for i = 1, a:nrow() do
      local x, y = ca[i], cb[i]
      if x ~= y then
        error(string.format("column '%s' row %d: %s ~= %s", name, i, tostring(x), tostring(y)), 2)
      end
    end
  end
end

--- Run a shell command; returns its output and exit status.
function M.run(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local ok, _, code = p:close()
  return out, ok and 0 or code
end

M.zs = zs
return M
