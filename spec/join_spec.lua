-- Every join kind against a nested-loop reference on random data with NA
-- keys, duplicates on both sides, and keys of several types.
local zs = require "zonestat.engine"
local NA = zs.NA
local random = math.random

local function maybe_na(v) if random() < 0.1 then return NA end return v end

local function random_side(n, seed, prefix)
  math.randomseed(seed)
  local t = { s = {}, i = {}, f = {}, d = {}, [prefix] = {} }
  local names = { "Hải Phòng", "Quảng Ngãi", "VSIP", "x" }
  for r = 1, n do
    t.s[r] = maybe_na(names[random(#names)])
    t.i[r] = maybe_na(random(1, 5))
    t.f[r] = maybe_na(random(1, 5) + 0.0)
    t.d[r] = maybe_na(string.format("2024-01-%02d", random(1, 4)))
    t[prefix][r] = r
  end
  t.d = zs.column(t.d, "date")
  return zs.frame(t, { "s", "i", "f", "d", prefix })
end

--- the reference: pairs (left row, right row) in the documented order
local function nested(left, right, lkeys, rkeys, how)
  local pairs_, rmatched = {}, {}
  for i = 1, left:nrow() do
    local hits = 0
    for j = 1, right:nrow() do
      local eq = true
      for k = 1, #lkeys do
        local a, b = left:get(lkeys[k], i), right:get(rkeys[k], j)
        if a == nil or b == nil or a ~= b then eq = false break end
      end
      if eq then
        hits = hits + 1
        rmatched[j] = true
        if how ~= "semi" and how ~= "anti" then pairs_[#pairs_ + 1] = { i, j } end
      end
    end
    if (how == "semi" and hits > 0) or (how == "anti" and hits == 0) then pairs_[#pairs_ + 1] = { i } end
    if hits == 0 and (how == "left" or how == "full") then pairs_[#pairs_ + 1] = { i, false } end
  end
  if how == "full" then
    for j = 1, right:nrow() do
      if not rmatched[j] then pairs_[#pairs_ + 1] = { false, j } end
    end
  end
  return pairs_
end

local function check(left, right, on, how)
  local lkeys, rkeys = {}, {}
  if #on > 0 then
    for i, k in ipairs(on) do lkeys[i], rkeys[i] = k, k end
  else
    for l, r in pairs(on) do lkeys[#lkeys + 1], rkeys[#rkeys + 1] = l, r end
  end
  local out = left:join(right, { on = on, how = how })
  local expected = nested(left, right, lkeys, rkeys, how)
  assert.equals(#expected, out:nrow(), how)
  for row, p in ipairs(expected) do
    local i, j = p[1], p[2]
    assert.equals(i and left:get("lid", i) or nil, out:get("lid", row), how .. " row " .. row)
    if how ~= "semi" and how ~= "anti" then
      assert.equals(j and right:get("rid", j) or nil, out:get("rid", row), how .. " row " .. row)
      for k, key in ipairs(lkeys) do
        local v = i and left:get(key, i) or (j and right:get(rkeys[k], j)) or nil
        assert.equals(v, out:get(key, row), how .. " key " .. key .. " row " .. row)
      end
    end
  end
end

describe("join", function()
  local left = random_side(60, 1, "lid")
  local right = random_side(45, 2, "rid")
  for _, how in ipairs({ "inner", "left", "full", "semi", "anti" }) do
    for _, on in ipairs({ { "s" }, { "i" }, { "d" }, { "s", "i" }, { "s", "i", "d" } }) do
      it(how .. " on " .. table.concat(on, ","), function() check(left, right, on, how) end)
    end
  end

  it("matches int keys with float keys by value", function()
    local r2 = right:rename({ i = "ri" }):cast({ f = "float" })
    check(left, r2:rename({ f = "fk" }), { i = "fk" }, "inner")
  end)

  it("matches str keys from different dictionaries by text", function()
    local a = zs.frame({ k = { "x", "y", "z" }, lid = { 1, 2, 3 } })
    local b = zs.frame({ k = { "z", "q", "x", "x" }, rid = { 1, 2, 3, 4 } })
    local out = a:join(b, { on = { "k" } })
    assert.same({ 1, 1, 3 }, out:column("lid"):totable())
    assert.same({ 3, 4, 1 }, out:column("rid"):totable())
  end)

  it("suffixes clashing names and keeps keys once", function()
    local a = zs.frame({ k = { 1, 2 }, v = { 10, 20 } })
    local b = zs.frame({ id = { 2, 1 }, v = { 200, 100 } })
    local out = a:join(b, { on = { k = "id" }, how = "left" })
    assert.same({ "k", "v_x", "v_y" }, out:names())
    assert.same({ 100, 200 }, out:column("v_y"):totable())
    local s = a:join(b, { on = { k = "id" }, suffix = { "", "_right" } })
    assert.same({ "k", "v", "v_right" }, s:names())
  end)

  it("raises on misuse", function()
    local a = zs.frame({ k = { 1 } })
    assert.has_error(function() a:join(a, { on = { "nope" } }) end)
    assert.has_error(function() a:join(a, { on = { "k" }, how = "outer" }) end)
    assert.has_error(function() a:join({}, { on = { "k" } }) end)
    assert.has_error(function() a:join(zs.frame({ k = { "1" } }), { on = { "k" } }) end)
  end)
end)
