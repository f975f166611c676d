import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { registerAgentGatewayBehaviours, agentGatewayHandlers } from "./agent-gateway";
import { ApiKeys } from "./auth";
import type { EmulatorState, Handlers } from "./context";
import { FaultQueue } from "./faults";
import { newToken } from "./ids";
import { IdempotencyCache } from "./idempotency";
import { infrastructureHandlers, observeQuery, verifyDomainOutOfBand } from "./infrastructure";
import { addOrganization, isPlanName, organizationHandlers, registerOrganizationBehaviours, setPlan } from "./organizations";
import { presentDatabase, presentProject, projectHandlers, registerProjectBehaviours } from "./projects";
import { policySimulationHandlers, recordAgentTraffic } from "./policy-simulation";
import { TokenBuckets } from "./rate-limit";
import { createRequestListener, type RequestLog } from "./server";
import { schemaCatalogHandlers, seedDatabaseSchema } from "./schema-catalog";
import { buildOperations, configuredSpecPath, loadSpec } from "./spec";
import { isKind, KINDS, Store, type Kind, type StoredObject } from "./store";
import type { Emulator, EmulatorOptions, StoredObjectView } from "./types";
import { SpecValidator } from "./validation";

export type {
  Emulator,
  EmulatorOptions,
  Fault,
  Kind,
  PlanLimits,
  PlanName,
  RateLimit,
  RecordedQuery,
  RecordedRequest,
  ResponseValidationFailure,
  RevokedAgentsMode,
  SeededColumn,
  SeededRelation,
  StoredObjectView,
  UnknownFields,
} from "./types";

/**
 * A stateful, in-process emulator of the PgBeam control-plane API, for tests and demos. Requests and the
 * emulator's own responses are validated against the OpenAPI spec; see the area modules (projects, agent-gateway,
 * infrastructure, organizations) for the behaviour of each operation and the choices made where the spec is silent.
 *
 * Conventions that hold everywhere:
 * - a `pbo_` key gets 404 for objects of other orgs and 403 where it names another org (`org_id`);
 * - server defaults from the spec are filled on create and PUT; optional strings never set (description,
 *   pool_region, region_label…) are omitted rather than returned as "", optional lists are returned as [];
 * - deletes are soft: the API answers 404 afterwards and the cascade reaches everything under the object;
 * - lists are in creation order (enrollments newest first, as the spec says).
 */

const DEFAULT_ORG_ID = "org_demo";

const HANDLERS: Handlers = {
  ...projectHandlers,
  ...agentGatewayHandlers,
  ...policySimulationHandlers,
  ...infrastructureHandlers,
  ...schemaCatalogHandlers,
  ...organizationHandlers,
};

/** Kinds whose API representation has fields derived at read time. */
const PRESENTERS: Partial<Record<Kind, (store: Store, object: StoredObject) => Record<string, unknown>>> = {
  project: presentProject,
  database: presentDatabase,
};

function requireKind(kind: string): Kind {
  if (!isKind(kind)) throw new Error(`unknown kind ${JSON.stringify(kind)}`);
  return kind;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const document = loadSpec(options.specPath ?? configuredSpecPath());
  const operations = buildOperations(document);
  const unknownHandlers = Object.keys(HANDLERS).filter((id) => !operations.some((op) => op.operationId === id));
  if (unknownHandlers.length > 0) throw new Error(`emulator handlers for operations not in the spec: ${unknownHandlers.join(", ")}`);

  const now = () => new Date().toISOString();
  const store = new Store(now);
  const state: EmulatorState = {
    store,
    validator: new SpecValidator(document, options.unknownFields ?? "reject"),
    revokedAgents: options.revokedAgents ?? "visible",
    unverifiableDomains: new Set(),
    agentTraffic: new Map(),
    databaseSchemas: new Map(),
    now,
  };
  registerProjectBehaviours(store);
  registerAgentGatewayBehaviours(state);
  registerOrganizationBehaviours(store);

  const orgId = options.orgId ?? DEFAULT_ORG_ID;
  addOrganization(state, orgId, options.plan ?? "scale");
  const apiKeys = new ApiKeys();
  const apiKey = options.apiKey ?? newToken("pbu_");
  if (!apiKey.startsWith("pbu_")) throw new Error("options.apiKey must be a personal key (pbu_…)");
  apiKeys.add(apiKey, orgId);

  const log: RequestLog = { requests: [], validationFailures: [], responseValidationFailures: [], onRequest: options.onRequest };
  const faults = new FaultQueue(options.clock);
  const rateLimits = new TokenBuckets(options.clock);
  rateLimits.set(options.rateLimit);
  const server = createServer(
    createRequestListener({
      operations,
      handlers: HANDLERS,
      state,
      apiKeys,
      faults,
      idempotency: new IdempotencyCache(),
      rateLimits,
      log,
      validateResponses: options.validateResponses ?? true,
    }),
  );
  const port = await listen(server, options.port ?? 0);

  const view = (object: StoredObject): StoredObjectView => ({
    kind: object.kind,
    id: object.id,
    data: structuredClone(PRESENTERS[object.kind]?.(store, object) ?? object.data),
    deleted: object.deleted,
    secrets: structuredClone(object.secrets),
  });
  const findLive = (kind: string, id: string): StoredObject => {
    const object = store.find(requireKind(kind), id);
    if (!object || object.deleted) throw new Error(`no live ${kind} ${id}`);
    return object;
  };
  const requireOrganization = (id: string): void => {
    if (!store.find("organization", id)) throw new Error(`unknown organization ${id}`);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    orgId,
    requests: log.requests,
    validationFailures: log.validationFailures,
    responseValidationFailures: log.responseValidationFailures,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    clearRequests: () => {
      log.requests.length = 0;
    },
    inject: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    setRateLimit: (limit) => rateLimits.set(limit),
    revokeApiKey: (key) => apiKeys.revoke(key),
    addApiKey: (key, scope) => {
      const keyOrg = scope?.orgId ?? orgId;
      requireOrganization(keyOrg);
      apiKeys.add(key, keyOrg);
    },
    addOrganization: (id, opts) => {
      const plan = opts?.plan ?? "starter";
      if (!isPlanName(plan)) throw new Error(`unknown plan ${plan}`);
      addOrganization(state, id, plan, opts?.limits);
    },
    setPlan: (id, plan, opts) => {
      if (!isPlanName(plan)) throw new Error(`unknown plan ${plan}`);
      setPlan(state, id, plan, opts?.limits);
    },
    objects: (kind, opts) => store.list(kind === undefined ? undefined : requireKind(kind), opts?.includeDeleted).map(view),
    get: (kind, id) => {
      const object = store.find(requireKind(kind), id);
      return object && !object.deleted ? view(object).data : undefined;
    },
    remove: (kind, id) => store.delete(findLive(kind, id)),
    patch: (kind, id, fields) => {
      const object = findLive(kind, id);
      Object.assign(object.data, KINDS[object.kind].tracksUpdates ? { updated_at: now() } : {}, fields);
    },
    observeQuery: (projectId, databaseId, queryHash, sql) => observeQuery(state, projectId, databaseId, queryHash, sql),
    recordAgentTraffic: (projectId, queries) => recordAgentTraffic(state, projectId, queries),
    seedDatabaseSchema: (databaseId, relations) => seedDatabaseSchema(state, databaseId, relations),
    failDomainVerification: (domain) => {
      state.unverifiableDomains.add(domain);
    },
    verifyDomain: (domain) => verifyDomainOutOfBand(state, domain),
  };
}
