// N projects, independent or chained, built either with pulumi-pgbeam or with a trivial dynamic resource that
// calls nothing and takes the same arguments (the floor: what Pulumi itself costs for this program shape).
// Stack config `bench`: { "kind": "pgbeam" | "floor", "count": N, "chain": false, "orgId": "org_…" }.
// The database password comes from the environment (PW), so it never sits in stack config.
const pulumi = require("@pulumi/pulumi");
const pgbeam = require("pulumi-pgbeam");

const { kind, count, chain, orgId } = new pulumi.Config().requireObject("bench");

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

class Floor extends pulumi.dynamic.Resource {
  constructor(name, args, opts) {
    super(floorProvider, name, args, opts, "bench", "Floor");
  }
}

const Resource = kind === "floor" ? Floor : pgbeam.Project;
let previous;
for (let i = 0; i < count; i++) {
  const args = {
    name: `bench-${i}`,
    orgId,
    database: { host: "db.internal", port: 5432, name: "app", username: "app", password: pulumi.secret(process.env.PW) },
  };
  previous = new Resource(`p${i}`, args, chain && previous ? { dependsOn: [previous] } : undefined);
}
