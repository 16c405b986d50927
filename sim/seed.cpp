#include "sim/seed.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "sim/scim.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using nlohmann::json;

namespace {

// splitmix64: tiny, portable and fully specified, unlike std:: distributions.
class SeedRandom {
 public:
  explicit SeedRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  template <class T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[below(N)];
  }

 private:
  std::uint64_t state_;
};

struct RussianSurname {
  const char* male;
  const char* female;
};

constexpr RussianSurname kRussianSurnames[] = {
    {"Иванов", "Иванова"},     {"Смирнов", "Смирнова"},   {"Кузнецов", "Кузнецова"},
    {"Попов", "Попова"},       {"Васильев", "Васильева"}, {"Петров", "Петрова"},
    {"Соколов", "Соколова"},   {"Михайлов", "Михайлова"}, {"Новиков", "Новикова"},
    {"Фёдоров", "Фёдорова"},   {"Морозов", "Морозова"},   {"Волков", "Волкова"},
    {"Алексеев", "Алексеева"}, {"Лебедев", "Лебедева"},   {"Семёнов", "Семёнова"},
    {"Егоров", "Егорова"},     {"Павлов", "Павлова"},     {"Козлов", "Козлова"},
    {"Степанов", "Степанова"}, {"Николаев", "Николаева"}, {"Орлов", "Орлова"},
    {"Андреев", "Андреева"},   {"Макаров", "Макарова"},   {"Никитин", "Никитина"},
    {"Захаров", "Захарова"},   {"Зайцев", "Зайцева"},     {"Соловьёв", "Соловьёва"},
    {"Борисов", "Борисова"},   {"Яковлев", "Яковлева"},   {"Григорьев", "Григорьева"},
    {"Романов", "Романова"},   {"Воробьёв", "Воробьёва"}, {"Сергеев", "Сергеева"},
    {"Кузьмин", "Кузьмина"},   {"Фролов", "Фролова"},     {"Александров", "Александрова"},
    {"Дмитриев", "Дмитриева"}, {"Королёв", "Королёва"},   {"Гусев", "Гусева"},
    {"Киселёв", "Киселёва"},   {"Ильин", "Ильина"},       {"Максимов", "Максимова"},
    {"Поляков", "Полякова"},   {"Сорокин", "Сорокина"},   {"Виноградов", "Виноградова"},
    {"Ковалёв", "Ковалёва"},   {"Белов", "Белова"},       {"Медведев", "Медведева"},
    {"Антонов", "Антонова"},   {"Тарасов", "Тарасова"},   {"Жуков", "Жукова"},
    {"Баранов", "Баранова"},   {"Филиппов", "Филиппова"}, {"Комаров", "Комарова"},
    {"Давыдов", "Давыдова"},   {"Беляев", "Беляева"},     {"Герасимов", "Герасимова"},
    {"Богданов", "Богданова"}, {"Осипов", "Осипова"},     {"Сидоров", "Сидорова"},
    {"Матвеев", "Матвеева"},   {"Титов", "Титова"},       {"Марков", "Маркова"},
    {"Миронов", "Миронова"},   {"Крылов", "Крылова"},     {"Куликов", "Куликова"},
    {"Карпов", "Карпова"},     {"Власов", "Власова"},     {"Мельников", "Мельникова"},
    {"Денисов", "Денисова"},   {"Гаврилов", "Гаврилова"}, {"Тихонов", "Тихонова"},
    {"Казаков", "Казакова"},   {"Афанасьев", "Афанасьева"}, {"Данилов", "Данилова"},
    {"Савельев", "Савельева"}, {"Тимофеев", "Тимофеева"}, {"Фомин", "Фомина"},
    {"Чернов", "Чернова"},     {"Абрамов", "Абрамова"},   {"Мартынов", "Мартынова"},
    {"Ефимов", "Ефимова"},     {"Федотов", "Федотова"},   {"Щербаков", "Щербакова"},
    {"Назаров", "Назарова"},   {"Калинин", "Калинина"},   {"Исаев", "Исаева"},
    {"Чернышёв", "Чернышёва"}, {"Быков", "Быкова"},       {"Маслов", "Маслова"},
    {"Родионов", "Родионова"}, {"Коновалов", "Коновалова"}, {"Лазарев", "Лазарева"},
    {"Воронин", "Воронина"},   {"Климов", "Климова"},     {"Филатов", "Филатова"},
    {"Пономарёв", "Пономарёва"}, {"Голубев", "Голубева"}, {"Кудрявцев", "Кудрявцева"},
    {"Прохоров", "Прохорова"}, {"Наумов", "Наумова"},     {"Потапов", "Потапова"},
    {"Журавлёв", "Журавлёва"}, {"Овчинников", "Овчинникова"}, {"Трофимов", "Трофимова"},
    {"Леонов", "Леонова"},     {"Соболев", "Соболева"},   {"Ермаков", "Ермакова"},
    {"Колесников", "Колесникова"}, {"Гончаров", "Гончарова"}, {"Емельянов", "Емельянова"},
    {"Никифоров", "Никифорова"}, {"Грачёв", "Грачёва"},   {"Котов", "Котова"},
    {"Гришин", "Гришина"},     {"Ефремов", "Ефремова"},   {"Архипов", "Архипова"},
    {"Громов", "Громова"},     {"Кириллов", "Кириллова"}, {"Малышев", "Малышева"},
    {"Панов", "Панова"},       {"Моисеев", "Моисеева"},   {"Румянцев", "Румянцева"},
    {"Акимов", "Акимова"},     {"Кондратьев", "Кондратьева"}, {"Бирюков", "Бирюкова"},
    {"Горбунов", "Горбунова"}, {"Анисимов", "Анисимова"}, {"Ерёмин", "Ерёмина"},
    {"Тихомиров", "Тихомирова"}, {"Галкин", "Галкина"},   {"Лукьянов", "Лукьянова"},
    {"Михеев", "Михеева"},     {"Скворцов", "Скворцова"}, {"Юдин", "Юдина"},
    {"Белоусов", "Белоусова"}, {"Нестеров", "Нестерова"}, {"Симонов", "Симонова"},
    {"Прокофьев", "Прокофьева"}, {"Харитонов", "Харитонова"}, {"Князев", "Князева"},
    {"Цветков", "Цветкова"},   {"Левин", "Левина"},       {"Митрофанов", "Митрофанова"},
    {"Воронцов", "Воронцова"}, {"Аксёнов", "Аксёнова"},   {"Софронов", "Софронова"},
    {"Мальцев", "Мальцева"},   {"Логинов", "Логинова"},   {"Горшков", "Горшкова"},
    {"Савин", "Савина"},       {"Краснов", "Краснова"},   {"Майоров", "Майорова"},
    {"Демидов", "Демидова"},   {"Елисеев", "Елисеева"},   {"Рыбаков", "Рыбакова"},
    {"Сафонов", "Сафонова"},   {"Плотников", "Плотникова"}, {"Жданов", "Жданова"},
    {"Ершов", "Ершова"},       {"Лаптев", "Лаптева"},     {"Шубин", "Шубина"}};

