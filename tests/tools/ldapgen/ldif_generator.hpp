// A deterministic test directory: N inetOrgPerson employees under ou=People with
// the shapes real directories have and naive code gets wrong — escaped commas in
// RDNs ("cn=Ivanov\, Ivan 000005"), Cyrillic names, filter metacharacters in
// values, multi-valued mail/telephoneNumber, binary jpegPhoto, manager DNs,
// disabled accounts (shadowExpire, optionally pwdAccountLockedTime), and nested
// groupOfNames including a cycle.
//
// Header-only so that the ldapgen tool and the live tests (which check what
// they read back against make_employee) share one definition. Employee i is a
// pure function of (options, i).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace daoctl::ldapgen {

struct GeneratorOptions {
  std::size_t employees = 1000;
  std::string base_dn = "dc=example,dc=com";
  // pwdAccountLockedTime needs the ppolicy overlay in the server config.
  bool ppolicy_locks = false;
  std::size_t photo_every = 10;  // every Nth employee has a jpegPhoto
  std::size_t photo_bytes = 0;   // pad each photo to about this size (0: ~200 bytes; at most 65 KB)
  std::size_t departments = 20;
};

struct Employee {
  std::size_t index = 0;
  std::string dn;
  std::string uid, cn, sn, given_name, display_name, employee_number, department_number, department,
      title;
  std::vector<std::string> mails, phones;
  std::optional<std::string> manager_dn;
  std::optional<std::string> photo;  // raw JPEG bytes
  std::optional<std::string> shadow_expire;
  std::optional<std::string> pwd_account_locked_time;
};

struct Group {
  std::string dn, cn;
  std::vector<std::string> members;  // DNs
};

inline std::string people_dn(const GeneratorOptions& o) { return "ou=People," + o.base_dn; }
inline std::string groups_dn(const GeneratorOptions& o) { return "ou=Groups," + o.base_dn; }

namespace detail {

inline constexpr std::array<std::string_view, 10> kLatinSurnames{
    "Smith",  "Johnson", "Williams", "Brown",  "Jones",
    "Garcia", "Miller",  "Davis",    "Wilson", "Anderson"};
inline constexpr std::array<std::string_view, 10> kLatinGiven{
    "John", "Mary", "Robert", "Linda", "David", "Susan", "James", "Karen", "Peter", "Emma"};
inline constexpr std::array<std::string_view, 10> kCyrillicSurnames{
    "Иванов", "Петрова",  "Сидоров",  "Кузнецова", "Смирнов",
    "Попова", "Васильев", "Новикова", "Фёдоров",   "Морозова"};
inline constexpr std::array<std::string_view, 10> kCyrillicGiven{
    "Иван", "Анна", "Пётр", "Мария", "Дмитрий", "Ольга", "Алексей", "Наталья", "Сергей", "Елена"};
inline constexpr std::array<std::string_view, 8> kDepartments{
    "IT",        "Бухгалтерия",       "Sales", "Отдел кадров",
    "Logistics", "Юридический отдел", "R&D",   "Support"};
inline constexpr std::array<std::string_view, 5> kTitles{"Engineer", "Менеджер", "Analyst",
                                                         "Director", "Специалист"};

// A 2x2 grayscale baseline JPEG made with libjpeg; a COM segment carrying the
// employee number is spliced in after SOI so that every photo is distinct.
inline constexpr unsigned char kTinyJpeg[] = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x50, 0x37, 0x3c, 0x46, 0x3c, 0x32, 0x50,
    0x46, 0x41, 0x46, 0x5a, 0x55, 0x50, 0x5f, 0x78, 0xc8, 0x82, 0x78, 0x6e, 0x6e, 0x78, 0xf5, 0xaf,
    0xb9, 0x91, 0xc8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc0, 0x00, 0x0b, 0x08,
    0x00, 0x02, 0x00, 0x02, 0x01, 0x01, 0x11, 0x00, 0xff, 0xc4, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xc4,
    0x00, 0x18, 0x10, 0x00, 0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0x32, 0x71, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00,
    0x3f, 0x00, 0x54, 0xa2, 0xe4, 0x1f, 0xff, 0xd9};

inline std::string padded(std::size_t i) {
  std::string digits = std::to_string(i);
  return std::string(digits.size() < 6 ? 6 - digits.size() : 0, '0') + digits;
}

