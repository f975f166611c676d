// Builds the resources described by `resources.<stack>.json` beside this file (written by the harness, in
// dependency order):
//   { "<name>": { "type": "Project", "args": { ... }, "opts": { ... }, "get": "<id, to read an existing object>" } }
// Strings "ref:<name>.<output>" become another resource's output; "env:<VAR>" reads the environment (so test
// passwords never sit in stack config, which Pulumi copies into the provider's state); "envjson:<VAR>" reads a JSON
// value from the environment (a string with a NUL, which an environment variable cannot hold as is).
const fs = require("node:fs");
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const pgbeam = require("pulumi-pgbeam");

const described = JSON.parse(fs.readFileSync(path.join(__dirname, `resources.${pulumi.getStack()}.json`), "utf8"));
const created = {};

function resolve(value) {
  if (typeof value === "string" && value.startsWith("ref:")) {
    const [name, output] = value.slice(4).split(".");
    return created[name][output];
  }
  if (typeof value === "string" && value.startsWith("env:")) return process.env[value.slice(4)];
  if (typeof value === "string" && value.startsWith("envjson:")) return JSON.parse(process.env[value.slice(8)]);
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item)]));
  }
  return value;
}

// `{ "get": "<id>" }` reads an existing object with the class's static get (with `args` as its parents' ids, if any).
for (const [name, { type, args, opts, get }] of Object.entries(described)) {
  if (get === undefined) created[name] = new pgbeam[type](name, resolve(args), opts);
  else if (args === undefined) created[name] = pgbeam[type].get(name, resolve(get), opts);
  else created[name] = pgbeam[type].get(name, resolve(get), resolve(args), opts);
}

module.exports = created;
