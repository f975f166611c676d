/**
 * Generates provider/sdk/types.generated.ts: every registered resource's inputs and outputs as plain TypeScript
 * types, each field with a one-line doc comment built from facts (the spec's type, allowed values, range, default,
 * format, the unit its name gives; the field table's behaviours; a hand-written `.describe()` for inputs the API does
 * not have), never from the spec's prose. Programs compile against these, so the package's public declarations need
 * no zod (whose declarations fail to compile under the `tsconfig.json` that `pulumi new typescript` writes).
 *
 * For each resource `R`: `RInput`, what a program writes (fields with defaults optional); `RInputValues`, the inputs
 * once checked (defaults applied); `ROutputs`, what the resource object holds once created: the API object's fields
 * (from the response schema its `x-iac-resources` entry names), one-time values, and the inputs the API does not
 * return (parent ids, write-only and local inputs). Inputs are printed by the compiler from the zod schemas that
 * check them; outputs are printed from the spec's schemas.
 */
import * as path from "node:path";
import * as ts from "typescript";
import { toJSONSchema, type z } from "zod";
import { fieldsWith, type FieldBehaviour, type ResourceSpec } from "../provider/engine/spec";
import { camel } from "../provider/engine/values";
import { RESOURCE_SPECS } from "../provider/resources/registry";
import { type ApiResourceReading, type JsonSchema, type OpenApiSpec, readApiResources } from "./generate-resources";

const root = path.resolve(__dirname, "..");
export const sdkTypesFile = path.join(root, "provider/sdk/types.generated.ts");

/** `AgentCredential` → `agent-credential`, the module under provider/resources/ that declares `AgentCredentialInputs`. */
const moduleOf = (resource: string) => resource.replace(/(?<!^)([A-Z])/g, "-$1").toLowerCase();

/** What each behaviour of the field table means to a user, as the end of the field's doc line. */
const BEHAVIOUR_NOTES: Partial<Record<FieldBehaviour, string>> = {
  replace: "Changing it replaces the resource.",
  unique: "PgBeam refuses a second object with the same value (a replace deletes the old one first).",
  writeOnly: "Write-only: PgBeam never returns it; kept in state as a secret.",
  oneTime: "Returned once (at create or rotation) and kept in state from then on.",
  secret: "Secret in state.",
  serverDefault: "Left out, PgBeam's value is kept (no diff).",
  setElsewhere: "Left out, a value set by another resource is kept; removed from the program, it is cleared.",
  local: "Used by the provider itself, never sent to PgBeam.",
};

/** The unit a field's name states (`queryTimeoutMs`, `verifyTimeoutSeconds`, `egressBytesPerDay`). */
function unitOf(name: string): string | undefined {
  const units: [RegExp, string][] = [
    [/Ms$/, "milliseconds"],
    [/Seconds$/, "seconds"],
    [/BytesPerDay$/, "bytes per day"],
    [/Bytes$/, "bytes"],
    [/PerHour$/, "per hour"],
    [/PerDay$/, "per day"],
  ];
  return units.find(([pattern]) => pattern.test(name))?.[1];
}

type Resolve = (schema: JsonSchema | undefined) => JsonSchema | undefined;