struct RussianGiven {
  const char* name;
  const char* patronymic_male;    // son of a father with this name
  const char* patronymic_female;  // daughter
};

constexpr RussianGiven kRussianMale[] = {
    {"Александр", "Александрович", "Александровна"}, {"Сергей", "Сергеевич", "Сергеевна"},
    {"Дмитрий", "Дмитриевич", "Дмитриевна"},         {"Андрей", "Андреевич", "Андреевна"},
    {"Алексей", "Алексеевич", "Алексеевна"},         {"Максим", "Максимович", "Максимовна"},
    {"Евгений", "Евгеньевич", "Евгеньевна"},         {"Иван", "Иванович", "Ивановна"},
    {"Михаил", "Михайлович", "Михайловна"},          {"Артём", "Артёмович", "Артёмовна"},
    {"Николай", "Николаевич", "Николаевна"},         {"Владимир", "Владимирович", "Владимировна"},
    {"Павел", "Павлович", "Павловна"},               {"Роман", "Романович", "Романовна"},
    {"Олег", "Олегович", "Олеговна"},                {"Игорь", "Игоревич", "Игоревна"},
    {"Виктор", "Викторович", "Викторовна"},          {"Юрий", "Юрьевич", "Юрьевна"},
    {"Кирилл", "Кириллович", "Кирилловна"},          {"Денис", "Денисович", "Денисовна"},
    {"Константин", "Константинович", "Константиновна"}, {"Антон", "Антонович", "Антоновна"},
    {"Никита", "Никитич", "Никитична"},              {"Григорий", "Григорьевич", "Григорьевна"},
    {"Пётр", "Петрович", "Петровна"},                {"Василий", "Васильевич", "Васильевна"},
    {"Фёдор", "Фёдорович", "Фёдоровна"},             {"Илья", "Ильич", "Ильинична"},
    {"Егор", "Егорович", "Егоровна"},                {"Тимур", "Тимурович", "Тимуровна"},
    {"Георгий", "Георгиевич", "Георгиевна"},         {"Леонид", "Леонидович", "Леонидовна"}};

