// Text conversions of foreign markup into the platform's Markdown.
//
// Mentions are kept as tokens "@[[user:KEY]]" (KEY = the source user key)
// until apply knows which platform user each person maps to; then
// render_mentions turns them into the platform's "@userName" mention.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace daoctl::content {

// Slack mrkdwn -> Markdown: <@U123> and <@U123|name> -> mention tokens;
// <#C123|name> -> #name (the channel's name from `channels` when the label is
// missing); <!here>, <!channel>, <!everyone> -> @here, @channel, @everyone;
// <url|label> -> [label](url), <url> -> <url>; *bold* -> **bold**,
// _italic_ -> *italic*, ~strike~ -> ~~strike~~ (not inside `code` or
// ```blocks```); &lt; &gt; &amp; decoded. Unknown <...> forms keep their text.
std::string slack_to_markdown(std::string_view text, const std::map<std::string, std::string>& channels);

// Mattermost is Markdown already; "@name" of a known user becomes a token.
std::string mattermost_mentions(std::string_view text, const std::function<bool(std::string_view)>& is_user);

// The mention token for a source user key.
std::string mention_token(std::string_view key);

// Replaces every mention token by "@" + name_of(key).
std::string render_mentions(std::string_view text, const std::function<std::string(std::string_view)>& name_of);

// Source user keys mentioned in a text.
void for_each_mention(std::string_view text, const std::function<void(std::string_view)>& on_key);

}  // namespace daoctl::content
