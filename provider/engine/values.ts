import type { z } from "zod";
import { ignoringClock } from "../api/rules";

/** Value helpers shared by every verb: preview unknowns, key casing, "empty" equivalence, state sanitizing. */

/** What the engine sends in place of any value not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Props {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isPlainObject(value)) return Object.values(value).some(containsUnknown);
  return false;
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** An API (snake_case) field name as the inputs spell it. */
export const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function mapKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => mapKeys(item, rename));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [rename(key), mapKeys(item, rename)]));
  }
  return value;
}

/** Our camelCase inputs to the API's snake_case body. No PgBeam body has user-chosen keys, so this is safe. */
export const toApi = (value: unknown): Props => mapKeys(value, snake) as Props;
export const fromApi = (value: unknown): Props => mapKeys(value, camel) as Props;

/**
 * The API treats an absent field, null, "", [] and {} alike (no value), and so do we: otherwise a server that
 * echoes `description: ""` or `tags: []` for an omitted field would show a diff forever (prior-art D5).
 */
export function normalize(value: unknown): unknown {
  if (value === null || value === undefined || value === "") return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map((item) => normalize(item) ?? null);
  if (isPlainObject(value)) {
    const entries = Object.entries(value)
      .map(([key, item]) => [key, normalize(item)] as const)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return value;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

/** State must be plain JSON: the host's Struct.fromJavaScript throws on undefined, functions and class instances. */
export function sanitize<T>(value: T): T {
  return JSON.parse(JSON.stringify(value ?? {})) as T;
}

export function pick(source: Props, keys: Iterable<string>): Props {
  const result: Props = {};
  for (const key of keys) if (source[key] !== undefined) result[key] = source[key];
  return result;
}

export function omit(source: Props, keys: Iterable<string>): Props {
  const excluded = new Set(keys);
  return Object.fromEntries(Object.entries(source).filter(([key]) => !excluded.has(key)));
}

/** Merges `top` over `base`, recursing into plain objects (arrays are replaced whole). */
export function deepMerge(base: Props, top: Props): Props {
  const result: Props = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    result[key] = isPlainObject(value) && isPlainObject(base[key]) ? deepMerge(base[key] as Props, value) : value;
  }
  return result;
}

/** The values at the given dotted paths, in the same nesting (`database.password` → `{ database: { password } }`). */
export function pickPaths(source: Props, paths: Iterable<string>): Props {
  const result: Props = {};
  for (const path of paths) {
    const value = getPath(source, path);
    if (value !== undefined) setPath(result, path, value);
  }
  return result;
}

/** The value at a validation issue's path (object keys and array indexes). */
export function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let node = value;
  for (const key of path) node = isPlainObject(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}

/** Whether a validation issue's path runs into an unknown value: such an issue is not the user's error. */
export function reachesUnknown(value: unknown, path: readonly PropertyKey[]): boolean {
  let node = value;
  for (const key of path) {
    if (node === UNKNOWN) return true;
    node = isPlainObject(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return node === UNKNOWN;
}

export function getPath(source: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), source);
}

export function setPath(target: Props, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Props;
  }
  node[keys[keys.length - 1]] = value;
}

/** The zod internals we read to walk a schema (zod 4 keeps them on `_zod.def`). */
interface SchemaDef {
  type: string;
  innerType?: SchemaNode;
  in?: SchemaNode;
  shape?: Record<string, SchemaNode>;
  element?: SchemaNode;
  defaultValue?: unknown;
}
interface SchemaNode {
  _zod: { def: SchemaDef };
}

/**
 * Keeps only the parts of `value` that the input schema describes. Outputs of nested objects carry fields the
 * user never sets (ids, timestamps, fields a newer API adds); comparing them would show a diff forever.
 */
export function projectOnto(schema: SchemaNode, value: unknown): unknown {
  const def = baseDef(schema);
  if (def.type === "object" && def.shape && isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(def.shape)
        .filter(([key]) => value[key] !== undefined)
        .map(([key, field]) => [key, projectOnto(field, value[key])]),
    );
  }
  if (def.type === "array" && def.element && Array.isArray(value)) {
    return value.map((item) => projectOnto(def.element!, item));
  }
  return value;
}

/** The schema under its wrappers (optional, default, nullable, transforms). */
function baseDef(schema: SchemaNode): SchemaDef {
  let def = schema._zod.def;
  while (def.innerType || def.in) def = (def.innerType ?? def.in)!._zod.def;
  return def;
}

/** The fields of an object schema, under its wrappers. */
export function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  return (baseDef(schema as unknown as SchemaNode).shape ?? {}) as unknown as Record<string, z.ZodType>;
}

/** What clears a field in a PATCH, by its schema: its default, else null if nullable, "" for text, [] for lists. */
export function clearValueFor(schema: z.ZodType): unknown {
  for (let def = (schema as unknown as SchemaNode)._zod.def; ; def = (def.innerType ?? def.in)!._zod.def) {
    if (def.type === "default" || def.type === "prefault") return def.defaultValue;
    if (def.type === "nullable") return null;
    if (def.type === "string") return "";
    if (def.type === "array") return [];
    if (!def.innerType && !def.in) return null;
  }
}

/**
 * An old output in the form a checked input would have: projected onto the field's schema, then run through it
 * (so server formatting such as a bare CIDR or a re-formatted timestamp compares equal to the checked input).
 */
export function canonical(schema: z.ZodType, value: unknown): unknown {
  return canonicalOf(schema, projectOnto(schema as unknown as SchemaNode, value));
}

/**
 * Whether an old output is the checked input `desired`. The output is parsed only when it differs from it once the
 * server's own fields are left out: a checked input is canonical already, and parsing is most of a diff's CPU.
 */
export function sameAsCanonical(schema: z.ZodType, desired: unknown, output: unknown): boolean {
  if (sameValue(desired, output)) return true;
  const projected = projectOnto(schema as unknown as SchemaNode, output);
  return sameValue(desired, projected) || sameValue(desired, canonicalOf(schema, projected));
}

function canonicalOf(schema: z.ZodType, projected: unknown): unknown {
  // An absent output reads as the field's default: an API that leaves out a defaulted field has not changed it.
  // What the API already holds is not judged against the clock again (an expiry that has since passed).
  const parsed = ignoringClock(() => schema.safeParse(projected ?? undefined));
  return parsed.success ? parsed.data : projected;
}
