--- The user-facing text of the zone layer and the command in Vietnamese
-- (the default) and English: `l10n.text(locale, key, ...)` formats the
-- message `key` of the locale with `string.format`.
-- @module zonestat.l10n

local M = {}

--- The locales there are texts for.
M.LOCALES = { vi = true, en = true }

local TEXT = {
  vi = {
    read_with = "đã đọc %s: %s",
    assumed = "giả định: %s",
    no_file = "không đọc được %s",
    bad_date = "%s: '%s' không phải là ngày: hãy viết yyyy-mm-dd hoặc dd/mm/yyyy",
    no_column = "%s: không có cột '%s' (các cột: %s)",
    not_numeric = "%s: cột '%s' có kiểu %s, không phải số: không tính được %s",
    twice = "%s %s được nêu hai lần",
    by_empty = "--by: hãy nêu tên cột, cách nhau bằng dấu phẩy (--by origin,sector)",
    no_spec = "agg: hãy nêu ít nhất một trong --count, --sum, --mean, --median, --min, --max",
    sqlite_table = "%s là cơ sở dữ liệu SQLite: hãy thêm --table TÊN (các bảng: %s)",
    cannot_load = "không nạp được %s:",
    problems = "%d lỗi",
    give_one = "profile: hãy nêu --province hoặc --zone",
    wrote = "đã ghi %s",
    imported = "đã nhập %s: %d dự án, %d khu; ghi vào %s",
    sep_hint = "%s: tệp có vẻ dùng %s để ngăn cách các trường: hãy thêm --sep '%s'",
    out_exists = "%s: thư mục không rỗng: dùng --force để thay thế",
    internal = "lỗi nội bộ (xin báo lỗi này): %s",
    note = "lưu ý: %s",
    warning = "cảnh báo: %s",
    sniff_title = "Quy ước của %s",
  },
  en = {
    read_with = "read %s: %s",
    assumed = "assumed: %s",
    no_file = "cannot read %s",
    bad_date = "%s: '%s' is not a date: write yyyy-mm-dd or dd/mm/yyyy",
    no_column = "%s: no column named '%s' (columns: %s)",
    not_numeric = "%s: column '%s' is %s, not a number: cannot compute its %s",
    twice = "%s %s given twice",
    by_empty = "--by: give column names separated by commas (--by origin,sector)",
    no_spec = "agg: give at least one of --count, --sum, --mean, --median, --min, --max",
    sqlite_table = "%s is a SQLite database: add --table NAME (tables: %s)",
    cannot_load = "cannot load %s:",
    problems = "%d problems",
    give_one = "profile: give --province or --zone",
    wrote = "wrote %s",
    imported = "imported %s: %d projects, %d zones; wrote %s",
    sep_hint = "%s: the file seems to use %s between fields: add --sep '%s'",
    out_exists = "%s: the folder is not empty: use --force to replace it",
    internal = "internal error (please report it): %s",
    note = "note: %s",
    warning = "warning: %s",
    sniff_title = "Conventions of %s",
  },
}

--- A message in a locale.
-- @tparam string locale "vi" or "en"
-- @tparam string key
-- @param ... values for the message's format
-- @treturn string
function M.text(locale, key, ...)
  local t = TEXT[locale] or TEXT.vi
  local f = t[key] or TEXT.en[key]
  if not f then error("l10n: no text '" .. tostring(key) .. "'", 2) end
  return string.format(f, ...)
end

return M
