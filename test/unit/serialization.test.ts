/**
 * What Pulumi writes into state for each resource's provider (twice per resource): small, free of credentials,
 * and loading our code only through the installed package. `pulumi preview` never serializes a provider, so
 * this is also proven by every real `up` in test/e2e.
 */
import * as pulumi from "@pulumi/pulumi";
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

  it("captures only the resource name, and loads the engine from the installed package", () => {
    const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(["pulumi-pgbeam/dist/provider/host"]));
    const captured = [...text.matchAll(/with\(\{ ([^}]*) \}\)/g)].map((m) => m[1].replace(/, this: undefined, arguments: undefined|this: undefined, arguments: undefined/g, ""));
    expect([...new Set(captured.filter(Boolean))].sort()).toEqual(["provider: __provider", `resourceName: "${name}"`]);
  });

  it("is small: it is stored twice per resource", () => {
    expect(text.length).toBeLessThan(3000);
  });

  it("is the same object every time (Pulumi caches serialization per provider object)", () => {
    expect(providerFor(name)).toBe(providerFor(name));
  });
});

describe("the host path named in existing state", () => {
  it("dist/provider/engine/host stays a re-export of the composition root (state written before names it)", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const legacy = require("../../provider/engine/host");
    expect([legacy.configure, legacy.lifecycle, legacy.client]).toEqual([host.configure, host.lifecycle, host.client]);
    expect(legacy.lifecycle("Project")).toBe(host.lifecycle("Project"));
  });

  it("the engine imports no resource and no composition root (except that re-export)", () => {
    const fs = require("node:fs") as typeof import("node:fs");
    const path = require("node:path") as typeof import("node:path");
    const dir = path.join(__dirname, "../../provider/engine");
    const offenders = fs
      .readdirSync(dir)
      .filter((file) => file !== "host.ts")
      .filter((file) => /from "\.\.\/(resources|host)/.test(fs.readFileSync(path.join(dir, file), "utf8")));
    expect(offenders).toEqual([]);
  });
});