/** The facts of a JSON schema as a phrase: "integer, 0 to 300000, default 0, milliseconds". */
function factsOf(schema: JsonSchema | undefined, name: string, resolve: Resolve): string[] {
  const s = resolve(schema);
  if (!s) return [];
  const facts: string[] = [];
  if (s.enum) facts.push(`one of ${s.enum.map((value) => JSON.stringify(value)).join(", ")}`);
  else if (s.type === "array")
    facts.push(
      `list${resolve(s.items)?.type === "object" ? " of objects" : resolve(s.items)?.type ? ` of ${resolve(s.items)!.type}s` : ""}`,
    );
  else if (s.format === "date-time") facts.push("timestamp (ISO 8601)");
  else if (Array.isArray(s.type)) facts.push((s.type as string[]).join(" or "));
  else if (s.type) facts.push(s.type);
  if (s.minimum !== undefined && s.maximum !== undefined && s.maximum < 2 ** 31 - 1) facts.push(`${s.minimum} to ${s.maximum}`);
  else if (s.minimum !== undefined) facts.push(`at least ${s.minimum}`);
  else if (s.maximum !== undefined) facts.push(`at most ${s.maximum}`);
  if (s.minLength !== undefined && s.maxLength !== undefined) facts.push(`${s.minLength} to ${s.maxLength} characters`);
  else if (s.maxLength !== undefined) facts.push(`at most ${s.maxLength} characters`);
  else if (s.minLength) facts.push(`at least ${s.minLength} character${s.minLength > 1 ? "s" : ""}`);
  if (s.maxItems !== undefined) facts.push(`at most ${s.maxItems} items`);
  if (s.pattern) facts.push(`matching \`${s.pattern}\``);
  const fallback = s.default ?? resolve(schema)?.default;
  const emptyObject = typeof fallback === "object" && fallback !== null && Object.keys(fallback).length === 0;
  if (emptyObject) facts.push("left out, its fields take their defaults");
  else if (fallback !== undefined) facts.push(`default ${JSON.stringify(fallback)}`);
  if (s.nullable || schema?.nullable) facts.push("may be null");
  const unit = unitOf(name);
  if (unit) facts.push(unit);
  return facts;
}

/** The doc line's notes for a field's behaviours; a path field says whose id it is. */
function behaviourNotes(field: string, behaviours: readonly FieldBehaviour[]): string[] {
  if (!behaviours.includes("path")) return behaviours.map((b) => BEHAVIOUR_NOTES[b]).filter((note): note is string => !!note);
  const parent = field
    .replace(/Id$/, "")
    .replace(/([A-Z])/g, " $1")
    .toLowerCase();
  const others = behaviours.filter((b) => b !== "path" && b !== "replace").map((b) => BEHAVIOUR_NOTES[b]);
  // A path field is the id of a parent (`projectId`) or the object's own key (a cache rule's `queryHash`).
  const what = field.endsWith("Id") ? `Id of the ${parent} it belongs to` : "Its key";
  return [`${what}, part of its URL: changing it replaces the resource.`, ...others].filter((note): note is string => !!note);
}

const article = (name: string) => `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name}`;

/** A doc line: the hand-written description first, then the facts, then the behaviours. */
function docLine(parts: { described?: string; facts: string[]; notes: string[] }): string {
  const facts = parts.facts.length > 0 ? `${parts.facts.join(", ")}.` : "";
  const text = [parts.described, facts.charAt(0).toUpperCase() + facts.slice(1), ...parts.notes].filter(Boolean).join(" ");
  return text.replace(/\*\//g, "*\\/");
}

/** A zod schema's wrapped schema (optional, nullable, default, prefault, pipe); undefined at a plain type. */
function unwrapZod(schema: z.ZodType): z.ZodType | undefined {
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
  return def.innerType ?? (def.type === "pipe" ? def.in : undefined);
}

type ZodDef = { type: string; element?: z.ZodType; shape?: Record<string, z.ZodType> };

/**
 * The zod schema at a field path (into nested objects and arrays' items) and the description on it or its wrappers:
 * what inputs the API does not have are documented by (`.describe()` in the resource file).
 */
function zodField(shape: Record<string, z.ZodType>, fieldPath: string[]): { schema?: z.ZodType; described?: string } {
  let schema: z.ZodType | undefined = shape[fieldPath[0]];
  for (let depth = 0; schema;) {
    const outer: z.ZodType = schema;
    let described: string | undefined;
    for (let inner: z.ZodType | undefined = schema; inner; inner = unwrapZod(inner)) {
      described ??= inner.description;
      schema = inner;
    }
    const def: ZodDef = (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
    if (def.type === "array" && depth < fieldPath.length - 1) {
      schema = def.element;
      continue;
    }
    if (depth === fieldPath.length - 1) return { schema: outer, described };
    depth++;
    schema = def.shape?.[fieldPath[depth]];
  }
  return {};
}

interface ResourceFacts {
  spec: ResourceSpec;
  reading?: ApiResourceReading;
  /** Request body properties the inputs come from (create, update, upsert), by camelCase name. */
  requestFields: Record<string, JsonSchema>;
}

function propertiesByCamel(schema: JsonSchema | undefined, resolve: Resolve): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(resolve(schema)?.properties ?? {}).map(([key, prop]) => [camel(key), prop]));
}

