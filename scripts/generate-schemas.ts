/**
 * Generates, from PgBeam's OpenAPI spec, the files that let the repository work without it:
 * - provider/api/schemas.generated.ts: zod schemas for the API's request bodies, in the camelCase our users write,
 *   with the spec's types, enums, ranges, patterns, required fields and defaults (the package needs no spec at run
 *   time);
 * - emulator/pgbeam-openapi.facts.json: the spec without its prose (descriptions, summaries, examples), which the
 *   emulator validates against by default, so a plain clone runs the emulator, the demo and the tests;
 * - provider/api/resources.generated.ts: each `x-iac-resources` entry's verbs, paths, id, soft delete, outputs and
 *   adoption lookup (scripts/generate-resources.ts);
 * - provider/sdk/types.generated.ts: the resources' inputs and outputs as plain documented types
 *   (scripts/generate-sdk-types.ts).
 * `--check` fails if a committed file is stale (`.ci/run` runs it where the full spec is beside the clone).
 *
 * Usage: tsx scripts/generate-schemas.ts [path/to/pgbeam-openapi.json] [--check]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { camel as camelCase } from "../provider/engine/values";
import { apiResourcesFile, generateApiResources, type JsonSchema } from "./generate-resources";
import { generateSdkTypes, sdkTypesFile } from "./generate-sdk-types";

/** The request schemas the resources are built from, in dependency order is not required. */
export const GENERATED_SCHEMAS = [
  "CreateProjectRequest",
  "UpdateProjectRequest",
  "CreateDatabaseRequest",
  "UpdateDatabaseRequest",
  "PolicyProfileInput",
  "CreateAgentCredentialRequest",
  "UpdateAgentCredentialStatusRequest",
  "WebhookEndpointInput",
  "CreateReplicaRequest",
  "CreateCustomDomainRequest",
  "UpdateCacheRuleRequest",
  "UpdateSpendLimitRequest",
  "CreateSelfHostEnrollmentRequest",
];

/**
 * Rules from provider/api/rules.ts, by where the spec states them in words (descriptions, formats, names), so a
 * new schema that says the same gets the same rule.
 */
const RULES_FROM_SPEC: { rule: string; applies(schema: JsonSchema, key: string): boolean }[] = [
  { rule: "inFuture", applies: (s) => s.format === "date-time" && /must be in the future/i.test(s.description ?? "") },
  { rule: "httpsUrl", applies: (s) => s.type === "string" && /^HTTPS endpoint/.test(s.description ?? "") },
  { rule: "cidr", applies: (s) => s.type === "string" && /^CIDR range/.test(s.description ?? "") },
  // A reference to another object; the nullable ones are cleared with "" (the spec says so), so they may be empty.
  { rule: "id", applies: (s, key) => s.type === "string" && key.endsWith("_id") && !s.nullable && !s.minLength },
];

/** What the API is known to refuse although the spec does not say it (the emulator refuses the same). */
const API_RULES: Record<string, string> = {
  "UpdateProjectRequest.status": "settableProjectStatus",
  PoolConfig: "poolSizeOrder",
};

/** The full spec, beside the clone; `PGBEAM_OPENAPI_SPEC` names another. */
export const specPathDefault = process.env.PGBEAM_OPENAPI_SPEC || path.resolve(__dirname, "../../shared/reference/pgbeam-openapi.json");

/** Keys that hold prose: dropped from the facts file, except as names of properties (a project's `description`). */
const PROSE_KEYS = new Set(["description", "summary", "example", "examples", "externalDocs", "x-icon"]);

/** The spec's facts (paths, operations, parameters, schemas, `x-iac-resources`) without its prose. */
export function specFacts(spec: Record<string, any>): Record<string, unknown> {
  const strip = (value: unknown, namesProperties: boolean): unknown => {
    if (Array.isArray(value)) return value.map((item) => strip(item, false));
    if (typeof value !== "object" || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (!namesProperties && PROSE_KEYS.has(key)) continue;
      out[key] = strip(child, !namesProperties && key === "properties");
    }
    return out;
  };
  // The top-level `tags` are prose about groups of operations; `info` keeps what names the spec's version.
  const facts = Object.fromEntries(Object.entries(spec).filter(([key]) => key !== "tags" && key !== "info"));
  return strip({ ...facts, info: { title: spec.info?.title, version: spec.info?.version } }, false) as Record<string, unknown>;
}

export const factsFile = path.resolve(__dirname, "../emulator/pgbeam-openapi.facts.json");

interface Spec {
  components: { schemas: Record<string, JsonSchema> };
}

