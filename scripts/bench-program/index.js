// N projects, independent or chained, built either with pulumi-pgbeam or with a trivial dynamic resource that
// calls nothing and takes the same arguments (the floor: what Pulumi itself costs for this program shape).
// The floor can be given, one by one, what a PgBeam project's provider host does beyond it (`adds`), so the
// benchmark can say what each costs: "modules" loads pulumi-pgbeam's host side for a Project (and its HTTP client in
// the verbs where a project calls the API), "state" stores outputs of the size and shape a Project stores, "calls"
// makes the calls a project's verbs make, with Node's fetch (create: the POST; refresh: two GETs, the answers
// unread; delete: the DELETE).
// Stack config `bench`: { "kind": "pgbeam" | "floor", "adds": [...], "count": N, "chain": false, "orgId": "org_…" }.
// The database password comes from the environment (PW), so it never sits in stack config.
const pulumi = require("@pulumi/pulumi");
const pgbeam = require("pulumi-pgbeam");

const { kind, adds = [], count, chain, orgId } = new pulumi.Config().requireObject("bench");

const floorProvider = {
  async create(inputs) {
    return { id: inputs.name, outs: inputs };
  },
  async diff(_id, olds, news) {
    const strip = ({ __provider, ...rest }) => JSON.stringify(rest);
    return { changes: strip(olds) !== strip(news) };
  },
  async read(id, props) {
    return { id, props };
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
  async delete() {},
};

// A provider of its own, so the plain floor's state (part 4 compares it) carries none of what it adds.
const builtUpProvider = {
  async check(_olds, news) {
    loadPgBeam(false);
    return { inputs: news };
  },
  async create(inputs) {
    loadPgBeam(true);
    let id = inputs.name;
    if (adds.includes("calls")) {
      const { orgId, database, ...rest } = inputs;
      const body = { ...rest, org_id: orgId, database };
      delete body.__provider;
      const answer = await call("POST", "/v1/projects", body).then((response) => response.json());
      id = answer.project.id;
    }
    if (!adds.includes("state")) return { id, outs: inputs };
    const stored = require(PROJECT_OUTPUTS);
    return { id, outs: { ...inputs, ...stored, database: { ...inputs.database, ...stored.database } } };
  },
  async diff(_id, olds, news) {
    loadPgBeam(false);
    // Inputs only: with "state", the old outputs hold more than the inputs.
    const changed = (key) => key !== "__provider" && JSON.stringify(news[key]) !== JSON.stringify(olds[key]);
    return { changes: Object.keys(news).some(changed) };
  },
  async read(id, props) {
    loadPgBeam(true);
    if (adds.includes("calls")) {
      const get = () => call("GET", `/v1/projects/${id}`).then((response) => response.arrayBuffer());
      await Promise.all([get(), get()]);
    }
    return { id, props };
  },
  async update(_id, _olds, news) {
    loadPgBeam(true);
    return { outs: news };
  },
  async delete(id) {
    loadPgBeam(true);
    if (adds.includes("calls")) await call("DELETE", `/v1/projects/${id}`).then((response) => response.arrayBuffer());
  },
};

/** One API call with Node's fetch: BENCH_API_URL and BENCH_API_KEY reach the provider host through the CLI's environment. */
function call(method, path, body) {
  const headers = { authorization: `Bearer ${process.env.BENCH_API_KEY}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${process.env.BENCH_API_URL}${path}`, { method, headers, body: body && JSON.stringify(body) });
}

// What a Project stores beyond its arguments, read from a file in the provider host (a path, not the object, is what
// the serialized provider carries).
const PROJECT_OUTPUTS = require("node:path").join(__dirname, "project-outputs.json");

/** "modules": what a project's provider host loads; the HTTP client only in a verb that calls the API, as there. */
function loadPgBeam(calls) {
  if (!adds.includes("modules")) return;
  require("pulumi-pgbeam/dist/provider/host").lifecycle("Project");
  if (!calls) return;
  require("pulumi-pgbeam/dist/provider/client/transport");
  require("ky");
}

class Floor extends pulumi.dynamic.Resource {
  constructor(name, args, opts) {
    super(adds.length > 0 ? builtUpProvider : floorProvider, name, args, opts, "bench", "Floor");
  }
}

const Resource = kind === "pgbeam" ? pgbeam.Project : Floor;
let previous;
for (let i = 0; i < count; i++) {
  const args = {
    name: `bench-${i}`,
    orgId,
    database: { host: "db.internal", port: 5432, name: "app", username: "app", password: pulumi.secret(process.env.PW) },
  };
  previous = new Resource(`p${i}`, args, chain && previous ? { dependsOn: [previous] } : undefined);
}
