/**
 * The resources' input schemas agree with PgBeam's official OpenAPI spec: field names (camelCase of the API's),
 * required fields, enums, ranges, lengths, patterns and defaults. Checked from zod's own JSON Schema rendering of
 * each resource's inputs, so hand-written extensions are held to the spec too, not only the generated file.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { API_RESOURCES } from "../../provider/api/resources.generated";
import * as api from "../../provider/api/schemas.generated";
import { configuredSpecPath } from "../../emulator/spec";
import { fieldsWith } from "../../provider/engine/spec";
import { uniqueValuesOf } from "../../provider/engine/unique-values";
import { camel as camelCase } from "../../provider/engine/values";
import type { GoneWhen } from "../../provider/resources/from-api";
import { RESOURCE_SPECS } from "../../provider/resources/registry";

type Schema = Record<string, any>;
const spec = JSON.parse(fs.readFileSync(configuredSpecPath(), "utf8"));
const components: Record<string, Schema> = spec.components.schemas;
const deref = (schema: Schema): Schema => (schema.$ref ? deref(components[schema.$ref.split("/").pop()]) : schema);

/** The spec's operation at `method` `path` (placeholders in braces match any segment). */
function operationAt(method: string, path: string): Schema | undefined {
  const shape = (template: string) => template.replace(/\{[^}]+\}/g, "{}");
  // Ids are URL-encoded into paths: the placeholders come out as %7B…%7D.
  const [, item] =
    Object.entries(spec.paths as Record<string, Schema>).find(([template]) => shape(template) === shape(decodeURIComponent(path))) ?? [];
  return item?.[method.toLowerCase()];
}

/** The request body schema of the spec's operation at `method` `path`. */
function requestSchemaAt(method: string, path: string): string | undefined {
  const ref: string | undefined = operationAt(method, path)?.requestBody?.content?.["application/json"]?.schema?.$ref;
  return ref?.split("/").pop();
}

/** Every value a path needs, as a placeholder: the paths come out as the spec's templates. */
const placeholders = new Proxy({}, { get: (_target, key) => `{${String(key)}}` }) as Record<string, string>;

/**
 * Each registered resource's inputs, by the request schemas of the calls it makes (create, then update); `own`
 * inputs are the provider's (path ids, local triggers, verification inputs); `optional` fields are required in an
 * update body but optional as inputs (omitted = leave as is).
 */
function sourcesOf(resource: string): { from: string[]; own: string[]; optional: string[]; createsObject: boolean } {
  const resourceSpec = RESOURCE_SPECS[resource];
  const createMethod = resourceSpec.create?.method ?? "POST";
  const createPath = createMethod === "POST" ? resourceSpec.collectionPath!(placeholders) : resourceSpec.itemPath(placeholders, "{id}");
  const create = requestSchemaAt(createMethod, createPath);
  const update = resourceSpec.update && requestSchemaAt(resourceSpec.update.method, resourceSpec.itemPath(placeholders, "{id}"));
  const from = [...new Set([create, update].filter((name): name is string => name !== undefined))];
  const updateOnly = from.filter((name) => name !== create);
  return {
    from,
    own: [...fieldsWith(resourceSpec, "path"), ...fieldsWith(resourceSpec, "local"), ...(resourceSpec.verification?.inputs ?? [])],
    optional: updateOnly.flatMap((name) => (components[name].required ?? []).map(camelCase)),
    // A PATCH sets some fields of an object that exists; a POST or PUT sends the whole object.
    createsObject: createMethod !== "PATCH",
  };
}