inline std::string photo_for(std::size_t i, std::size_t bytes = 0) {
  std::string comment = "employee " + padded(i);
  // A real directory photo is 5-100 KB: the comment carries the padding.
  if (bytes > sizeof(kTinyJpeg) + comment.size() + 4)
    comment.resize(std::min<std::size_t>(bytes - sizeof(kTinyJpeg) - 4, 65533 - 2), '.');
  std::string out(reinterpret_cast<const char*>(kTinyJpeg), 2);
  const std::size_t length = comment.size() + 2;
  out += '\xff';
  out += '\xfe';
  out += static_cast<char>(length >> 8);
  out += static_cast<char>(length & 0xff);
  out += comment;
  out.append(reinterpret_cast<const char*>(kTinyJpeg) + 2, sizeof(kTinyJpeg) - 2);
  return out;
}

// RFC 4514 value escaping for the few characters the generator puts in RDNs.
inline std::string escape_rdn_value(std::string_view v) {
  std::string out;
  for (std::size_t k = 0; k < v.size(); ++k) {
    const char c = v[k];
    if (c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';' ||
        (k == 0 && (c == '#' || c == ' ')) || (k + 1 == v.size() && c == ' '))
      out += '\\';
    out += c;
  }
  return out;
}

inline void base64(std::string& out, std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t(std::uint8_t(in[i])) << 16) |
                            (std::uint32_t(std::uint8_t(in[i + 1])) << 8) | std::uint8_t(in[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    const std::uint32_t n = std::uint32_t(std::uint8_t(in[i])) << 16;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const std::uint32_t n =
        (std::uint32_t(std::uint8_t(in[i])) << 16) | (std::uint32_t(std::uint8_t(in[i + 1])) << 8);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
}

// RFC 2849: a SAFE-STRING is ASCII without NUL/CR/LF, not starting with
// space, ':' or '<', and (for round trips) not ending with a space; anything
// else is written base64 ("attr:: ...").
inline void ldif_line(std::string& out, std::string_view name, std::string_view value) {
  bool safe = value.empty() || (value.front() != ' ' && value.front() != ':' &&
                                value.front() != '<' && value.back() != ' ');
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0 || u == '\n' || u == '\r' || u >= 0x80) {
      safe = false;
      break;
    }
  }
  out += name;
  if (safe) {
    out += ": ";
    out += value;
  } else {
    out += ":: ";
    base64(out, value);
  }
  out += '\n';
}

}  // namespace detail

inline std::string department_name(const GeneratorOptions& o, std::size_t d) {
  const auto& names = detail::kDepartments;
  std::string name(names[d % names.size()]);
  if (d >= names.size()) name += " " + std::to_string(d / names.size() + 1);
  (void)o;
  return name;
}

// The RDN shape depends on i: every 5th employee is named by an escaped cn
// ("cn=Ivanov\, Ivan 000005"), the rest by uid.
inline Employee make_employee(const GeneratorOptions& o, std::size_t i) {
  using namespace detail;
  Employee e;
  e.index = i;
  const bool cyrillic = i % 3 == 0;
  e.sn = std::string(cyrillic ? kCyrillicSurnames[i % 10] : kLatinSurnames[i % 10]);
  e.given_name = std::string(cyrillic ? kCyrillicGiven[(i / 10) % 10] : kLatinGiven[(i / 10) % 10]);
  e.uid = "e" + padded(i);
  e.display_name = e.given_name + " " + e.sn;
  if (i % 50 == 25) {
    // Filter metacharacters in a value: searching for it must be escaped.
    e.cn = "Star*(Paren)\\Back " + padded(i);
  } else if (i % 5 == 0) {
    e.cn = e.sn + ", " + e.given_name + " " + padded(i);
  } else {
    e.cn = e.given_name + " " + e.sn + " " + padded(i);
  }
  e.dn = (i % 5 == 0 && i % 50 != 25 ? "cn=" + escape_rdn_value(e.cn) : "uid=" + e.uid) + "," +
         people_dn(o);
  e.mails = {e.uid + "@corp.example", "alias." + padded(i) + "@corp.example"};
  e.phones = {"+7 495 " + padded(i)};
  if (i % 3 == 1) e.phones.push_back("+7 916 " + padded(i));
  e.employee_number = "E" + padded(i);
  const std::size_t d = i % (o.departments ? o.departments : 1);
  e.department_number = std::to_string(d);
  e.department = department_name(o, d);
  e.title = std::string(kTitles[i % kTitles.size()]);
  if (i > 0) e.manager_dn = make_employee(o, (i - 1) / 8).dn;
  if (o.photo_every > 0 && i % o.photo_every == 0) e.photo = photo_for(i, o.photo_bytes);
  if (i % 97 == 3) e.shadow_expire = "19000";  // 2022-01-08: long expired
  if (o.ppolicy_locks && i % 97 == 5) e.pwd_account_locked_time = "000001010000Z";
  if (o.ppolicy_locks && i % 97 == 7) e.pwd_account_locked_time = "20240101000000Z";
  return e;
}