export function generateSchemas(spec: Spec): string {
  const components = spec.components.schemas;
  // Insertion order is emission order: a schema is added only after the schemas it references.
  const emitted = new Map<string, string>();
  const visiting = new Set<string>();

  const refName = (ref: string) => ref.split("/").pop()!;

  const emitNamed = (name: string): void => {
    if (emitted.has(name) || visiting.has(name)) return;
    visiting.add(name);
    const expr = expression(components[name], name);
    emitted.set(name, API_RULES[name] ? `rules.${API_RULES[name]}(${expr})` : expr);
  };

  /** A field's expression with the rules that apply to it. */
  const fieldExpression = (owner: string, key: string, schema: JsonSchema): string => {
    let expr = expression(schema);
    for (const { rule, applies } of RULES_FROM_SPEC) if (applies(schema, key)) expr = `rules.${rule}(${expr})`;
    const known = API_RULES[`${owner}.${key}`];
    return known ? `rules.${known}(${expr})` : expr;
  };

  /** True when an object schema can be built from `{}`: every required field has a default. */
  const fillsFromDefaults = (schema: JsonSchema): boolean => {
    const resolved = schema.$ref ? components[refName(schema.$ref)] : schema;
    if (resolved.type !== "object" || !resolved.properties) return false;
    return (resolved.required ?? []).every((field) => resolved.properties![field]?.default !== undefined);
  };

  const expression = (schema: JsonSchema, name?: string): string => {
    if (schema.$ref) {
      const name = refName(schema.$ref);
      emitNamed(name);
      return name;
    }
    let expr: string;
    if (schema.enum) {
      expr = `z.enum(${JSON.stringify(schema.enum)})`;
    } else {
      switch (schema.type) {
        case "string": {
          // Timestamps are made canonical so a server that re-formats one does not look like a change.
          expr = schema.format === "date-time" ? "rules.dateTime()" : "z.string()";
          if (schema.minLength !== undefined) expr += `.min(${schema.minLength})`;
          if (schema.maxLength !== undefined) expr += `.max(${schema.maxLength})`;
          if (schema.pattern !== undefined) expr += `.regex(new RegExp(${JSON.stringify(schema.pattern)}))`;
          break;
        }
        case "integer":
        case "number": {
          expr = schema.type === "integer" ? "z.number().int()" : "z.number()";
          if (schema.minimum !== undefined) expr += `.min(${schema.minimum})`;
          if (schema.maximum !== undefined) expr += `.max(${schema.maximum})`;
          break;
        }
        case "boolean":
          expr = "z.boolean()";
          break;
        case "array": {
          expr = `z.array(${expression(schema.items!)})`;
          if (schema.minItems !== undefined) expr += `.min(${schema.minItems})`;
          if (schema.maxItems !== undefined) expr += `.max(${schema.maxItems})`;
          break;
        }
        case "object": {
          const required = new Set(schema.required ?? []);
          const fields = Object.entries(schema.properties ?? {})
            .filter(([, prop]) => !prop.readOnly)
            .map(([key, prop]) => {
              let field = fieldExpression(name ?? "", key, prop);
              if (prop.nullable) field += ".nullable()";
              const fallback = prop.default ?? (prop.$ref ? components[refName(prop.$ref)].default : undefined);
              if (fallback !== undefined) field += `.default(${JSON.stringify(fallback)})`;
              else if (!required.has(key) && fillsFromDefaults(prop)) field += ".prefault({})";
              else if (!required.has(key)) field += ".optional()";
              return `  ${camelCase(key)}: ${field},`;
            });
          expr = `z.strictObject({\n${fields.join("\n")}\n})`;
          break;
        }
        default:
          throw new Error(`unsupported schema type ${schema.type}`);
      }
    }
    return expr;
  };

  for (const name of GENERATED_SCHEMAS) emitNamed(name);

  const body = [...emitted.entries()].map(([name, expr]) => `export const ${name} = ${expr};\n`).join("\n");
  return (
    "// Generated by scripts/generate-schemas.ts from pgbeam-openapi.json. Do not edit: run `npm run generate`.\n" +
    "// camelCase request bodies with the API's enums, ranges, patterns, required fields and defaults.\n" +
    'import { z } from "zod";\n' +
    'import * as rules from "./rules";\n\n' +
    body
  );
}

export const generatedFile = path.resolve(__dirname, "../provider/api/schemas.generated.ts");

export function factsText(spec: Record<string, any>): string {
  return JSON.stringify(specFacts(spec), null, 1) + "\n";
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const specPath = args.find((a) => !a.startsWith("--")) ?? specPathDefault;
  const spec = JSON.parse(fs.readFileSync(specPath, "utf8"));
  // In order: the public types are printed from the resources' schemas, which use the generated ones.
  const outputs: [string, () => string][] = [
    [generatedFile, () => generateSchemas(spec)],
    [apiResourcesFile, () => generateApiResources(spec)],
    [factsFile, () => factsText(spec)],
    [sdkTypesFile, () => generateSdkTypes(spec)],
  ];
  for (const [file, generate] of outputs) {
    const text = generate();
    if (args.includes("--check")) {
      const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
      if (current !== text) {
        console.error(`${file} is stale against ${specPath}: run npm run generate`);
        process.exitCode = 1;
      }
    } else {
      fs.writeFileSync(file, text);
      console.log(`wrote ${file}`);
    }
  }
}
