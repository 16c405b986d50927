#!/usr/bin/env python3
"""Writes the seed corpora tests/fuzz/corpus/<target>/ from the project's
fixtures, examples and small excerpts of ../shared/realdata, plus hand-written
edge cases. Run from anywhere; rerunning rewrites the same files. Inputs the
fuzzer found interesting later can be added by hand (see README.md)."""
import json, os, pathlib, struct, sys, zipfile, io, tarfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REAL = ROOT.parent / "shared" / "realdata"
OUT = HERE / "corpus"


def put(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (d / name).write_bytes(data)


def real(rel, limit=None):
    p = REAL / rel
    if not p.exists():
        return None
    b = p.read_bytes()
    return b if limit is None else b[:limit]


# ---------------------------------------------------------------- csv: [opts][opts2]file
hr = ROOT / "tests/fixtures/hr"
enc = {"Auto": 0, "Utf8": 1, "Utf16": 2, "Utf16Le": 3, "Windows1251": 5, "Koi8R": 6}
csv_seeds = [
    ("bamboohr.csv", enc["Auto"], 0), ("excel_utf8_bom.csv", enc["Auto"], 0),
    ("excel_unicode_utf16le.txt", enc["Auto"], 2), ("koi8r.csv", enc["Koi8R"], 1),
    ("zup_1c_windows1251.csv", enc["Windows1251"] | 0x40, 1), ("ragged.csv", enc["Utf8"] | 0x20, 0),
    ("truncated.csv", enc["Utf8"], 0), ("bad_quote.csv", enc["Utf8"], 0),
    ("header_duplicate.csv", enc["Utf8"], 0), ("invalid_utf8.csv", enc["Auto"], 0),
]
for name, o1, delim in csv_seeds:
    p = hr / name
    if p.exists():
        put("csv", name, bytes([o1, delim | (3 << 2)]) + p.read_bytes())
demo = ROOT / "examples/demo/employees.csv"
if demo.exists():
    put("csv", "demo_1251.csv", bytes([enc["Windows1251"], 1 | (50 << 2)]) + b"\n".join(demo.read_bytes().split(b"\n")[:6]))
put("csv", "crlf_mixed.csv", bytes([1, 0]) + b'id,name\r\n1,"a\r\nb"\r2,c\n\n3,"x""y"')
put("csv", "key_empty.csv", bytes([1 | 0x40, 0]) + b'id,name,mail,\n,ann,a@x;\n2,bob,,\n')
put("csv", "tsv_columns.tsv", bytes([1 | 0x80 | 0x10, 2]) + b'1\tann\ta@x\n2\t\t\n')

# ---------------------------------------------------------------- hr_json: [opts]file
for name, opts in [("workday_report.json", 2 | 4 | 8), ("employees.jsonl", 1), ("malformed.json", 0)]:
    p = hr / name
    if p.exists():
        put("hr_json", name, bytes([opts | (2 << 4)]) + p.read_bytes())
put("hr_json", "nested.json", bytes([8]) + json.dumps([
    {"id": "1", "address": {"city": "Москва", "geo": [55.7, 37.6]}, "emails": [{"value": "a@x"}, {"value": "b@x"}], "x": None},
    {"id": 2, "active": True, "tags": []}]).encode())
put("hr_json", "lines_bom.jsonl", bytes([1 | 8]) + b'\xef\xbb\xbf{"id":"1"}\r\n\r\n{"id":"2","e":{"a":{"b":[1,{"c":2}]}}}\n')

# ---------------------------------------------------------------- ldap_values: [op]bytes
guid = bytes(range(16))
put("ldap_values", "guid_raw", b"\x00" + guid)
put("ldap_values", "guid_text", b"\x01{03020100-0504-0706-0809-0a0b0c0d0e0f}")
put("ldap_values", "guid_nobrace", b"\x01" + b"03020100-0504-0706-0809-0A0B0C0D0E0F")
sid = bytes([1, 5, 0, 0, 0, 0, 0, 5]) + struct.pack("<5I", 21, 1004336348, 1177238915, 682003330, 1104)
put("ldap_values", "sid", b"\x02" + sid)
put("ldap_values", "sid_big_authority", b"\x02" + bytes([1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) + struct.pack("<I", 7))
for i, dn in enumerate(["uid=ivanov,ou=People,dc=example,dc=com", "cn=Ivanov\\, Ivan+uid=x, ou=people, DC=Example,DC=COM",
                        "cn=#04024869,O=Test,C=GB", "cn=\\D0\\98\\D0\\B2\\D0\\B0\\D0\\BD,ou=Сотрудники,dc=corp",
                        "OID.2.5.4.3=x\\20,dc=a", "cn= spaced \\ ,dc=a", ""]):
    put("ldap_values", f"dn{i}", b"\x03" + dn.encode())
for i, r in enumerate(["member;range=0-1499", "member;Range=1500-*", "member;lang-de;range=10-2", "member;range=x-*", "member"]):
    put("ldap_values", f"range{i}", b"\x04" + r.encode())
put("ldap_values", "escape", b"\x05" + "a*(b)\\c\x00# Ivanov, Иван ".encode())
ldif = real("389-ds-base/ldap/ldif/Example.ldif")
if ldif:
    dns = [l[4:] for l in ldif.split(b"\n") if l.startswith(b"dn: ")][:8]
    for i, d in enumerate(dns):
        put("ldap_values", f"ldif_dn{i}", b"\x03" + d.strip())

# ---------------------------------------------------------------- yaml, config, env, sync_job, mapping
for name in ["sync.yaml", "env.yaml"]:
    p = ROOT / "examples" / name
    if p.exists():
        put("yaml", name, p.read_bytes())
put("yaml", "anchors.yaml", "base: &b {a: 1, b: [x, 'y', \"z\"]}\nderived: *b\nnums: [0x1F, 0o17, .inf, -.NaN, 1e3, ~, True, FALSE]\nblock: |\n  line\n  two\nfolded: >-\n  a\n  b\n'quoted key': !!str 12\n")
put("yaml", "authors.yaml", "authors:\n  U1: ivanov\n  ann@x.org: ann.smith\n")
put("yaml", "dup_keys.yaml", "a: 1\na: 2\n")
put("yaml", "multi_doc.yaml", "a: 1\n---\nb: 2\n")
put("yaml", "complex_key.yaml", "? [a, b]\n: c\n")
put("config", "two_contexts.yaml", """current-context: prod
contexts:
  - name: prod
    url: https://prod.example.com
    token_file: ~/prod.token
    ca_file: /etc/ssl/corp.pem
    timeout: 45
  - name: test
    url: http://127.0.0.1:8080/
    token_command: echo t0k
    insecure: true
""")
put("config", "inline_token.yaml", "current-context: a\ncontexts:\n  - {name: a, url: 'http://[::1]:1/', token: \"s3cr\\u00e9t: #x\"}\n")
put("config", "unknown_key.yaml", "contexts:\n  - name: a\n    urll: x\n")
for name in ["sync.yaml", "demo/sync.yaml"]:
    p = ROOT / "examples" / name
    if p.exists():
        put("sync_job", name.replace("/", "_"), p.read_bytes())
put("sync_job", "minimal.yaml", "version: 1\nname: j\nsources:\n  hr: {type: csv, path: a.csv, key: id}\nmapping:\n  userName: '{hr.id}'\n  email: '{hr.mail | lower}'\n")
p = ROOT / "examples/env.yaml"
if p.exists():
    put("env", "env.yaml", p.read_bytes())
put("env", "minimal.yaml", "version: 1\npolicies:\n  password: {min_length: 15}\nbranding: {primary_color: '#0B5FFF', background_color: '#FFFFFF'}\n")
mapping_seeds = {
    "login": "{hr.Фамилия | login}.{hr.Имя | translit | lower}\nФамилия=Иванов\nИмя=Пётр",
    "split": "{hr.skills | split(',') | trim | join('; ')}\nskills=C++, SQL ,,Linux",
    "date": "{hr.'Дата приёма' | date('dd.MM.yyyy')}\nДата приёма=21.01.2013",
    "compare": "hr.end <= today and not hr.blocked\nend=28.02.2025\nblocked=",
    "lookup": "{hr.dept | lookup('dept') | default('x')}\ndept=IT",
    "phone": "{hr.phone | phone | digits}\nphone=+7 (916) 123-45-67",
    "email_slug": "{hr.mail | email}{{literal}} {hr.name | slug | title | upper}\nmail= Ann@Example.COM \nname=Ёлка Å ß",
    "multi": "{hr.v | first | replace('a', 'b') | suffix('@x') | prefix('y')}\nv=aaa\nv=bbb",
    "pattern": "dd.MM.yyyy HH:mm:ss Z\nd=01.02.2020 10:11:12 +03:00\nd=31.02.2020 00:00:00 Z",
    "iso": "yyyy-MM-dd'T'HH:mm:ss\nd=2020-01-15T08:00:00\nd=2020-01-15-08:00",
    "bool": "{hr.a | bool} {hr.b | date_format('dd.MM.yyyy', 'yyyy')}\na=yes\nb=01.01.2000",
    "coalesce": "{hr.email or login(hr.name) | suffix('@x')} {hr.a | default(hr.b | default('n'))}\nemail=\nname=Щукин\na=",
    "if": "{if(hr.a == '1' or not hr.b, upper(hr.name), default(hr.c, hr.name, 'z'))}\na=0\nb=1\nname=Юлия",
}
for k, v in mapping_seeds.items():
    put("mapping", k, v)

# ---------------------------------------------------------------- content readers
mm = real("zulip/zerver/tests/fixtures/mattermost_fixtures/export.json")
if mm:
    put("mattermost", "zulip_export.jsonl", mm)
    put("mattermost", "zulip_head.jsonl", b"\n".join(mm.split(b"\n")[:12]))
mm2 = real("zulip/zerver/tests/fixtures/mattermost_fixtures/direct_channel/export.json")
if mm2:
    put("mattermost", "zulip_direct.jsonl", mm2)
put("mattermost", "minimal.jsonl", '{"type":"version","version":1}\n{"type":"user","user":{"username":"a","email":"a@x"}}\n'
    '{"type":"post","post":{"team":"t","channel":"c","user":"a","message":"hi @a","create_at":1516454537000,"replies":[{"user":"a","message":"r","create_at":1}],"reactions":[{"user":"a","emoji_name":"+1","create_at":2}]}}\n')

slack_dir = "zulip/zerver/tests/fixtures/slack_fixtures"
users = real(f"{slack_dir}/test_slack_importer/users.json")
chan = real(f"{slack_dir}/channels.json")
day1 = real(f"{slack_dir}/test_slack_importer/random/2018-01-20.json")
day2 = real(f"{slack_dir}/test_slack_importer/random/2017-06-25.json")
if users and day1:
    s = b"=== users.json\n" + users + b"\n"
    if chan:
        s += b"=== channels.json\n" + chan + b"\n"
    s += b"=== random/2018-01-20.json\n" + day1 + b"\n"
    if day2:
        s += b"=== random/2017-06-25.json\n" + day2 + b"\n"
    put("slack", "zulip_fixture", s)
for f in ["normal_messages.json", "message_with_emojis.json", "thread_with_broadcast_reply.json", "message_with_variety_files_and_rich_text.json"]:
    b = real(f"{slack_dir}/exported_messages_fixtures/{f}")
    u = real(f"{slack_dir}/exported_messages_fixtures/users.json")
    if b and u:
        put("slack", f, b"=== users.json\n" + u + b"\n=== general/2020-01-01.json\n" + b + b"\n")
put("slack", "minimal", '=== users.json\n[{"id":"U1","name":"ann","profile":{"email":"ann@x.org","real_name":"Ann"}}]\n'
    '=== general/2018-01-20.json\n[{"type":"message","user":"U1","text":"hi <@U1> <#C1|general> <https://x.org|x>","ts":"1516454537.000093",'
    '"reactions":[{"name":"+1","users":["U1"]}],"files":[{"id":"F1","name":"a.png"}]},'
    '{"type":"message","user":"U1","text":"reply","ts":"1516454600.000001","thread_ts":"1516454537.000093"},'
    '{"type":"message","subtype":"channel_join","user":"U1","ts":"1"}]\n'
    '=== __uploads/F1/a.png\nPNG\n')

wxr_dir = "wordpress-importer/phpunit/data"
for f in ["valid-wxr-1.1.xml", "wxr-utf-8-challenges.xml", "malformed-simple.xml"]:
    b = real(f"{wxr_dir}/{f}")
    if b:
        put("wxr", f, b)
put("wxr", "minimal.xml", '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><wp:author><wp:author_login>a</wp:author_login>'
    '<wp:author_email>a@x</wp:author_email></wp:author><item><title>T</title><dc:creator>a</dc:creator>'
    '<content:encoded><![CDATA[<p>hi</p>]]></content:encoded><wp:post_id>1</wp:post_id><wp:post_date_gmt>2020-01-02 03:04:05</wp:post_date_gmt>'
    '<wp:status>publish</wp:status><wp:post_type>post</wp:post_type><category domain="category" nicename="news">News</category>'
    '<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_parent>0</wp:comment_parent><wp:comment_author_email>a@x</wp:comment_author_email>'
    '<wp:comment_date_gmt>2020-01-02 04:00:00</wp:comment_date_gmt><wp:comment_content>c</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>'
    '</item></channel></rss>')

manifest = """version: 1
namespace: e2e
users: [{key: h, email: harry@zulip.com}]
communities: [{id: all, name: All hands}]
posts:
  - {id: n1, type: news, title: Welcome, body: "**hi**", author: h, community: all,
     created_at: "2020-01-02T03:04:05Z", pinned: true,
     comments: [{id: c1, author: h, body: first, created_at: "2020-01-02T04:00:00Z",
                 replies: [{id: c2, author: h, body: reply, created_at: "2020-01-02T05:00:00Z"}]}],
     reactions: [{user: h, kind: celebrate}]}
events:
  - {id: e1, title: Party, starts_at: "2020-02-01T18:00:00Z", ends_at: "2020-02-01T22:00:00Z", organizer: h,
     invitations: [{user: h, state: going}]}
"""
put("manifest", "content.yaml", b"\x00" + manifest.encode())
put("manifest", "content.jsonl", b"\x01" + b'{"version":1,"namespace":"n"}\n{"kind":"user","key":"h","email":"h@x"}\n{"kind":"post","id":"p","body":"b","author":"h","created_at":"2020-01-02T03:04:05Z"}\n')

# ---------------------------------------------------------------- archive (zip, tar)
def zip_bytes(entries, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for n, d in entries:
            z.writestr(n, d)
    return buf.getvalue()
put("archive", "slack.zip", zip_bytes([("users.json", '[{"id":"U1","name":"ann"}]'), ("general/2018-01-20.json", '[{"type":"message","user":"U1","text":"hi","ts":"1.0"}]')]))
put("archive", "stored.zip", zip_bytes([("a/b.txt", "x" * 100), ("c.txt", "")], zipfile.ZIP_STORED))
put("archive", "slip.zip", zip_bytes([("../evil.json", "[]")]))
tb = io.BytesIO()
with tarfile.open(fileobj=tb, mode="w") as t:
    for n, d in [("users.json", b"[]"), ("dir/x.json", b"{}")]:
        ti = tarfile.TarInfo(n); ti.size = len(d); t.addfile(ti, io.BytesIO(d))
put("archive", "export.tar", tb.getvalue())

# ---------------------------------------------------------------- scim_page, http_answers, image, backup_manifest
put("scim_page", "list_response.json", """{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,
 "Resources":[
  {"id":"42","externalId":"g-42","userName":"ivanov","active":false,
   "name":{"givenName":"Иван","familyName":"Иванов"},"displayName":"Иван Иванов","title":"QA",
   "emails":[{"value":"other@x","type":"home"},{"value":"ivanov@corp.example","type":"work","primary":true}],
   "phoneNumbers":[{"value":"+7 916","type":"mobile"},{"value":"+7 495","type":"work"}],
   "groups":[{"value":"7","display":"admins"}],
   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"E1","department":"IT",
     "manager":{"value":"41","displayName":"Boss"}},
   "urn:daoffice:scim:schemas:extension:profile:1.0:User":{"skills":["C++","SQL"],"departmentId":"d1",
     "managedBy":"daoctl:nightly","hireDate":"2020-01-15"},
   "meta":{"resourceType":"User","version":"W/\\"5\\""}},
  {"id":"43","userName":"petrov","unknown":{"nested":[1,2,{"x":null}]}}],
 "startIndex":1,"itemsPerPage":2}""")
put("scim_page", "empty.json", '{"Resources":[],"totalResults":0}')
put("scim_page", "user.json", '{"id":"1","userName":"a","emails":"not-a-list","active":"yes","name":null}')

def answer(status, headers, body):
    return struct.pack("<H", (status - 100) % 65536) + "".join(h + "\n" for h in headers).encode() + b"\n" + body.encode()
put("http_answers", "problem_422", answer(422, ["Content-Type: application/problem+json"],
    '{"type":"about:blank","title":"Unprocessable","status":422,"detail":"invalid","errors":[{"field":"email","message":"bad"}]}'))
put("http_answers", "scim_409", answer(409, ["Content-Type: application/scim+json"],
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"exists","existing_id":"42"}'))
put("http_answers", "retry_429", answer(429, ["Retry-After: 120", "retry-after: Wed, 21 Oct 2015 07:28:00 GMT"], '{"title":"slow down"}'))
put("http_answers", "link_503", answer(503, ['Link: <https://hr.example/api/v1/employees?page=3>; rel="next", </first>; rel="first"',
    "Retry-After: Sunday, 06-Nov-94 08:49:37 GMT", "Retry-After: Sun Nov  6 08:49:37 1994"], "<html>Service Unavailable</html>"))
put("http_answers", "relative", answer(401, ["Link: <../v2/emp?cursor=abc&token=secret>; rel=next", "Link: <//other.host/x>; rel=\"next\""], ""))

branding = ROOT / "tests/fixtures/branding"
if branding.exists():
    for p in branding.iterdir():
        put("image", p.name, p.read_bytes())
put("image", "gif", b"GIF89a\x10\x00\x20\x00\x00\x00\x00;")
put("image", "webp_vp8x", b"RIFF\x1a\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00\xff\x01\x00\xff\x01\x00")
put("image", "webp_vp8l", b"RIFF\x1a\x00\x00\x00WEBPVP8L\x05\x00\x00\x00\x2f\x0f\xc0\x07\x00")
put("image", "jpeg_sof", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xc0\x00\x11\x08\x01\x00\x02\x00\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xd9")
put("image", "svg_doctype", '\ufeff<?xml version="1.0"?><!-- c --><!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg" width="10"/>')

bm = {"format": "daoctl-backup/1", "backup_id": "3", "created_at": "2026-01-01T00:00:00Z", "include": ["db", "files"],
      "members": [{"path": "db/platform.db", "size": 3, "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
                  {"path": "files/a.txt", "size": 0, "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]}
put("backup_manifest", "manifest.json", json.dumps(bm))
bm2 = dict(bm); bm2["members"] = [{"path": "../etc/passwd", "size": 1, "sha256": "x"}]
put("backup_manifest", "unsafe.json", json.dumps(bm2))
print("seeds written to", OUT)
