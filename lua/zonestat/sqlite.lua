--- SQLite input and output: `zs.read_sqlite` and `f:write_sqlite`.
--
-- Both run in the C core (csrc/sqlite.c, through Debian's libsqlite3): the
-- rows go straight into column builders, with no Lua value per cell.  This
-- module names the calls and checks what reaches them.  Types, NULL and the
-- round trip are described in README "Input and output" and "SQLite".
-- @module zonestat.sqlite

local core = require "zonestat.core"
local check = require "zonestat.check"
require "zonestat.frame"

local M = {}

local MODES = { create = true, replace = true, append = true }

--- Read a table, a view or the result of a query from a SQLite database.
--
-- `x` is a table or view of the database when one has that name (any case,
-- as SQLite compares names), else SQL: one statement that only reads
-- (`SELECT`, `WITH`, `VALUES`, a reading `PRAGMA`).  The database is opened
-- read-only and never created.  Column types come from the declared types
-- (INTEGER → int, REAL → float, TEXT → str, BOOLEAN → bool, DATE → date as
-- ISO text), else from the values; NULL is NA.
-- @tparam string path the database file
-- @tparam string x a table or view name, or an SQL query
-- @tparam[opt] table params values of the query's parameters: an array for
--   `?` and `?NNN`, string keys for `:name`, `@name`, `$name` (with or
--   without the prefix); integers, floats, strings, booleans (1, 0) and
--   `zs.NA` (NULL)
-- @return a frame, or nil and `"path: message"` (`"path: query: row N:
--   column 'c': message"` for a value that does not fit its declared type)
-- @usage
-- local p = assert(zs.read_sqlite("zones.db", "projects"))
-- local big = assert(zs.read_sqlite("zones.db",
--   "SELECT zone_id, capital FROM projects WHERE capital > :min", { min = 1e6 }))
function M.read_sqlite(path, x, params)
  check.arg(type(path) == "string", "read_sqlite", "path", "must be a string, got " .. type(path))
  check.arg(path ~= "", "read_sqlite", "path", "must not be empty")
  check.arg(type(x) == "string", "read_sqlite", "x", "must be a table name or an SQL query (a string), got " .. type(x))
  check.arg(x:find("%S") ~= nil, "read_sqlite", "x", "must not be empty")
  check.arg(params == nil or type(params) == "table", "read_sqlite", "params",
    "must be a table (an array, or names to values), got " .. type(params))
  return check.call("read_sqlite", core.read_sqlite, path, x, params)
end

--- Write the frame as a table of a SQLite database (created when the file
-- does not exist), in one transaction: after an error the database is as
-- it was.  Columns are declared INTEGER, REAL, TEXT, BOOLEAN (0 and 1) and
-- DATE (ISO text `yyyy-mm-dd`), so `zs.read_sqlite(path, table)` gives back
-- the same frame.
-- @tparam string path the database file
-- @tparam string table the table's name (quoted as an identifier: any text)
-- @tparam[opt] table opts `mode`: `"create"` (default; the table must not
--   exist), `"replace"` (drop it and create it again) or `"append"` (add the
--   rows to an existing table with the frame's column names)
-- @return true, or nil and `"path: message"`
-- @usage
-- assert(p:write_sqlite("out/zones.db", "projects", { mode = "replace" }))
function M.write_sqlite(f, path, table, opts)
  check.frame("write_sqlite", f)
  check.arg(type(path) == "string", "write_sqlite", "path", "must be a string, got " .. type(path))
  check.arg(path ~= "", "write_sqlite", "path", "must not be empty")
  check.arg(type(table) == "string", "write_sqlite", "table", "must be a string, got " .. type(table))
  check.arg(table ~= "", "write_sqlite", "table", "must not be empty")
  opts = check.options("write_sqlite", opts, {
    mode = { function(v) return MODES[v] == true end, '"create", "replace" or "append"' },
  })
  return check.call("write_sqlite", core.write_sqlite, f, path, table, opts.mode or "create")
end

return M
