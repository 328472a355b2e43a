--- Joins: `f:join(g, {on = ..., how = ...})`.
-- The matching runs in C (join.c): a hash join on one or more keys of any
-- type, many-to-one and many-to-many; NA keys never match.
-- @module zonestat.join

return function(zs)
  local core = zs
  local methods = zs.frame_methods

  local hows = { inner = true, left = true, full = true, semi = true, anti = true }

  --- Join two frames.
  -- Rows come in left-row order (and, for one left row, in right-row order);
  -- a full join appends the right rows nothing matched.
  -- @tparam Frame g the right frame
  -- @tparam table opts
  --   `on`: key names present in both frames (`{"zone_id"}`), or a map of
  --   left name to right name (`{zone_id = "id"}`);
  --   `how`: "inner" (default), "left", "full", "semi" (left rows with a
  --   match) or "anti" (left rows without one);
  --   `suffix`: for other columns named alike on both sides (default `{"_x", "_y"}`)
  -- @treturn Frame the left columns (key columns once), then the right ones
  -- @usage projects:join(zones, {on = {zone_id = "id"}, how = "left"})
  function methods.join(f, g, opts)
    if core.type(g) ~= "frame" then error("join: the right side must be a frame", 2) end
    if type(opts) ~= "table" then error("join: expected an options table with 'on'", 2) end
    for k in pairs(opts) do
      if k ~= "on" and k ~= "how" and k ~= "suffix" then error("join: unknown option '" .. tostring(k) .. "'", 2) end
    end
    local how = opts.how or "inner"
    if not hows[how] then error("join: how must be inner, left, full, semi or anti", 2) end
    local on = opts.on
    if type(on) == "string" then on = { on } end
    if type(on) ~= "table" then error("join: 'on' must name the key columns", 2) end
    local lkeys, rkeys = {}, {}
    if #on > 0 then
      for i, k in ipairs(on) do lkeys[i], rkeys[i] = k, k end
    else
      for l, r in pairs(on) do lkeys[#lkeys + 1], rkeys[#rkeys + 1] = l, r end
      table.sort(lkeys)
      for i, l in ipairs(lkeys) do rkeys[i] = on[l] end
    end
    if #lkeys == 0 then error("join: no key given in 'on'", 2) end
    for i = 1, #lkeys do
      if type(lkeys[i]) ~= "string" or not f:has(lkeys[i]) then
        error("join: no column named '" .. tostring(lkeys[i]) .. "' on the left", 2)
      end
      if type(rkeys[i]) ~= "string" or not g:has(rkeys[i]) then
        error("join: no column named '" .. tostring(rkeys[i]) .. "' on the right", 2)
      end
    end
    local suffix = opts.suffix or { "_x", "_y" }
    if type(suffix) ~= "table" or type(suffix[1]) ~= "string" or type(suffix[2]) ~= "string" or suffix[1] == suffix[2] then
      error("join: suffix must be two different strings", 2)
    end

    local ok, lrows, rrows = pcall(core.join_rows, f, g, lkeys, rkeys, how)
    if not ok then error(lrows, 2) end
    local left = core.take(f, lrows)
    if how == "semi" or how == "anti" then return left end
    local right = core.take(g, rrows)

    local names, cols = {}, {}
    local is_rkey, rnames = {}, {}
    for i, r in ipairs(rkeys) do is_rkey[r] = lkeys[i] end
    for _, name in ipairs(g:names()) do
      if not is_rkey[name] then rnames[#rnames + 1] = name end
    end
    local rset = {}
    for _, name in ipairs(rnames) do rset[name] = true end
    local is_lkey = {}
    for i, l in ipairs(lkeys) do is_lkey[l] = rkeys[i] end
    for _, name in ipairs(left:names()) do
      local c = left:column(name)
      if is_lkey[name] and how == "full" then
        -- right-only rows: the key comes from the right side
        local pair = core.frame_from({ "l", "r" }, { c, right:column(is_lkey[name]) })
        c = core.eval(pair, zs.col("l"):fill_na(zs.col("r")))
      end
      names[#names + 1] = (rset[name] and not is_lkey[name]) and name .. suffix[1] or name
      cols[#cols + 1] = c
    end
    local lset = {}
    for _, name in ipairs(left:names()) do lset[name] = true end
    for _, name in ipairs(rnames) do
      names[#names + 1] = lset[name] and name .. suffix[2] or name
      cols[#cols + 1] = right:column(name)
    end
    local okf, out = pcall(core.frame_from, names, cols, left:nrow())
    if not okf then error("join: " .. tostring(out), 2) end
    return out
  end
end
