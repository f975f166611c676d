// Builds what `patterns.<stack>.json` beside this file describes (written by test/e2e/program-patterns.test.ts):
//   { "exports": { ... },                       exported as they are; `secretExports` are exported as secrets
//     "components": [{ "name", "parent"?, "outputs"?, "provider"?, "providers"? }],
//     "resources": [{ "name", "type", "args", "opts" }] }
// In args, "ref:<name>.<output>" is another resource's or component's output, "env:<VAR>" the environment,
// "stack:<output>.<key>" an output of the stack named by `stackReference`, "config:<key>" a key of the secret
// config object `secrets`, "later:<key>" the value `laterValues[key]` through a local dynamic resource (unknown in
// preview until it exists). In opts, components, resources and "root" are given by name.
const fs = require("node:fs");
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const pgbeam = require("pulumi-pgbeam");

const described = JSON.parse(fs.readFileSync(path.join(__dirname, `patterns.${pulumi.getStack()}.json`), "utf8"));
const created = {};

/** A component; `outputs` are exposed as outputs that carry a dependency on it, like a child's output would. */
class Group extends pulumi.ComponentResource {
  constructor(name, outputs, opts) {
    super("patterns:index:Group", name, {}, opts);
    for (const [key, value] of Object.entries(outputs ?? {})) this[key] = this.urn.apply(() => value);
    this.registerOutputs(outputs ?? {});
  }
}

/** Another provider's resource: its `value` output is unknown in preview until it exists. */
const passThrough = {
  async create(inputs) {
    return { id: "later", outs: inputs };
  },
};
class Later extends pulumi.dynamic.Resource {
  constructor(name, value) {
    super(passThrough, name, { value }, {});
  }
}

const explicit = new pgbeam.Provider("explicit", {
  apiKey: new pulumi.Config("pgbeam").requireSecret("apiKey"),
  baseUrl: new pulumi.Config("pgbeam").require("baseUrl"),
});
const stackReference = described.stackReference ? new pulumi.StackReference(described.stackReference) : undefined;
const later = described.laterValues ? new Later("later", described.laterValues).value : undefined;
const secrets = described.configSecrets ? new pulumi.Config().requireSecretObject("secrets") : undefined;

function resolve(value) {
  if (typeof value === "string") {
    const [kind, rest] = [value.slice(0, value.indexOf(":")), value.slice(value.indexOf(":") + 1)];
    if (kind === "ref") return created[rest.split(".")[0]][rest.split(".")[1]];
    if (kind === "env") return process.env[rest];
    if (kind === "stack") return stackReference.getOutput(rest.split(".")[0]).apply((all) => all[rest.split(".")[1]]);
    if (kind === "config") return secrets.apply((all) => all[rest]);
    if (kind === "later") return later.apply((all) => all[rest]);
    return value;
  }
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  return value;
}

const resourceNamed = (name) => (name === "root" ? pulumi.rootStackResource : created[name]);
/** A transform (either kind) that sets the given inputs. */
const setting =
  (values) =>
  ({ props, opts }) => ({ props: { ...props, ...values }, opts });

function options(opts = {}) {
  const result = { ...opts };
  if (opts.parent) result.parent = resourceNamed(opts.parent);
  if (opts.aliases)
    result.aliases = opts.aliases.map((alias) => (alias.parent ? { ...alias, parent: resourceNamed(alias.parent) } : alias));
  if (opts.dependsOn) result.dependsOn = opts.dependsOn.map(resourceNamed);
  if (opts.deletedWith) result.deletedWith = resourceNamed(opts.deletedWith);
  if (opts.provider) result.provider = explicit;
  if (opts.providers) result.providers = [explicit];
  if (opts.transforms) result.transforms = [setting(opts.transforms)];
  if (opts.transformations) result.transformations = [setting(opts.transformations)];
  return result;
}

for (const { name, parent, outputs, provider, providers } of described.components ?? []) {
  created[name] = new Group(name, resolve(outputs), options({ parent, provider, providers }));
}
for (const { name, type, args, opts } of described.resources ?? []) {
  created[name] = type === "Holder" ? new Later(name, name) : new pgbeam[type](name, resolve(args), options(opts));
}

module.exports = {
  ...described.exports,
  ...Object.fromEntries(Object.entries(described.secretExports ?? {}).map(([key, value]) => [key, pulumi.secret(value)])),
};
