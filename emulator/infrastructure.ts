import type { EmulatorState, HandlerContext, Handlers } from "./context";
import { conflict, notFound } from "./errors";
import { newHexHash } from "./ids";
import { assertPlanAtLeastScale, assertWithinLimit } from "./organizations";
import { DEFAULT_SSL_MODE } from "./projects";
import { childResource, paginate, patchObject, requireDatabase, requireProject } from "./resources";
import type { StoredObject } from "./store";

/** Read replicas, custom domains and per-query cache rules. */

const replicas = childResource({
  kind: "replica",
  parent: requireDatabase,
  parentField: "database_id",
  idParam: "replica_id",
  listKey: "replicas",
});
const domains = childResource({
  kind: "domain",
  parent: requireProject,
  parentField: "project_id",
  idParam: "domain_id",
  listKey: "domains",
});
/** `CacheRuleEntry` names neither its database nor its project, so the store keys it `<database_id>:<query_hash>`. */
export const cacheRuleId = (databaseId: string, queryHash: string): string => `${databaseId}:${queryHash}`;

const TLS_CERT_LIFETIME_MS = 90 * 86_400_000;

function dnsInstructions(domain: string, proxyHost: string, token: string): Record<string, string> {
  return {
    cname_host: domain,
    cname_target: proxyHost,
    txt_host: `_pgbeam-verify.${domain}`,
    txt_value: `pgbeam-verify=${token}`,
    acme_cname_host: `_acme-challenge.${domain}`,
    acme_cname_target: `_acme-challenge.${proxyHost}`,
  };
}

function queryType(sql: string): "read" | "write" | "other" {
  const keyword = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase();
  if (keyword === "select" || keyword === "with") return "read";
  if (keyword === "insert" || keyword === "update" || keyword === "delete") return "write";
  return "other";
}

/**
 * Records that the proxy saw a query shape on a database, which is what makes its cache rule exist: PUT on a
 * shape never observed answers 404. Seeing it again bumps its counters.
 */
export function observeQuery(
  state: EmulatorState,
  projectId: string,
  databaseId: string,
  queryHash: string,
  sql = "SELECT * FROM users WHERE id = $1",
): void {
  const database = state.store.find("database", databaseId);
  if (!database || database.deleted || database.parentId !== projectId)
    throw new Error(`observeQuery: no live database ${databaseId} in project ${projectId}`);
  if (!/^[a-f0-9]{16}$/.test(queryHash))
    throw new Error(`observeQuery: query hash must be 16 lowercase hex digits (xxhash64), got ${queryHash}`);
  const now = state.now();
  const id = cacheRuleId(databaseId, queryHash);
  const seen = state.store.find("cacheRule", id);
  if (seen?.deleted) {
    // A shape that had gone (its rule deleted) is new again when the proxy sees it: default settings, fresh counters.
    seen.deleted = false;
    patchObject(seen, { cache_enabled: false, cache_ttl_seconds: null, cache_swr_seconds: null, call_count: 0, first_seen_at: now }, now);
  }
  if (seen) {
    patchObject(seen, { call_count: seen.data.call_count + 1, last_seen_at: now }, now);
    return;
  }
  state.store.insert({
    kind: "cacheRule",
    id,
    orgId: database.orgId,
    parentId: databaseId,
    data: {
      query_hash: queryHash,
      normalized_sql: sql,
      query_type: queryType(sql),
      cache_enabled: false,
      cache_ttl_seconds: null,
      cache_swr_seconds: null,
      call_count: 1,
      avg_latency_ms: 12.5,
      p95_latency_ms: 40,
      avg_response_bytes: 512,
      stability_rate: 0.95,
      recommendation: "good",
      first_seen_at: now,
      last_seen_at: now,
    },
  });
}

/** Verification passed (through `verify`, or the platform's own DNS check): a TLS certificate is issued. */
function markVerified(state: EmulatorState, domain: StoredObject): void {
  if (domain.data.verified) return;
  const now = state.now();
  patchObject(
    domain,
    { verified: true, verified_at: now, tls_cert_expiry: new Date(Date.parse(now) + TLS_CERT_LIFETIME_MS).toISOString() },
    now,
  );
}

/** The platform's background DNS check found the records: the domain is verified without a `verify` call. */
export function verifyDomainOutOfBand(state: EmulatorState, hostname: string): void {
  const domain = state.store.list("domain").find((d) => d.data.domain.toLowerCase() === hostname.toLowerCase());
  if (!domain) throw new Error(`verifyDomain: no live custom domain ${hostname}`);
  state.unverifiableDomains.delete(domain.data.domain);
  markVerified(state, domain);
}

