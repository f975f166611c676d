/**
 * Generates provider/api/schemas.generated.ts: zod schemas for the PgBeam API's request bodies, in the
 * camelCase our users write, with the spec's types, enums, ranges, patterns, required fields and defaults.
 * The package must not need the spec at run time, so the schemas are committed; the unit test
 * `schemas.test.ts` runs this with `--check`, which fails if the committed file is stale.
 *
 * Usage: tsx scripts/generate-schemas.ts [path/to/pgbeam-openapi.json] [--check]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { configuredSpecPath } from "../emulator/spec";
import { camelCase } from "../provider/engine/values";

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

type JsonSchema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  readOnly?: boolean;
  description?: string;
};

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


export function generateSchemas(spec: { components: { schemas: Record<string, JsonSchema> } }): string {
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

if (require.main === module) {
  const args = process.argv.slice(2);
  const specPath = args.find((a) => !a.startsWith("--")) ?? configuredSpecPath();
  const text = generateSchemas(JSON.parse(fs.readFileSync(specPath, "utf8")));
  if (args.includes("--check")) {
    const current = fs.existsSync(generatedFile) ? fs.readFileSync(generatedFile, "utf8") : "";
    if (current !== text) {
      console.error(`${generatedFile} is stale: run npm run generate`);
      process.exit(1);
    }
  } else {
    fs.mkdirSync(path.dirname(generatedFile), { recursive: true });
    fs.writeFileSync(generatedFile, text);
    console.log(`wrote ${generatedFile}`);
  }
}
