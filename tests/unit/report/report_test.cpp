// core/report: the one escaping function, the SVG charts' marks, and the
// stats report page fed with hostile names (HR files are not trusted input).
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <set>
#include <string>

#include "core/report/html.hpp"
#include "core/report/plan_page.hpp"
#include "core/report/stats_report.hpp"

using namespace daoctl;
using namespace daoctl::report;

namespace {

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Names an HR file could hold: markup, quotes, entities, a closing </svg>,
// right-to-left and Cyrillic text, a control character, broken UTF-8.
const std::vector<std::string> kHostile = {
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "' onmouseover='alert(3)",
    "R&D &amp; Co </svg><script>alert(4)</script>",
    "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xD7\xA2\xD7\x95\xD7\x9C\xD7\x9D",             // Hebrew (RTL)
    "\xD0\x9E\xD1\x82\xD0\xB4\xD0\xB5\xD0\xBB \xD0\xBF\xD1\x80\xD0\xBE\xD0\xB4\xD0\xB0\xD0\xB6",  // Cyrillic
    "tab\tnul\x01 broken\xC3( end",
};

// The hostile text must never come out as markup. Every '<' of the page
// opens a tag; every tag and attribute is one daoctl writes (an allowlist),
// so no element or event handler the input carried can exist.
void check_inert(const std::string& page) {
  static const std::set<std::string> tags = {
      "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "dl", "dt", "dd", "section",
      "div", "p", "table", "caption", "thead", "tbody", "tr", "th", "td", "svg", "line", "text", "path", "circle",
      "rect", "g", "span", "i", "code", "bdi", "footer", "pre", "ul", "li", "strong"};
  static const std::set<std::string> attributes = {
      "lang", "charset", "http-equiv", "content", "name", "class", "id", "role", "viewBox", "width", "height",
      "aria-label", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "d", "text-anchor", "transform", "scope",
      "data-mark"};
  static const std::regex tag_re(R"(<(/?)([!A-Za-z0-9]+)([^<>]*)>)");
  static const std::regex attribute_re(R"re(\s([A-Za-z-]+)(="[^"]*")?)re");
  const auto style_end = page.find("</style>");
  REQUIRE(style_end != std::string::npos);
  std::string text_only;
  std::size_t last = 0, seen = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), tag_re); it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    const auto at = static_cast<std::size_t>(m.position(0));
    text_only += page.substr(last, at - last);
    last = at + static_cast<std::size_t>(m.length(0));
    ++seen;
    INFO("tag: " << m.str(0).substr(0, 200));
    CHECK(tags.count(m[2].str()) == 1);
    if (m[2].str() == "!DOCTYPE") {
      CHECK(m[3].str() == " html");
      continue;
    }
    const auto rest = m[3].str();
    for (auto a = std::sregex_iterator(rest.begin(), rest.end(), attribute_re); a != std::sregex_iterator(); ++a)
      CHECK(attributes.count((*a)[1].str()) == 1);
  }
  text_only += page.substr(last);
  CHECK(seen > 50);
  // Outside tags no '<' or '>' is left (the style sheet has neither).
  CHECK(text_only.find('<') == std::string::npos);
  CHECK(text_only.find('>') == std::string::npos);
  CHECK(count_of(page, "<svg") == count_of(page, "</svg>"));
  CHECK(count_of(page, "<table") == count_of(page, "</table>"));
  CHECK(page.find('\x01') == std::string::npos);
  CHECK(page.find("\xC3(") == std::string::npos);
  // No request of any kind: no URL-bearing attribute or CSS import.
  const auto l = lower(page);
  CHECK(count_of(l, "url(") == 0);
  CHECK(count_of(l, "@import") == 0);
}

}  // namespace