/** The doc line of an input at a field path (top level or nested). */
function inputDoc(facts: ResourceFacts, fieldPath: string[], resolve: Resolve): string {
  const { spec } = facts;
  const checked = zodField(spec.inputs.shape as Record<string, z.ZodType>, fieldPath);
  let schema: JsonSchema | undefined = facts.requestFields[fieldPath[0]];
  for (const key of fieldPath.slice(1)) {
    const resolved = resolve(schema);
    schema = propertiesByCamel(resolved?.type === "array" ? resolved.items : resolved, resolve)[key];
  }
  // An input the API does not have: the facts its zod schema states (type, range, default); a default the provider
  // adds (a cache rule's `cacheEnabled`) is one too.
  const checkedFacts = checked.schema && (toJSONSchema(checked.schema, { io: "input", unrepresentable: "any" }) as JsonSchema);
  if (!schema) schema = checkedFacts;
  else if (resolve(schema)?.default === undefined && checkedFacts?.default !== undefined)
    schema = { ...resolve(schema), default: checkedFacts.default };
  const described = checked.described;
  const notes = behaviourNotes(fieldPath.join("."), spec.fields[fieldPath.join(".")] ?? []);
  return docLine({ described, facts: factsOf(schema, fieldPath.at(-1)!, resolve), notes });
}

/** Adds a doc comment to every property of a printed type literal (nested ones too), by field path. */
function documentMembers(node: ts.TypeNode, fieldPath: string[], doc: (fieldPath: string[]) => string): void {
  if (ts.isUnionTypeNode(node)) node.types.forEach((type) => documentMembers(type, fieldPath, doc));
  else if (ts.isArrayTypeNode(node)) documentMembers(node.elementType, fieldPath, doc);
  else if (ts.isParenthesizedTypeNode(node)) documentMembers(node.type, fieldPath, doc);
  else if (ts.isTypeLiteralNode(node)) {
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !member.name || !ts.isIdentifier(member.name)) continue;
      const memberPath = [...fieldPath, member.name.text];
      ts.addSyntheticLeadingComment(member, ts.SyntaxKind.MultiLineCommentTrivia, `* ${doc(memberPath)} `, true);
      if (member.type) documentMembers(member.type, memberPath, doc);
    }
  }
}

/** A JSON schema as a TypeScript type, objects with a doc comment per field, keys in camelCase as outputs have them. */
function tsTypeOf(schema: JsonSchema | undefined, resolve: Resolve, indent: string, omit: readonly string[] = []): string {
  const s = resolve(schema);
  if (!s) return "unknown";
  let type: string;
  if (s.enum) type = s.enum.map((value) => JSON.stringify(value)).join(" | ");
  else if (s.type === "array") {
    const item = tsTypeOf(s.items, resolve, indent);
    type = /[|&]/.test(item) && !item.startsWith("{") ? `(${item})[]` : `${item}[]`;
  } else if (s.type === "object" && s.properties) {
    const required = new Set(s.required ?? []);
    const members = Object.entries(s.properties)
      .filter(([key]) => !omit.includes(key))
      .map(([key, prop]) => {
        const name = camel(key);
        const optional = required.has(key) ? "" : "?";
        return `${indent}  /** ${docLine({ facts: factsOf(prop, name, resolve), notes: [] })} */\n${indent}  ${name}${optional}: ${tsTypeOf(prop, resolve, `${indent}  `)};`;
      });
    type = `{\n${members.join("\n")}\n${indent}}`;
  } else if (s.type === "object") type = "Record<string, unknown>";
  else type = s.type === "integer" ? "number" : (s.type ?? "unknown");
  return s.nullable || schema?.nullable ? `${type} | null` : type;
}

