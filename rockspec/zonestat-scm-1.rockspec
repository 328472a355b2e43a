-- LuaRocks build description.  From a checkout:
--   luarocks --lua-version=5.4 make --deps-mode=none rockspec/zonestat-scm-1.rockspec
rockspec_format = "3.0"
package = "zonestat"
version = "scm-1"
source = {
  url = "git+file:///dev/null", -- no public repository yet: build from a checkout with `luarocks make`
}
description = {
  summary = "Statistics of economic zones and industrial parks, with a fast C columnar core",
  detailed = [[
zonestat reads zone and project registries (CSV, JSON) into typed columnar
frames and computes the statistics zone management boards report: projects,
FDI and domestic capital, occupancy, growth, rankings and comparisons.]],
  license = "MIT",
  labels = { "statistics", "dataframe", "csv" },
}
-- Linux only: mremap, O_TMPFILE, renameat2 and __int128 (gcc or clang)
supported_platforms = { "linux" }
dependencies = {
  "lua >= 5.4",
  "lua-cjson",
  "argparse",
}
external_dependencies = {
  UTF8PROC = { header = "utf8proc.h", library = "utf8proc" },          -- Debian: libutf8proc-dev
  LIBZIP = { header = "zip.h", library = "zip" },                      -- libzip-dev (xlsx reading)
  EXPAT = { header = "expat.h", library = "expat" },                   -- libexpat1-dev (xlsx reading)
  XLSXWRITER = { header = "xlsxwriter.h", library = "xlsxwriter" },    -- libxlsxwriter-dev (xlsx writing)
  SQLITE = { header = "sqlite3.h", library = "sqlite3" },              -- libsqlite3-dev
  ICU = { header = "unicode/ucol.h", library = "icui18n" },            -- libicu-dev (collation)
}
build = {
  type = "builtin",
  install = {
    bin = { zonestat = "bin/zonestat" },
    -- the bundled data, found by zonestat.dataset next to its modules
    lua = {
      ["zonestat.data.eco.criteria"] = "data/eco/criteria.csv",
      ["zonestat.data.eco.enterprises_synthetic"] = "data/eco/enterprises_synthetic.csv",
      ["zonestat.data.eco.evidence_hp-grp-deep-c"] = "data/eco/evidence_hp-grp-deep-c.csv",
      ["zonestat.data.eco.evidence_hp-kcn-dinh-vu"] = "data/eco/evidence_hp-kcn-dinh-vu.csv",
      ["zonestat.data.eco.evidence_hp-kcn-nam-cau-kien"] = "data/eco/evidence_hp-kcn-nam-cau-kien.csv",
      ["zonestat.data.eco.evidence_qn-kcn-vsip-qn"] = "data/eco/evidence_qn-kcn-vsip-qn.csv",
      ["zonestat.data.eco.frameworks"] = "data/eco/frameworks.csv",
      ["zonestat.data.eco.indicators"] = "data/eco/indicators.csv",
      ["zonestat.data.mapping.vi"] = "data/mapping/vi.csv",
      ["zonestat.data.vn.countries"] = "data/vn/countries.csv",
      ["zonestat.data.vn.events"] = "data/vn/events.csv",
      ["zonestat.data.vn.fdi_rank"] = "data/vn/fdi_rank.csv",
      ["zonestat.data.vn.figures"] = "data/vn/figures.csv",
      ["zonestat.data.vn.fx"] = "data/vn/fx.csv",
      ["zonestat.data.vn.groups"] = "data/vn/groups.csv",
      ["zonestat.data.vn.indicators"] = "data/vn/indicators.csv",
      ["zonestat.data.vn.projects"] = "data/vn/projects.csv",
      ["zonestat.data.vn.provinces"] = "data/vn/provinces.csv",
      ["zonestat.data.vn.sectors"] = "data/vn/sectors.csv",
      ["zonestat.data.vn.sources"] = "data/vn/sources.csv",
      ["zonestat.data.vn.zones"] = "data/vn/zones.csv",
      ["zonestat.data.vn.zones_synthetic_land"] = "data/vn/zones_synthetic_land.csv",
    },
  },
  modules = {
    ["zonestat.core"] = {
      sources = {
        "csrc/agg.c", "csrc/builder.c", "csrc/collate.c", "csrc/column.c", "csrc/core.c",
        "csrc/csv_read.c", "csrc/dict.c", "csrc/expr.c", "csrc/frame.c", "csrc/fs.c",
        "csrc/group.c", "csrc/join.c", "csrc/mem.c", "csrc/numparse.c", "csrc/par.c",
        "csrc/sort.c", "csrc/sqlite.c", "csrc/text.c", "csrc/util.c", "csrc/write.c",
        "csrc/xlsx_read.c", "csrc/xlsx_write.c",
      },
      incdirs = { "csrc", "$(UTF8PROC_INCDIR)", "$(LIBZIP_INCDIR)", "$(EXPAT_INCDIR)", "$(XLSXWRITER_INCDIR)",
        "$(SQLITE_INCDIR)", "$(ICU_INCDIR)" },
      libdirs = { "$(UTF8PROC_LIBDIR)", "$(LIBZIP_LIBDIR)", "$(EXPAT_LIBDIR)", "$(XLSXWRITER_LIBDIR)",
        "$(SQLITE_LIBDIR)", "$(ICU_LIBDIR)" },
      libraries = { "pthread", "utf8proc", "zip", "expat", "xlsxwriter", "sqlite3", "icui18n", "icuuc" },
    },
    ["zonestat"] = "lua/zonestat/init.lua",
    ["zonestat.agg"] = "lua/zonestat/agg.lua",
    ["zonestat.build"] = "lua/zonestat/build.lua",
    ["zonestat.capital"] = "lua/zonestat/capital.lua",
    ["zonestat.cells"] = "lua/zonestat/cells.lua",
    ["zonestat.chart"] = "lua/zonestat/chart.lua",
    ["zonestat.check"] = "lua/zonestat/check.lua",
    ["zonestat.cli"] = "lua/zonestat/cli.lua",
    ["zonestat.cli_eco"] = "lua/zonestat/cli_eco.lua",
    ["zonestat.csv"] = "lua/zonestat/csv.lua",
    ["zonestat.cube"] = "lua/zonestat/cube.lua",
    ["zonestat.datadir"] = "lua/zonestat/datadir.lua",
    ["zonestat.dataset"] = "lua/zonestat/dataset.lua",
    ["zonestat.eco"] = "lua/zonestat/eco.lua",
    ["zonestat.eco_assess"] = "lua/zonestat/eco_assess.lua",
    ["zonestat.eco_criteria"] = "lua/zonestat/eco_criteria.lua",
    ["zonestat.eco_evidence"] = "lua/zonestat/eco_evidence.lua",
    ["zonestat.eco_read"] = "lua/zonestat/eco_read.lua",
    ["zonestat.eco_report"] = "lua/zonestat/eco_report.lua",
    ["zonestat.eco_text"] = "lua/zonestat/eco_text.lua",
    ["zonestat.engine"] = "lua/zonestat/engine.lua",
    ["zonestat.export"] = "lua/zonestat/export.lua",
    ["zonestat.expr"] = "lua/zonestat/expr.lua",
    ["zonestat.flows"] = "lua/zonestat/flows.lua",
    ["zonestat.frame"] = "lua/zonestat/frame.lua",
    ["zonestat.indicators"] = "lua/zonestat/indicators.lua",
    ["zonestat.join"] = "lua/zonestat/join.lua",
    ["zonestat.json"] = "lua/zonestat/json.lua",
    ["zonestat.l10n"] = "lua/zonestat/l10n.lua",
    ["zonestat.labels"] = "lua/zonestat/labels.lua",
    ["zonestat.mapping"] = "lua/zonestat/mapping.lua",
    ["zonestat.period"] = "lua/zonestat/period.lua",
    ["zonestat.print"] = "lua/zonestat/print.lua",
    ["zonestat.profile"] = "lua/zonestat/profile.lua",
    ["zonestat.provenance"] = "lua/zonestat/provenance.lua",
    ["zonestat.registry"] = "lua/zonestat/registry.lua",
    ["zonestat.render"] = "lua/zonestat/render.lua",
    ["zonestat.report"] = "lua/zonestat/report.lua",
    ["zonestat.reshape"] = "lua/zonestat/reshape.lua",
    ["zonestat.sniff"] = "lua/zonestat/sniff.lua",
    ["zonestat.sort"] = "lua/zonestat/sort.lua",
    ["zonestat.sqlite"] = "lua/zonestat/sqlite.lua",
    ["zonestat.units"] = "lua/zonestat/units.lua",
    ["zonestat.verbs"] = "lua/zonestat/verbs.lua",
    ["zonestat.xlsx"] = "lua/zonestat/xlsx.lua",
  },
}
