import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { ApiKeys } from "./auth";
import type { EmulatorState, Handlers, Principal } from "./context";
import { ApiError, codeForStatus, envelope } from "./errors";
import type { FaultQueue } from "./faults";
import { IDEMPOTENT_METHODS, IdempotencyCache } from "./idempotency";
import type { TokenBuckets } from "./rate-limit";
import { matchRoute, type Operation } from "./spec";
import type { Fault, RecordedRequest, ResponseValidationFailure } from "./types";
import type { RequestBody } from "./validation";

/**
 * The HTTP front of the emulator. Every request goes through, in order:
 * faults → rate limit (429) → routing (404) → auth (401) → idempotency replay (or 422) → spec validation (400) → handler →
 * response validation → idempotency store.
 */

export interface RequestLog {
  requests: RecordedRequest[];
  validationFailures: RecordedRequest[];
  responseValidationFailures: ResponseValidationFailure[];
  onRequest?: (request: RecordedRequest) => void;
}

export interface ServerParts {
  operations: Operation[];
  handlers: Handlers;
  state: EmulatorState;
  apiKeys: ApiKeys;
  faults: FaultQueue;
  idempotency: IdempotencyCache;
  rateLimits: TokenBuckets;
  log: RequestLog;
  validateResponses: boolean;
}