/** The `ROutputs` interface of a resource. */
function outputsInterface(
  name: string,
  facts: ResourceFacts,
  spec: OpenApiSpec,
  resolve: Resolve,
  inputDocs: (path: string[]) => string,
): string {
  const { reading } = facts;
  const resourceSpec = facts.spec;
  const object = reading ? spec.components.schemas[reading.objectSchema] : undefined;
  const objectFields = propertiesByCamel(object, resolve);
  const required = new Set((object?.required ?? []).map(camel));
  const oneTime = new Map((reading?.oneTime ?? []).map(({ field }) => [camel(field), field]));
  const connection = new Set((reading?.connectionDetails ?? []).map(camel));
  const inputKeys = Object.keys(resourceSpec.inputs.shape);
  const nested = resourceSpec.nested;
  const keys = [...new Set([...inputKeys, ...resourceSpec.outputs, ...["createdAt", "updatedAt"].filter((key) => key in objectFields)])];
  const members = keys.map((key) => {
    const behaviours = resourceSpec.fields[key] ?? [];
    const notes = behaviourNotes(key, behaviours);
    if (connection.has(key)) notes.push("A connection detail.");
    let type: string;
    let doc: string;
    if (nested && key === nested.key) {
      // The nested object as its own answer has it (the create answer's `database`), with the write-only inputs kept.
      const createAnswer = reading?.operations.create && spec.paths[reading.operations.create.path].post;
      const answer = resolve(Object.values(createAnswer?.responses ?? {})[0]?.content?.["application/json"]?.schema);
      const nestedSchema = answer?.properties?.[key];
      const writeOnly = fieldsWith(resourceSpec, "writeOnly")
        .filter((p) => p.startsWith(`${key}.`))
        .map((p) => p.slice(key.length + 1));
      type = `${tsTypeOf(nestedSchema, resolve, "  ", ["id", nested.parentField.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)])}${
        writeOnly.length > 0
          ? ` & Pick<NonNullable<${name}InputValues[${JSON.stringify(key)}]>, ${writeOnly.map((w) => JSON.stringify(w)).join(" | ")}>`
          : ""
      }`;
      doc = docLine({
        described: `The ${key} created with it, as PgBeam reports it (${writeOnly.join(", ")} kept from the program, as a secret).`,
        facts: [],
        notes: [],
      });
    } else if (key === nested?.idOutput) {
      type = "string";
      doc = docLine({ described: `Id of the ${nested.key} created with it.`, facts: ["string"], notes: [] });
    } else if (key in objectFields && !behaviours.includes("writeOnly") && !behaviours.includes("local")) {
      // Typed as the API returns it; an input keeps its input's doc line (its description, what changing it does).
      type = tsTypeOf(objectFields[key], resolve, "  ");
      if (!required.has(key)) type += " | undefined";
      doc = inputKeys.includes(key) ? inputDocs([key]) : docLine({ facts: factsOf(objectFields[key], key, resolve), notes });
    } else if (oneTime.has(key)) {
      type = "string";
      doc = docLine({ facts: ["string"], notes });
    } else if (inputKeys.includes(key)) {
      type = `${name}InputValues[${JSON.stringify(key)}]`;
      doc = inputDocs([key]);
    } else {
      throw new Error(
        `${name}: output ${key} is neither in the API object ${reading?.objectSchema ?? "(none)"}, a one-time value nor an input`,
      );
    }
    return `  /** ${doc} */\n  ${key}: ${type};`;
  });
  return `/** What ${article(name)} holds once created: every field is an Output of the resource object. */\nexport interface ${name}Outputs {\n${members.join("\n")}\n}\n`;
}

