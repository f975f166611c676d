/**
 * What Pulumi writes into state for each resource's provider (twice per resource): small, free of credentials,
 * and loading our code only through the installed package. From an installed package the whole text is one
 * `require` of the shared methods module plus the resource name (test/e2e checks that form in real state); from
 * source, as here, Pulumi copies the methods by value, and that form must work too. `pulumi preview` never
 * serializes a provider, so this is also proven by every real `up` in test/e2e.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { failedField } from "../bad-input/failed-field";
import { providerFor } from "../../provider/engine/dynamic";
import * as host from "../../provider/host";
import { RESOURCE_SPECS } from "../../provider/resources/registry";

const KEY = "pbu_serialization_probe_key_0123456789abcdef";

beforeAll(() => {
  process.env.PGBEAM_API_KEY = KEY;
  host.configure({ get: (key) => (key === "pgbeam:apiKey" ? KEY : undefined) });
  host.client(); // a configured, cached client exists in this process: it must still not be captured
});
afterAll(() => delete process.env.PGBEAM_API_KEY);

/**
 * Loads a serialized provider the way Pulumi's provider host does (a module exporting `handler`), with this test's
 * `require`, which maps `pulumi-pgbeam/dist/provider/*` to the source.
 */
function load(text: string): pulumi.dynamic.ResourceProvider {
  const module = { exports: {} as { handler?: () => pulumi.dynamic.ResourceProvider } };
  new Function("exports", "require", "module", text)(module.exports, require, module);
  return module.exports.handler!();
}

describe.each(Object.keys(RESOURCE_SPECS))("%s provider", (name) => {
  let text: string;
  beforeAll(async () => {
    const provider = providerFor(name);
    text = (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
  });

  it("holds no credential and no environment", () => {
    expect(text).not.toContain(KEY);
    expect(text).not.toMatch(/process\.env|PGBEAM_API_KEY|Bearer/);
  });

  it("holds only the resource name, and loads the engine from the installed package", () => {
    const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(["pulumi-pgbeam/dist/provider/host"]));
    const captured = [...text.matchAll(/with\(\{ ([^}]*) \}\)/g)].map((m) =>
      m[1].replace(/, this: undefined, arguments: undefined|this: undefined, arguments: undefined/g, ""),
    );
    expect([...new Set(captured.filter(Boolean))]).toEqual(["provider: __provider"]);
    expect([...text.matchAll(/^__provider\.(\w+) = (.*);$/gm)].map((m) => [m[1], m[2]])).toEqual([["resourceName", JSON.stringify(name)]]);
  });

  it("runs: the loaded provider validates through the host", async () => {
    const result = await load(text).check!({}, { unknownField: 1 });
    expect(result.failures).toContainEqual({ property: "", reason: 'unknown property "unknownField"' });
    expect((result.failures ?? []).map(failedField)).toContain("unknownField");
  });

  it("is small even when copied by value: it is stored twice per resource", () => {
    expect(text.length).toBeLessThan(3000);
  });

  it("is the same object every time (Pulumi caches serialization per provider object)", () => {
    expect(providerFor(name)).toBe(providerFor(name));
  });
});

it("the provider text stored by 0.1.0 (seven functions, each requiring dist/provider/engine/host) still works", async () => {
  const stored = fs.readFileSync(path.join(__dirname, "fixtures/serialized-provider-0.1.0.js"), "utf8");
  const provider = load(stored);
  await provider.configure!({ config: { get: (key: string) => (key === "pgbeam:apiKey" ? KEY : undefined), require: () => "" } });
  const result = await provider.check!({}, { name: "p" });
  expect(result.failures?.map(failedField)).toContain("orgId");
  expect(typeof provider.diff).toBe("function");
});

describe("the host path named in existing state", () => {
  it("dist/provider/engine/host stays a re-export of the composition root (state written before names it)", async () => {
    const legacy = require("../../provider/engine/host");
    expect([legacy.configure, legacy.lifecycle, legacy.client]).toEqual([host.configure, host.lifecycle, host.client]);
    expect(legacy.lifecycle("Project")).toBe(host.lifecycle("Project"));
  });

  it("the engine imports no resource and no composition root (except that re-export)", () => {
    const dir = path.join(__dirname, "../../provider/engine");
    const offenders = fs
      .readdirSync(dir)
      .filter((file) => file !== "host.ts")
      .filter((file) => /from "\.\.\/(resources|host)/.test(fs.readFileSync(path.join(dir, file), "utf8")));
    expect(offenders).toEqual([]);
  });
});
