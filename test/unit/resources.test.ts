/**
 * The resource classes as a program sees them, under Pulumi's mocks (no engine): every input and output is an
 * Output property, write-only inputs are sent as secrets, and inputs given as Promises arrive intact.
 */
import * as pulumi from "@pulumi/pulumi";
import { FIXTURES, type Parents } from "../../fixtures/resources";

const registered: { type: string; name: string; id?: string; inputs: Record<string, unknown> }[] = [];
// setMocks is async in signature only: its work is done when it returns.
void pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, id: args.id, inputs: args.inputs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: () => ({}),
  },
  "project",
  "stack",
  false,
);

// Imported after the mocks are set, as Pulumi's mocking requires.
const pgbeam = require("../../provider") as typeof import("../../provider");
const { RESOURCE_SPECS } = require("../../provider/resources/registry") as typeof import("../../provider/resources/registry");

const database = { host: "db", port: 5432, name: "app", username: "app", password: "pw-mock" };
/** Every parent id of the lifecycle fixtures, made up: nothing is called under mocks. */
const parents = new Proxy({}, { get: (_target, key) => `${String(key)}_mock` }) as Parents;
const classes = pgbeam as unknown as Record<string, new (name: string, args: unknown) => pulumi.CustomResource>;

describe.each(Object.keys(RESOURCE_SPECS))("%s", (type) => {
  it("has an Output for every input and output (timestamps included), set or not", () => {
    const resource = new classes[type](`shape-${type}`, FIXTURES[type].args(parents)) as unknown as Record<string, unknown>;
    const spec = RESOURCE_SPECS[type];
    const expected = [...Object.keys(spec.inputs.shape), ...spec.outputs, "createdAt", "updatedAt"];
    expect(expected.filter((key) => !pulumi.Output.isInstance(resource[key]))).toEqual([]);
  });
});

it("write-only inputs are sent to the engine as secrets, nested ones alone", async () => {
  const project = new pgbeam.Project("secret-probe", { orgId: "org_x", name: "probe", database });
  const isSecret = (output: pulumi.Output<unknown>) => (output as unknown as { isSecret: Promise<boolean> }).isSecret;
  expect(await isSecret(project.database)).toBe(true);
  expect(await isSecret(project.name)).toBe(false);
  const db = new pgbeam.Database("secret-probe-db", { projectId: "prj_x", ...database });
  expect(await isSecret(db.password)).toBe(true);
  expect(await isSecret(db.host)).toBe(false);
});

it("a nested input given as a Promise arrives whole", async () => {
  const project = new pgbeam.Project("promised", { orgId: "org_x", name: "promised", database: Promise.resolve(database) });
  const seen = await new Promise((resolve) => project.database.apply(resolve));
  expect(seen).toMatchObject({ host: "db", port: 5432, password: "pw-mock" });
});

it("every registered resource is exported, with its type token as a static (for policy packs)", () => {
  for (const name of Object.keys(RESOURCE_SPECS)) {
    const resourceClass = (pgbeam as unknown as Record<string, { __pulumiType?: string }>)[name];
    expect([name, resourceClass?.__pulumiType]).toEqual([name, `pulumi-nodejs:dynamic/pgbeam:${name}`]);
  }
});

it("static get reads an existing object by id (with the ids its URL needs), under the class's type token", async () => {
  const replica = pgbeam.Replica.get("existing-replica", "rep_123", { databaseId: "db_9" });
  const project = pgbeam.Project.get("existing-project", "prj_123");
  await new Promise((resolve) => pulumi.all([replica.id, project.id]).apply(resolve));
  const read = registered.filter((r) => r.id !== undefined).map((r) => [r.type, r.name, r.id]);
  expect(read).toEqual(
    expect.arrayContaining([
      [pgbeam.Replica.__pulumiType, "existing-replica", "rep_123"],
      [pgbeam.Project.__pulumiType, "existing-project", "prj_123"],
    ]),
  );
  expect(registered.find((r) => r.name === "existing-replica")?.inputs).toMatchObject({ databaseId: "db_9" });
});

