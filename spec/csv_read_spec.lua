local zs = require "zonestat.engine"
local util = require "spec_util"

local parse = zs.parse_csv

describe("read_csv / parse_csv", function()
  describe("records", function()
    it("reads LF, CRLF and lone CR line endings alike", function()
      for _, eol in ipairs({ "\n", "\r\n", "\r" }) do
        local f = assert(parse("a,b" .. eol .. "1,x" .. eol .. "2,y" .. eol))
        assert.same({ "a", "b" }, f:names())
        assert.equals(2, f:nrow())
        assert.same({ 1, 2 }, f:column("a"):totable())
        assert.same({ "x", "y" }, f:column("b"):totable())
      end
    end)

    it("reads a last record without a line break", function()
      local f = assert(parse("a\n1\n2"))
      assert.same({ 1, 2 }, f:column("a"):totable())
    end)

    it("keeps quoted separators, quotes and line breaks verbatim", function()
      local f = assert(parse('a,b\n"x, y","say ""hi"""\n"line1\r\nline2",z\n'))
      assert.same({ "x, y", "line1\r\nline2" }, f:column("a"):totable())
      assert.same({ 'say "hi"', "z" }, f:column("b"):totable())
    end)

    it("strips a UTF-8 byte order mark", function()
      local f = assert(parse("\239\187\191name\nHải Phòng\n"))
      assert.same({ "name" }, f:names())
      assert.equals("Hải Phòng", f:get("name", 1))
    end)

    it("transcodes UTF-16 and UTF-32 files with a byte order mark", function()
      local dir = util.testdata .. "/fastcsv-spec/"
      for _, name in ipairs({ "utf16le_bom", "utf16be_bom", "utf32le_bom", "utf32be_bom", "utf8_bom", "utf8_nobom" }) do
        local f = assert(zs.read_csv(dir .. name .. ".csv", { header = false, infer = false }))
        assert.same({ "foo", "123" }, f:column("V1"):totable(), name)
        assert.same({ "üÜß", "456" }, f:column("V2"):totable(), name)
      end
    end)

    it("decodes legacy encodings through iconv", function()
      -- "Hải" in Windows-1258: H, a, combining hook (0xD2), i
      local f = assert(parse("t\nH\97\210i\n", { encoding = "cp1258" }))
      assert.equals("Hải", f:get("t", 1)) -- iconv composes a + U+0309 into U+1EA3
      local bad, err = parse("t\n\255\254\n", { encoding = "no-such-encoding" })
      assert.is_nil(bad)
      assert.matches("unknown encoding", err)
    end)

    it("skips empty lines by default and keeps them on request", function()
      local f = assert(parse("a\n\n1\n\n2\n"))
      assert.equals(2, f:nrow())
      local g = assert(parse("a\n\n1\n", { skip_empty = false, na = {} }))
      assert.same({ "", "1" }, g:column("a"):totable())
    end)

    it("skips comment lines, leading lines and limits rows", function()
      local f = assert(parse("junk line\n# note\na,b\n1,2\n# more\n3,4\n5,6\n", { skip = 1, comment = "#", nrows = 2 }))
      assert.same({ 1, 3 }, f:column("a"):totable())
    end)

    it("refuses a comment mark that is the separator or the quote", function()
      assert.has_error(function() parse("a,b\n1,2\n", { comment = "," }) end,
        "parse_csv: option 'comment' (',') must differ from 'sep' and 'quote'")
      assert.has_error(function() parse("a;b\n1;2\n", { sep = ";", comment = '"' }) end,
        "parse_csv: option 'comment' ('\"') must differ from 'sep' and 'quote'")
    end)

    it("reads without a header, naming columns V1..Vn", function()
      local f = assert(parse("1,2\n3,4\n", { header = false }))
      assert.same({ "V1", "V2" }, f:names())
      assert.equals(2, f:nrow())
    end)

    it("uses another separator", function()
      local f = assert(parse("a;b\n1;x,y\n", { sep = ";" }))
      assert.equals("x,y", f:get("b", 1))
      local t = assert(parse("a\tb\n1\t2\n", { sep = "\t" }))
      assert.equals(2, t:get("b", 1))
    end)

    it("reads only the columns asked for, in that order", function()
      local f = assert(parse("a,b,c\n1,2,3\n", { columns = { "c", "a" } }))
      assert.same({ "c", "a" }, f:names())
      assert.equals(3, f:get("c", 1))
      local g, err = parse("a,b\n1,2\n", { columns = { "z" } })
      assert.is_nil(g)
      assert.equals("<string>: no column named 'z'", err)
    end)

    it("makes header names unique and non-empty", function()
      local f = assert(parse("a,a,,b\n1,2,3,4\n"))
      assert.same({ "a", "a_2", "V3", "b" }, f:names())
    end)

    it("reads an empty input as an empty frame", function()
      local f = assert(parse(""))
      assert.equals(0, f:nrow())
      assert.equals(0, f:ncol())
      local h = assert(parse("a,b\n"))
      assert.equals(0, h:nrow())
      assert.same({ "a", "b" }, h:names())
    end)

    it("pads short rows with NA when asked", function()
      local f = assert(parse("a,b,c\n1\n2,3,4\n", { pad = true }))
      assert.same({ 1, 2 }, f:column("a"):totable())
      assert.same({ zs.NA, 4 }, f:column("c"):totable())
      assert.is_nil(f:get("b", 1))
    end)
  end)

  describe("values and types", function()
    it("infers int, float, bool, date and str per column", function()
      local f = assert(parse("i,f,b,d,s\n1,1.5,true,2024-06-30,x\n-2,2e3,FALSE,2000-02-29,y\n"))
      assert.same({ "int", "float", "bool", "date", "str" }, f:types())
      assert.same({ 1, -2 }, f:column("i"):totable())
      assert.same({ 1.5, 2000.0 }, f:column("f"):totable())
      assert.same({ true, false }, f:column("b"):totable())
      assert.same({ "2024-06-30", "2000-02-29" }, f:column("d"):totable())
    end)

    it("widens int to float and falls back to str when values disagree", function()
      local f = assert(parse("a,b,c\n1,1,2024-01-01\n2.5,x,2024-02-30\n"))
      assert.same({ "float", "str", "str" }, f:types())
      assert.same({ 1.0, 2.5 }, f:column("a"):totable())
      assert.same({ "1", "x" }, f:column("b"):totable())
      assert.same({ "2024-01-01", "2024-02-30" }, f:column("c"):totable())
    end)

    it("keeps codes with leading zeros and huge integers as text", function()
      local f = assert(parse("zip,id,ok\n08123,123456789012345678901,0\n12,5,10\n"))
      assert.same({ "str", "str", "int" }, f:types())
      assert.equals("08123", f:get("zip", 1))
      assert.equals("123456789012345678901", f:get("id", 1))
    end)

    it("treats the empty field and NA as missing, a quoted field as text", function()
      local f = assert(parse('a,b,c\n1,,""\nNA,2,"NA"\n'))
      assert.is_nil(f:get("a", 2))
      assert.is_nil(f:get("b", 1))
      assert.equals("", f:get("c", 1))
      assert.equals("NA", f:get("c", 2))
      assert.equals(1, f:column("a"):na_count())
    end)

    it("takes other NA tokens", function()
      local f = assert(parse("a\n-\n1\n", { na = { "-" } }))
      assert.is_nil(f:get("a", 1))
      assert.equals("int", f:types()[1])
    end)

    it("reads an all-NA column as str", function()
      local f = assert(parse("a,b\n,1\n,2\n"))
      assert.equals("str", f:types()[1])
      assert.equals(2, f:column("a"):na_count())
    end)

    it("reads Vietnamese number format with decimal = ','", function()
      local f = assert(parse("v;n\n1.234,5;1.234.567\n0,25;12\n", { sep = ";", decimal = "," }))
      assert.same({ "float", "int" }, f:types())
      assert.same({ 1234.5, 0.25 }, f:column("v"):totable())
      assert.same({ 1234567, 12 }, f:column("n"):totable())
    end)

    it("reads everything as text with infer = false", function()
      local f = assert(parse("a,b\n1,true\n", { infer = false }))
      assert.same({ "str", "str" }, f:types())
      assert.equals("1", f:get("a", 1))
    end)

    it("converts to given types and reports values that do not convert", function()
      local f = assert(parse('a,b\n"1",2\n3,4\n', { types = { a = "int", b = "float" } }))
      assert.same({ "int", "float" }, f:types())
      assert.same({ 1, 3 }, f:column("a"):totable())
      local g, err = parse("a,b\n1,2\nx,3\n", { types = { a = "int" } })
      assert.is_nil(g)
      assert.equals("<string>:3:1: cannot read 'x' as int", err)
      local h, err2 = parse("a\n1\n", { types = { zz = "int" } })
      assert.is_nil(h)
      assert.matches("no column named 'zz'", err2)
    end)

    it("reads floats exactly (correctly rounded)", function()
      local cases = { "0.1", "2.2250738585072014e-308", "1.7976931348623157e308", "123456789012345678.5",
        "9007199254740993", "0.30000000000000004", "5e-324", "1e23", "-0.0" }
      local f = assert(parse("x\n" .. table.concat(cases, "\n") .. "\n", { types = { x = "float" } }))
      for i, text in ipairs(cases) do
        assert.equals(tonumber(text) + 0.0, f:get("x", i), text)
      end
    end)

    it("accepts Inf in float columns and NaN as NA, in any order", function()
      local f = assert(parse("x\n1.5\nInf\n-inf\nNaN\n"))
      assert.equals("float", f:types()[1])
      assert.equals(math.huge, f:get("x", 2))
      assert.equals(-math.huge, f:get("x", 3))
      assert.is_nil(f:get("x", 4))
      local g = assert(parse("x\nNaN\n1.5\n"))
      assert.equals("float", g:types()[1])
      assert.is_nil(g:get("x", 1))
      -- a huge integer is a code, whether it comes before or after a float
      assert.equals("str", assert(parse("x\n1.5\n92233720368547758070\n")):types()[1])
      assert.equals("str", assert(parse("x\n92233720368547758070\n1.5\n")):types()[1])
    end)
  end)

  describe("errors", function()
    local function fails(text, expected, opts)
      local f, err = parse(text, opts)
      assert.is_nil(f)
      assert.equals(expected, err)
    end

    it("names the line and column of a ragged row", function()
      fails("a,b\n1,2\n3\n", "<string>:3:2: expected 2 fields, found 1")
      fails("a,b\n1,2,3\n", "<string>:2:5: expected 2 fields, found 3")
    end)

    it("reports an unterminated quote where it opened", function()
      fails('a,b\n1,"open\nmore\nstill\n', "<string>:2:3: unterminated quoted field")
    end)

    it("reports stray quotes and text after a closing quote", function()
      fails('a\nab"c\n', '<string>:2:3: quote inside an unquoted field')
      fails('a,b\n"x"y,1\n', "<string>:2:4: unexpected text after a closing quote")
    end)

    it("counts columns in characters, not bytes", function()
      fails('a,b\nĐình Vũ,"x\n', "<string>:2:9: unterminated quoted field")
    end)

    it("reads stray quotes literally with strict = false", function()
      local f = assert(parse('a\nab"c\n"x"y\n', { strict = false }))
      assert.same({ 'ab"c', "xy" }, f:column("a"):totable())
    end)

    it("reads files that report a size of zero (/proc)", function()
      local f = assert(zs.read_csv("/proc/self/status", { sep = ":", header = false, pad = true, strict = false }))
      assert.is_true(f:nrow() > 5)
      assert.equals("Name", f:get("V1", 1))
    end)

    it("names a missing file", function()
      local f, err = zs.read_csv("/nonexistent/zonestat.csv")
      assert.is_nil(f)
      assert.equals("/nonexistent/zonestat.csv: No such file or directory", err)
      local d, derr = zs.read_csv("/tmp")
      assert.is_nil(d)
      assert.equals("/tmp: Is a directory", derr)
    end)

    it("puts the file name in messages", function()
      local path = util.tmpfile("bad.csv", "a,b\n1,2\n3\n")
      local f, err = zs.read_csv(path)
      assert.is_nil(f)
      assert.equals(path .. ":3:2: expected 2 fields, found 1", err)
    end)

    it("raises on misuse of options", function()
      assert.has_error(function() parse("a", { sep = ",," }) end, "parse_csv: option 'sep' must be a single character")
      assert.has_error(function() parse("a", { sepp = ";" }) end, "parse_csv: unknown option 'sepp'")
      assert.has_error(function() parse("a", { types = { a = "integer" } }) end)
      assert.has_error(function() parse("a", { decimal = "," }) end)
      assert.has_error(function() zs.read_csv({}) end)
    end)

    it("raises on a number where a string option is needed", function()
      assert.has_error(function() parse("a\n1\n", { source = 12345.5 }) end, "parse_csv: option 'source' must be a string")
      assert.has_error(function() parse("a\n1\n", { encoding = 1252 }) end, "parse_csv: option 'encoding' must be a string")
    end)

    it("reads nrows = 0 as no rows, and many duplicate names quickly", function()
      local f = assert(parse("a,b\n1,2\n3,4\n", { nrows = 0 }))
      assert.equals(0, f:nrow())
      assert.same({ "a", "b" }, f:names())
      local header = string.rep("a,", 20000) .. "a"
      local t0 = os.clock()
      local g = assert(parse(header .. "\n"))
      assert.equals(20001, g:ncol())
      assert.equals("a_20001", g:names()[20001])
      assert.is_true(os.clock() - t0 < 5)
    end)

    it("never crashes on random bytes", function()
      math.randomseed(7)
      local alphabet = { "a", "1", ",", '"', "\n", "\r", " ", "\0", "\255", ".", "-", "e" }
      for _ = 1, 300 do
        local parts = {}
        for i = 1, math.random(0, 60) do parts[i] = alphabet[math.random(#alphabet)] end
        local text = table.concat(parts)
        local ok, f, err = pcall(parse, text)
        assert.is_true(ok, f)
        assert.is_true(f ~= nil or type(err) == "string")
      end
    end)
  end)

  describe("large inputs", function()
    it("gives the same frame on one thread and on several", function()
      local lines = { "k,v,s,q" }
      for i = 1, 60000 do
        local q = (i % 977 == 0) and '"multi\nline, quoted"' or "plain"
        local v = (i % 7 == 0) and "" or tostring(i / 4)
        lines[#lines + 1] = string.format("%d,%s,%s,%s", i % 13, v, "s" .. (i % 101), q)
      end
      local text = table.concat(lines, "\n") .. "\n"
      local path = util.tmpfile("big.csv", string.rep(text, 1))
      local one = assert(zs.read_csv(path, { threads = 1 }))
      for _, t in ipairs({ 2, 3, 8 }) do
        local old = zs.set_threads(t)
        local many = assert(zs.read_csv(path))
        zs.set_threads(old)
        util.assert_frames_equal(one, many)
      end
      assert.equals(60000, one:nrow())
      assert.same({ "int", "float", "str", "str" }, one:types())
    end)

    it("notes int and date ranges while parsing that group as a rescan does", function()
      -- The reader records each int and date column's range as it parses
      -- (chunks on several threads, NA, negatives, an extreme in one chunk
      -- only, an int column widened to float late); grouping uses it.  The
      -- same frame rebuilt from Lua tables has its range found by a scan.
      local lines = { "k,d,w,z" }
      for i = 1, 40000 do
        local k = (i % 11 == 0) and "" or tostring(i % 37 - 18)
        if i == 39000 then k = "-5000" end
        local w = (i == 35000) and "2.5" or tostring(i % 5)
        local z = (i % 3 == 0) and "" or tostring(7 + i % 2)
        lines[#lines + 1] = string.format("%s,2024-%02d-%02d,%s,%s", k, 1 + i % 12, 1 + i % 28, w, z)
      end
      local path = util.tmpfile("ranges.csv", table.concat(lines, "\n") .. "\n")
      local old = zs.set_threads(3)
      local f = assert(zs.read_csv(path))
      zs.set_threads(old)
      assert.same({ "int", "date", "float", "int" }, f:types())
      local cols = {}
      for _, name in ipairs(f:names()) do cols[name] = zs.column(f:column(name):totable(), f:column(name):type()) end
      local rebuilt = zs.frame(cols, f:names())
      for _, key in ipairs({ "k", "d", "z" }) do
        local a = f:group_by(key):agg(zs.count():as("n"))
        local b = rebuilt:group_by(key):agg(zs.count():as("n"))
        util.assert_frames_equal(b, a)
      end
      util.assert_frames_equal(rebuilt:group_by("k", "z"):agg(zs.count()), f:group_by("k", "z"):agg(zs.count()))
      assert.equals(-5000, f:column("k"):min())
    end)

    it("finds a text value late in a numeric column (second pass)", function()
      local lines = { "a,b" }
      for i = 1, 50000 do lines[#lines + 1] = i .. "," .. i end
      lines[#lines + 1] = "x,1"
      local f = assert(parse(table.concat(lines, "\n")))
      assert.same({ "str", "int" }, f:types())
      assert.equals("1", f:get("a", 1))
      assert.equals("x", f:get("a", 50001))
    end)
  end)
end)
