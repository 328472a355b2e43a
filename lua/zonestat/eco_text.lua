--- The words of the eco-industrial-park assessment (zonestat.eco) in
-- Vietnamese (the default) and English: statuses, readiness, parties,
-- categories, column headers, reasons and flags.
-- @module zonestat.eco_text

local M = {}

--- The statuses of a criterion, in the order they are counted.
M.STATUSES = { "met", "not met", "threshold unverified", "no data", "not assessable" }

--- The three values of readiness.
M.READINESS = { "ready", "not ready", "cannot be determined" }

local WORDS = {
  vi = {
    status = { ["met"] = "đạt", ["not met"] = "chưa đạt", ["no data"] = "không có số liệu",
      ["threshold unverified"] = "ngưỡng chưa kiểm chứng", ["not assessable"] = "không đánh giá được" },
    readiness = { ["ready"] = "sẵn sàng", ["not ready"] = "chưa sẵn sàng",
      ["cannot be determined"] = "chưa xác định được" },
    indicative = { ["met"] = "tham khảo: đạt", ["not met"] = "tham khảo: chưa đạt",
      ["undecided"] = "tham khảo: chưa rõ" },
    party = { developer = "chủ đầu tư hạ tầng", enterprise = "doanh nghiệp", park = "khu công nghiệp" },
    category = { park_management = "quản lý khu", environmental = "môi trường", social = "xã hội",
      economic = "kinh tế", [""] = "chưa xếp nhóm" },
    yes = "có", no = "không",
  },
  en = {
    status = { ["met"] = "met", ["not met"] = "not met", ["no data"] = "no data",
      ["threshold unverified"] = "threshold unverified", ["not assessable"] = "not assessable" },
    readiness = { ["ready"] = "ready", ["not ready"] = "not ready", ["cannot be determined"] = "cannot be determined" },
    indicative = { ["met"] = "indicative: met", ["not met"] = "indicative: not met",
      ["undecided"] = "indicative: undecided" },
    party = { developer = "infrastructure developer", enterprise = "enterprises", park = "industrial park" },
    category = { park_management = "park management", environmental = "environmental", social = "social",
      economic = "economic", [""] = "not assigned" },
    yes = "yes", no = "no",
  },
}

