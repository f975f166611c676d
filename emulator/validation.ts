import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { JsonSchema, OpenApiDocument, Operation, ParameterSpec } from "./spec";

/**
 * Validates requests and the emulator's own responses against the spec's schemas with Ajv.
 *
 * OpenAPI 3.0 is not plain JSON Schema, so the component schemas are compiled twice, once per direction:
 * - `nullable: true` is understood by Ajv itself;
 * - `readOnly` properties are forbidden (and not required) in requests, `writeOnly` ones in responses;
 * - objects without `additionalProperties` get `false`. The spec does not forbid unknown fields, and a lenient
 *   server silently drops them, which is how a misspelt or read-only field turns into a perpetual diff. With
 *   unknown fields "reject" (the default) the emulator refuses them, loudly; with "drop" it removes them before the
 *   handler sees them, like such a server. Unknown query parameters follow the same rule. Responses are always
 *   checked strictly: the emulator must never return a field the spec does not define.
 */
export type UnknownFields = "reject" | "drop";

export interface RequestValidation {
  errors: string[];
  /** Query parameters coerced to their schema types (e.g. `page_size` as a number) and with defaults applied. */
  query: Record<string, unknown>;
  /** A copy of the request body as the handler should see it (unknown fields removed in "drop" mode). */
  body: unknown;
}

export interface RequestBody {
  present: boolean;
  /** Parsed JSON, or undefined when the text was not JSON. */
  value: unknown;
  parseError?: string;
}

type Direction = "request" | "response";

const DOCUMENT_ID: Record<Direction, string> = { request: "pgbeam-request", response: "pgbeam-response" };

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A copy of one schema with the direction's readOnly/writeOnly rule applied and unknown fields forbidden. Walks only
 * subschema positions, so a property that happens to be called `type` or `properties` is never mistaken for a keyword.
 */
