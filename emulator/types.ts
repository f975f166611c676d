import type { RevokedAgentsMode } from "./context";
import type { PlanLimits, PlanName } from "./organizations";
import type { RecordedQuery } from "./policy-simulation";
import type { RateLimit } from "./rate-limit";
import type { SeededColumn, SeededRelation } from "./schema-catalog";
import type { Kind } from "./store";
import type { UnknownFields } from "./validation";

export type { Kind, PlanLimits, PlanName, RateLimit, RecordedQuery, RevokedAgentsMode, SeededColumn, SeededRelation, UnknownFields };

export interface RecordedRequest {
  method: string;
  /** URL path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names, as sent (Authorization included: this is a test double). */
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  body: unknown;
  /** Status answered; 0 when the connection was dropped before an answer was produced. */
  status: number;
  /** Parsed JSON response body, when there was one. */
  response?: unknown;
  operationId?: string;
  idempotencyKey?: string;
  /** True when the token bucket refused it (429). */
  rateLimited?: boolean;
  /** True when the response was replayed from the idempotency cache without touching state. */
  replayed?: boolean;
  /** Why the request does not conform to the spec (see `Emulator.validationFailures`). */
  validationErrors?: string[];
  /** The injected fault that hit this request, if any. */
  fault?: Fault;
}

/** Matches the next request(s) whose method and path match; faults are consumed in the order they were injected. */
export interface Fault {
  /** Any method when omitted; compared case-insensitively. */
  method?: string;
  /** Any path when omitted. A string must equal the URL path (without query); a RegExp is tested against it. */
  path?: string | RegExp;
  /** Only requests whose JSON body contains this text (e.g. a name that marks one resource). */
  bodyIncludes?: string;
  /** How many matching requests it hits; default 1. */
  times?: number;
  /** Instead of `times`: hits every matching request for this long after the first one it hits (an outage). */
  forMs?: number;
  /** Answer this status with the error envelope instead of handling the request. */
  status?: number;
  /** `Retry-After` header value sent with `status` (seconds such as "1", or an HTTP-date). */
  retryAfter?: string;
  /** Envelope code sent with `status`; derived from the status when omitted (429 → RATE_LIMITED, 5xx → INTERNAL_ERROR…). */
  code?: string;
  /** Replaces the JSON envelope with this text/html body, like a load balancer's error page. */
  rawBody?: string;
  /**
   * Destroy the socket without answering: "before" handling the request (nothing changed), or "after" it (state
   * changed and the idempotency cache filled, but the response is lost).
   */
  drop?: "before" | "after";
  /** Latency added before anything else happens; then the request proceeds (or gets `status`, or is dropped). */
  delayMs?: number;
}

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. The emulator always listens on 127.0.0.1. */
  port?: number;
  /** Default: `$PGBEAM_OPENAPI_SPEC`, else the committed `emulator/pgbeam-openapi.facts.json`. */
  specPath?: string;
  /** Check every handler response against the spec; a non-conforming one becomes a 500 and is recorded. Default true. */
  validateResponses?: boolean;
  /**
   * Body fields and query parameters the spec does not define: "reject" (default) answers 400 and records a
   * validation failure; "drop" removes them silently, as a lenient server would.
   */
  unknownFields?: UnknownFields;
  /** What GET and list return for a revoked agent credential: the credential with status "revoked" (default) or 404. */
  revokedAgents?: RevokedAgentsMode;
  /** The personal key registered at start; default a random `pbu_…`. */
  apiKey?: string;
  /** Default organization; default "org_demo". */
  orgId?: string;
  /** Plan of the default organization; default "scale" (custom domains and self-hosting allowed). */
  plan?: PlanName;
  /** The clock of faults (`forMs`) and rate limits, so tests can run them in virtual time. Default Date.now. */
  clock?: () => number;
  /** Token-bucket throttling per API key (429 + Retry-After); off by default. */
  rateLimit?: RateLimit;
  /** Called after every request is answered (or dropped), e.g. to log it. */
  onRequest?: (request: RecordedRequest) => void;
}