-- the messages: key -> {vi, en}
local MSG = {
  -- why a criterion has its status
  criterion_unknown = { "văn bản của tiêu chí chưa được đọc (U): không đánh giá được",
    "the criterion's text was not read (U): it cannot be assessed" },
  no_evidence = { "không có bằng chứng", "no evidence" },
  only_target = { "chỉ có mục tiêu (%s), chưa có giá trị thực tế", "only a target (%s), no actual value" },
  only_later = { "bằng chứng đều sau ngày đánh giá %s", "all evidence is dated after the assessment date %s" },
  synthetic_only = { "chỉ có dữ liệu giả lập: kết quả chỉ để tham khảo", "synthetic evidence only: indicative" },
  inferred_only = { "giá trị chỉ là suy luận (I), chưa được nguồn nêu rõ: kết quả chỉ để tham khảo",
    "the value is only inferred (I), not stated by the source: indicative" },
  bounds = { "giá trị chỉ biết trong khoảng %s, không phân định được so với ngưỡng",
    "the value is only known to lie in %s, which does not decide it against the threshold" },
  unverified = { "ngưỡng chưa kiểm chứng (%s)", "threshold unverified (%s)" },
  no_threshold = { "chưa biết ngưỡng", "no threshold is known" },
  why_text = { "văn bản %s", "text %s" },
  why_threshold = { "cách hiểu ngưỡng %s", "threshold reading %s" },
  why_confidence = { "nguồn mức %s", "source level %s" },
  compared = { "%s so với ngưỡng %s", "%s against %s" },
  -- flags of the evidence used
  flag_undated = { "không ghi ngày", "undated" },
  flag_low = { "bằng chứng độ tin cậy thấp (L)", "low-confidence evidence (L)" },
  flag_approx = { "giá trị xấp xỉ", "approximate value" },
  flag_synthetic = { "giả lập", "synthetic" },
  flag_inferred = { "suy luận (I)", "inferred (I)" },
  flag_assumed_all = { "giả định các dòng doanh nghiệp là toàn bộ doanh nghiệp trong khu",
    "assumed: the enterprise rows are every enterprise of the park" },
  flag_coverage = { "%d/%d doanh nghiệp có số liệu", "%d/%d enterprises with data" },
  flag_later = { "%d dòng sau ngày đánh giá không tính", "%d row(s) dated after the assessment date left out" },
  flag_undated_rows = { "%d dòng không ghi ngày", "%d undated row(s)" },
  enterprise_rows = { "%d dòng doanh nghiệp", "%d enterprise row(s)" },
  -- readiness
  reason_not_met = { "%s: chưa đạt (%s)", "%s: not met (%s)" },
  reason_other = { "%s: %s (%s)", "%s: %s (%s)" },
  reason_all_met = { "mọi tiêu chí của %s đều đạt, với ngưỡng nguyên văn từ nguồn mức H hoặc M",
    "every criterion of %s is met, against verbatim thresholds from sources of level H or M" },
  target_text = { "%s vào năm %d", "%s by %d" },
  target_undated = { "%s vào năm %d (không ghi ngày)", "%s by %d (undated)" },
  -- errors of the API
  unknown_park = { "không có bằng chứng về khu '%s' (các khu có bằng chứng: %s)",
    "no evidence on the park '%s' (parks with evidence: %s)" },
  group_park = { "%s là một nhóm khu: bằng chứng của nhóm chỉ là bối cảnh cho các khu thành viên (%s): hãy đánh giá " ..
    "một khu thành viên", "%s is a group of parks: its evidence is context for its members (%s): assess a member" },
  unknown_framework = { "không có bộ tiêu chí '%s' (các bộ: %s)", "no framework '%s' (frameworks: %s)" },
  several_parks = { "bằng chứng có nhiều khu (%s): hãy nêu park", "the evidence covers several parks (%s): give park" },
  bad_date = { "'%s' không phải là ngày: hãy viết yyyy-mm-dd", "'%s' is not a date: write yyyy-mm-dd" },
  no_parks = { "bằng chứng không có khu nào", "the evidence names no park" },
  -- notes of an assessment
  note_synthetic = { "Dòng doanh nghiệp GIẢ LẬP (GL), không phải doanh nghiệp thật: các tỷ lệ tính từ chúng chỉ để " ..
    "minh họa cách tính và không bao giờ làm một tiêu chí đạt hay chưa đạt.", "The enterprise rows are SYNTHETIC (S), " ..
    "no real enterprise: the shares computed from them only show how they are computed and never make a criterion " ..
    "met or not met." },
  note_context = { "%d thông tin của %s (cả cụm) chỉ là bối cảnh: không quyết định tiêu chí nào của khu này.",
    "%d fact(s) on %s (the whole cluster) are context only: they decide no criterion of this park." },
  note_targets = { "Mục tiêu (như %s) là một loại bằng chứng riêng, không bao giờ làm tiêu chí đạt.",
    "A target (such as %s) is evidence of its own kind and never makes a criterion met." },
  note_undated = { "%d bằng chứng không ghi ngày được dùng và được đánh dấu.", "%d undated piece(s) of evidence are " ..
    "used and flagged." },
}

--- A word of a kind in a locale (`word("vi", "status", "met")` → "đạt").
-- @tparam string locale "vi" or "en"
-- @tparam string kind "status", "readiness", "indicative", "party" or "category"
-- @tparam ?string key
-- @treturn string
function M.word(locale, kind, key)
  local w = (WORDS[locale] or WORDS.vi)[kind]
  if key == nil or key == "" then key = "" end
  return (w and w[key]) or key
end

--- "có"/"không" (vi) or "yes"/"no" (en).
-- @tparam string locale
-- @tparam boolean b
function M.yesno(locale, b)
  local w = WORDS[locale] or WORDS.vi
  return b and w.yes or w.no
end

--- A message in a locale, formatted with `string.format`.
-- @tparam string locale "vi" or "en"
-- @tparam string key
-- @param ... values for the message's format
-- @treturn string
function M.text(locale, key, ...)
  local pair = MSG[key]
  if not pair then error("eco_text: no message '" .. tostring(key) .. "'", 2) end
  local s = pair[locale == "en" and 2 or 1]
  if select("#", ...) > 0 then return string.format(s, ...) end
  return s
end

--- The locale of options: "vi" unless `locale = "en"` (raises on another value).
-- @tparam ?string locale
-- @tparam string fname the calling function, for the error
function M.locale(locale, fname)
  if locale == nil then return "vi" end
  if locale ~= "vi" and locale ~= "en" then error(fname .. ": locale must be 'vi' or 'en'", 3) end
  return locale
end

return M
