/**
 * Reads each `x-iac-resources` entry of PgBeam's OpenAPI spec together with the operations, paths and response
 * schemas it names, and writes provider/api/resources.generated.ts: per resource, its verbs as method, path and
 * request schema, id field, soft-delete body, list (items key, paging), where the object sits in each answer, its
 * output fields, one-time outputs, connection details, adoption lookup, the GET that says whether each parent
 * exists, and how an object the API still returns after its delete reads (revoked, a cleared setting). The
 * resources build their REST shape from it (provider/resources/from-api.ts); scripts/generate-sdk-types.ts prints
 * their output types and docs from the same reading (`readApiResources`).
 */
import * as path from "node:path";
import { camel } from "../provider/engine/values";
import type { GoneWhen } from "../provider/resources/from-api";

export type JsonSchema = {
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

interface Operation {
  operationId?: string;
  parameters?: { $ref?: string; name?: string; in?: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

interface IacResource {
  operations: Record<string, string>;
  "id-field"?: string;
  "soft-delete"?: Record<string, unknown>;
  "connection-details"?: string[];
  "extra-outputs"?: Record<string, { path: string; sensitive?: boolean }>;
  adoption?: { "match-fields": string[]; "list-query-params"?: Record<string, string | number> };
}

export interface OpenApiSpec {
  components: { schemas: Record<string, JsonSchema>; parameters?: Record<string, { name: string; in: string; schema?: JsonSchema }> };
  paths: Record<string, Record<string, Operation>>;
  "x-iac-resources"?: Record<string, IacResource>;
}

/** One verb of a resource as the spec declares it. */
export interface ApiOperation {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
}

/** What the generator reads about one resource (the parts with schemas stay here; the rest is written out). */
export interface ApiResourceReading {
  name: string;
  operations: Record<string, ApiOperation & { request?: string }>;
  /** The id field for resources keyed by an input (upsert), as the API spells it. */
  idField?: string;
  softDelete?: Record<string, unknown>;
  list?: { itemsKey: string; paged: boolean };
  /** The object's schema name (read answer, else list item). */
  objectSchema: string;
  /** Per verb whose answer wraps the object: the key it is under (create `credential`, upsert `entry`). */
  answerKeys: Record<string, string>;
  /** Fields the create answer carries beside the object, only then (one-time values), by the API's names. */
  oneTime: { field: string; sensitive: boolean }[];
  connectionDetails: string[];
  adoption?: { matchFields: string[]; listQuery: Record<string, string | number>; itemsKey: string };
  /** Path parameters of the item path (the object's own id last, unless it is `idField`), as the API spells them. */
  parentParams: string[];
  /** Per parent path parameter (not `idField`), a GET of the spec that answers 404 when that parent does not exist. */
  parents: Record<string, string>;
  goneWhen?: GoneWhen;
}

const refName = (ref: string) => ref.split("/").pop()!;
const VERB_ORDER = ["create", "upsert", "read", "update", "delete", "list"];

export function readApiResources(spec: OpenApiSpec): ApiResourceReading[] {
  const schemas = spec.components.schemas;
  const resolve = (schema: JsonSchema | undefined): JsonSchema | undefined => (schema?.$ref ? schemas[refName(schema.$ref)] : schema);
  const operations = new Map<string, ApiOperation & { operation: Operation }>();
  for (const [pathTemplate, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation.operationId)
        operations.set(operation.operationId, { method: method.toUpperCase() as ApiOperation["method"], path: pathTemplate, operation });
    }
  }
  const answerOf = (operation: Operation): JsonSchema | undefined => {
    const success = Object.entries(operation.responses ?? {}).find(([code]) => code.startsWith("2"))?.[1];
    return success?.content?.["application/json"]?.schema;
  };
  const params = (template: string) => [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
  const answers404 = (template: string | undefined) => template !== undefined && "404" in (spec.paths[template]?.get?.responses ?? {});

  /**
   * The GET whose 404 says a parent is missing: the parent itself (the item path up to its parameter), else this
   * resource's own list under it (a replica's database has no GET of its own). Neither declaring a 404 (an
   * organization), there is nothing to ask.
   */
  const parentChecks = (parentParams: string[], idField: string | undefined, itemPath: string, listPath: string | undefined) =>
    Object.fromEntries(
      parentParams
        .filter((param) => param !== idField)
        .flatMap((param) => {
          const own = itemPath.slice(0, itemPath.indexOf(`{${param}}`) + param.length + 2);
          const underIt = listPath && params(listPath).at(-1) === param ? listPath : undefined;
          const path = [own, underIt].find(answers404);
          return path ? [[param, path]] : [];
        }),
    );

  /**
   * How an object the API still returns after its delete reads. A revoke (the delete's operationId says so) leaves
   * it marked: a `revoked` status, else a `revoked_at` time. A soft delete that clears fields (null) leaves no
   * setting; one that sets values (caching off) leaves an object that still exists, so nothing reads as gone.
   */
  const goneWhen = (name: string, resource: IacResource, object: JsonSchema): GoneWhen | undefined => {
    const deleteId = resource.operations.delete;
    if (deleteId?.startsWith("revoke")) {
      const fields = object.properties ?? {};
      if (fields.status?.enum?.includes("revoked")) return { equals: { status: "revoked" } };
      if (fields.revoked_at) return { set: ["revoked_at"] };
      throw new Error(
        `x-iac-resources.${name}: its delete (${deleteId}) revokes, but the object has neither a "revoked" status nor revoked_at: ` +
          "declare read.isGone in its provider/resources file",
      );
    }
    const cleared = Object.entries(resource["soft-delete"] ?? {});
    if (cleared.length > 0 && cleared.every(([, value]) => value === null)) return { equals: Object.fromEntries(cleared) };
    return undefined;
  };

  return Object.entries(spec["x-iac-resources"] ?? {}).map(([name, resource]) => {
    const ops = Object.fromEntries(
      Object.entries(resource.operations).map(([verb, operationId]) => {
        const found = operations.get(operationId);
        if (!found) throw new Error(`x-iac-resources.${name}.operations.${verb}: no operation ${operationId}`);
        const request = found.operation.requestBody?.content?.["application/json"]?.schema?.$ref;
        return [
          verb,
          { method: found.method, path: found.path, ...(request ? { request: refName(request) } : {}), operation: found.operation },
        ];
      }),
    );
    const listOp = ops.list;
    let list: ApiResourceReading["list"];
    let listItem: JsonSchema | undefined;
    if (listOp) {
      const answer = resolve(answerOf(listOp.operation));
      const entry = Object.entries(answer?.properties ?? {}).find(([, prop]) => prop.type === "array");
      if (!entry) throw new Error(`${name}: the list answer has no array`);
      listItem = entry[1].items;
      const paged = (listOp.operation.parameters ?? []).some(
        (p) => (p.$ref ? spec.components.parameters?.[refName(p.$ref)]?.name : p.name) === "page_size",
      );
      list = { itemsKey: entry[0], paged };
    }
    const objectRef = (ops.read && answerOf(ops.read.operation)?.$ref) ?? listItem?.$ref;
    if (!objectRef) throw new Error(`${name}: neither a read answer nor a list item names the object's schema`);
    const objectSchema = refName(objectRef);
    const answerKeys: Record<string, string> = {};
    for (const [verb, op] of Object.entries(ops)) {
      const answer = resolve(answerOf(op.operation));
      const key = Object.entries(answer?.properties ?? {}).find(([, prop]) => prop.$ref && refName(prop.$ref) === objectSchema)?.[0];
      if (key) answerKeys[verb] = key;
    }
    const collection = ops.create ?? ops.list;
    const itemOp = ops.upsert ?? ops.update ?? ops.delete ?? ops.read;
    if (!itemOp) throw new Error(`${name}: no operation on the object itself`);
    const itemPath = itemOp.path;
    const ownId = params(itemPath).filter((param) => !collection || !params(collection.path).includes(param));
    const parentParams = params(itemPath).filter((param) => !ownId.includes(param) || param === resource["id-field"]);
    const gone = goneWhen(name, resource, schemas[objectSchema]);
    const oneTime = Object.entries(resource["extra-outputs"] ?? {})
      .filter(([, extra]) => !extra.path.includes("."))
      .map(([field, extra]) => ({ field, sensitive: extra.sensitive === true }));
    const adoption = resource.adoption &&
      list && {
        matchFields: resource.adoption["match-fields"],
        listQuery: resource.adoption["list-query-params"] ?? {},
        itemsKey: list.itemsKey,
      };
    return {
      name,
      operations: Object.fromEntries(
        VERB_ORDER.concat(Object.keys(ops).filter((verb) => !VERB_ORDER.includes(verb)))
          .filter((verb) => ops[verb])
          .map((verb) => [
            verb,
            { method: ops[verb].method, path: ops[verb].path, ...(ops[verb].request ? { request: ops[verb].request } : {}) },
          ]),
      ),
      ...(resource["id-field"] ? { idField: resource["id-field"] } : {}),
      ...(resource["soft-delete"] ? { softDelete: resource["soft-delete"] } : {}),
      ...(list ? { list } : {}),
      objectSchema,
      answerKeys,
      oneTime,
      connectionDetails: resource["connection-details"] ?? [],
      ...(adoption ? { adoption } : {}),
      parentParams,
      parents: parentChecks(parentParams, resource["id-field"], itemPath, listOp?.path),
      ...(gone ? { goneWhen: gone } : {}),
    };
  });
}

/** The object's output fields in camelCase (its id is the resource's id), then the one-time values. */
export function outputNames(spec: OpenApiSpec, reading: ApiResourceReading): string[] {
  const object = spec.components.schemas[reading.objectSchema];
  return [...Object.keys(object.properties ?? {}).filter((key) => key !== "id"), ...reading.oneTime.map((value) => value.field)].map(camel);
}

export function generateApiResources(spec: OpenApiSpec): string {
  const entries = readApiResources(spec).map((reading) => {
    const written = {
      operations: Object.fromEntries(
        Object.entries(reading.operations).map(([verb, op]) => [
          verb,
          { method: op.method, path: op.path, ...(op.request ? { request: op.request } : {}) },
        ]),
      ),
      ...(reading.idField ? { idField: reading.idField } : {}),
      ...(reading.softDelete ? { softDelete: reading.softDelete } : {}),
      ...(reading.list ? { list: reading.list } : {}),
      answerKeys: reading.answerKeys,
      parentParams: reading.parentParams,
      parents: reading.parents,
      ...(reading.goneWhen ? { goneWhen: reading.goneWhen } : {}),
      outputs: outputNames(spec, reading),
      oneTime: reading.oneTime.map(({ field, sensitive }) => ({ field, sensitive })),
      connectionDetails: reading.connectionDetails,
      ...(reading.adoption ? { adoption: reading.adoption } : {}),
    };
    return `  ${reading.name}: ${JSON.stringify(written, null, 2).replace(/\n/g, "\n  ")},`;
  });
  return (
    "// Generated by scripts/generate-resources.ts from pgbeam-openapi.json's x-iac-resources. Do not edit: run `npm run generate`.\n" +
    "// Per resource, what the API declares: its verbs (method, path, request schema), id field, soft delete, list,\n" +
    "// where the object sits in each answer, the GETs that say whether its parents exist, how it reads once deleted\n" +
    "// where the API still returns it, its output fields (camelCase), one-time values, connection details and adoption\n" +
    "// lookup.\n\n" +
    "export const API_RESOURCES = {\n" +
    entries.join("\n") +
    "\n} as const;\n\n" +
    "export type ApiResourceName = keyof typeof API_RESOURCES;\n"
  );
}

export const apiResourcesFile = path.resolve(__dirname, "../provider/api/resources.generated.ts");
