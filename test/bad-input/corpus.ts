/**
 * The bad-input corpus: for every field of every registered resource (nested ones included), one value breaking
 * each of its constraints, generated from the resource's input schema (zod's JSON Schema rendering of it, with the
 * API rules' metadata from provider/api/rules.ts). A resource added to the registry is covered without a line here.
 */
import { z } from "zod";
import { apiRules } from "../../provider/api/rules";
import type { ResourceSpec } from "../../provider/engine/spec";
import type { Props } from "../../provider/engine/values";
import { RESOURCE_SPECS } from "../../provider/resources/registry";

type Schema = Record<string, any>;

export interface InputCase {
  resource: string;
  /** The dotted path a check failure must name. */
  field: string;
  /** The constraint the value breaks (or, for accepted values, the rule it satisfies). */
  constraint: string;
  /** The constraint's kind: "maxLength", "pattern", …, or the API rule's name. */
  kind: string;
  /** The resource's full inputs: a valid program with this one value changed. */
  inputs: Props;
  /** The value put at `field` (undefined when the case leaves the field out). */
  value: unknown;
}

const OMIT = Symbol("omit");
type Setter = (value: unknown) => Props;

/** The input schema as JSON Schema, with each API rule's metadata on the node it applies to. */
export function inputSchema(spec: ResourceSpec): Schema {
  return z.toJSONSchema(spec.inputs, { io: "input", unrepresentable: "any", metadata: apiRules }) as Schema;
}