// Department groups (members: the department's employees), "all-staff"
// (members: the department groups), and cycle-a <-> cycle-b.
inline std::vector<Group> make_groups(const GeneratorOptions& o) {
  std::vector<Group> groups;
  const std::size_t departments = o.departments ? o.departments : 1;
  for (std::size_t d = 0; d < departments; ++d) {
    Group g;
    g.cn = "dept-" + std::to_string(d);
    g.dn = "cn=" + g.cn + "," + groups_dn(o);
    groups.push_back(std::move(g));
  }
  for (std::size_t i = 0; i < o.employees; ++i) {
    groups[i % departments].members.push_back(make_employee(o, i).dn);
  }
  // groupOfNames requires a member; an empty department points at ou=People.
  for (auto& g : groups) {
    if (g.members.empty()) g.members.push_back(people_dn(o));
  }
  Group all{"cn=all-staff," + groups_dn(o), "all-staff", {}};
  for (std::size_t d = 0; d < departments; ++d) all.members.push_back(groups[d].dn);
  groups.push_back(std::move(all));
  const std::string a = "cn=cycle-a," + groups_dn(o), b = "cn=cycle-b," + groups_dn(o);
  groups.push_back(
      Group{a, "cycle-a", {b, o.employees > 0 ? make_employee(o, 0).dn : people_dn(o)}});
  groups.push_back(
      Group{b, "cycle-b", {a, o.employees > 1 ? make_employee(o, 1).dn : people_dn(o)}});
  return groups;
}

inline void append_employee_ldif(std::string& out, const Employee& e) {
  using detail::ldif_line;
  ldif_line(out, "dn", e.dn);
  out +=
      "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: "
      "inetOrgPerson\n";
  if (e.shadow_expire) out += "objectClass: shadowAccount\n";
  ldif_line(out, "uid", e.uid);
  ldif_line(out, "cn", e.cn);
  ldif_line(out, "sn", e.sn);
  ldif_line(out, "givenName", e.given_name);
  ldif_line(out, "displayName", e.display_name);
  for (const auto& m : e.mails) ldif_line(out, "mail", m);
  for (const auto& p : e.phones) ldif_line(out, "telephoneNumber", p);
  ldif_line(out, "employeeNumber", e.employee_number);
  ldif_line(out, "departmentNumber", e.department_number);
  ldif_line(out, "ou", e.department);
  ldif_line(out, "title", e.title);
  if (e.manager_dn) ldif_line(out, "manager", *e.manager_dn);
  if (e.photo) ldif_line(out, "jpegPhoto", *e.photo);
  if (e.shadow_expire) ldif_line(out, "shadowExpire", *e.shadow_expire);
  if (e.pwd_account_locked_time) ldif_line(out, "pwdAccountLockedTime", *e.pwd_account_locked_time);
  out += '\n';
}

// Writes the whole directory (base entry, ou=People, ou=Groups, employees,
// groups) as LDIF. Returns false when writing fails.
inline bool write_ldif(std::FILE* file, const GeneratorOptions& o) {
  std::string out;
  out.reserve(1 << 20);
  const std::string first_dc = [&] {
    const auto eq = o.base_dn.find('=');
    const auto comma = o.base_dn.find(',');
    return o.base_dn.substr(eq + 1,
                            (comma == std::string::npos ? o.base_dn.size() : comma) - eq - 1);
  }();
  detail::ldif_line(out, "dn", o.base_dn);
  out += "objectClass: top\nobjectClass: dcObject\nobjectClass: organization\n";
  detail::ldif_line(out, "dc", first_dc);
  out += "o: Example Corp\n\n";
  detail::ldif_line(out, "dn", people_dn(o));
  out += "objectClass: organizationalUnit\nou: People\n\n";
  detail::ldif_line(out, "dn", groups_dn(o));
  out += "objectClass: organizationalUnit\nou: Groups\n\n";
  auto flush = [&] {
    const bool ok = std::fwrite(out.data(), 1, out.size(), file) == out.size();
    out.clear();
    return ok;
  };
  for (std::size_t i = 0; i < o.employees; ++i) {
    append_employee_ldif(out, make_employee(o, i));
    if (out.size() > (1 << 20) && !flush()) return false;
  }
  for (const auto& g : make_groups(o)) {
    detail::ldif_line(out, "dn", g.dn);
    out += "objectClass: top\nobjectClass: groupOfNames\n";
    detail::ldif_line(out, "cn", g.cn);
    for (const auto& m : g.members) detail::ldif_line(out, "member", m);
    out += '\n';
    if (out.size() > (1 << 20) && !flush()) return false;
  }
  return flush() && std::fflush(file) == 0;
}

}  // namespace daoctl::ldapgen
