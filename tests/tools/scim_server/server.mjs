// A third-party SCIM 2.0 service for e2e tests: SCIMMY (RFC 7643/7644
// resources, schemas, filters, PATCH, ListResponse paging) behind its own
// Express routers, with users and groups kept in memory. Only the storage
// below is ours; everything SCIM is the npm packages' (installed by
// scripts/install-deps.sh into a cache outside the repository, pinned in
// package.json beside this file).
//
//   SCIM_TOKEN=secret node server.mjs [--mount /scim/v2] [--max-results 200]
//
// Listens on a free loopback port and prints "scim-server: listening on
// http://127.0.0.1:PORT/MOUNT". GET /_state (no auth) dumps the store for
// tests; every other request counts into /_stats (method -> number).
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const mount = option("--mount", "/scim/v2");
const maxResults = Number(option("--max-results", "200"));
const token = process.env.SCIM_TOKEN;
if (!token) {
  console.error("scim-server: set SCIM_TOKEN");
  process.exit(2);
}

const users = new Map();
const groups = new Map();
let nextId = 1;
const stats = {};
const now = () => new Date().toISOString();
const clone = (o) => JSON.parse(JSON.stringify(o));
const lower = (s) => String(s ?? "").toLowerCase();

SCIMMY.Config.set({
  patch: true,
  filter: { supported: true, maxResults },
  bulk: false,
  sort: false,
  etag: false,
  changePassword: false,
});

// Throws 409 uniqueness when another resource of `store` has the same value.
function unique(store, id, attr, value, caseless) {
  if (value === undefined || value === null) return;
  for (const [other, r] of store)
    if (other !== id && (caseless ? lower(r[attr]) === lower(value) : r[attr] === value))
      throw new SCIMMY.Types.Error(409, "uniqueness", `${attr} "${value}" is already used by ${other}`);
}

function groupsOf(userId) {
  const out = [];
  for (const [id, g] of groups)
    if ((g.members ?? []).some((m) => m.value === userId)) out.push({ value: id, display: g.displayName });
  return out;
}

function list(resource, values) {
  const all = [...values];
  return resource.filter ? resource.filter.match(all) : all;
}

SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false))
  .ingress((resource, instance) => {
    const id = resource.id ?? String(nextId++);
    if (resource.id && !users.has(id)) throw new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);
    const data = clone(instance);
    delete data.groups;
    unique(users, id, "userName", data.userName, true);
    unique(users, id, "externalId", data.externalId, false);
    const created = users.get(id)?.meta?.created ?? now();
    const stored = { ...data, id, meta: { resourceType: "User", created, lastModified: now() } };
    users.set(id, stored);
    return { ...clone(stored), groups: groupsOf(id) };
  })
  .egress((resource) => {
    if (resource.id) {
      const u = users.get(resource.id);
      if (!u) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
      return { ...clone(u), groups: groupsOf(u.id) };
    }
    return list(resource, [...users.values()].map((u) => ({ ...clone(u), groups: groupsOf(u.id) })));
  })
  .degress((resource) => {
    if (!users.delete(resource.id)) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
    for (const g of groups.values()) g.members = (g.members ?? []).filter((m) => m.value !== resource.id);
  });

SCIMMY.Resources.declare(SCIMMY.Resources.Group)
  .ingress((resource, instance) => {
    const id = resource.id ?? String(nextId++);
    if (resource.id && !groups.has(id)) throw new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);
    const data = clone(instance);
    unique(groups, id, "displayName", data.displayName, true);
    for (const m of data.members ?? [])
      if (!users.has(m.value) && !groups.has(m.value))
        throw new SCIMMY.Types.Error(400, "invalidValue", `member ${m.value} does not exist`);
    // A member listed twice is one member.
    const seen = new Set();
    data.members = (data.members ?? []).filter((m) => !seen.has(m.value) && seen.add(m.value));
    const created = groups.get(id)?.meta?.created ?? now();
    const stored = { ...data, id, meta: { resourceType: "Group", created, lastModified: now() } };
    groups.set(id, stored);
    return clone(stored);
  })
  .egress((resource) => {
    if (resource.id) {
      const g = groups.get(resource.id);
      if (!g) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
      return clone(g);
    }
    return list(resource, [...groups.values()].map(clone));
  })
  .degress((resource) => {
    if (!groups.delete(resource.id)) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
  });

const app = express();
app.get("/_state", (req, res) => res.json({ users: [...users.values()], groups: [...groups.values()] }));
app.get("/_stats", (req, res) => res.json(stats));
app.use((req, res, next) => {
  stats[req.method] = (stats[req.method] ?? 0) + 1;
  next();
});
app.use(
  mount,
  new SCIMMYRouters({
    type: "bearer",
    docUri: "https://example.invalid/scim-auth",
    handler: (request) => {
      if (request.header("Authorization") !== `Bearer ${token}`) throw new Error("Authorization failed");
      return "daoctl-e2e";
    },
  }),
);

const server = app.listen(0, "127.0.0.1", () => {
  console.log(`scim-server: listening on http://127.0.0.1:${server.address().port}${mount}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
