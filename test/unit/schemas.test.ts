/**
 * The resources' input schemas agree with PgBeam's official OpenAPI spec: field names (camelCase of the API's),
 * required fields, enums, ranges, lengths, patterns and defaults. Checked from zod's own JSON Schema rendering of
 * each resource's inputs, so hand-written extensions are held to the spec too, not only the generated file.
 */
import * as fs from "node:fs";
import { z } from "zod";
import * as api from "../../provider/api/schemas.generated";
import { camelCase, factsFile, factsText, generatedFile, generateSchemas, specPathDefault } from "../../scripts/generate-schemas";
import { RESOURCE_SPECS } from "../../provider/resources/registry";
import { configuredSpecPath } from "../../emulator/spec";
import { generateSdkTypes, sdkTypesFile } from "../../scripts/generate-sdk-types";

type Schema = Record<string, any>;
/** What the emulator validates against: the committed facts, or the full spec `PGBEAM_OPENAPI_SPEC` names. */
const spec = JSON.parse(fs.readFileSync(configuredSpecPath(), "utf8"));
const components: Record<string, Schema> = spec.components.schemas;
/**
 * The full spec, prose included (`PGBEAM_OPENAPI_SPEC`, else ../shared/reference/ beside the clone): the generator
 * reads rules from its wording, so only it can show the generated files are fresh. A plain clone has none.
 */
const fullSpec = fs.existsSync(specPathDefault) ? JSON.parse(fs.readFileSync(specPathDefault, "utf8")) : undefined;
const withFullSpec = fullSpec ? describe : describe.skip;
const deref = (schema: Schema): Schema => (schema.$ref ? deref(components[schema.$ref.split("/").pop()]) : schema);

/**
 * Each resource's inputs, by the spec request schemas they come from; `own` inputs are the provider's (path ids,
 * triggers, verification inputs); `optional` fields are required in an update body but optional as inputs
 * (omitted = leave as is).
 */
const SOURCES: Record<string, { from: string[]; own: string[]; optional?: string[] }> = {
  Project: { from: ["CreateProjectRequest", "UpdateProjectRequest"], own: [] },
  Database: { from: ["CreateDatabaseRequest"], own: ["projectId"] },
  PolicyProfile: { from: ["PolicyProfileInput"], own: ["projectId", "expectations", "impactLimits"] },
  AgentCredential: {
    from: ["CreateAgentCredentialRequest", "UpdateAgentCredentialStatusRequest"],
    own: ["projectId", "rotationTrigger"],
    optional: ["status"],
  },
  WebhookEndpoint: { from: ["WebhookEndpointInput"], own: ["projectId"] },
};

/** Compares a zod-rendered JSON Schema with the spec's, recursively, collecting readable mismatches. */
function compare(ours: Schema, theirs: Schema, where: string, problems: string[], optional: string[] = []): void {
  theirs = deref(theirs);
  // Nullability is rendered as anyOf or a type list by zod; the spec says `nullable`. Compare the non-null part.
  ours = ours.anyOf ? ours.anyOf.find((s: Schema) => s.type !== "null") ?? ours : ours;
  if (Array.isArray(ours.type)) ours = { ...ours, type: ours.type.find((t: string) => t !== "null") };
  const note = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`${where}: ${what} is ${JSON.stringify(a)}, spec says ${JSON.stringify(b)}`);
  };
  if (theirs.enum) note("enum", ours.enum, theirs.enum);
  const type = theirs.type === "integer" ? "integer" : theirs.type;
  if (type && !theirs.enum) note("type", ours.type, type);
  for (const [zodKey, specKey] of [["minimum", "minimum"], ["maximum", "maximum"], ["minLength", "minLength"], ["maxLength", "maxLength"], ["maxItems", "maxItems"], ["pattern", "pattern"]]) {
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
      if (required.has(key) && fallback === undefined && !optional.includes(name) && !(ours.required ?? []).includes(name)) {
        problems.push(`${where}.${name}: required by the spec, optional here`);
      }
      compare(mine, property, `${where}.${name}`, problems);
    }
  }
}

describe("resource inputs match the OpenAPI spec", () => {
  it.each(Object.keys(SOURCES))("%s", (resource) => {
    const { from, own, optional } = SOURCES[resource];
    const rendered = z.toJSONSchema(RESOURCE_SPECS[resource].inputs, { io: "input", unrepresentable: "any" }) as Schema;
    const problems: string[] = [];
    const fieldsCovered = new Set<string>(own);
    for (const source of from) {
      const theirs = components[source];
      const fields = Object.keys(theirs.properties).filter((k) => rendered.properties[camelCase(k)]);
      fields.forEach((k) => fieldsCovered.add(camelCase(k)));
      // Compare only the fields this resource takes from that request schema.
      const subset = { ...theirs, properties: Object.fromEntries(fields.map((k) => [k, theirs.properties[k]])), required: (theirs.required ?? []).filter((k: string) => fields.includes(k)) };
      const mine = { ...rendered, properties: Object.fromEntries(fields.map((k) => [camelCase(k), rendered.properties[camelCase(k)]])) };
      compare(mine, subset, `${resource}(${source})`, problems, optional);
    }
    expect(problems).toEqual([]);
    // Every input is either from the spec or declared as the provider's own.
    expect(Object.keys(rendered.properties).filter((k) => !fieldsCovered.has(k))).toEqual([]);
    // And every create field of the spec is an input.
    const createFields = Object.entries(components[from[0]].properties as Record<string, Schema>).filter(([, p]) => !p.readOnly).map(([k]) => camelCase(k));
    expect(createFields.filter((k) => !(k in rendered.properties))).toEqual([]);
  });
});

it("the public plain types programs compile against are up to date with the resources' input schemas", () => {
  expect(fs.readFileSync(sdkTypesFile, "utf8")).toBe(generateSdkTypes());
});

withFullSpec("with the full OpenAPI spec (PGBEAM_OPENAPI_SPEC, else ../shared/reference/pgbeam-openapi.json beside the clone)", () => {
  const fullComponents: Record<string, Schema> = fullSpec?.components.schemas;

  it("the generated schemas and the emulator's spec facts are up to date with it", () => {
    expect(fs.readFileSync(generatedFile, "utf8")).toBe(generateSchemas(fullSpec));
    expect(fs.readFileSync(factsFile, "utf8")).toBe(factsText(fullSpec));
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
    expect(enforced).toEqual(expect.arrayContaining([
      "CreateAgentCredentialRequest.expires_at",
      "CreateSelfHostEnrollmentRequest.expires_at",
      "WebhookEndpointInput.url",
      "CidrEntry.cidr",
      "CreateAgentCredentialRequest.policy_profile_id",
    ]));
  });
});