it("get has one shape for every resource (name, id, parents, opts); Project, with no parents, also takes opts third", async () => {
  // The options must arrive: a parent shows in the URN.
  const holder = pgbeam.Project.get("holder", "prj_0");
  const urnOf = (resource: pulumi.Resource) => new Promise<string>((resolve) => resource.urn.apply(resolve));
  const database = pgbeam.Database.get("existing-db", "db_1", { projectId: "prj_1" }, { parent: holder });
  const withOptsThird = pgbeam.Project.get("project-opts-third", "prj_2", { parent: holder });
  const withEmptyParents = pgbeam.Project.get("project-empty-parents", "prj_3", {}, { parent: holder });
  const urns = [await urnOf(database), await urnOf(withOptsThird), await urnOf(withEmptyParents)];
  expect(urns).toEqual([
    `urn:pulumi:stack::project::${pgbeam.Project.__pulumiType}$${pgbeam.Database.__pulumiType}::existing-db`,
    `urn:pulumi:stack::project::${pgbeam.Project.__pulumiType}$${pgbeam.Project.__pulumiType}::project-opts-third`,
    `urn:pulumi:stack::project::${pgbeam.Project.__pulumiType}$${pgbeam.Project.__pulumiType}::project-empty-parents`,
  ]);
  const read = (name: string) => registered.find((r) => r.name === name);
  expect([read("existing-db")?.id, read("project-opts-third")?.id, read("project-empty-parents")?.id]).toEqual(["db_1", "prj_2", "prj_3"]);
  expect(read("existing-db")?.inputs).toMatchObject({ projectId: "prj_1" });
  expect(read("project-opts-third")?.inputs).not.toHaveProperty("parent");
});

it("a second SpendLimit for the same organization fails the program at once, naming both", async () => {
  const first = new pgbeam.SpendLimit("limit-a", { orgId: "org_singleton", spendLimit: 10 });
  expect(() => new pgbeam.SpendLimit("limit-b", { orgId: "org_singleton", spendLimit: 0 })).toThrow(
    'SpendLimit "limit-b" and "limit-a" both manage the one SpendLimit of orgId "org_singleton": keep one of them',
  );
  const other = new pgbeam.SpendLimit("limit-c", { orgId: "org_other_singleton", spendLimit: 10 }); // another org is fine
  await new Promise((resolve) => pulumi.all([first.id, other.id]).apply(resolve));
  expect(registered.filter((r) => r.type === pgbeam.SpendLimit.__pulumiType && r.name.startsWith("limit-")).map((r) => r.name)).toEqual([
    "limit-a",
    "limit-c",
  ]);
});

it("siblings under one component register, each sending its own URN as the hidden __urn input", async () => {
  class Wrap extends pulumi.ComponentResource {
    constructor(name: string) {
      super("test:index:Wrap", name);
      this.registerOutputs({});
    }
  }
  const parent = new Wrap("wrap");
  const siblings = ["sibling-a", "sibling-b"].map((name) => new pgbeam.PolicyProfile(name, { projectId: "prj_x", name }, { parent }));
  const urns = await new Promise<string[]>((resolve) => pulumi.all(siblings.map((s) => s.urn)).apply(resolve));
  expect(urns).toEqual(
    ["sibling-a", "sibling-b"].map((name) => `urn:pulumi:stack::project::test:index:Wrap$${pgbeam.PolicyProfile.__pulumiType}::${name}`),
  );
  expect(["sibling-a", "sibling-b"].map((name) => registered.find((r) => r.name === name)?.inputs.__urn)).toEqual(urns);
});

it("the import option fails at construction, before anything registers, pointing to adoptId", () => {
  expect(() => new pgbeam.Project("imported", { orgId: "org_x", name: "imported", database }, { import: "prj_existing" })).toThrow(
    'Project "imported": the import resource option is not supported; to manage the existing object, remove `import` and set the input adoptId: "prj_existing" (to only read it, use Project.get)',
  );
  expect(registered.find((r) => r.name === "imported")).toBeUndefined();
});
