--- The names and definitions of the indicators, in Vietnamese and English.
-- @module zonestat.labels

local M = {}

--- indicator → {vi, en}
M.NAMES = {
  projects = { "Số dự án", "Projects" },
  capital_usd = { "Vốn đăng ký (quy ra USD)", "Registered capital (in USD)" },
  capital_vnd = { "Vốn đăng ký (quy ra VND)", "Registered capital (in VND)" },
  fdi_projects = { "Dự án FDI", "FDI projects" },
  fdi_capital_usd = { "Vốn FDI", "FDI capital" },
  fdi_capital_vnd = { "Vốn FDI (quy ra VND)", "FDI capital (in VND)" },
  domestic_projects = { "Dự án trong nước", "Domestic projects" },
  domestic_capital_vnd = { "Vốn trong nước", "Domestic capital" },
  domestic_capital_usd = { "Vốn trong nước (quy ra USD)", "Domestic capital (in USD)" },
  disbursed_usd = { "Vốn thực hiện (quy ra USD)", "Disbursed capital (in USD)" },
  disbursed_vnd = { "Vốn thực hiện (quy ra VND)", "Disbursed capital (in VND)" },
  disbursement_rate = { "Tỷ lệ vốn thực hiện", "Disbursement rate" },
  fdi_disbursement_rate = { "Tỷ lệ vốn thực hiện FDI", "FDI disbursement rate" },
  domestic_disbursement_rate = { "Tỷ lệ vốn thực hiện trong nước", "Domestic disbursement rate" },
  fdi_share = { "Tỷ trọng vốn FDI", "FDI share of capital" },
  operating_projects = { "Dự án đang hoạt động", "Operating projects" },
  operating_share = { "Tỷ lệ dự án đang hoạt động", "Share of projects operating" },
  industrial_production_projects = { "Dự án sản xuất công nghiệp", "Industrial production projects" },
  fdi_industrial_production = { "Vốn FDI vào sản xuất công nghiệp từ 2021", "FDI into industrial production since 2021" },
  employees = { "Lao động", "Employees" },
  projects_without_usd = { "Dự án chưa quy ra USD", "Projects without capital in USD" },
  capital_per_project = { "Vốn bình quân/dự án", "Capital per project" },
  fdi_capital_per_project = { "Vốn FDI bình quân/dự án", "FDI capital per project" },
  zones_established = { "KKT, KCN đã thành lập", "KKT and KCN established" },
  zones_operating = { "KKT, KCN đang hoạt động", "KKT and KCN operating" },
  kcn_established = { "KCN đã thành lập", "KCN established" },
  kcn_operating = { "KCN đang hoạt động", "KCN operating" },
  kcn_natural_area_ha = { "Diện tích KCN", "KCN area" },
  kkt_natural_area_ha = { "Diện tích KKT", "KKT area" },
  industrial_land_ha = { "Đất công nghiệp", "Industrial land" },
  leased_land_ha = { "Đất đã cho thuê", "Leased land" },
  remaining_land_ha = { "Đất còn lại", "Land still to lease" },
  occupancy = { "Tỷ lệ lấp đầy", "Occupancy" },
  capital_per_ha = { "Vốn/ha đất công nghiệp", "Capital per ha of industrial land" },
  employees_per_ha = { "Lao động/ha đất công nghiệp", "Employees per ha of industrial land" },
  natural_area_ha = { "Diện tích", "Area" },
  eco_status = { "KCN sinh thái", "Eco-industrial park" },
  kind = { "Loại", "Kind" },
  status = { "Tình trạng", "Status" },
  -- flows of a period (zonestat.flows)
  fdi_projects_new = { "Dự án FDI cấp mới", "New FDI projects" },
  fdi_capital_new = { "Vốn FDI cấp mới", "FDI capital of new projects" },
  fdi_capital_new_vnd = { "Vốn FDI cấp mới (quy ra VND)", "FDI capital of new projects (in VND)" },
  fdi_increases = { "Lượt dự án FDI tăng vốn", "FDI capital increases" },
  fdi_capital_increase = { "Vốn FDI tăng thêm", "FDI capital added" },
  fdi_capital_increase_vnd = { "Vốn FDI tăng thêm (quy ra VND)", "FDI capital added (in VND)" },
  fdi_share_purchases = { "Lượt góp vốn, mua cổ phần", "Share purchases" },
  fdi_share_purchase = { "Vốn góp vốn, mua cổ phần", "Capital of share purchases" },
  fdi_share_purchase_vnd = { "Vốn góp vốn, mua cổ phần (quy ra VND)", "Capital of share purchases (in VND)" },
  fdi_attracted = { "Tổng vốn FDI thu hút", "FDI attracted" },
  fdi_attracted_vnd = { "Tổng vốn FDI thu hút (quy ra VND)", "FDI attracted (in VND)" },
  fdi_decreases = { "Lượt dự án FDI giảm vốn", "FDI capital decreases" },
  fdi_capital_decrease = { "Vốn FDI giảm", "FDI capital withdrawn" },
  fdi_terminations = { "Dự án FDI chấm dứt hoạt động", "FDI projects terminated" },
  fdi_capital_terminated = { "Vốn của dự án FDI chấm dứt", "Capital of FDI projects terminated" },
  domestic_projects_new = { "Dự án trong nước cấp mới", "New domestic projects" },
  domestic_capital_new = { "Vốn trong nước cấp mới", "Domestic capital of new projects" },
  domestic_capital_new_usd = { "Vốn trong nước cấp mới (quy ra USD)", "Domestic capital of new projects (in USD)" },
  domestic_increases = { "Lượt dự án trong nước tăng vốn", "Domestic capital increases" },
  domestic_capital_increase = { "Vốn trong nước tăng thêm", "Domestic capital added" },
  domestic_capital_increase_usd = { "Vốn trong nước tăng thêm (quy ra USD)", "Domestic capital added (in USD)" },
  domestic_attracted = { "Tổng vốn trong nước thu hút", "Domestic capital attracted" },
  domestic_attracted_usd = { "Tổng vốn trong nước thu hút (quy ra USD)", "Domestic capital attracted (in USD)" },
  domestic_decreases = { "Lượt dự án trong nước giảm vốn", "Domestic capital decreases" },
  domestic_capital_decrease = { "Vốn trong nước giảm", "Domestic capital withdrawn" },
  domestic_terminations = { "Dự án trong nước chấm dứt hoạt động", "Domestic projects terminated" },
  domestic_capital_terminated = { "Vốn của dự án trong nước chấm dứt", "Capital of domestic projects terminated" },
  projects_new = { "Tổng số dự án cấp mới", "New projects" },
  attracted = { "Tổng vốn thu hút (quy ra USD)", "Capital attracted (in USD)" },
  attracted_vnd = { "Tổng vốn thu hút (quy ra VND)", "Capital attracted (in VND)" },
}