constexpr const char* kRussianFemale[] = {
    "Анна",    "Мария",     "Елена",     "Ольга",     "Наталья",   "Татьяна",  "Ирина",
    "Екатерина", "Светлана", "Юлия",     "Анастасия", "Дарья",     "Марина",   "Людмила",
    "Алина",   "Ксения",    "Виктория",  "Валентина", "Галина",    "Надежда",  "Софья",
    "Полина",  "Вера",      "Любовь",    "Алёна",     "Евгения",   "Кристина", "Яна",
    "Вероника", "Маргарита", "Елизавета", "Оксана"};

constexpr const char* kEnglishMale[] = {
    "James", "John",   "Robert",  "Michael", "William", "David",  "Richard", "Joseph",
    "Thomas", "Charles", "Daniel", "Matthew", "Anthony", "Mark",   "Steven",  "Paul",
    "Andrew", "Joshua", "Kevin",  "Brian",   "George",  "Edward", "Oliver",  "Henry",
    "Samuel", "Peter",  "Jack",   "Harry",   "Adam",    "Lucas",  "Ethan",   "Noah"};
constexpr const char* kEnglishFemale[] = {
    "Mary",  "Patricia", "Jennifer", "Linda",  "Elizabeth", "Barbara", "Susan",  "Jessica",
    "Sarah", "Karen",    "Nancy",    "Lisa",   "Betty",     "Margaret", "Sandra", "Ashley",
    "Emily", "Donna",    "Michelle", "Carol",  "Amanda",    "Melissa", "Laura",  "Rebecca",
    "Emma",  "Olivia",   "Sophia",   "Grace",  "Chloe",     "Alice",   "Lucy",   "Hannah"};
constexpr const char* kEnglishSurnames[] = {
    "Smith",   "Johnson", "Williams", "Brown",   "Jones",    "Miller",   "Davis",   "Wilson",
    "Anderson", "Taylor", "Thomas",   "Moore",   "Martin",   "Jackson",  "Thompson", "White",
    "Harris",  "Clark",   "Lewis",    "Robinson", "Walker",  "Young",    "Allen",   "King",
    "Wright",  "Scott",   "Green",    "Baker",   "Adams",    "Nelson",   "Hill",    "Campbell",
    "Mitchell", "Roberts", "Carter",  "Phillips", "Evans",   "Turner",   "Parker",  "Collins",
    "Edwards", "Stewart", "Morris",   "Murphy",  "Cook",     "Rogers",   "Morgan",  "Cooper",
    "Peterson", "Reed",   "Bailey",   "Bell",    "Kelly",    "Howard",   "Ward",    "Cox",
    "Richardson", "Wood", "Watson",   "Brooks",  "Bennett",  "Gray",     "Hughes",  "Price"};

