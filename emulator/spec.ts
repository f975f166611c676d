import { readFileSync } from "node:fs";
import * as path from "node:path";

/** The parts of an OpenAPI 3.0 document the emulator reads; everything else is passed through untyped. */
export type JsonSchema = Record<string, any>;

export interface ParameterSpec {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema: JsonSchema;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, any>>;
  security?: Array<Record<string, string[]>>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, ParameterSpec>;
    responses: Record<string, any>;
  };
}

/** One operation of the spec, with its route compiled to a regular expression. */
export interface Operation {
  operationId: string;
  method: string;
  pathTemplate: string;
  parameters: ParameterSpec[];
  /** Name of the component schema of the JSON request body, when the operation takes one. */
  requestSchema?: string;
  requestBodyRequired: boolean;
  /** Declared responses: status → component schema name (undefined for bodiless responses such as 204). */
  responses: Map<number, string | undefined>;
  requiresAuth: boolean;
  route: RegExp;
  pathParamNames: string[];
}

/**
 * The spec's facts without its prose, committed beside this file (`npm run generate` writes it from the full spec),
 * so a plain clone runs the emulator; `PGBEAM_OPENAPI_SPEC` points it at a full spec instead.
 */
export const DEFAULT_SPEC_PATH = path.resolve(__dirname, "pgbeam-openapi.facts.json");

/** The spec to read when none is given: `$PGBEAM_OPENAPI_SPEC` (a checkout elsewhere), else `DEFAULT_SPEC_PATH`. */
export function configuredSpecPath(): string {
  return process.env.PGBEAM_OPENAPI_SPEC || DEFAULT_SPEC_PATH;
}

export function loadSpec(specPath: string): OpenApiDocument {
  const document = JSON.parse(readFileSync(specPath, "utf8")) as OpenApiDocument;
  if (!document.openapi?.startsWith("3.0")) {
    throw new Error(`${specPath}: expected an OpenAPI 3.0 document, found openapi=${document.openapi}`);
  }
  return document;
}

const HTTP_METHODS = ["get", "put", "post", "patch", "delete"];

function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

function resolveParameter(document: OpenApiDocument, parameter: any): ParameterSpec {
  if (!parameter.$ref) return parameter as ParameterSpec;
  const resolved = document.components.parameters[refName(parameter.$ref)];
  if (!resolved) throw new Error(`spec: unresolved parameter ${parameter.$ref}`);
  return resolved;
}

function resolveResponse(document: OpenApiDocument, response: any): any {
  return response.$ref ? document.components.responses[refName(response.$ref)] : response;
}

function jsonSchemaName(content: any): string | undefined {
  const ref: string | undefined = content?.["application/json"]?.schema?.$ref;
  return ref ? refName(ref) : undefined;
}

function compileRoute(template: string): { route: RegExp; names: string[] } {
  const names: string[] = [];
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const param = /^\{([^}]+)\}$/.exec(part);
      if (!param) return part.replace(/[.*+?^${}()|[\]\\:]/g, "\\$&");
      names.push(param[1]);
      return "([^/]+)";
    })
    .join("");
  return { route: new RegExp(`^${pattern}$`), names };
}

export function buildOperations(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [pathTemplate, pathItem] of Object.entries(document.paths)) {
    const shared: any[] = pathItem.parameters ?? [];
    for (const method of HTTP_METHODS) {
      const raw = pathItem[method];
      if (!raw) continue;
      const responses = new Map<number, string | undefined>();
      for (const [status, response] of Object.entries<any>(raw.responses ?? {})) {
        responses.set(Number(status), jsonSchemaName(resolveResponse(document, response).content));
      }
      const { route, names } = compileRoute(pathTemplate);
      const security = raw.security ?? document.security ?? [];
      operations.push({
        operationId: raw.operationId,
        method: method.toUpperCase(),
        pathTemplate,
        parameters: [...shared, ...(raw.parameters ?? [])].map((p) => resolveParameter(document, p)),
        requestSchema: jsonSchemaName(raw.requestBody?.content),
        requestBodyRequired: raw.requestBody?.required === true,
        responses,
        requiresAuth: security.length > 0,
        route,
        pathParamNames: names,
      });
    }
  }
  // Literal segments win over parameters when two templates could match the same path.
  return operations.sort((a, b) => a.pathParamNames.length - b.pathParamNames.length);
}

/** A malformed escape stays as sent, so parameter validation rejects it with a 400 instead of the router throwing. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export interface RouteMatch {
  operation: Operation;
  pathParams: Record<string, string>;
}

export function matchRoute(operations: Operation[], method: string, urlPath: string): RouteMatch | undefined {
  for (const operation of operations) {
    if (operation.method !== method) continue;
    const match = operation.route.exec(urlPath);
    if (!match) continue;
    const pathParams: Record<string, string> = {};
    operation.pathParamNames.forEach((name, i) => {
      pathParams[name] = safeDecode(match[i + 1]);
    });
    return { operation, pathParams };
  }
  return undefined;
}