interface Reply {
  status: number;
  /** A JSON value, sent as application/json. */
  body?: unknown;
  /** Sent as text/html instead of `body` (injected load-balancer pages). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Public operations still run with a principal; this one can see no organization. */
const ANONYMOUS: Principal = { apiKey: "", orgId: "" };

function errorReply(status: number, code: string, message: string): Reply {
  return { status, body: envelope(code, message) };
}

function readText(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function parseBody(text: string): RequestBody {
  if (text === "") return { present: false, value: undefined };
  try {
    return { present: true, value: JSON.parse(text) };
  } catch (error) {
    return { present: true, value: undefined, parseError: (error as Error).message };
  }
}

function flattenHeaders(headers: IncomingMessage["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}

/** Detached copy, so a stored replay or recorded response never changes when the state behind it does. */
function snapshot<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function faultReply(fault: Fault, status: number): Reply {
  const headers = fault.retryAfter === undefined ? undefined : { "retry-after": fault.retryAfter };
  if (fault.rawBody !== undefined) return { status, rawBody: fault.rawBody, headers };
  return { status, headers, body: envelope(fault.code ?? codeForStatus(status), `injected fault: HTTP ${status}`) };
}

/** Routing, auth, idempotency, validation and the handler, for a request no fault intercepted. */
function handle(parts: ServerParts, record: RecordedRequest, body: RequestBody): Reply {
  const { log, state } = parts;
  const match = matchRoute(parts.operations, record.method, record.path);
  if (!match) {
    record.validationErrors = [`no operation of the spec matches ${record.method} ${record.path}`];
    log.validationFailures.push(record);
    return errorReply(404, "NOT_FOUND", `no route for ${record.method} ${record.path}`);
  }
  const { operation, pathParams } = match;
  record.operationId = operation.operationId;

  const authenticated = parts.apiKeys.authenticate(record.headers.authorization);
  if (!authenticated && operation.requiresAuth)
    return errorReply(401, "UNAUTHORIZED", "missing or invalid API key (expected Authorization: Bearer pbu_… or pbo_…)");
  const principal = authenticated ?? ANONYMOUS;

  const idempotencyScope =
    record.idempotencyKey !== undefined && IDEMPOTENT_METHODS.has(record.method)
      ? IdempotencyCache.scope(principal.apiKey, record.method, record.path, record.idempotencyKey)
      : undefined;
  if (idempotencyScope) {
    const previous = parts.idempotency.lookup(idempotencyScope, record.body);
    if (previous.outcome === "replay") {
      record.replayed = true;
      return { ...previous.response, headers: { "idempotent-replayed": "true" } };
    }
    if (previous.outcome === "mismatch") {
      return errorReply(422, "INVALID_INPUT", `Idempotency-Key ${record.idempotencyKey} was already used with a different request body`);
    }
  }

  const validation = state.validator.validateRequest(operation, pathParams, record.query, body);
  if (validation.errors.length > 0) {
    record.validationErrors = validation.errors;
    log.validationFailures.push(record);
    return errorReply(400, "INVALID_INPUT", validation.errors.join("; "));
  }

  const handler = parts.handlers[operation.operationId];
  if (!handler) return errorReply(404, "NOT_FOUND", `${operation.operationId} is in the spec but not implemented by the emulator`);

  let reply: Reply;
  try {
    const result = handler({
      state,
      principal,
      operationId: operation.operationId,
      params: pathParams,
      query: validation.query,
      body: validation.body,
    });
    reply = { status: result.status, body: snapshot(result.body) };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    reply = errorReply(error.status, error.code, error.message);
  }

  if (parts.validateResponses) {
    const errors = state.validator.validateResponse(operation, reply.status, reply.body);
    if (errors.length > 0) {
      log.responseValidationFailures.push({ request: record, errors });
      console.error(
        `pgbeam emulator: ${operation.operationId} answered ${reply.status} with a body that does not conform to the spec:\n  ${errors.join("\n  ")}`,
      );
      reply = errorReply(500, "INTERNAL_ERROR", `emulator response does not conform to the spec: ${errors.join("; ")}`);
    }
  }

  if (idempotencyScope) parts.idempotency.remember(idempotencyScope, record.body, { status: reply.status, body: reply.body });
  return reply;
}

function send(response: ServerResponse, record: RecordedRequest, reply: Reply): void {
  record.status = reply.status;
  record.response = reply.body ?? reply.rawBody;
  response.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
  if (reply.rawBody !== undefined) {
    response.setHeader("content-type", "text/html; charset=utf-8");
    response.end(reply.rawBody);
  } else if (reply.body !== undefined) {
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(reply.body));
  } else {
    response.end();
  }
}

export function createRequestListener(parts: ServerParts): RequestListener {
  // Node's server ignores what a listener returns: `answer` settles every request itself, errors included.
  return (request, response) => void answer(parts, request, response);
}

async function answer(parts: ServerParts, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://emulator.invalid");
  // A client that hangs up mid-body gets no answer and leaves no record.
  const text = await readText(request).catch(() => undefined);
  if (text === undefined) return;
  const body = parseBody(text);
  const headers = flattenHeaders(request.headers);
  const record: RecordedRequest = {
    method: (request.method ?? "GET").toUpperCase(),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body: body.parseError === undefined ? body.value : text,
    status: 0,
    ...(headers["idempotency-key"] === undefined ? {} : { idempotencyKey: headers["idempotency-key"] }),
  };
  parts.log.requests.push(record);
  try {
    const fault = parts.faults.take(record.method, record.path, record.body);
    if (fault) record.fault = fault;
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.drop === "before") {
      request.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      send(response, record, faultReply(fault, fault.status));
      return;
    }
    const waitSeconds = parts.rateLimits.take(record.headers.authorization ?? "");
    if (waitSeconds !== undefined) {
      record.rateLimited = true;
      send(response, record, {
        ...errorReply(429, "RATE_LIMITED", "rate limit exceeded"),
        headers: { "retry-after": String(waitSeconds) },
      });
      return;
    }
    const reply = handle(parts, record, body);
    if (fault?.drop === "after") {
      record.status = reply.status;
      record.response = reply.body;
      request.socket.destroy();
      return;
    }
    send(response, record, reply);
  } catch (error) {
    // An emulator bug: answered 500 and counted with the non-conforming responses, so a test suite cannot miss it.
    console.error("pgbeam emulator: unexpected error", error);
    parts.log.responseValidationFailures.push({ request: record, errors: [`emulator crashed: ${(error as Error).message}`] });
    send(response, record, errorReply(500, "INTERNAL_ERROR", `emulator error: ${(error as Error).message}`));
  } finally {
    parts.log.onRequest?.(record);
  }
}