constexpr const char* kTopDepartments[] = {
    "IT", "Sales", "Marketing", "Finance", "HR", "Legal", "Operations", "Customer Support",
    "R&D", "Logistics", "Procurement", "Security"};
constexpr const char* kSubDepartments[] = {
    "Backend", "Frontend", "QA", "DevOps", "Data Platform", "Mobile", "Design", "Analytics",
    "Infrastructure", "Accounting", "Payroll", "Recruiting", "Training", "Regional Sales",
    "Key Accounts", "Partners", "Compliance", "Warehouse", "Fleet", "Helpdesk", "Research",
    "Treasury", "Brand", "Events", "Field Service", "Quality", "Planning", "Internal Audit"};

constexpr const char* kTitles[] = {
    "Software Engineer", "Senior Software Engineer", "QA Engineer", "Product Manager",
    "Project Manager", "Analyst", "Accountant", "HR Business Partner", "Recruiter",
    "Sales Manager", "Account Executive", "Marketing Specialist", "Designer", "Lawyer",
    "Support Engineer", "System Administrator", "Logistics Coordinator", "Buyer",
    "Security Engineer", "Data Scientist", "Office Manager", "Team Lead"};
constexpr const char* kSkills[] = {
    "C++", "Go", "Python", "SQL", "Kubernetes", "Linux", "Excel", "1C", "SAP", "Negotiation",
    "Public speaking", "Project management", "Figma", "Copywriting", "Accounting", "Recruiting",
    "Customer service", "English", "German", "Data analysis", "Security", "Networking",
    "Leadership", "Scrum"};
constexpr const char* kLocations[] = {
    "Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург", "Казань", "Нижний Новгород",
    "Самара", "London", "Berlin", "Remote"};

int days_in_month(int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return days[month - 1];  // February as 28: seed dates never need the 29th
}

std::string random_date(SeedRandom& rng, int first_year, int last_year) {
  int year = first_year + static_cast<int>(rng.below(static_cast<std::size_t>(last_year - first_year + 1)));
  int month = 1 + static_cast<int>(rng.below(12));
  int day = 1 + static_cast<int>(rng.below(static_cast<std::size_t>(days_in_month(month))));
  return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

struct Person {
  std::string given, family, middle, display, user_name_base;
};

Person make_person(SeedRandom& rng, bool russian) {
  Person p;
  bool female = rng.below(2) == 1;
  if (russian) {
    const auto& surname = rng.pick(kRussianSurnames);
    const auto& father = rng.pick(kRussianMale);
    if (female) {
      p.given = rng.pick(kRussianFemale);
      p.family = surname.female;
      p.middle = father.patronymic_female;
    } else {
      p.given = rng.pick(kRussianMale).name;
      p.family = surname.male;
      p.middle = father.patronymic_male;
    }
    p.user_name_base = transliterate(p.family) + "." + transliterate(p.given);
  } else {
    p.given = female ? rng.pick(kEnglishFemale) : rng.pick(kEnglishMale);
    p.family = rng.pick(kEnglishSurnames);
    p.user_name_base = utf8_lower(p.given) + "." + utf8_lower(p.family);
  }
  p.display = p.given + " " + p.family;
  return p;
}

}  // namespace

