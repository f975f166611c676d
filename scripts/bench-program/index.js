// N projects, independent or chained, built either with pulumi-pgbeam or with a trivial dynamic resource that
// calls nothing and takes the same arguments (the floor: what Pulumi itself costs for this program shape).
// "floor-reads" is that resource with a read that makes the round trips a project's refresh needs (two GETs, the
// answers unread), so a refresh can also be judged without the calls the API itself requires.
// Stack config `bench`: { "kind": "pgbeam" | "floor" | "floor-reads", "count": N, "chain": false, "orgId": "org_…" }.
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

// A provider of its own, so the plain floor's state (part 4 compares it) does not carry this read.
const floorReadsProvider = {
  ...floorProvider,
  async read(id, props) {
    // BENCH_API_URL and BENCH_API_KEY reach the provider host through the CLI's environment.
    const get = () =>
      fetch(`${process.env.BENCH_API_URL}/v1/organizations/${props.orgId}/plan`, {
        headers: { authorization: `Bearer ${process.env.BENCH_API_KEY}` },
      }).then((response) => response.arrayBuffer());
    await Promise.all([get(), get()]);
    return { id, props };
  },
};

class Floor extends pulumi.dynamic.Resource {
  constructor(name, args, opts) {
    super(kind === "floor-reads" ? floorReadsProvider : floorProvider, name, args, opts, "bench", "Floor");
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