/** The node without its `null` alternative, and whether null is allowed. */
function unwrapNull(node: Schema): { node: Schema; nullable: boolean } {
  if (node.anyOf) {
    const others = node.anyOf.filter((branch: Schema) => branch.type !== "null");
    return { node: others.length === 1 ? others[0] : { anyOf: others }, nullable: others.length < node.anyOf.length };
  }
  if (Array.isArray(node.type) && node.type.includes("null")) {
    const types = node.type.filter((type: string) => type !== "null");
    return { node: { ...node, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  return { node, nullable: false };
}

const STRING_CANDIDATES = ["x", "a-b_c.d", "10.0.0.0/8", "0123456789abcdef"];
/** Values that break common patterns (NUL, whitespace, characters outside an allowed set). */
const PATTERN_BREAKERS = ["bad\u0000value", "bad value", "bad!value", "-bad-"];

/** A valid value for a node: the rule's accepted example, else the simplest value meeting its constraints. */
export function example(schema: Schema): unknown {
  const { node } = unwrapNull(schema);
  if (node.accepted && node.type !== "object") return node.accepted[0];
  if (node.enum) return node.enum.find((option: unknown) => !(node.refused ?? []).includes(option));
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  switch (type) {
    case "string": {
      const length = Math.max(node.minLength ?? 1, 1);
      const candidates = STRING_CANDIDATES.map((s) => s.repeat(Math.ceil(length / s.length)).slice(0, Math.max(length, s.length)));
      return candidates.find((s) => !node.pattern || new RegExp(node.pattern).test(s)) ?? candidates[0];
    }
    case "integer":
    case "number":
      return node.minimum ?? Math.min(1, node.maximum ?? 1);
    case "boolean":
      return true;
    case "array":
      return node.minItems ? Array.from({ length: node.minItems }, () => example(node.items)) : [];
    case "object": {
      const value: Props = {};
      for (const key of node.required ?? []) value[key] = example(node.properties[key]);
      return node.accepted ? { ...value, ...node.accepted[0] } : value;
    }
    default:
      return example(node.anyOf[0]);
  }
}

/** A value of none of the node's types. */
function wrongType(node: Schema): unknown {
  const types: string[] = node.anyOf ? node.anyOf.map((b: Schema) => b.type) : [node.type].flat();
  const byType: [string, unknown][] = [
    ["string", 42],
    ["integer", "42"],
    ["number", "42"],
    ["boolean", "true"],
    ["array", "x"],
    ["object", "x"],
  ];
  const allowed = (value: unknown) =>
    types.some((type) =>
      type === "integer" || type === "number" ? typeof value === "number" : type === "array" ? Array.isArray(value) : typeof value === type,
    );
  return [...byType.filter(([type]) => types.includes(type)).map(([, value]) => value), true, 42, "x"].find((value) => !allowed(value));
}

/** Every way to break one node, given how to place a value at it in an otherwise valid program. */
function* breakNode(schema: Schema, required: boolean, path: string, set: Setter): Generator<Omit<InputCase, "resource">> {
  const { node, nullable } = unwrapNull(schema);
  const at = (constraint: string, value: unknown, field = path, kind = constraint.split(" ")[0]) => ({
    field,
    constraint,
    kind,
    value,
    inputs: set(value),
  });
  if (required) yield { field: path, constraint: "required", kind: "required", value: undefined, inputs: set(OMIT) };
  if (!nullable) yield at("not nullable", null);
  yield at("type", wrongType(node));
  if (node.enum) yield at("enum", "not-an-option");
  const type = Array.isArray(node.type) ? undefined : node.type;
  if (type === "string") {
    if (node.minLength) yield at(`minLength ${node.minLength}`, "x".repeat(node.minLength - 1));
    if (node.maxLength !== undefined) yield at(`maxLength ${node.maxLength}`, "x".repeat(node.maxLength + 1));
    if (node.pattern) {
      const pattern = new RegExp(node.pattern);
      yield at(
        `pattern ${node.pattern}`,
        PATTERN_BREAKERS.find((value) => !pattern.test(value)),
      );
    }
  }
  if (type === "integer" || type === "number") {
    if (node.minimum !== undefined) yield at(`minimum ${node.minimum}`, node.minimum - 1);
    if (node.maximum !== undefined) yield at(`maximum ${node.maximum}`, node.maximum + 1);
    if (type === "integer") yield at("integer", (node.minimum ?? 0) + 0.5);
    yield at("NaN", Number.NaN);
    yield at("finite", Number.POSITIVE_INFINITY);
  }
  if (type === "array") {
    const item = example(node.items);
    if (node.maxItems !== undefined)
      yield at(
        `maxItems ${node.maxItems}`,
        Array.from({ length: node.maxItems + 1 }, () => item),
      );
    if (node.minItems) yield at(`minItems ${node.minItems}`, []);
    yield* breakNode(node.items, false, `${path}[0]`, (value) => set(value === OMIT ? [] : [value]));
  }
  if (type === "object") {
    const base = example(node) as Props;
    yield at("unknown key", { ...base, notAField: 1 }, `${path}.notAField`);
    if (node.refused) {
      for (const refused of node.refused) yield at(node.rule, { ...base, ...refused }, `${path}.${node.field}`, node.rule);
    }
    yield* breakFields(node, path, (value) => set(value));
  } else if (node.refused) {
    for (const refused of node.refused) yield at(node.rule, refused, path, node.rule);
  }
}

function* breakFields(node: Schema, path: string, set: Setter): Generator<Omit<InputCase, "resource">> {
  const base = example(node) as Props;
  const required = new Set<string>(node.required ?? []);
  for (const [key, child] of Object.entries(node.properties as Record<string, Schema>)) {
    const place = (value: unknown) => {
      const next = { ...base };
      if (value === OMIT) delete next[key];
      else next[key] = value;
      return set(next);
    };
    yield* breakNode(child, required.has(key), path ? `${path}.${key}` : key, place);
  }
}

/** A valid program for the resource: its required fields with the simplest valid values. */
export function validInputs(spec: ResourceSpec): Props {
  return example(inputSchema(spec)) as Props;
}

/** Every bad value for every field of every resource in `specs` (the registry by default). */
export function badInputCorpus(specs: Readonly<Record<string, ResourceSpec>> = RESOURCE_SPECS): InputCase[] {
  return Object.values(specs).flatMap((spec) => {
    const root = inputSchema(spec);
    const cases = [...breakFields(root, "", (value) => value as Props)];
    return [
      ...cases,
      { field: "notAField", constraint: "unknown key", kind: "unknown", value: 1, inputs: { ...validInputs(spec), notAField: 1 } },
    ].map((c) => ({ resource: spec.name, ...c }));
  });
}

/** Values the API accepts for each rule, placed in otherwise valid programs: check() must let them through. */
export function acceptedCorpus(specs: Readonly<Record<string, ResourceSpec>> = RESOURCE_SPECS): InputCase[] {
  const found: InputCase[] = [];
  const visit = (node: Schema, path: string, set: Setter, resource: string) => {
    const { node: inner } = unwrapNull(node);
    if (inner.accepted) {
      for (const value of inner.accepted) {
        const placed = inner.type === "object" ? { ...(example(inner) as Props), ...value } : value;
        found.push({ resource, field: path, constraint: inner.rule, kind: inner.rule, value: placed, inputs: set(placed) });
      }
    }
    if (inner.type === "array") visit(inner.items, `${path}[0]`, (value) => set([value]), resource);
    if (inner.type === "object") {
      const base = example(inner) as Props;
      for (const [key, child] of Object.entries((inner.properties ?? {}) as Record<string, Schema>)) {
        visit(child, path ? `${path}.${key}` : key, (value) => set({ ...base, [key]: value }), resource);
      }
    }
  };
  for (const spec of Object.values(specs)) visit(inputSchema(spec), "", (value) => value as Props, spec.name);
  return found;
}