std::string transliterate(std::string_view text) {
  static const std::unordered_map<std::string, const char*> table = {
      {"а", "a"}, {"б", "b"}, {"в", "v"},  {"г", "g"},  {"д", "d"},    {"е", "e"},  {"ё", "e"},
      {"ж", "zh"}, {"з", "z"}, {"и", "i"}, {"й", "y"},  {"к", "k"},    {"л", "l"},  {"м", "m"},
      {"н", "n"}, {"о", "o"}, {"п", "p"},  {"р", "r"},  {"с", "s"},    {"т", "t"},  {"у", "u"},
      {"ф", "f"}, {"х", "kh"}, {"ц", "ts"}, {"ч", "ch"}, {"ш", "sh"},  {"щ", "shch"}, {"ъ", ""},
      {"ы", "y"}, {"ь", ""},  {"э", "e"},  {"ю", "yu"}, {"я", "ya"}};
  auto lower = utf8_lower(text);
  std::string out;
  for (std::size_t i = 0; i < lower.size();) {
    auto c = static_cast<unsigned char>(lower[i]);
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    auto ch = lower.substr(i, len);
    auto it = table.find(ch);
    if (it != table.end())
      out += it->second;
    else if (len == 1)
      out += ch;
    i += len;
  }
  return out;
}