function requireCustomDomainPlan(ctx: HandlerContext, project: StoredObject): void {
  assertPlanAtLeastScale(ctx.state.store, project.orgId, "custom domains");
}

/** The data-plane regions `listRegions` reports: a fixed set, one of them not taking new projects. */
const REGIONS = [
  {
    id: "us-east-1",
    name: "US East (N. Virginia)",
    provider: "aws",
    status: "active",
    available: true,
    continent: "North America",
    country: "US",
  },
  { id: "eu-west-1", name: "EU West (Ireland)", provider: "aws", status: "active", available: true, continent: "Europe", country: "IE" },
  {
    id: "europe-west3",
    name: "EU Central (Frankfurt)",
    provider: "gcp",
    status: "draining",
    available: false,
    continent: "Europe",
    country: "DE",
  },
];

export const infrastructureHandlers: Handlers = {
  listRegions() {
    return { status: 200, body: { regions: structuredClone(REGIONS) } };
  },

  /** `ssl_mode` has no default in the spec; the emulator uses the same one as databases. */
  createReplica(ctx) {
    const replica = replicas.insert(ctx, requireDatabase(ctx), { data: { ...ctx.body, ssl_mode: ctx.body.ssl_mode ?? DEFAULT_SSL_MODE } });
    return replicas.respond(ctx, replica, 201);
  },
  listReplicas: replicas.list,
  deleteReplica: replicas.delete,

  /** Uniqueness rule: a hostname can be attached to one live project at a time, across all orgs (case-insensitive). */
  createCustomDomain(ctx) {
    const project = requireProject(ctx);
    requireCustomDomainPlan(ctx, project);
    const hostname: string = ctx.body.domain;
    const taken = ctx.state.store.list("domain").find((d) => d.data.domain.toLowerCase() === hostname.toLowerCase());
    if (taken) throw conflict(`custom domain ${hostname} is already registered`);
    const token = newHexHash(16);
    const domain = domains.insert(ctx, project, {
      data: {
        domain: hostname,
        verified: false,
        verified_at: null,
        tls_cert_expiry: null,
        dns_verification_token: token,
        dns_instructions: dnsInstructions(hostname, project.data.proxy_host, token),
      },
    });
    return domains.respond(ctx, domain, 201);
  },
  listCustomDomains: domains.list,
  deleteCustomDomain: domains.delete,
  /** Succeeds (and issues a TLS certificate) unless the test marked the hostname unverifiable. */
  verifyCustomDomain(ctx) {
    const domain = domains.find(ctx);
    requireCustomDomainPlan(ctx, requireProject(ctx));
    if (ctx.state.unverifiableDomains.has(domain.data.domain)) {
      return {
        status: 200,
        body: { verified: false, error: `TXT record ${domain.data.dns_instructions.txt_host} not found`, domain: domain.data },
      };
    }
    markVerified(ctx.state, domain);
    return { status: 200, body: { verified: true, domain: domain.data } };
  },

  listCacheRules(ctx) {
    const { page, next_page_token } = paginate(ctx, ctx.state.store.liveChildren("cacheRule", requireDatabase(ctx).id));
    return { status: 200, body: { entries: page.map((rule) => rule.data), next_page_token } };
  },
  /**
   * Upsert of the rule's settings (full replace: omitted overrides become null); 404 for a shape never observed.
   * `max_query_shapes` counts the shapes with caching on; the spec does not say over what, the emulator counts per
   * database (the collection the rules live in). Switching caching off, or editing an enabled rule, is always allowed.
   */
  updateCacheRule(ctx) {
    const database = requireDatabase(ctx);
    const rule = ctx.state.store.find("cacheRule", cacheRuleId(database.id, ctx.params.query_hash));
    if (!rule || rule.deleted) throw notFound(`query shape ${ctx.params.query_hash} has not been observed on database ${database.id}`);
    if (ctx.body.cache_enabled && !rule.data.cache_enabled) {
      const cached = ctx.state.store.liveChildren("cacheRule", database.id).filter((r) => r.data.cache_enabled).length;
      assertWithinLimit(
        ctx.state.store,
        database.orgId,
        "max_query_shapes",
        cached,
        `cached query shape(s) per database, and database ${database.id} has ${cached}`,
      );
    }
    patchObject(
      rule,
      {
        cache_enabled: ctx.body.cache_enabled,
        cache_ttl_seconds: ctx.body.cache_ttl_seconds ?? null,
        cache_swr_seconds: ctx.body.cache_swr_seconds ?? null,
      },
      ctx.state.now(),
    );
    return { status: 200, body: { entry: rule.data } };
  },
};
