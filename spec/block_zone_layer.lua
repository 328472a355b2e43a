-- A busted helper (`busted --helper=spec/block_zone_layer.lua ...`, run by
-- spec/api_spec.lua): it makes every module of the zone layer unloadable, so
-- that the engine's specs show they pass with the engine alone.
local ZONE_LAYER = { "zonestat", "zonestat.datadir", "zonestat.l10n", "zonestat.units", "zonestat.mapping",
  "zonestat.cells", "zonestat.registry", "zonestat.period", "zonestat.capital", "zonestat.dataset", "zonestat.labels",
  "zonestat.provenance", "zonestat.profile", "zonestat.flows", "zonestat.indicators", "zonestat.chart",
  "zonestat.render", "zonestat.eco_text", "zonestat.eco_read", "zonestat.eco_criteria", "zonestat.eco_evidence",
  "zonestat.eco_assess", "zonestat.eco_report", "zonestat.eco", "zonestat.report", "zonestat.export",
  "zonestat.cli_eco", "zonestat.cli" }
for _, name in ipairs(ZONE_LAYER) do
  package.preload[name] = function() error("the zone module " .. name .. " was required by an engine spec", 2) end
end