SeedData generate_seed(const SeedOptions& options) {
  SeedRandom rng(options.seed);
  SeedData data;
  data.timestamp = "2025-01-01T09:00:00Z";
  const std::int64_t user_total = std::max<std::int64_t>(options.users, 0);
  std::int64_t dept_total = options.departments > 0
                                ? options.departments
                                : std::clamp<std::int64_t>(user_total / 50, 1, 2000);

  // Department tree: Company, then top-level divisions, then units up to four levels deep.
  std::vector<int> depth;
  data.departments.push_back(SeedDepartment{1, "Company", std::nullopt, "seed-dept-1", std::nullopt});
  depth.push_back(0);
  std::map<std::pair<std::int64_t, std::string>, int> sibling_names;
  std::vector<std::size_t> parents_pool;  // indexes of departments that may get children
  for (std::int64_t id = 2; id <= dept_total; ++id) {
    std::size_t parent_index;
    std::string name;
    if (id - 2 < static_cast<std::int64_t>(std::size(kTopDepartments))) {
      parent_index = 0;
      name = kTopDepartments[id - 2];
    } else {
      parent_index = parents_pool[rng.below(parents_pool.size())];
      name = rng.pick(kSubDepartments);
    }
    auto parent_id = data.departments[parent_index].id;
    int& seen = sibling_names[{parent_id, name}];
    if (++seen > 1) name += fmt::format(" {}", seen);
    data.departments.push_back(SeedDepartment{id, name, parent_id, fmt::format("seed-dept-{}", id), std::nullopt});
    depth.push_back(depth[parent_index] + 1);
    if (depth.back() < 3) parents_pool.push_back(data.departments.size() - 1);
  }

  // Department of every user; the first user of a department is its head.
  std::vector<std::int64_t> user_department(static_cast<std::size_t>(user_total));
  for (std::int64_t i = 0; i < user_total; ++i) {
    // The first users cover every department once so that each has a head.
    user_department[i] = i < dept_total ? i + 1 : static_cast<std::int64_t>(rng.below(dept_total)) + 1;
  }
  for (std::int64_t i = 0; i < std::min(user_total, dept_total); ++i)
    data.departments[i].head_user_id = i + 1;

  std::vector<Person> people;
  people.reserve(static_cast<std::size_t>(user_total));
  std::unordered_map<std::string, int> taken;
  std::vector<std::string> user_names;
  user_names.reserve(people.capacity());
  for (std::int64_t i = 0; i < user_total; ++i) {
    people.push_back(make_person(rng, i % 2 == 0));
    int& n = taken[people.back().user_name_base];
    ++n;
    user_names.push_back(n == 1 ? people.back().user_name_base
                                : fmt::format("{}{}", people.back().user_name_base, n));
  }

  // Manager of a user: the head of its department, or for a head the head
  // of the nearest ancestor department.
  auto manager_of = [&](std::int64_t user_id) -> std::optional<std::int64_t> {
    std::optional<std::int64_t> at = user_department[user_id - 1];
    while (at) {
      const auto& d = data.departments[*at - 1];
      if (d.head_user_id && *d.head_user_id != user_id) return d.head_user_id;
      at = d.parent_id;
    }
    return std::nullopt;
  };

  data.users.reserve(static_cast<std::size_t>(user_total));
  for (std::int64_t i = 0; i < user_total; ++i) {
    const auto& p = people[i];
    std::int64_t id = i + 1;
    bool russian = i % 2 == 0;
    auto dept = user_department[i];
    json doc = {
        {"userName", user_names[i]},
        {"externalId", fmt::format("seed-{}", id)},
        {"name", {{"givenName", p.given}, {"familyName", p.family}, {"formatted", p.display}}},
        {"displayName", p.display},
        {"title", rng.pick(kTitles)},
        {"active", rng.below(100) >= 3},
        {"emails", json::array({{{"value", user_names[i] + "@corp.example"}, {"type", "work"}, {"primary", true}}})},
        {"phoneNumbers", json::array({{{"value", fmt::format("+7 495 {:03} {:02} {:02}", rng.below(1000),
                                                             rng.below(100), rng.below(100))},
                                       {"type", "work"}}})},
        {"preferredLanguage", russian ? "ru-RU" : "en-US"},
    };
    if (russian) doc["name"]["middleName"] = p.middle;
    json enterprise = {{"employeeNumber", fmt::format("E{:06}", id)},
                       {"department", data.departments[dept - 1].name},
                       {"organization", "DaOffice Demo LLC"}};
    if (auto m = manager_of(id))
      enterprise["manager"] = {{"value", std::to_string(*m)}, {"displayName", people[*m - 1].display}};
    doc[scim::kEnterpriseSchema] = std::move(enterprise);
    json skills = json::array();
    auto skill_count = 1 + rng.below(4);
    for (std::size_t s = 0; s < skill_count; ++s) {
      std::string skill = rng.pick(kSkills);
      if (std::find(skills.begin(), skills.end(), skill) == skills.end()) skills.push_back(skill);
    }
    doc[scim::kProfileSchema] = {{"skills", std::move(skills)},
                                 {"location", rng.pick(kLocations)},
                                 {"birthday", random_date(rng, 1965, 2003)},
                                 {"hireDate", random_date(rng, 2008, 2024)},
                                 {"departmentId", std::to_string(dept)}};
    auto record = scim::user_record(std::move(doc));
    // The generator only builds valid documents; a failure here is a bug.
    if (!record) throw std::logic_error("seed built an invalid user: " + record.error().detail);
    data.users.push_back(std::move(*record));
  }

  // A few groups of useful shapes: tiny, medium, and "every department head".
  auto add_group = [&](std::string name, std::vector<std::int64_t> members) {
    auto id = static_cast<std::int64_t>(data.groups.size()) + 1;
    data.groups.push_back(SeedGroup{id, std::move(name), fmt::format("seed-group-{}", id), std::move(members)});
  };
  std::vector<std::int64_t> admins, editors, heads, moscow;
  for (std::int64_t id = 1; id <= std::min<std::int64_t>(user_total, 5); ++id) admins.push_back(id);
  for (std::int64_t id = 1; id <= user_total && editors.size() < 20; id += 7) editors.push_back(id);
  for (const auto& d : data.departments)
    if (d.head_user_id && heads.size() < 1000) heads.push_back(*d.head_user_id);
  std::sort(heads.begin(), heads.end());
  heads.erase(std::unique(heads.begin(), heads.end()), heads.end());
  for (std::int64_t id = 1; id <= user_total && moscow.size() < 1000; ++id)
    if (data.users[id - 1].body.find("\"location\":\"Москва\"") != std::string::npos) moscow.push_back(id);
  add_group("intranet-admins", std::move(admins));
  add_group("news-editors", std::move(editors));
  add_group("department-heads", std::move(heads));
  add_group("moscow-office", std::move(moscow));
  return data;
}

}  // namespace daoctl::sim