export interface StoredObjectView {
  kind: Kind;
  id: string;
  /** What the API returns for it (or would, had it not been deleted). */
  data: any;
  deleted: boolean;
  /** Values the API holds but never returns again: database password, webhook secret, current agent/enrollment tokens. */
  secrets: Record<string, unknown>;
}

export interface ResponseValidationFailure {
  request: RecordedRequest;
  errors: string[];
}

export interface Emulator {
  /** "http://127.0.0.1:<port>" */
  url: string;
  /** A valid personal (`pbu_`) key for every org. */
  apiKey: string;
  orgId: string;
  stop(): Promise<void>;
  /** Every request, in order. */
  requests: RecordedRequest[];
  clearRequests(): void;
  /** Requests that did not conform to the spec, including requests to paths the spec does not have. Not cleared by clearRequests. */
  validationFailures: RecordedRequest[];
  /** Emulator responses that did not conform to the spec (each was answered 500 instead). Empty unless the emulator has a bug. */
  responseValidationFailures: ResponseValidationFailure[];
  inject(fault: Fault): void;
  /** Turns token-bucket throttling per API key on (or off with undefined); buckets start full. */
  setRateLimit(limit: RateLimit | undefined): void;
  /** Stops accepting a key (as revoking it in the console would): it gets 401 from then on. */
  revokeApiKey(key: string): void;
  clearFaults(): void;
  /** `pbu_` keys see every org; `pbo_` keys see one org (`scope.orgId`, default the default org). */
  addApiKey(key: string, scope?: { orgId?: string }): void;
  /**
   * A new org, on the "starter" plan unless told (plans: starter, pro, scale, enterprise); `limits` overrides some
   * of the plan's (`PlanLimits` names), e.g. to put a test at a boundary.
   */
  addOrganization(orgId: string, opts?: { plan?: string; limits?: Partial<PlanLimits> }): void;
  /** Changes an org's plan and its limits, as an upgrade or downgrade would; `limits` overrides some of the new plan's. */
  setPlan(orgId: string, plan: string, opts?: { limits?: Partial<PlanLimits> }): void;
  /** Out-of-band access, as if someone used the console; `kind` is one of the `Kind` strings (anything else throws). Live objects only unless `includeDeleted`. */
  objects(kind?: string, opts?: { includeDeleted?: boolean }): StoredObjectView[];
  /** What the API would return for a live object; undefined when it does not exist or is deleted. */
  get(kind: string, id: string): any | undefined;
  /** Deletes with the API's semantics (cascades; an agent is revoked; a policy in use throws the 409 error). */
  remove(kind: string, id: string): void;
  /** Edits fields of a live object (and bumps `updated_at` where the kind has one). */
  patch(kind: string, id: string, fields: Record<string, unknown>): void;
  /** Makes a query shape exist on a database, so its cache rule can be listed and PUT. */
  observeQuery(projectId: string, databaseId: string, queryHash: string, sql?: string): void;
  /**
   * Seeds the project's recorded agent traffic, which `replayPolicy` replays: statements (normalized on the way
   * in, as PgBeam records them) with the outcome they got and, for blocked ones, the rule.
   */
  recordAgentTraffic(projectId: string, queries: RecordedQuery[]): void;
  /**
   * Replaces what a database's upstream holds, which `getSchemaCatalog` and `scanDatabaseForPii` read: relations
   * (tables by default, schema "public" by default) with their columns, types and sample values. A database never
   * seeded holds `DEFAULT_SCHEMA` (emulator/schema-catalog.ts): users, orders, sessions, a view, payroll.employees.
   */
  seedDatabaseSchema(databaseId: string, relations: SeededRelation[]): void;
  /** Makes DNS verification of this hostname fail (it succeeds by default). */
  failDomainVerification(domain: string): void;
  /** Marks a custom domain verified as the platform's own DNS check would (no `verify` call); undoes `failDomainVerification`. */
  verifyDomain(domain: string): void;
}
