import type { Store } from "./store";
import type { SpecValidator } from "./validation";
import type { TrafficEntry } from "./policy-simulation";
import type { SeededRelation } from "./schema-catalog";

/** Who is calling: every key sees its own org; a personal (`pbu_`) key sees every registered org. */
export interface Principal {
  apiKey: string;
  /** Set for organization-scoped (`pbo_`) keys. */
  orgId?: string;
}

/** What an agent credential looks like once revoked; the spec does not say whether GET then answers 200 or 404. */
export type RevokedAgentsMode = "visible" | "gone";

export interface EmulatorState {
  store: Store;
  validator: SpecValidator;
  revokedAgents: RevokedAgentsMode;
  /** Domains whose DNS check fails when verified (see `Emulator.failDomainVerification`). */
  unverifiableDomains: Set<string>;
  /** Recorded agent traffic by project id (seeded by tests; replayed by `replayPolicy`). */
  agentTraffic: Map<string, TrafficEntry[]>;
  /** What each database's upstream holds, by database id, where a test seeded it (see ./schema-catalog). */
  databaseSchemas: Map<string, SeededRelation[]>;
  /** RFC 3339 timestamp of the current instant. */
  now(): string;
}

export interface HandlerContext {
  state: EmulatorState;
  principal: Principal;
  operationId: string;
  params: Record<string, string>;
  /** Query parameters validated and coerced by the spec (e.g. `page_size` is a number, defaulted to 20). */
  query: Record<string, any>;
  /** The request body, already validated against the operation's request schema. */
  body: any;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
}

export type Handler = (ctx: HandlerContext) => HandlerResult;

/** Handlers of one API area, keyed by the spec's operationId. */
export type Handlers = Record<string, Handler>;
