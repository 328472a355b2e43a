-- Every aggregate against a straightforward Lua reference on random data
-- with NAs, over several kinds of keys (so that every grouping path runs:
-- direct table, hash table, sorting, keys too wide for 64 bits).
local zs = require "zonestat.engine"
local NA = zs.NA

local random = math.random

local function maybe_na(v, p) if random() < p then return NA end return v end

local words = { "Hải Phòng", "Quảng Ngãi", "Đình Vũ", "Dung Quất", "VSIP", "a", "b", "" }

--- random columns: keys of every type and values with NAs
local function random_frame(n, seed)
  math.randomseed(seed)
  local c = { s = {}, i = {}, w = {}, w2 = {}, w3 = {}, d = {}, b = {}, fk = {}, x = {}, y = {}, v = {}, t = {} }
  for r = 1, n do
    c.s[r] = maybe_na(words[random(#words)], 0.1)
    c.i[r] = maybe_na(random(-3, 3), 0.1)
    c.w[r] = maybe_na(random(-2 ^ 62, 2 ^ 62), 0.05)     -- wide range: ranked by sorting
    c.w2[r] = maybe_na(random(1, 40) * 1000000007, 0.05)
    c.w3[r] = random(1, 7) * 2 ^ 40
    c.d[r] = maybe_na(string.format("2024-%02d-%02d", random(1, 3), random(1, 28)), 0.1)
    c.b[r] = maybe_na(random() < 0.5, 0.1)
    c.fk[r] = maybe_na(random(0, 4) / 4 - 0.5, 0.1)
    c.x[r] = maybe_na(random() * 100 - 50, 0.15)
    c.y[r] = maybe_na(random(-1000, 1000), 0.15)
    c.v[r] = maybe_na(random(1, 5), 0.2)
    c.t[r] = maybe_na(words[random(#words)], 0.2)
  end
  c.d = zs.column(c.d, "date")
  return zs.frame(c), c
end

-- ---- the reference ------------------------------------------------------------------

local function key_less(a, b) -- one key value; nil (NA) last
  if a == nil then return false end
  if b == nil then return true end
  if type(a) == "boolean" then return (not a) and b end
  return a < b
end

local function ref_groups(f, keys)
  local n = f:nrow()
  local groups, index = {}, {}
  for r = 1, n do
    local vals, parts = {}, {}
    for k, key in ipairs(keys) do
      vals[k] = f:get(key, r)
      parts[k] = vals[k] == nil and "\0NA" or (type(vals[k]) .. ":" .. tostring(vals[k]))
    end
    local id = table.concat(parts, "\1")
    local g = index[id]
    if not g then
      g = { keys = vals, rows = {} }
      index[id] = g
      groups[#groups + 1] = g
    end
    g.rows[#g.rows + 1] = r
  end
  table.sort(groups, function(a, b)
    for k = 1, #keys do
      local x, y = a.keys[k], b.keys[k]
      if key_less(x, y) then return true end
      if key_less(y, x) then return false end
    end
    return false
  end)
  return groups
end

local function present(f, col, rows)
  local out = {}
  for _, r in ipairs(rows) do
    local v = f:get(col, r)
    if v ~= nil then out[#out + 1] = v end
  end
  return out
end

local function mean(t)
  local s = 0
  for _, v in ipairs(t) do s = s + v end
  return s / #t
end

local function quantile7(t, p)
  table.sort(t)
  local h = (#t - 1) * p
  local lo = math.floor(h)
  if lo + 1 >= #t then return t[#t] + 0.0 end
  return t[lo + 1] + (h - lo) * (t[lo + 2] - t[lo + 1])
end

local ref = {
  count = function(f, s, rows) return s.col and #present(f, s.col, rows) or #rows end,
  sum = function(f, s, rows)
    local t = present(f, s.col, rows)
    if #t == 0 then return nil end
    local sum = 0
    for _, v in ipairs(t) do sum = sum + (v == true and 1 or v == false and 0 or v) end
    return sum
  end,
  mean = function(f, s, rows)
    local t = present(f, s.col, rows)
    return #t > 0 and mean(t) or nil
  end,
  min = function(f, s, rows)
    local t = present(f, s.col, rows)
    table.sort(t, key_less)
    return t[1]
  end,
  max = function(f, s, rows)
    local t = present(f, s.col, rows)
    table.sort(t, key_less)
    return t[#t]
  end,
  var = function(f, s, rows)
    local t = present(f, s.col, rows)
    if #t < 2 then return nil end
    local m, ss = mean(t), 0
    for _, v in ipairs(t) do ss = ss + (v - m) ^ 2 end
    return ss / (#t - 1)
  end,
  median = function(f, s, rows)
    local t = present(f, s.col, rows)
    if #t == 0 then return nil end
    table.sort(t)
    local h = #t // 2
    if #t % 2 == 1 then return t[h + 1] + 0.0 end
    return (t[h] + t[h + 1]) / 2
  end,
  quantile = function(f, s, rows)
    local t = present(f, s.col, rows)
    if #t == 0 then return nil end
    if s.type == 1 then
      table.sort(t)
      return t[math.max(1, math.ceil(#t * s.p))]
    end
    return quantile7(t, s.p)
  end,
  nunique = function(f, s, rows)
    local seen, k = {}, 0
    for _, v in ipairs(present(f, s.col, rows)) do
      if not seen[v] then seen[v], k = true, k + 1 end
    end
    return k
  end,
  first = function(f, s, rows) return present(f, s.col, rows)[1] end,
  last = function(f, s, rows)
    local t = present(f, s.col, rows)
    return t[#t]
  end,
  corr = function(f, s, rows)
    local xs, ys = {}, {}
    for _, r in ipairs(rows) do
      local x, y = f:get(s.col, r), f:get(s.col2, r)
      if x ~= nil and y ~= nil then xs[#xs + 1], ys[#ys + 1] = x, y end
    end
    if #xs < 2 then return nil end
    local mx, my = mean(xs), mean(ys)
    local sxy, sxx, syy = 0, 0, 0
    for i = 1, #xs do
      sxy = sxy + (xs[i] - mx) * (ys[i] - my)
      sxx = sxx + (xs[i] - mx) ^ 2
      syy = syy + (ys[i] - my) ^ 2
    end
    if sxx == 0 or syy == 0 then return nil end
    return sxy / math.sqrt(sxx * syy)
  end,
}

local function close(a, b)
  if a == b then return true end
  if type(a) ~= "number" or type(b) ~= "number" then return false end
  return math.abs(a - b) <= 1e-9 * math.max(1, math.abs(a), math.abs(b))
end

local function check_agg(f, keys, specs, sort)
  local args = { table.unpack(keys) }
  if sort == false then args[#args + 1] = { sort = false } end
  local g = f:group_by(table.unpack(args))
  local ans = g:agg(table.unpack(specs))
  local groups = ref_groups(f, keys)
  assert.equals(#groups, ans:nrow(), "group count for " .. table.concat(keys, ","))
  if sort == false then -- order of first appearance
    table.sort(groups, function(a, b) return a.rows[1] < b.rows[1] end)
  end
  for gi, grp in ipairs(groups) do
    for k, key in ipairs(keys) do
      assert.equals(grp.keys[k], ans:get(key, gi), string.format("key %s of group %d", key, gi))
    end
    for _, s in ipairs(specs) do
      local expected = ref[s.op](f, s, grp.rows)
      local got = ans:get(s.name, gi)
      if not close(expected, got) then
        error(string.format("%s of group %d (%s): expected %s, got %s", s.name, gi,
          table.concat(keys, ","), tostring(expected), tostring(got)), 2)
      end
    end
  end
  return ans
end

local function all_specs()
  return {
    zs.count(), zs.count("x"):as("x_n"), zs.sum("y"), zs.sum("x"), zs.sum("b"):as("b_sum"), zs.mean("x"),
    zs.mean("y"):as("y_mean"), zs.min("x"), zs.max("y"), zs.min("t"):as("t_min"), zs.max("d"):as("d_max"),
    zs.var("x"), zs.sd("y"):as("y_sd"),
    zs.median("x"), zs.median("y"):as("y_median"), zs.quantile("x", 0.25),
    zs.quantile("y", 0.9, 1):as("y_q90"), zs.nunique("t"), zs.nunique("x"):as("x_nu"), zs.first("t"),
    zs.last("x"), zs.corr("x", "y"),
  }
end

describe("group_by / agg", function()
  for _, n in ipairs({ 1, 7, 300 }) do
    local f = random_frame(n, n)
    local key_sets = { { "s" }, { "i" }, { "b" }, { "d" }, { "fk" }, { "w" }, { "s", "i" }, { "i", "b", "d" },
      { "w", "w2", "s" }, { "w", "w2", "w3", "fk", "s", "i", "d", "b" } }
    for _, keys in ipairs(key_sets) do
      it(string.format("matches the reference, %d rows, keys %s", n, table.concat(keys, ",")), function()
        local specs = all_specs()
        local ans = f:group_by(table.unpack(keys)):agg(table.unpack(specs))
        local groups = ref_groups(f, keys)
        assert.equals(#groups, ans:nrow())
        for gi, grp in ipairs(groups) do
          for k, key in ipairs(keys) do assert.equals(grp.keys[k], ans:get(key, gi)) end
          for _, s in ipairs(specs) do
            local op = s.op == "sd" and "var" or s.op -- the reference knows sd as sqrt(var)
            local expected = ref[op](f, s, grp.rows)
            if s.op == "sd" and expected then expected = math.sqrt(expected) end
            local got = ans:get(s.name, gi)
            assert.is_true(close(expected, got), string.format("%s group %d: expected %s, got %s", s.name, gi,
              tostring(expected), tostring(got)))
          end
        end
      end)
    end
    it(string.format("keeps first-appearance order with sort = false, %d rows", n), function()
      for _, keys in ipairs({ { "s" }, { "w", "w2" }, { "s", "i", "d" } }) do
        check_agg(f, keys, { zs.count(), zs.sum("y") }, false)
      end
    end)
  end

  it("uses the hash table, mixed-radix and pairwise paths correctly", function()
    math.randomseed(99)
    local n = 5000
    local cols = { v = {} }
    for k = 1, 6 do cols["k" .. k] = {} end
    local a, b = {}, {}
    for r = 1, n do
      for k = 1, 6 do cols["k" .. k][r] = random(1, 2 ^ 20) * 2 ^ 30 end -- about 5000 distinct each
      local ai = random(1, 300)
      a[r] = ai * 2 ^ 40                            -- 300 distinct wide values
      b[r] = (ai * 7 % 300 + random(0, 1)) * 2 ^ 41 -- 301, but only about 600 combinations
      cols.v[r] = maybe_na(random(1, 9), 0.1)
    end
    cols.a, cols.b = a, b
    local f = zs.frame(cols)
    check_agg(f, { "a", "b" }, { zs.count(), zs.sum("v"), zs.median("v") })                    -- hash
    check_agg(f, { "k1", "k2", "k3", "k4", "k5" }, { zs.count(), zs.sum("v") })                -- mixed radix
    check_agg(f, { "k1", "k2", "k3", "k4", "k5", "k6" }, { zs.count(), zs.sum("v") })          -- pairwise
    check_agg(f, { "k1", "k2", "k3", "k4", "k5", "k6" }, { zs.count(), zs.sum("v") }, false)
  end)

  it("aggregates the whole frame into one row", function()
    local f = random_frame(100, 3)
    local ans = f:agg(zs.count(), zs.sum("y"), zs.median("x"))
    assert.equals(1, ans:nrow())
    assert.equals(100, ans:get("n", 1))
    local rows = {}
    for i = 1, 100 do rows[i] = i end
    assert.equals(ref.sum(f, { col = "y" }, rows), ans:get("y_sum", 1))
    assert.is_true(close(ref.median(f, { col = "x" }, rows), ans:get("x_median", 1)))
    local empty = f:head(0):agg(zs.count(), zs.sum("y"))
    assert.equals(0, empty:get("n", 1))
    assert.is_nil(empty:get("y_sum", 1))
  end)

  it("gives NA for groups without values and 0 counts", function()
    local f = zs.frame({ k = { "a", "a", "b" }, v = { NA, NA, 1.5 } })
    local ans = f:group_by("k"):agg(zs.count("v"), zs.sum("v"), zs.mean("v"), zs.min("v"), zs.sd("v"), zs.median("v"))
    assert.same({ 0, 1 }, ans:column("v_count"):totable())
    assert.same({ NA, 1.5 }, ans:column("v_sum"):totable())
    assert.same({ NA, 1.5 }, ans:column("v_mean"):totable())
    assert.same({ NA, 1.5 }, ans:column("v_min"):totable())
    assert.same({ NA, NA }, ans:column("v_sd"):totable())
  end)

  it("groups NA keys together, last", function()
    local f = zs.frame({ k = { NA, 2, NA, 1 }, v = { 1, 2, 3, 4 } })
    local ans = f:group_by("k"):agg(zs.sum("v"))
    assert.same({ 1, 2, NA }, ans:column("k"):totable())
    assert.same({ 4, 2, 4 }, ans:column("v_sum"):totable())
  end)

  it("reads small-range keys in place when every aggregate is a count, sum, mean or share", function()
    -- Keys whose combined range is small with only count/sum/mean/share:
    -- the sums are made per key combination composed from the key columns
    -- a block of rows at a time (no group ids), and combinations without
    -- rows are dropped afterwards.  Keys with gaps and NA; 140000 rows cut
    -- the rows into parts, fewer take one range of groups.
    for _, n in ipairs({ 50, 4000, 20000, 140000 }) do
      math.randomseed(n)
      local k, s, b, x, y, z = {}, {}, {}, {}, {}, {}
      for r = 1, n do
        k[r] = maybe_na(random(0, 30) * 3 - 40, 0.05) -- every third value of -40..50
        s[r] = maybe_na(words[random(#words)], 0.05)
        b[r] = maybe_na(random() < 0.3, 0.05)
        x[r] = maybe_na(random() * 100 - 50, 0.1)
        y[r] = maybe_na(random(-1000, 1000), 0.1)
        z[r] = random(1, 9) -- no NA
      end
      local f = zs.frame({ k = k, s = s, b = b, x = x, y = y, z = z })
      local specs = { zs.count(), zs.count("x"):as("x_n"), zs.sum("y"), zs.sum("x"), zs.mean("x"),
        zs.mean("y"):as("y_mean"), zs.sum("z"), zs.mean("z"):as("z_mean") }
      check_agg(f, { "k" }, specs)
      check_agg(f, { "s", "k" }, specs)
      check_agg(f, { "k", "b", "s" }, { zs.count(), zs.sum("z"), zs.mean("x") })
      local one = check_agg(f, { "k" }, { zs.sum("y") })
      local shares = f:group_by("k"):agg(zs.share("y"), zs.count())
      local total = f:column("y"):sum()
      for gi = 1, one:nrow() do
        local sum = one:get("y_sum", gi)
        if sum == nil then assert.is_nil(shares:get("y_share", gi))
        else assert.is_true(close(sum / total, shares:get("y_share", gi))) end
      end
      assert.equals(n, shares:column("n"):sum())
    end
    -- sums past int64 are redone in 128 bits: the mean stays exact, the sum raises
    local big, key = {}, {}
    for r = 1, 64 do big[r], key[r] = 1 << 62, r % 2 end
    local f = zs.frame({ k = key, v = big })
    local ans = f:group_by("k"):agg(zs.mean("v"), zs.count())
    assert.same({ 2.0 ^ 62, 2.0 ^ 62 }, ans:column("v_mean"):totable())
    assert.same({ 32, 32 }, ans:column("n"):totable())
    assert.has_error(function() f:group_by("k"):agg(zs.sum("v")) end, "agg: integer overflow: a sum does not fit in int64")
  end)

  it("raises on int64 overflow in sums", function()
    local f = zs.frame({ k = { 1, 1 }, v = { math.maxinteger, 1 } })
    assert.has_error(function() f:group_by("k"):agg(zs.sum("v")) end, "agg: integer overflow: a sum does not fit in int64")
  end)

  it("returns the top k per group in long format", function()
    local f = zs.frame({ g = { "a", "b", "a", "a", "b", "a" }, v = { 1, 5, 3, 3, NA, 2 } })
    local ans = f:group_by("g"):agg(zs.top("v", 2):as("largest"))
    assert.same({ "a", "a", "b" }, ans:column("g"):totable())
    assert.same({ 3, 3, 5 }, ans:column("largest"):totable())
    assert.has_error(function() f:group_by("g"):agg(zs.top("v", 2), zs.sum("v")) end)
  end)

  it("keeps the top k per group whatever the cut into parts (ties, NA, short groups)", function()
    math.randomseed(5)
    local n = 150000 -- two parts or more on two threads
    local g, v = {}, {}
    for r = 1, n do
      g[r] = random(1, 60)
      v[r] = maybe_na(random(1, 8000) / 4, 0.1) -- some ties
    end
    g[n], v[n] = 61, 2.5 -- a group with one value
    local f = zs.frame({ g = g, v = v })
    local per = {}
    for r = 1, n do
      if v[r] ~= NA then
        per[g[r]] = per[g[r]] or {}
        table.insert(per[g[r]], v[r])
      end
    end
    local want_g, want_v = {}, {}
    for k = 1, 61 do
      table.sort(per[k], function(a, b) return a > b end)
      for m = 1, math.min(3, #per[k]) do
        want_g[#want_g + 1], want_v[#want_v + 1] = k, per[k][m]
      end
    end
    for _, threads in ipairs({ 1, 2, 3 }) do
      local old = zs.set_threads(threads)
      local ans = f:group_by("g"):agg(zs.top("v", 3))
      zs.set_threads(old)
      assert.same(want_g, ans:column("g"):totable())
      assert.same(want_v, ans:column("v_top"):totable())
    end
  end)

  it("computes shares of the total", function()
    local f = zs.frame({ g = { "a", "b", "a" }, v = { 1, 2, 1 } })
    local ans = f:group_by("g"):agg(zs.share("v"))
    assert.same({ 0.5, 0.5 }, ans:column("v_share"):totable())
  end)

  it("names outputs and rejects clashes", function()
    local f = zs.frame({ g = { "a" }, v = { 1 } })
    assert.same({ "g", "n", "v_sum", "v_mean", "total" },
      f:group_by("g"):agg(zs.count(), zs.sum("v"), zs.mean("v"), zs.sum("v"):as("total")):names())
    assert.has_error(function() f:group_by("g"):agg(zs.sum("v"), zs.sum("v")) end)
    assert.has_error(function() f:group_by("g"):agg(zs.sum("v"):as("g")) end)
    assert.has_error(function() f:group_by("nope") end, "group_by: no column named 'nope'")
    assert.has_error(function() f:group_by("g"):agg(zs.sum("nope")) end)
    assert.has_error(function() f:group_by("g"):agg(zs.sum("g")) end)
    assert.has_error(function() f:group_by("g"):agg("v") end)
  end)

  it("groups a str key read from CSV (dictionary in byte order) with and without NA", function()
    local f = random_frame(300, 17)
    local read = assert(zs.parse_csv(f:select("s", "t", "y", "x"):to_csv()))
    local specs = { zs.count(), zs.sum("y"), zs.mean("x"), zs.nunique("t") }
    check_agg(read, { "s" }, specs)                                   -- codes with NA as the last group
    local s = zs.col("s")
    check_agg(read:filter(~s:is_na()), { "s" }, specs)                -- no NA: the codes themselves
    check_agg(read:filter(s:ne("VSIP") | s:is_na()), { "s" }, specs)    -- a gap in the codes: direct table
    check_agg(read:filter(zs.col("s"):ne("")), { "t" }, specs)
    check_agg(read, { "s" }, specs, false)
  end)

  it("sums over the codes of a large str key with NA (read from CSV) as the reference does", function()
    math.randomseed(8)
    local n, lines = 200000, { "k,v" }
    local count, sum, nv = {}, {}, {}
    for r = 1, n do -- luacheck: ignore r
      local key = random() < 0.05 and "" or ("z%02d"):format(random(0, 30))
      local v = random() < 0.05 and "" or random(1, 9)
      lines[#lines + 1] = key .. "," .. v
      local name = key == "" and "NA" or key
      count[name] = (count[name] or 0) + 1
      if v ~= "" then sum[name] = (sum[name] or 0) + v; nv[name] = (nv[name] or 0) + 1 end
    end
    local f = assert(zs.parse_csv(table.concat(lines, "\n")))
    local ans = f:group_by("k"):agg(zs.count(), zs.sum("v"), zs.mean("v"), zs.median("v"))
    assert.equals(32, ans:nrow())
    for i = 1, ans:nrow() do
      local name = ans:get("k", i) or "NA"
      assert.equals(count[name], ans:get("n", i), name)
      assert.equals(sum[name], ans:get("v_sum", i), name)
      assert.near(sum[name] / nv[name], ans:get("v_mean", i), 1e-12)
    end
    assert.is_nil(ans:get("k", 32)) -- NA last
    check_agg(f:head(3000), { "k" }, { zs.count(), zs.sum("v"), zs.median("v") })
  end)

  it("keeps integer var and corr exact when 64-bit sums would overflow, and for huge values", function()
    local n = 200000
    for _, base in ipairs({ 0, 2 ^ 31 - 2, 2 ^ 40 }) do -- 64-bit sums; 128-bit sums; floating point
      local k, a, b = {}, {}, {}
      for r = 1, n do
        k[r] = r % 2            -- two groups of n/2 rows
        a[r] = math.tointeger(base + (r // 2) % 2)
        b[r] = k[r] == 0 and a[r] or math.tointeger(base + (r // 2 + 1) % 2)
      end
      local ans = zs.frame({ k = k, a = a, b = b }):group_by("k"):agg(zs.var("a"), zs.corr("a", "b"))
      local m = n / 2 -- each group: m values, half base and half base + 1
      for i = 1, 2 do
        assert.near(m / (4 * (m - 1)), ans:get("a_var", i), 1e-12 * m / (4 * (m - 1)))
      end
      assert.near(1, ans:get("a_b_corr", 1), 1e-12)  -- b = a
      assert.near(-1, ans:get("a_b_corr", 2), 1e-12) -- b = 2·base + 1 − a
    end
  end)

  it("gives sums made together (one pass over large frames) equal to sums made one at a time", function()
    math.randomseed(5)
    local n = 200000
    local k, x, y, b = {}, {}, {}, {}
    for r = 1, n do
      k[r] = random(1, 40)
      x[r] = random() < 0.05 and NA or (random() - 0.5) * 10 ^ random(-3, 6)
      y[r] = random() < 0.05 and NA or random(-1000, 1000)
      b[r] = random() < 0.05 and NA or random() < 0.3
    end
    local f = zs.frame({ k = k, x = x, y = y, b = b })
    local specs = { zs.count(), zs.sum("x"), zs.mean("y"), zs.share("y"), zs.count("x"), zs.mean("x"),
      zs.sum("y"), zs.sum("b") }
    local together = f:group_by("k"):agg(table.unpack(specs))
    local count, ysum = {}, {} -- the reference for the exact ones
    for r = 1, n do
      count[k[r]] = (count[k[r]] or 0) + 1
      if y[r] ~= NA then ysum[k[r]] = (ysum[k[r]] or 0) + y[r] end
    end
    assert.same(count, together:column("n"):totable())
    assert.same(ysum, together:column("y_sum"):totable())
    for _, s in ipairs(specs) do
      local alone = f:group_by("k"):agg(s)
      assert.same(alone:column(s.name):totable(), together:column(s.name):totable(), s.name)
    end
  end)

  it("gives the same answer on any number of threads", function()
    math.randomseed(21)
    local n = 300000
    local small, mid, large, x, y = {}, {}, {}, {}, {}
    for r = 1, n do
      small[r] = random(1, 50)   -- rows cut into the parts fixed by n
      mid[r] = random(1, 10000)  -- into fewer parts (a power of two)
      large[r] = random(1, 100000) -- ranges of groups
      x[r] = random() < 0.05 and NA or (random() - 0.5) * 10 ^ random(-3, 6)
      y[r] = random(-1000, 1000)
    end
    local f = zs.frame({ small = small, mid = mid, large = large, x = x, y = y })
    local function run()
      local out = {}
      for _, key in ipairs({ "small", "mid", "large" }) do
        out[#out + 1] = f:group_by(key):agg(zs.count(), zs.sum("x"), zs.mean("x"), zs.sd("x"), zs.sum("y"),
          zs.median("x"), zs.corr("x", "y"), zs.max("x"), zs.nunique("y"), zs.share("x"))
      end
      out[#out + 1] = f:agg(zs.sum("x"), zs.var("x"))
      return out
    end
    local old = zs.set_threads(1)
    local one = run()
    for _, t in ipairs({ 2, 3, 8 }) do
      zs.set_threads(t)
      local many = run()
      for k = 1, #one do require("spec_util").assert_frames_equal(one[k], many[k]) end
    end
    zs.set_threads(old)
  end)
end)