export function generateSdkTypes(spec: OpenApiSpec): string {
  const schemas = spec.components.schemas;
  const resolve: Resolve = (schema) => (schema?.$ref ? schemas[schema.$ref.split("/").pop()!] : schema);
  const readings = new Map(readApiResources(spec).map((reading) => [reading.name, reading]));
  const resources = Object.keys(RESOURCE_SPECS).sort();
  const facts = new Map<string, ResourceFacts>(
    resources.map((name) => {
      const reading = readings.get(name);
      const requestFields: Record<string, JsonSchema> = {};
      for (const op of Object.values(reading?.operations ?? {}).reverse()) {
        if (op.request) Object.assign(requestFields, propertiesByCamel(schemas[op.request], resolve));
      }
      return [name, { spec: RESOURCE_SPECS[name], reading, requestFields }];
    }),
  );

  // A file the compiler is shown but that is never written: each alias below is printed with its structure expanded.
  const probe = path.join(root, "provider/sdk/__inputs-probe.ts");
  const probeText = [
    'import { toJSONSchema, type z } from "zod";',
    "type Expand<T> = T extends readonly (infer I)[] ? Expand<I>[] : T extends object ? { [K in keyof T]: Expand<T[K]> } : T;",
    ...resources.flatMap((r) => [
      `import type { ${r}Inputs } from "../resources/${moduleOf(r)}";`,
      `type ${r}Input = Expand<z.input<typeof ${r}Inputs>>;`,
      `type ${r}InputValues = Expand<z.output<typeof ${r}Inputs>>;`,
    ]),
  ].join("\n");
  const options: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists } = host;
  host.getSourceFile = (file, language, ...rest) =>
    file === probe ? ts.createSourceFile(file, probeText, language) : getSourceFile.call(host, file, language, ...rest);
  host.fileExists = (file) => file === probe || fileExists.call(host, file);
  const program = ts.createProgram([probe], options, host);
  const errors = ts.getPreEmitDiagnostics(program, program.getSourceFile(probe));
  if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, host));
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(probe)!;
  const printer = ts.createPrinter();
  const flags = ts.NodeBuilderFlags.NoTruncation | ts.NodeBuilderFlags.MultilineObjectLiterals | ts.NodeBuilderFlags.InTypeAlias;
  const aliases = source.statements.filter(ts.isTypeAliasDeclaration).filter((alias) => alias.name.text !== "Expand");
  const body = aliases.map((alias) => {
    const name = alias.name.text.replace(/InputValues$|Input$/, "");
    const resource = facts.get(name)!;
    const node = checker.typeToTypeNode(checker.getTypeAtLocation(alias.name), undefined, flags)!;
    documentMembers(node, [], (fieldPath) => inputDoc(resource, fieldPath, resolve));
    const what = alias.name.text.endsWith("InputValues")
      ? `The inputs of ${article(name)} once checked (defaults applied).`
      : `The inputs a program gives ${article(name)}.`;
    return `/** ${what} */\nexport type ${alias.name.text} = ${printer.printNode(ts.EmitHint.Unspecified, node, source).replace(/ {4}/g, "  ")};\n`;
  });
  const outputs = resources.map((name) =>
    outputsInterface(name, facts.get(name)!, spec, resolve, (fieldPath) => inputDoc(facts.get(name)!, fieldPath, resolve)),
  );
  return (
    "// Generated by scripts/generate-sdk-types.ts from the resources' input schemas and PgBeam's spec. Do not edit: run\n" +
    "// `npm run generate`. Plain types, so programs compile against the package without zod's declarations.\n\n" +
    body.join("\n") +
    "\n" +
    outputs.join("\n")
  );
}
