#include "core/content/markup.hpp"

namespace daoctl::content {

namespace {

constexpr std::string_view kTokenOpen = "@[[user:";
constexpr std::string_view kTokenClose = "]]";

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         static_cast<unsigned char>(c) >= 0x80;
}

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      if (s.substr(i, 4) == "&lt;") { out += '<'; i += 3; continue; }
      if (s.substr(i, 4) == "&gt;") { out += '>'; i += 3; continue; }
      if (s.substr(i, 5) == "&amp;") { out += '&'; i += 4; continue; }
    }
    out += s[i];
  }
  return out;
}

// One <...> construct of Slack mrkdwn, as Markdown.
std::string convert_angle(std::string_view inner, const std::map<std::string, std::string>& channels) {
  auto bar = inner.find('|');
  std::string_view target = inner.substr(0, bar);
  std::string_view label = bar == std::string_view::npos ? std::string_view() : inner.substr(bar + 1);
  if (target.starts_with("@")) return mention_token(target.substr(1));
  if (target.starts_with("#")) {
    std::string name(label);
    if (name.empty()) {
      auto it = channels.find(std::string(target.substr(1)));
      name = it != channels.end() ? it->second : std::string(target.substr(1));
    }
    return "#" + decode_entities(name);
  }
  if (target.starts_with("!")) {
    auto what = target.substr(1);
    if (what == "here" || what == "channel" || what == "everyone") return "@" + std::string(what);
    return label.empty() ? std::string(what) : decode_entities(label);
  }
  std::string url = decode_entities(target);
  if (url.starts_with("mailto:") && !label.empty()) return "[" + decode_entities(label) + "](" + url + ")";
  if (label.empty()) return "<" + url + ">";
  return "[" + decode_entities(label) + "](" + url + ")";
}

// *x* -> **x**, _x_ -> *x*, ~x~ -> ~~x~~ when the markers sit at word edges.
std::string convert_emphasis(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if ((c == '*' || c == '_' || c == '~') && (i == 0 || !is_word(s[i - 1])) && i + 1 < s.size() &&
        s[i + 1] != ' ' && s[i + 1] != c) {
      auto close = s.find(c, i + 1);
      if (close != std::string_view::npos && s[close - 1] != ' ' &&
          (close + 1 == s.size() || !is_word(s[close + 1])) &&
          s.substr(i + 1, close - i - 1).find('\n') == std::string_view::npos) {
        std::string marker = c == '*' ? "**" : c == '_' ? "*" : "~~";
        out += marker;
        out += convert_emphasis(s.substr(i + 1, close - i - 1));
        out += marker;
        i = close;
        continue;
      }
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string mention_token(std::string_view key) {
  return std::string(kTokenOpen) + std::string(key) + std::string(kTokenClose);
}

std::string slack_to_markdown(std::string_view text, const std::map<std::string, std::string>& channels) {
  std::string out;
  std::string plain;  // text outside code, converted when code or the end is reached
  auto flush = [&] {
    out += convert_emphasis(plain);
    plain.clear();
  };
  for (std::size_t i = 0; i < text.size();) {
    if (text.substr(i, 3) == "```") {
      auto close = text.find("```", i + 3);
      auto end = close == std::string_view::npos ? text.size() : close + 3;
      flush();
      out += decode_entities(text.substr(i, end - i));
      i = end;
      continue;
    }
    if (text[i] == '`') {
      auto close = text.find('`', i + 1);
      if (close != std::string_view::npos) {
        flush();
        out += decode_entities(text.substr(i, close + 1 - i));
        i = close + 1;
        continue;
      }
    }
    if (text[i] == '<') {
      auto close = text.find('>', i + 1);
      if (close != std::string_view::npos) {
        auto converted = convert_angle(text.substr(i + 1, close - i - 1), channels);
        // Links and mentions are not emphasis material: emit them as they are.
        flush();
        out += converted;
        i = close + 1;
        continue;
      }
    }
    if (text[i] == '&') {
      auto semi = text.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 4) {
        plain += decode_entities(text.substr(i, semi + 1 - i));
        i = semi + 1;
        continue;
      }
    }
    plain += text[i++];
  }
  flush();
  return out;
}

std::string mattermost_mentions(std::string_view text, const std::function<bool(std::string_view)>& is_user) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '@' && (i == 0 || !is_word(text[i - 1]))) {
      std::size_t end = i + 1;
      while (end < text.size() && (is_word(text[end]) || text[end] == '.' || text[end] == '-' || text[end] == '_')) ++end;
      // A trailing '.' ends the sentence, not the name.
      while (end > i + 1 && text[end - 1] == '.') --end;
      auto name = text.substr(i + 1, end - i - 1);
      if (!name.empty() && is_user(name)) {
        out += mention_token(name);
        i = end - 1;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::string render_mentions(std::string_view text, const std::function<std::string(std::string_view)>& name_of) {
  std::string out;
  std::size_t i = 0;
  while (true) {
    auto open = text.find(kTokenOpen, i);
    auto close = open == std::string_view::npos ? open : text.find(kTokenClose, open + kTokenOpen.size());
    if (close == std::string_view::npos) break;
    out += text.substr(i, open - i);
    out += "@" + name_of(text.substr(open + kTokenOpen.size(), close - open - kTokenOpen.size()));
    i = close + kTokenClose.size();
  }
  out += text.substr(i);
  return out;
}

void for_each_mention(std::string_view text, const std::function<void(std::string_view)>& on_key) {
  std::size_t i = 0;
  while (true) {
    auto open = text.find(kTokenOpen, i);
    auto close = open == std::string_view::npos ? open : text.find(kTokenClose, open + kTokenOpen.size());
    if (close == std::string_view::npos) return;
    on_key(text.substr(open + kTokenOpen.size(), close - open - kTokenOpen.size()));
    i = close + kTokenClose.size();
  }
}

}  // namespace daoctl::content