function tighten(schema: unknown, direction: Direction): unknown {
  if (!isPlainObject(schema)) return schema;
  const out: Record<string, unknown> = { ...schema };
  const sub = (s: unknown): unknown => tighten(s, direction);
  if (isPlainObject(schema.properties)) {
    const hidden = direction === "request" ? "readOnly" : "writeOnly";
    const properties: Record<string, unknown> = {};
    let required = Array.isArray(schema.required) ? (schema.required as string[]) : undefined;
    for (const [name, property] of Object.entries(schema.properties)) {
      if (isPlainObject(property) && property[hidden]) {
        // A `false` schema rejects the field when present, with a message naming the reason (see formatError).
        properties[name] = false;
        required = required?.filter((r) => r !== name);
      } else {
        properties[name] = sub(property);
      }
    }
    out.properties = properties;
    if (required) out.required = required;
  }
  if (schema.items !== undefined) out.items = sub(schema.items);
  if (isPlainObject(schema.additionalProperties)) out.additionalProperties = sub(schema.additionalProperties);
  if (["allOf", "anyOf", "oneOf", "not"].some((combinator) => combinator in schema)) {
    // `additionalProperties: false` on the branches of a composition would reject each other's fields.
    throw new Error("spec: schema composition (allOf/anyOf/oneOf/not) is not supported by the emulator's validator");
  }
  if ((schema.type === "object" || schema.properties) && schema.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/** Rewrites `#/components/...` refs to point into one of the two registered documents. */
function absolutize(schema: unknown, documentId: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => absolutize(s, documentId));
  if (!isPlainObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === "$ref" && typeof value === "string" && value.startsWith("#") ? documentId + value : absolutize(value, documentId);
  }
  return out;
}

/** `/database/allowed_cidrs/0/cidr` → `database.allowed_cidrs[0].cidr`. */
function fieldPath(location: string, instancePath: string, child?: string): string {
  const segments = instancePath.split("/").slice(1);
  if (child !== undefined) segments.push(child);
  let out = location;
  for (const segment of segments) {
    const key = segment.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(key) ? `[${key}]` : `.${key}`;
  }
  return out;
}

function formatError(location: string, direction: Direction, error: ErrorObject): string {
  switch (error.keyword) {
    case "required":
      return `${fieldPath(location, error.instancePath, error.params.missingProperty)}: is required`;
    case "additionalProperties":
      return `${fieldPath(location, error.instancePath, error.params.additionalProperty)}: is not defined by the spec here`;
    case "false schema":
      return `${fieldPath(location, error.instancePath)}: is ${direction === "request" ? "read-only and must not be sent" : "write-only and must not be returned"}`;
    case "enum":
      return `${fieldPath(location, error.instancePath)}: must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return `${fieldPath(location, error.instancePath)}: ${error.message}`;
  }
}

function addOpenApiFormats(ajv: Ajv): void {
  addFormats(ajv);
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat("float", { type: "number", validate: () => true });
  ajv.addFormat("double", { type: "number", validate: () => true });
  ajv.addFormat("password", { type: "string", validate: () => true });
}

export class SpecValidator {
  private readonly requests: Ajv;
  /** Separate instance because parameters arrive as strings and need type coercion; bodies must not be coerced. */
  private readonly parameters: Ajv;
  /** Separate instance because it must never remove anything: a stray field in a response is a failure. */
  private readonly responses: Ajv;
  private readonly compiledParameters = new Map<string, ValidateFunction>();

  constructor(
    private readonly document: OpenApiDocument,
    private readonly unknownFields: UnknownFields,
  ) {
    const removeAdditional = unknownFields === "drop";
    this.requests = new Ajv({ strict: false, allErrors: true, removeAdditional });
    this.parameters = new Ajv({ strict: false, allErrors: true, coerceTypes: true, useDefaults: true, removeAdditional });
    this.responses = new Ajv({ strict: false, allErrors: true });
    const requestDocument = this.directionDocument("request");
    for (const ajv of [this.requests, this.parameters]) {
      addOpenApiFormats(ajv);
      ajv.addSchema(requestDocument);
    }
    addOpenApiFormats(this.responses);
    this.responses.addSchema(this.directionDocument("response"));
  }

  validateRequest(
    operation: Operation,
    pathParams: Record<string, string>,
    rawQuery: Record<string, string>,
    body: RequestBody,
  ): RequestValidation {
    const errors: string[] = [];
    errors.push(...this.validateParameters(operation, "path", { ...pathParams }));
    const query: Record<string, unknown> = { ...rawQuery };
    errors.push(...this.validateParameters(operation, "query", query));

    const value = clone(body.value);
    if (body.parseError) {
      errors.push(`body: is not valid JSON (${body.parseError})`);
    } else if (!operation.requestSchema) {
      if (body.present && this.unknownFields === "reject") errors.push(`body: ${operation.operationId} takes no request body`);
      return { errors, query, body: undefined };
    } else if (!body.present) {
      if (operation.requestBodyRequired) errors.push("body: is required");
    } else {
      const validate = this.schemaValidator(this.requests, "request", operation.requestSchema);
      if (!validate(value)) errors.push(...(validate.errors ?? []).map((e) => formatError("body", "request", e)));
    }
    return { errors, query, body: value };
  }

  /** Problems with a response the emulator is about to send; empty when it conforms to the operation's spec. */
  validateResponse(operation: Operation, status: number, body: unknown): string[] {
    if (!operation.responses.has(status)) {
      return [`status ${status} is not a declared response of ${operation.operationId}`];
    }
    const schemaName = operation.responses.get(status);
    if (!schemaName) return body === undefined ? [] : [`status ${status} of ${operation.operationId} must have no body`];
    const validate = this.schemaValidator(this.responses, "response", schemaName);
    return validate(body) ? [] : (validate.errors ?? []).map((e) => formatError("response", "response", e));
  }

  /**
   * A copy of `value` with the `default` of every absent property filled in, following `$ref`s (which Ajv's own
   * `useDefaults` does not). This is how the emulator applies the spec's server-side defaults on create and PUT.
   */
  withDefaults<T>(schemaName: string, value: T): T {
    return this.fillDefaults(this.document.components.schemas[schemaName], clone(value)) as T;
  }

  private fillDefaults(schema: JsonSchema | undefined, value: unknown): unknown {
    const resolved = this.deref(schema);
    if (!resolved) return value;
    if (Array.isArray(value)) return value.map((item) => this.fillDefaults(resolved.items, item));
    if (!isPlainObject(value) || !resolved.properties) return value;
    for (const [name, property] of Object.entries<JsonSchema>(resolved.properties)) {
      const propertySchema = this.deref(property);
      if (value[name] === undefined) {
        if (propertySchema?.default !== undefined) value[name] = clone(propertySchema.default);
      } else {
        value[name] = this.fillDefaults(propertySchema, value[name]);
      }
    }
    return value;
  }

  private deref(schema: JsonSchema | undefined): JsonSchema | undefined {
    let current = schema;
    while (current?.$ref) current = this.document.components.schemas[current.$ref.slice(current.$ref.lastIndexOf("/") + 1)];
    return current;
  }

  /** The spec's component schemas for one direction, as one document Ajv resolves `#/components/...` refs in. */
  private directionDocument(direction: Direction): JsonSchema {
    const schemas = Object.fromEntries(
      Object.entries(this.document.components.schemas).map(([name, schema]) => [name, tighten(schema, direction)]),
    );
    return { $id: DOCUMENT_ID[direction], components: { schemas } };
  }

  private schemaValidator(ajv: Ajv, direction: Direction, schemaName: string): ValidateFunction {
    const validate = ajv.getSchema(`${DOCUMENT_ID[direction]}#/components/schemas/${schemaName}`);
    if (!validate) throw new Error(`spec: no schema ${schemaName}`);
    return validate;
  }

  /** Validates (and coerces in place) the operation's parameters of one location. */
  private validateParameters(operation: Operation, location: "path" | "query", values: Record<string, unknown>): string[] {
    const key = `${operation.operationId}:${location}`;
    let validate = this.compiledParameters.get(key);
    if (!validate) {
      const declared = operation.parameters.filter((p: ParameterSpec) => p.in === location);
      validate = this.parameters.compile({
        type: "object",
        properties: Object.fromEntries(declared.map((p) => [p.name, absolutize(p.schema, DOCUMENT_ID.request)])),
        required: declared.filter((p) => p.required).map((p) => p.name),
        additionalProperties: location === "path",
      });
      this.compiledParameters.set(key, validate);
    }
    if (validate(values)) return [];
    return (validate.errors ?? []).map((e) => formatError(location, "request", e));
  }
}