--- indicator → {vi, en}: what is counted, over what, as of when
M.DEFINITIONS = {
  projects = { "dự án còn hiệu lực: được cấp phép đến ngày báo cáo và chưa chấm dứt, ở các khu của địa bàn " ..
    "(KKT gồm các KCN bên trong)",
    "valid projects: licensed by the report date and not terminated, in the entity's zones (a KKT includes the KCN " ..
    "inside it)" },
  capital_usd = { "vốn đăng ký đến ngày báo cáo (cấp mới + tăng − giảm vốn); vốn VND quy ra USD theo tỷ giá " ..
    "bình quân của năm từng lần cấp mới, tăng, giảm vốn",
    "registered capital at the report date (licences + increases − decreases); VND converted at the annual " ..
    "average rate of each event's year" },
  capital_vnd = { "vốn đăng ký đến ngày báo cáo; vốn USD quy ra VND theo tỷ giá bình quân của năm từng lần " ..
    "cấp mới, tăng, giảm vốn", "registered capital at the report date; USD converted at the annual average rate of " ..
    "each event's year" },
  fdi_capital_vnd = { "vốn đăng ký của các dự án FDI, quy ra VND", "registered capital of FDI projects, in VND" },
  domestic_capital_vnd = { "vốn đăng ký của các dự án trong nước", "registered capital of domestic projects" },
  disbursed_usd = { "vốn thực hiện lũy kế của các dự án có số liệu, quy đổi theo cùng tỷ giá với vốn đăng ký " ..
    "của dự án", "disbursed capital of the projects with a figure, converted at the rate of their registered capital" },
  disbursed_vnd = { "như trên, quy ra VND", "the same, in VND" },
  disbursement_rate = { "vốn thực hiện / vốn đăng ký (quy ra USD), trên các dự án có số liệu vốn thực hiện",
    "disbursed / registered capital (in USD), over the projects with a disbursed figure" },
  fdi_disbursement_rate = { "như trên, các dự án FDI (USD)", "the same, FDI projects (USD)" },
  domestic_disbursement_rate = { "như trên, các dự án trong nước (VND)", "the same, domestic projects (VND)" },
  fdi_projects = { "dự án có vốn đầu tư nước ngoài", "foreign-invested projects" },
  fdi_capital_usd = { "vốn đăng ký của các dự án FDI", "registered capital of FDI projects" },
  domestic_projects = { "dự án đầu tư trong nước", "domestic projects" },
  domestic_capital_usd = { "vốn đăng ký của các dự án trong nước", "registered capital of domestic projects" },
  fdi_share = { "vốn FDI / tổng vốn đăng ký", "FDI capital / all registered capital" },
  operating_projects = { "dự án có tình trạng đang hoạt động", "projects with status operating" },
  operating_share = { "dự án đang hoạt động / số dự án", "operating projects / projects" },
  industrial_production_projects = { "dự án sản xuất công nghiệp đang hoạt động",
    "operating industrial-production projects" },
  fdi_industrial_production = { "vốn cấp mới và tăng thêm của các dự án FDI sản xuất công nghiệp từ 01/01/2021 " ..
    "đến ngày báo cáo", "capital of new licences and increases of FDI industrial-production projects from " ..
    "2021-01-01 to the report date" },
  employees = { "lao động của các dự án", "employees of the projects" },
  capital_per_project = { "vốn đăng ký / số dự án", "registered capital / projects" },
  fdi_capital_per_project = { "vốn FDI / số dự án FDI", "FDI capital / FDI projects" },
  zones_established = { "KKT và KCN đã thành lập (hoặc đang hoạt động) đến ngày báo cáo",
    "KKT and KCN established (or operating) by the report date" },
  kcn_established = { "KCN đã thành lập (hoặc đang hoạt động)", "KCN established (or operating)" },
  kcn_operating = { "KCN đang hoạt động", "KCN operating" },
  kcn_natural_area_ha = { "tổng diện tích tự nhiên của các KCN có số liệu", "natural area of the KCN with a figure" },
  kkt_natural_area_ha = { "diện tích tự nhiên của KKT", "natural area of the KKT" },
  industrial_land_ha = { "đất công nghiệp của các KCN có cả số liệu đất công nghiệp và đất đã cho thuê",
    "industrial land of the KCN with industrial and leased land figures" },
  leased_land_ha = { "đất công nghiệp đã cho thuê của các KCN đó", "leased industrial land of those KCN" },
  occupancy = { "đất đã cho thuê / đất công nghiệp, trên các KCN có đủ hai số liệu",
    "leased / industrial land, over the KCN with both figures" },
  capital_per_ha = { "vốn đăng ký của dự án trong các KCN đó / đất công nghiệp của chúng",
    "registered capital of the projects in those KCN / their industrial land" },
  employees_per_ha = { "lao động của dự án trong các KCN đó / đất công nghiệp của chúng",
    "employees of the projects in those KCN / their industrial land" },
  fdi_attracted = { "vốn cấp mới + vốn tăng thêm + vốn góp vốn, mua cổ phần của nhà đầu tư nước ngoài trong kỳ " ..
    "(góp vốn, mua cổ phần không làm tăng vốn đăng ký)", "new licences + capital increases + share purchases by " ..
    "foreign investors in the period (share purchases do not add to registered capital)" },
  domestic_attracted = { "vốn cấp mới + vốn tăng thêm của dự án trong nước trong kỳ",
    "new licences + capital increases of domestic projects in the period" },
  attracted = { "tổng vốn thu hút (FDI và trong nước), quy ra USD theo tỷ giá bình quân năm của từng lượt",
    "all capital attracted (FDI and domestic), in USD at the annual rate of each event's year" },
  fdi_capital_terminated = { "vốn đăng ký của dự án ngay trước khi chấm dứt", "registered capital just before termination" },
  domestic_capital_terminated = { "vốn đăng ký của dự án ngay trước khi chấm dứt",
    "registered capital just before termination" },
}

--- The name of an indicator in a locale (the key itself when it has none).
-- @tparam string key
-- @tparam string locale "vi" or "en"
function M.name(key, locale)
  local l = M.NAMES[key]
  if not l then return key end
  return locale == "en" and l[2] or l[1]
end

--- The definition of an indicator in a locale, or nil.
-- @tparam string key
-- @tparam string locale
function M.definition(key, locale)
  local d = M.DEFINITIONS[key]
  if not d then return nil end
  return locale == "en" and d[2] or d[1]
end

return M