/** Compares a zod-rendered JSON Schema with the spec's, recursively, collecting readable mismatches. */
function compare(ours: Schema, theirs: Schema, where: string, problems: string[], optional: string[] = []): void {
  theirs = deref(theirs);
  // Nullability is rendered as anyOf or a type list by zod; the spec says `nullable`. Compare the non-null part.
  ours = ours.anyOf ? (ours.anyOf.find((s: Schema) => s.type !== "null") ?? ours) : ours;
  if (Array.isArray(ours.type)) ours = { ...ours, type: ours.type.find((t: string) => t !== "null") };
  const note = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`${where}: ${what} is ${JSON.stringify(a)}, spec says ${JSON.stringify(b)}`);
  };
  if (theirs.enum) note("enum", ours.enum, theirs.enum);
  const type = theirs.type === "integer" ? "integer" : theirs.type;
  if (type && !theirs.enum) note("type", ours.type, type);
  for (const [zodKey, specKey] of [
    ["minimum", "minimum"],
    ["maximum", "maximum"],
    ["minLength", "minLength"],
    ["maxLength", "maxLength"],
    ["maxItems", "maxItems"],
    ["pattern", "pattern"],
  ]) {
    if (theirs[specKey] === undefined) continue;
    // Patterns are compared as regular expressions: zod escapes "/" where the spec does not.
    const canonical = (value: unknown) => (specKey === "pattern" && typeof value === "string" ? new RegExp(value).source : value);
    note(specKey, canonical(ours[zodKey]), canonical(theirs[specKey]));
  }
  if (theirs.type === "array") compare(ours.items ?? {}, theirs.items, `${where}[]`, problems);
  if (theirs.type === "object" && theirs.properties) {
    const writable = Object.entries(theirs.properties as Record<string, Schema>).filter(([, p]) => !p.readOnly);
    note("fields", Object.keys(ours.properties ?? {}).sort(), writable.map(([k]) => camelCase(k)).sort());
    const required = new Set(theirs.required ?? []);
    for (const [key, property] of writable) {
      const name = camelCase(key);
      const mine = ours.properties?.[name];
      if (!mine) continue;
      const fallback = property.default ?? deref(property).default;
      if (fallback !== undefined) note(`${name} default`, mine.default, fallback);
      // A default of ours (the API's field is required, we fill it) is sent as surely as a required input.
      const ensured = (ours.required ?? []).includes(name) || mine.default !== undefined;
      if (required.has(key) && fallback === undefined && !optional.includes(name) && !ensured) {
        problems.push(`${where}.${name}: required by the spec, optional here without a default`);
      }
      compare(mine, property, `${where}.${name}`, problems);
    }
  }
}

describe("resource inputs match the OpenAPI spec", () => {
  it.each(Object.keys(RESOURCE_SPECS))("%s", (resource) => {
    const { from, own, optional, createsObject } = sourcesOf(resource);
    expect(from.length).toBeGreaterThan(0);
    const rendered = z.toJSONSchema(RESOURCE_SPECS[resource].inputs, { io: "input", unrepresentable: "any" }) as Schema;
    const problems: string[] = [];
    const fieldsCovered = new Set<string>(own);
    const compared = new Set<string>();
    for (const source of from) {
      const theirs = components[source];
      // Each input is held to the first request that takes it (the create's rules where the update is looser).
      const fields = Object.keys(theirs.properties).filter((k) => rendered.properties[camelCase(k)] && !compared.has(camelCase(k)));
      fields.forEach((k) => [compared, fieldsCovered].forEach((set) => set.add(camelCase(k))));
      // Compare only the fields this resource takes from that request schema.
      const subset = {
        ...theirs,
        properties: Object.fromEntries(fields.map((k) => [k, theirs.properties[k]])),
        required: (theirs.required ?? []).filter((k: string) => fields.includes(k)),
      };
      const mine = { ...rendered, properties: Object.fromEntries(fields.map((k) => [camelCase(k), rendered.properties[camelCase(k)]])) };
      compare(mine, subset, `${resource}(${source})`, problems, optional);
    }
    expect(problems).toEqual([]);
    // Every input is either from the spec or declared as the provider's own.
    expect(Object.keys(rendered.properties).filter((k) => !fieldsCovered.has(k))).toEqual([]);
    // And every field of the spec's create request is an input, where the create sends a whole object.
    const createFields = Object.entries(components[from[0]].properties as Record<string, Schema>)
      .filter(([, p]) => !p.readOnly)
      .map(([k]) => camelCase(k));
    if (createsObject) expect(createFields.filter((k) => !(k in rendered.properties))).toEqual([]);
  });
});

/**
 * The spec's adoption match fields (how an existing object is recognized) against the fields the resources declare
 * unique (a second object with the same value is refused, so a replace deletes first). They differ only where the
 * API takes duplicates: two webhook endpoints may share a URL (the emulator accepts them too), so `url` stays a
 * match field only; declaring it unique would make every WebhookEndpoint replace delete first.
 */
it("the spec's adoption match fields are the resources' unique fields, except a webhook's URL", () => {
  const differences = Object.entries(API_RESOURCES).flatMap(([name, resource]) => {
    const matchFields = "adoption" in resource ? resource.adoption.matchFields.map(camelCase) : [];
    const unique = RESOURCE_SPECS[name] ? uniqueValuesOf(RESOURCE_SPECS[name]) : [];
    return matchFields.filter((field) => !unique.includes(field)).map((field) => `${name}.${field}`);
  });
  expect(differences).toEqual(["WebhookEndpoint.url"]);
});

/**
 * A preview calls a parent missing on a 404 of its GET: those the spec gives (resources/from-api.ts) and those a
 * resource adds for an id its body names must each be a GET for which the spec declares a 404.
 */