TEST_CASE("escape: markup, quotes, entities, controls and broken UTF-8") {
  CHECK(escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  CHECK(escape("&amp;") == "&amp;amp;");
  CHECK(escape("a\tb\nc") == "a\tb\nc");
  CHECK(escape(std::string("a\0b", 3)) == "a\xEF\xBF\xBD" "b");
  CHECK(escape("x\x7Fy") == "x\xEF\xBF\xBDy");
  CHECK(escape("\xC3(") == "\xEF\xBF\xBD(");                     // a lead byte without its continuation
  CHECK(escape("\xE0\x80\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  CHECK(escape("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a UTF-16 surrogate
  CHECK(escape("\xC2\x85") == "\xEF\xBF\xBD\xEF\xBF\xBD");                   // C1 control NEL
  CHECK(escape(kHostile[4]) == kHostile[4]);  // Hebrew kept as is
  CHECK(escape(kHostile[5]) == kHostile[5]);  // Cyrillic kept as is
  CHECK(escape("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");  // U+1F600
  CHECK(user_text("\xD7\xA9<") == "<bdi>\xD7\xA9&lt;</bdi>");
}

TEST_CASE("numbers and changes as the page shows them") {
  CHECK(format_int(0) == "0");
  CHECK(format_int(999) == "999");
  CHECK(format_int(1000) == "1,000");
  CHECK(format_int(-1234567) == "-1,234,567");
  CHECK(format_int(INT64_MIN) == "-9,223,372,036,854,775,808");
  CHECK(format_decimal(12.25, 1) == "12.2");  // round half to even of the binary value
  CHECK(format_change(110, 100) == "+10.0 %");
  CHECK(format_change(90, 100) == "-10.0 %");
  CHECK(format_change(5, 0) == "new");
  CHECK(format_change(0, 0) == "0.0 %");
}

TEST_CASE("periods touched by a range: days, ISO weeks, calendar months") {
  using stats::Granularity;
  const auto jan1 = stats::days_from_civil(2025, 1, 1);   // a Wednesday, in 2025-W01
  const auto mar2 = stats::days_from_civil(2025, 3, 2);   // exclusive: the last day is Saturday 1 March
  CHECK(periods_in(Granularity::Day, jan1, mar2) == 60);
  CHECK(periods_in(Granularity::Week, jan1, mar2) == 9);
  CHECK(periods_in(Granularity::Month, jan1, mar2) == 3);
  CHECK(periods_in(Granularity::Month, stats::days_from_civil(2024, 12, 31), stats::days_from_civil(2025, 1, 2)) == 2);
  CHECK(periods_in(Granularity::Week, jan1, jan1) == 0);
  // The activity endpoint widens a range to whole UTC days.
  auto days = activity_days({stats::days_from_civil(2025, 1, 1) * 86400 + 3600, stats::days_from_civil(2025, 1, 3) * 86400 + 1});
  CHECK(days.from_day == jan1);
  CHECK(days.to_day == jan1 + 3);
}

TEST_CASE("charts draw one data-mark per data point") {
  LineChart line;
  line.labels = {"2025-W01", "2025-W02", "2025-W03"};
  line.series = {{"a", {1, std::nullopt, 3}}, {"b", {0, 0, 0}}};
  std::string out;
  append_line_chart(out, line);
  CHECK(line_chart_marks(line) == 5);
  CHECK(count_of(out, "data-mark") == 5);
  CHECK(count_of(out, "<path") == 2);

  BarChart bars;
  bars.bars = {{"x", 0.5, "50 %"}, {"no members", std::nullopt, "-"}, {"y", 2.0, "200 %"}};
  out.clear();
  append_bar_chart(out, bars);
  CHECK(bar_chart_marks(bars) == 2);
  CHECK(count_of(out, "data-mark") == 2);

  HeatMap map;
  map.row_labels = {"r1", "r2"};
  map.column_labels = {"c1", "c2", "c3"};
  map.cells = {{HeatCell{1, 0.1}, std::nullopt, HeatCell{3, 1.7}}, {std::nullopt, HeatCell{0, 0}, std::nullopt}};
  out.clear();
  append_heat_map(out, map);
  CHECK(heat_map_marks(map) == 3);
  CHECK(count_of(out, "data-mark") == 3);
  CHECK(count_of(out, "class=\"h7\"") == 1);  // a level above 1 is clamped to the darkest step
}

namespace {

StatsReportMeta meta_for_test() {
  StatsReportMeta meta;
  meta.range = {stats::days_from_civil(2025, 1, 1) * 86400, stats::days_from_civil(2025, 3, 2) * 86400};
  meta.previous_range = {2 * meta.range.from - meta.range.to, meta.range.from};
  meta.granularity = stats::Granularity::Week;
  meta.by_department = true;
  meta.generated_at = "2026-12-06T18:00:00Z";
  meta.platform_url = "https://intranet.example/<script>";
  return meta;
}

}  // namespace

TEST_CASE("the stats report page: hostile names through every section stay text") {
  StatsAggregates data;
  const std::vector<std::string> weeks = {"2025-W01", "2025-W02", "2025-W03"};
  for (std::size_t w = 0; w < weeks.size(); ++w) data.add_period(weeks[w], {10 + std::int64_t(w), 1, 2, 3, 4, 5});
  std::size_t cells = 0;
  for (std::size_t i = 0; i < kHostile.size(); ++i) {
    const auto id = std::to_string(i + 1);
    data.add_department(id, "Company/" + kHostile[i], 10);
    for (std::size_t w = 0; w <= i % weeks.size(); ++w, ++cells) data.add_department_cell(id, "Company/" + kHostile[i], weeks[w], 3);
    data.add_event({"e" + id, kHostile[i], "2025-01-0" + std::to_string(i + 1) + "T10:00:00Z", 10, 4, 3, 2, 1});
    data.add_community({"c" + id, kHostile[i], std::int64_t(i)});
  }
  data.add_department_cell(std::nullopt, std::nullopt, "2025-W02", 2);                  // users without a department
  data.add_department_cell(std::string("99"), std::nullopt, "2025-W03", 1);             // a deleted department
  cells += 2;
  data.set_departments_read(true);
  data.set_communities_read(true);
  data.add_day({100, 10, 20, 30, 40, 50}, false);
  data.add_day({50, 5, 10, 15, 20, 25}, true);

  const auto page = render_stats_report(data, meta_for_test());
  check_inert(page);
  for (const auto& name : kHostile) {
    INFO(name);
    if (name.find_first_of("<>\"'&\x01\xC3") == std::string::npos) CHECK(page.find(name) != std::string::npos);
  }
  CHECK(page.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(page.find("&lt;/svg&gt;&lt;script&gt;alert(4)") != std::string::npos);
  CHECK(page.find("<bdi>Company/\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D") != std::string::npos);
  CHECK(page.find("(no department)") != std::string::npos);
  CHECK(page.find("(deleted department 99)") != std::string::npos);
  CHECK(page.find("https://intranet.example/&lt;script&gt;") != std::string::npos);
  CHECK(page.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">") !=
        std::string::npos);
  CHECK(page.find("@page{size:A4") != std::string::npos);
  CHECK(page.find("prefers-color-scheme:dark") != std::string::npos);
  // Marks: 3 active-user points, 9 content points, bars for the departments
  // with members (the 7 named ones), every cell, 5 funnel stages, 7 communities.
  CHECK(count_of(page, "data-mark") == 3 + 9 + kHostile.size() + cells + 5 + kHostile.size());
  CHECK(page.find("+100.0 %") != std::string::npos);  // posts 20 against 10
}

namespace {
// The <section id="badges"> of a page.
std::string badges_section(const std::string& page) {
  const auto at = page.find("<section id=\"badges\">");
  if (at == std::string::npos) return {};
  return page.substr(at, page.find("</section>", at) + 10 - at);
}
}  // namespace

TEST_CASE("badges awarded: hostile badge names stay text, a deleted badge counts, one bar per badge") {
  StatsAggregates data;
  // Rows as /stats/awards gives them: per (period, badge), a badge in several periods.
  for (std::size_t i = 0; i < kHostile.size(); ++i) {
    data.add_awards(std::to_string(i + 1), kHostile[i], std::int64_t(i + 1), false);
    data.add_awards(std::to_string(i + 1), kHostile[i], 2, false);  // the next week
  }
  data.add_awards("77", std::nullopt, 4, false);  // a badge deleted since
  data.add_awards("1", kHostile[0], 5, true);     // the previous period
  data.add_awards("77", std::nullopt, 5, true);
  data.set_awards_read(true);
  data.set_communities_read(true);
  const auto page = render_stats_report(data, meta_for_test());
  check_inert(page);
  const auto section = badges_section(page);
  REQUIRE_FALSE(section.empty());
  // 7 named badges + the deleted one: 8 bars, each with its data-mark.
  CHECK(count_of(section, "data-mark") == kHostile.size() + 1);
  CHECK(count_of(section, "<svg") == 1);
  CHECK(section.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(section.find("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;") != std::string::npos);
  CHECK(section.find("&#39; onmouseover=&#39;alert(3)") != std::string::npos);
  CHECK(section.find("<bdi>\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D") != std::string::npos);
  CHECK(section.find("(deleted badge 77)") != std::string::npos);
  // Most awarded first: the last hostile name has 7 + 2.
  CHECK(section.find("tab") < section.find("(deleted badge 77)"));
  // Sum 1..7 + 2 x 7 + 4 = 46 against 10 before: +360.0 %.
  CHECK(section.find("46 badges awarded in this period, 8 different badges") != std::string::npos);
  const auto headline = page.substr(page.find("<section id=\"headline-figures\">"));
  CHECK(headline.find("Badges awarded") != std::string::npos);
  CHECK(headline.find("+360.0 %") != std::string::npos);
  CHECK(page.find("<table id=\"badges-awarded\"") != std::string::npos);
}

TEST_CASE("no badges awarded: the section says so and draws no chart, and unread awards show nothing") {
  StatsAggregates data;
  data.add_awards("3", std::string("Mentor"), 6, true);  // only the previous period had awards
  data.set_awards_read(true);
  auto page = render_stats_report(data, meta_for_test());
  auto section = badges_section(page);
  CHECK(section.find("No badges awarded in this period.") != std::string::npos);
  CHECK(section.find("<svg") == std::string::npos);
  CHECK(section.find("<table") == std::string::npos);
  CHECK(page.find("Badges awarded</") != std::string::npos);
  CHECK(page.find("-100.0 %") != std::string::npos);  // 0 against 6
  StatsAggregates unread;
  page = render_stats_report(unread, meta_for_test());
  CHECK(badges_section(page).empty());
  CHECK(page.find("Badges awarded") == std::string::npos);
}

TEST_CASE("the stats report keeps the top events and communities, not all of them") {
  StatsAggregates data;
  for (int i = 0; i < 1000; ++i) {
    data.add_event({"e" + std::to_string(i), "event " + std::to_string(i), "2025-01-01T00:00:00Z", i % 97, 1, 0, 0, 0});
    data.add_community({std::to_string(i), "c" + std::to_string(i), (i * 37) % 1000});
  }
  auto events = data.top_events();
  REQUIRE(events.size() == StatsAggregates::kTopEvents);
  CHECK(events.front().invited == 96);
  CHECK(std::is_sorted(events.begin(), events.end(), [](auto& a, auto& b) { return a.invited > b.invited; }));
  CHECK(data.event_count() == 1000);
  CHECK(data.event_totals().going == 1000);
  auto communities = data.top_communities();
  REQUIRE(communities.size() == StatsAggregates::kTopCommunities);
  CHECK(communities.front().members == 999);
  CHECK(communities.back().members == 990);
}

TEST_CASE("a report of 200 departments x 52 weeks stays under 1.5 MB") {
  StatsAggregates data;
  std::vector<std::string> weeks;
  for (int w = 1; w <= 52; ++w) weeks.push_back((w < 10 ? "2025-W0" : "2025-W") + std::to_string(w));
  for (const auto& w : weeks) data.add_period(w, {90000, 120000, 3000, 20000, 50000, 400000});
  for (int d = 0; d < 200; ++d) {
    const auto id = std::to_string(1000 + d);
    const auto path = "Company/Division " + std::to_string(d / 10) + "/Department with a long name " + id;
    data.add_department(id, path, 450);
    for (const auto& w : weeks) data.add_department_cell(id, path, w, 400 + d);
  }
  data.set_departments_read(true);
  for (int e = 0; e < 500; ++e) data.add_event({std::to_string(e), "Town hall " + std::to_string(e), "2025-03-01T10:00:00Z", 300, 200, 50, 30, 20});
  data.set_communities_read(true);
  auto meta = meta_for_test();
  meta.range.to = meta.range.from + 364 * 86400;
  const auto page = render_stats_report(data, meta);
  INFO("bytes: " << page.size());
  CHECK(page.size() < 1500 * 1000);
  CHECK(count_of(page, "data-mark") == 52 + 3 * 52 + 200 + 200 * 52 + 5);
}

TEST_CASE("the plan page: counts first, removals first and marked, changes by department, the apply command") {
  using nlohmann::json;
  const json plan = {
      {"job", "nightly<script>"},
      {"target", "platform"},
      {"created_at", "2026-12-06T18:00:00Z"},
      {"hash", "sha256:abc123"},
      {"summary", {{"users", {{"create", 1}, {"update", 2}, {"deactivate", 2}, {"unchanged", 7}}}, {"warnings", 0}}},
      {"users",
       json::array({
           {{"action", "update"}, {"userName", "ivanov.i"}, {"changes", json::array({{{"field", "title"}, {"before", "Dev"}, {"after", "Lead </svg>"}}})}},
           {{"action", "deactivate"}, {"userName", "<script>alert(1)</script>"}, {"reason", "missing from the sources"}, {"changes", json::array()}},
           {{"action", "create"}, {"userName", "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"},
            {"changes", json::array({{{"field", "department"}, {"before", nullptr}, {"after", "Company/\xD0\x9E\xD1\x82\xD0\xB4\xD0\xB5\xD0\xBB & <b>"}}})}},
           {{"action", "deactivate"}, {"userName", "petrov.p"}, {"reason", "dismissed"}, {"changes", json::array()}},
           {{"action", "update"}, {"userName", "sidorov.s"},
            {"changes", json::array({{{"field", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}, {"before", "A"}, {"after", "Company/\xD0\x9E\xD1\x82\xD0\xB4\xD0\xB5\xD0\xBB & <b>"}},
                                     {{"field", "active"}, {"before", false}, {"after", true}}})}},
       })},
      {"departments", json::array({{{"action", "delete"}, {"path", "Company/Old \"one\""}, {"name", "Old"}, {"parent", "Company"}}})},
      {"groups", json::array({{{"action", "remove"}, {"name", "admins"}, {"members", json::array({"9"})}, {"member_userNames", json::array({"x'y"})}}})},
  };
  PlanPageOptions options;
  options.job_file = "jobs/night ly.yaml";
  options.plan_file = "plan.json";
  options.guards_passed = false;
  options.guard_message = "9 deactivations exceed max_deprovisions 5 <b>";
  const auto page = render_plan_page(plan, nullptr, options);
  check_inert(page);
  const auto counts = page.find("id=\"counts\""), guards = page.find("id=\"guards\""),
             removals = page.find("id=\"removals\""), changes = page.find("id=\"changes\""), apply = page.find("id=\"apply\"");
  REQUIRE(counts != std::string::npos);
  CHECK(counts < guards);
  CHECK(guards < removals);
  CHECK(removals < changes);
  CHECK(changes < apply);
  // Both deactivations, the department deletion and the group removal, marked, in the removals section.
  const auto removal_part = page.substr(removals, changes - removals);
  CHECK(count_of(removal_part, "\xE2\x9B\x94") == 4);
  CHECK(removal_part.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(removal_part.find("petrov.p") != std::string::npos);
  CHECK(removal_part.find("Company/Old &quot;one&quot;") != std::string::npos);
  CHECK(removal_part.find("x&#39;y") != std::string::npos);
  // Changes grouped by department: the create and sidorov under the new
  // department; ivanov, whose entry (a plan saved before plans named each
  // user's department) has none, under "no department known".
  const auto change_part = page.substr(changes, apply - changes);
  CHECK(count_of(change_part, "<h3>") == 2);
  CHECK(change_part.find("<h3><bdi>Company/\xD0\x9E\xD1\x82\xD0\xB4\xD0\xB5\xD0\xBB &amp; &lt;b&gt;</bdi> <span class=\"note\">(2 users)</span>") != std::string::npos);
  CHECK(change_part.find("(no department known)") != std::string::npos);
  CHECK(change_part.find("<td><bdi>Dev</bdi></td><td><bdi>\xE2\x86\x92 Lead &lt;/svg&gt;</bdi></td>") != std::string::npos);
  CHECK(change_part.find("<td><bdi>false</bdi></td><td><bdi>\xE2\x86\x92 true</bdi></td>") != std::string::npos);
  CHECK(change_part.find("petrov.p") == std::string::npos);  // deactivations are not repeated
  // Guards refused, with the reason; the exact apply command with the hash.
  CHECK(page.find("<span class=\"badge\">refused</span> 9 deactivations exceed max_deprovisions 5 &lt;b&gt;") != std::string::npos);
  CHECK(page.find("<pre>daoctl sync apply -f &#39;jobs/night ly.yaml&#39; --plan plan.json --allow-deprovision sha256:abc123</pre>") !=
        std::string::npos);
  CHECK(plan_apply_command(plan, options) == "daoctl sync apply -f 'jobs/night ly.yaml' --plan plan.json --allow-deprovision sha256:abc123");
  // Every summary count is in the counts table.
  CHECK(page.find("<td><bdi>users</bdi></td><td><bdi>unchanged</bdi></td><td class=\"n\">7</td>") != std::string::npos);
  CHECK(plan_user_department(plan["users"][4]) == "Company/\xD0\x9E\xD1\x82\xD0\xB4\xD0\xB5\xD0\xBB & <b>");
  CHECK(plan_user_department(plan["users"][0]).empty());
  // A plan that names each user's department groups by it, change or not.
  auto named = plan;
  named["users"][0]["department"] = "Company/IT";
  named["users"][4]["department"] = "Company/Sales";
  CHECK(plan_user_department(named["users"][0]) == "Company/IT");
  CHECK(plan_user_department(named["users"][4]) == "Company/Sales");
}