it("every parent check is a GET for which the spec declares a 404", () => {
  const checks = Object.values(RESOURCE_SPECS).flatMap((resource) =>
    Object.entries(resource.parents ?? {}).map(([field, path]) => ({ check: `${resource.name}.${field}`, path: path(placeholders) })),
  );
  expect(checks.length).toBeGreaterThan(0);
  expect(checks.filter(({ path }) => !("404" in (operationAt("GET", path)?.responses ?? {}))).map(({ check }) => check)).toEqual([]);
});

/**
 * What a delete leaves of an object the API still returns reads as gone (generated `goneWhen`, from a revoke or a
 * soft delete that clears), and the object as it was before does not: a soft delete that sets a value (a cache
 * rule's caching off) leaves an object that exists.
 */
it("a revoked object or a cleared setting reads as gone, where the spec's delete leaves one", () => {
  const judged = Object.entries(API_RESOURCES).flatMap(([name, resource]) => {
    if (!("goneWhen" in resource)) return [];
    const gone: GoneWhen = resource.goneWhen;
    const deleted = { ...gone.equals, ...Object.fromEntries((gone.set ?? []).map((key) => [key, "2026-01-01T00:00:00Z"])) };
    const live = Object.fromEntries(Object.keys(deleted).map((key) => [key, gone.set?.includes(key) ? null : "live"]));
    const isGone = RESOURCE_SPECS[name].read?.isGone;
    return [[name, isGone?.(deleted), isGone?.(live)]];
  });
  expect(judged).toEqual([
    ["SpendLimit", true, false],
    ["AgentCredential", true, false],
    ["SelfHostEnrollment", true, false],
  ]);
});

/**
 * The full spec, prose included (`PGBEAM_OPENAPI_SPEC`, else ../shared/reference/ beside the clone): the generator
 * reads rules from its wording, so only it can show the generated files are fresh. A plain clone has none.
 */
const fullSpecPath = process.env.PGBEAM_OPENAPI_SPEC || path.resolve(__dirname, "../../../shared/reference/pgbeam-openapi.json");
const fullSpec = fs.existsSync(fullSpecPath) ? JSON.parse(fs.readFileSync(fullSpecPath, "utf8")) : undefined;
const withFullSpec = fullSpec ? describe : describe.skip;

withFullSpec("with the full OpenAPI spec (PGBEAM_OPENAPI_SPEC, else ../shared/reference/pgbeam-openapi.json beside the clone)", () => {
  const fullComponents: Record<string, Schema> = fullSpec?.components.schemas;

  it("the generated files (schemas, API resources, the emulator's spec facts, the public types) are up to date with it", () => {
    // The generator as contributors run it (a tool, not a module of the tests): it exits 1 naming the stale file.
    const repoRoot = path.resolve(__dirname, "../..");
    expect(() =>
      execFileSync("npx", ["tsx", "scripts/generate-schemas.ts", fullSpecPath, "--check"], { cwd: repoRoot, stdio: "pipe" }),
    ).not.toThrow();
  });

  it("what the spec says in words is enforced wherever it says it (future expiries, https endpoints, CIDRs, ids)", () => {
    const wording: [RegExp, (p: Schema, key: string) => boolean, unknown][] = [
      [/must be in the future/, (p) => p.format === "date-time", "2001-01-31T00:00:00Z"],
      [/^HTTPS endpoint/, (p) => p.type === "string", "http://hooks.example.com/in"],
      [/^CIDR range/, (p) => p.type === "string", "300.1.1.1/40"],
      [/./, (p, key) => p.type === "string" && key.endsWith("_id") && !p.nullable, ""],
    ];
    const enforced: string[] = [];
    const missing: string[] = [];
    // Every generated object schema, those emitted because another refers to them (CidrEntry) included.
    for (const name of Object.keys(api).filter((n) => fullComponents[n]?.properties)) {
      const shape = (api as unknown as Record<string, z.ZodObject>)[name].shape;
      for (const [key, property] of Object.entries((fullComponents[name].properties ?? {}) as Record<string, Schema>)) {
        for (const [words, applies, refused] of wording) {
          if (property.readOnly || !words.test(property.description ?? "") || !applies(property, key)) continue;
          (shape[camelCase(key)].safeParse(refused).success ? missing : enforced).push(`${name}.${key}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(enforced).toEqual(
      expect.arrayContaining([
        "CreateAgentCredentialRequest.expires_at",
        "CreateSelfHostEnrollmentRequest.expires_at",
        "WebhookEndpointInput.url",
        "CidrEntry.cidr",
        "CreateAgentCredentialRequest.policy_profile_id",
      ]),
    );
  });
});
