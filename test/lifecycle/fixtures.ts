/**
 * The test-side table of the registry-driven lifecycle (test/unit/lifecycle.test.ts, test/e2e/registry.test.ts):
 * for every registered resource, sample arguments and, for every input, either a change that must update in place
 * (with the exact write requests it causes), a change that must replace, or the reason it is not changed here.
 * A resource missing from this table, or an input missing from its entry, fails the tests.
 */
import type { Emulator } from "../../emulator";

export type Args = Record<string, unknown>;

/** Objects the resources under test live in, made through the API before the tests (never part of a stack). */
export interface Parents {
  orgId: string;
  otherOrgId: string;
  projectId: string;
  databaseId: string;
  secondDatabaseId: string;
  policyId: string;
  secondPolicyId: string;
  otherProjectId: string;
  otherDatabaseId: string;
  otherPolicyId: string;
  /** A project only ProjectDefaultPolicy touches, so its writes are told apart from everyone else's. */
  settingsProjectId: string;
  settingsPolicyId: string;
  settingsSecondPolicyId: string;
}

/** Secrets are given as `env:<NAME>` (the e2e program reads them from its environment, never from stack config). */
export const SECRET_VALUES: Record<string, string> = {
  PASSWORD_1: "pw-lifecycle-Qz71",
  PASSWORD_2: "pw-lifecycle-Wn38",
  WEBHOOK_SECRET_1: "whsec-lifecycle-Hb52",
  WEBHOOK_SECRET_2: "whsec-lifecycle-Pv09",
};
const secret = (name: keyof typeof SECRET_VALUES) => `env:${name}`;

/**
 * A write the API must receive: method, path relative to the object's item path (ids as `:id`), body in API form.
 * `put` is a delta over the resource's `putBody` (and every earlier delta): a PUT always sends the whole object.
 */
export type Write = { method: "POST" | "PUT" | "PATCH" | "DELETE"; suffix?: string; body?: unknown; put?: Args };

export interface Fixture {
  args(parents: Parents): Args;
  /** The full body of a PUT update for the sample args (API form); PUT deltas apply on top. */
  putBody?(parents: Parents): Args;
  /** Makes the API ready for the sample (a query shape observed). */
  prepare?(emulator: Emulator, parents: Parents): void;
  /** Each input updated in place: the program's change (kept for later steps) and the writes it causes. */
  updates: Record<string, { change(parents: Parents): Args; writes: Write[] | ((parents: Parents) => Write[]) }>;
  /** Each input whose change replaces: the program's change (only for that step; other fields may follow along). */
  replaces: Record<string, (parents: Parents) => Args>;
  /** Inputs neither updated nor replaced here, and why. */
  notChanged?: Record<string, string>;
  /** Deletes the object the way someone outside Pulumi would (console, another tool). */
  removeOutOfBand(emulator: Emulator, id: string, outputs: Args): void;
}

const database = { host: "db.lifecycle.internal", port: 5432, name: "app", username: "app", password: secret("PASSWORD_1") };
const future = (days: number) => new Date(Date.UTC(2100, 0, days)).toISOString();
const HASH = "a1b2c3d4e5f60718";
const OTHER_HASH = "0f1e2d3c4b5a6978";

export const FIXTURES: Record<string, Fixture> = {
  Project: {
    args: (p) => ({ orgId: p.orgId, name: "lifecycle-project", database }),
    updates: {
      name: { change: () => ({ name: "lifecycle-project-renamed" }), writes: [{ method: "PATCH", body: { name: "lifecycle-project-renamed" } }] },
      description: { change: () => ({ description: "changed" }), writes: [{ method: "PATCH", body: { description: "changed" } }] },
      tags: { change: () => ({ tags: ["a", "b"] }), writes: [{ method: "PATCH", body: { tags: ["a", "b"] } }] },
      allowedCidrs: {
        change: () => ({ allowedCidrs: [{ cidr: "10.0.0.0/8", label: "vpc" }] }),
        writes: [{ method: "PATCH", body: { allowed_cidrs: [{ cidr: "10.0.0.0/8", label: "vpc" }] } }],
      },
      residency: { change: () => ({ residency: "eu" }), writes: [{ method: "PATCH", body: { residency: "eu" } }] },
      agentsDisabled: { change: () => ({ agentsDisabled: true }), writes: [{ method: "PATCH", body: { agents_disabled: true } }] },
      status: { change: () => ({ status: "suspended" }), writes: [{ method: "PATCH", body: { status: "suspended" } }] },
      database: {
        change: () => ({ database: { ...database, port: 6432 } }),
        writes: [{ method: "PATCH", suffix: "/databases/:id", body: { port: 6432 } }],
      },
    },
    replaces: {
      orgId: (p) => ({ orgId: p.otherOrgId }),
      cloud: () => ({ cloud: "gcp" }),
      selfHosted: () => ({ selfHosted: true }),
    },
    notChanged: { defaultPolicyProfileId: "a policy needs the project's id first: set through ProjectDefaultPolicy, tested there" },
    removeOutOfBand: (emulator, id) => emulator.remove("project", id),
  },

  Database: {
    args: (p) => ({ projectId: p.projectId, ...database, host: "db2.lifecycle.internal", role: "replica" }),
    updates: {
      host: { change: () => ({ host: "db3.lifecycle.internal" }), writes: [{ method: "PATCH", body: { host: "db3.lifecycle.internal" } }] },
      port: { change: () => ({ port: 6543 }), writes: [{ method: "PATCH", body: { port: 6543 } }] },
      name: { change: () => ({ name: "app2" }), writes: [{ method: "PATCH", body: { name: "app2" } }] },
      username: { change: () => ({ username: "reader" }), writes: [{ method: "PATCH", body: { username: "reader" } }] },
      password: { change: () => ({ password: secret("PASSWORD_2") }), writes: [{ method: "PATCH", body: { password: SECRET_VALUES.PASSWORD_2 } }] },
      sslMode: { change: () => ({ sslMode: "verify-full" }), writes: [{ method: "PATCH", body: { ssl_mode: "verify-full" } }] },
      role: { change: () => ({ role: "primary" }), writes: [{ method: "PATCH", body: { role: "primary" } }] },
      poolRegion: { change: () => ({ poolRegion: "us-east-1" }), writes: [{ method: "PATCH", body: { pool_region: "us-east-1" } }] },
      queryTimeoutMs: { change: () => ({ queryTimeoutMs: 5000 }), writes: [{ method: "PATCH", body: { query_timeout_ms: 5000 } }] },
      autoReadRouting: { change: () => ({ autoReadRouting: true }), writes: [{ method: "PATCH", body: { auto_read_routing: true } }] },
      cacheConfig: {
        change: () => ({ cacheConfig: { ttlSeconds: 120 } }),
        writes: [{ method: "PATCH", body: { cache_config: { enabled: true, ttl_seconds: 120, max_entries: 10000, swr_seconds: 30 } } }],
      },
      poolConfig: {
        change: () => ({ poolConfig: { poolMode: "session", poolSize: 20 } }),
        writes: [{ method: "PATCH", body: { pool_config: { pool_mode: "session", pool_size: 20, min_pool_size: 1, max_active: 200 } } }],
      },
    },
    replaces: { projectId: (p) => ({ projectId: p.otherProjectId }) },
    removeOutOfBand: (emulator, id) => emulator.remove("database", id),
  },

  PolicyProfile: {
    args: (p) => ({ projectId: p.projectId, name: "lifecycle-policy", maxRows: 1000 }),
    notChanged: {
      expectations: "a pre-change check, never sent and no change of its own: test/unit/policy-checks.test.ts, test/e2e/policy.test.ts",
      impactLimits: "a pre-change gate, never sent and no change of its own: test/unit/policy-checks.test.ts, test/e2e/policy.test.ts",
      piiReview: "a pre-change review and gate, never sent and no change of its own: test/unit/policy-schema.test.ts, test/e2e/policy.test.ts",
    },
    putBody: () => ({
      name: "lifecycle-policy",
      access_mode: "read_only",
      statement_rules: {},
      budget_queries_per_hour: 0,
      budget_queries_per_day: 0,
      max_rows: 1000,
      statement_timeout_ms: 0,
      write_mode: "normal",
      approval_mode: "off",
      approval_auto_max_rows: 0,
      approval_timeout_seconds: 300,
      migration_safety: "off",
      egress_bytes_per_day: 0,
      max_affected_rows: 0,
    }),
    updates: {
      name: { change: () => ({ name: "lifecycle-policy-2" }), writes: [{ method: "PUT", put: { name: "lifecycle-policy-2" } }] },
      accessMode: { change: () => ({ accessMode: "read_write" }), writes: [{ method: "PUT", put: { access_mode: "read_write" } }] },
      statementRules: { change: () => ({ statementRules: { deny: ["ddl"] } }), writes: [{ method: "PUT", put: { statement_rules: { deny: ["ddl"] } } }] },
      tableAllowlist: { change: () => ({ tableAllowlist: ["orders"] }), writes: [{ method: "PUT", put: { table_allowlist: ["orders"] } }] },
      tableDenylist: { change: () => ({ tableDenylist: ["secrets"] }), writes: [{ method: "PUT", put: { table_denylist: ["secrets"] } }] },
      maskingRules: {
        change: () => ({ maskingRules: [{ table: "users", column: "email", kind: "hash" }] }),
        writes: [{ method: "PUT", put: { masking_rules: [{ table: "users", column: "email", kind: "hash" }] } }],
      },
      budgetQueriesPerHour: { change: () => ({ budgetQueriesPerHour: 60 }), writes: [{ method: "PUT", put: { budget_queries_per_hour: 60 } }] },
      budgetQueriesPerDay: { change: () => ({ budgetQueriesPerDay: 600 }), writes: [{ method: "PUT", put: { budget_queries_per_day: 600 } }] },
      maxRows: { change: () => ({ maxRows: 500 }), writes: [{ method: "PUT", put: { max_rows: 500 } }] },
      statementTimeoutMs: { change: () => ({ statementTimeoutMs: 3000 }), writes: [{ method: "PUT", put: { statement_timeout_ms: 3000 } }] },
      rowFilters: {
        change: () => ({ rowFilters: [{ table: "orders", predicate: "tenant_id = 1" }] }),
        writes: [{ method: "PUT", put: { row_filters: [{ table: "orders", predicate: "tenant_id = 1" }] } }],
      },
      writeMode: { change: () => ({ writeMode: "rollback" }), writes: [{ method: "PUT", put: { write_mode: "rollback" } }] },
      approvalMode: { change: () => ({ approvalMode: "ddl" }), writes: [{ method: "PUT", put: { approval_mode: "ddl" } }] },
      approvalAutoMaxRows: { change: () => ({ approvalAutoMaxRows: 10 }), writes: [{ method: "PUT", put: { approval_auto_max_rows: 10 } }] },
      approvalTimeoutSeconds: { change: () => ({ approvalTimeoutSeconds: 120 }), writes: [{ method: "PUT", put: { approval_timeout_seconds: 120 } }] },
      migrationSafety: { change: () => ({ migrationSafety: "block" }), writes: [{ method: "PUT", put: { migration_safety: "block" } }] },
      egressBytesPerDay: { change: () => ({ egressBytesPerDay: 1048576 }), writes: [{ method: "PUT", put: { egress_bytes_per_day: 1048576 } }] },
      maxAffectedRows: { change: () => ({ maxAffectedRows: 50 }), writes: [{ method: "PUT", put: { max_affected_rows: 50 } }] },
    },
    replaces: { projectId: (p) => ({ projectId: p.otherProjectId }) },
    removeOutOfBand: (emulator, id) => emulator.remove("policy", id),
  },

  AgentCredential: {
    args: (p) => ({ projectId: p.projectId, policyProfileId: p.policyId, name: "lifecycle-agent" }),
    updates: {
      status: { change: () => ({ status: "disabled" }), writes: [{ method: "PATCH", body: { status: "disabled" } }] },
      rotationTrigger: { change: () => ({ rotationTrigger: 1 }), writes: [{ method: "POST", suffix: "/rotate" }] },
    },
    replaces: {
      projectId: (p) => ({ projectId: p.otherProjectId, policyProfileId: p.otherPolicyId }),
      policyProfileId: (p) => ({ policyProfileId: p.secondPolicyId }),
      name: () => ({ name: "lifecycle-agent-2" }),
      principalType: () => ({ principalType: "human" }),
      expiresAt: () => ({ expiresAt: future(10) }),
    },
    removeOutOfBand: (emulator, id) => emulator.remove("agent", id),
  },

  WebhookEndpoint: {
    args: (p) => ({ projectId: p.projectId, url: "https://hooks.example.com/lifecycle", secret: secret("WEBHOOK_SECRET_1") }),
    putBody: () => ({ url: "https://hooks.example.com/lifecycle", secret: SECRET_VALUES.WEBHOOK_SECRET_1, format: "json", enabled: true }),
    updates: {
      url: { change: () => ({ url: "https://hooks.example.com/other" }), writes: [{ method: "PUT", put: { url: "https://hooks.example.com/other" } }] },
      secret: { change: () => ({ secret: secret("WEBHOOK_SECRET_2") }), writes: [{ method: "PUT", put: { secret: SECRET_VALUES.WEBHOOK_SECRET_2 } }] },
      format: { change: () => ({ format: "datadog" }), writes: [{ method: "PUT", put: { format: "datadog" } }] },
      eventTypes: { change: () => ({ eventTypes: ["anomaly.detected"] }), writes: [{ method: "PUT", put: { event_types: ["anomaly.detected"] } }] },
      enabled: { change: () => ({ enabled: false }), writes: [{ method: "PUT", put: { enabled: false } }] },
      description: { change: () => ({ description: "alerts" }), writes: [{ method: "PUT", put: { description: "alerts" } }] },
    },
    replaces: { projectId: (p) => ({ projectId: p.otherProjectId }) },
    removeOutOfBand: (emulator, id) => emulator.remove("webhook", id),
  },

  Replica: {
    args: (p) => ({ databaseId: p.databaseId, host: "replica.lifecycle.internal", port: 5432 }),
    updates: {},
    replaces: {
      databaseId: (p) => ({ databaseId: p.otherDatabaseId }),
      host: () => ({ host: "replica2.lifecycle.internal" }),
      port: () => ({ port: 6432 }),
      sslMode: () => ({ sslMode: "verify-ca" }),
    },
    removeOutOfBand: (emulator, id) => emulator.remove("replica", id),
  },

  CustomDomain: {
    args: (p) => ({ projectId: p.projectId, domain: "db.lifecycle.example.com" }),
    updates: {
      verify: { change: () => ({ verify: true }), writes: [{ method: "POST", suffix: "/verify" }] },
      verifyTimeoutSeconds: { change: () => ({ verifyTimeoutSeconds: 60 }), writes: [] },
    },
    replaces: {
      domain: () => ({ domain: "db2.lifecycle.example.com" }),
      projectId: (p) => ({ projectId: p.otherProjectId }),
    },
    removeOutOfBand: (emulator, id) => emulator.remove("domain", id),
  },

  CacheRule: {
    args: (p) => ({ projectId: p.projectId, databaseId: p.databaseId, queryHash: HASH, cacheTtlSeconds: 300 }),
    prepare: (emulator, p) => {
      for (const [projectId, databaseId] of [[p.projectId, p.databaseId], [p.projectId, p.secondDatabaseId], [p.otherProjectId, p.otherDatabaseId]]) {
        for (const hash of [HASH, OTHER_HASH]) emulator.observeQuery(projectId, databaseId, hash);
      }
    },
    putBody: () => ({ cache_enabled: true, cache_ttl_seconds: 300 }),
    updates: {
      cacheEnabled: { change: () => ({ cacheEnabled: false }), writes: [{ method: "PUT", put: { cache_enabled: false } }] },
      cacheTtlSeconds: { change: () => ({ cacheTtlSeconds: 60 }), writes: [{ method: "PUT", put: { cache_ttl_seconds: 60 } }] },
      cacheSwrSeconds: { change: () => ({ cacheSwrSeconds: 30 }), writes: [{ method: "PUT", put: { cache_swr_seconds: 30 } }] },
    },
    replaces: {
      projectId: (p) => ({ projectId: p.otherProjectId, databaseId: p.otherDatabaseId }),
      databaseId: (p) => ({ databaseId: p.secondDatabaseId }),
      queryHash: () => ({ queryHash: OTHER_HASH }),
    },
    removeOutOfBand: (emulator, id, outputs) => emulator.remove("cacheRule", `${String(outputs.databaseId)}:${id}`),
  },

  SpendLimit: {
    // 0 is a limit (agent access pauses at once), not "no limit": it must survive create, preview and refresh.
    args: (p) => ({ orgId: p.orgId, spendLimit: 0 }),
    updates: { spendLimit: { change: () => ({ spendLimit: 250.5 }), writes: [{ method: "PUT", body: { spend_limit: 250.5 } }] } },
    replaces: { orgId: (p) => ({ orgId: p.otherOrgId }) },
    removeOutOfBand: (emulator, id) => emulator.patch("plan", id, { spend_limit: null }),
  },

  SelfHostEnrollment: {
    args: (p) => ({ orgId: p.orgId, regionLabel: "customer-vpc", expiresAt: future(1) }),
    updates: { rotationTrigger: { change: () => ({ rotationTrigger: "1" }), writes: [{ method: "POST", suffix: "/rotate" }] } },
    replaces: {
      orgId: (p) => ({ orgId: p.otherOrgId }),
      regionLabel: () => ({ regionLabel: "customer-vpc-2" }),
      description: () => ({ description: "prod" }),
      expiresAt: () => ({ expiresAt: future(2) }),
    },
    removeOutOfBand: (emulator, id) => emulator.remove("enrollment", id),
  },

  ProjectDefaultPolicy: {
    args: (p) => ({ projectId: p.settingsProjectId, defaultPolicyProfileId: p.settingsPolicyId }),
    updates: {
      defaultPolicyProfileId: {
        change: (p) => ({ defaultPolicyProfileId: p.settingsSecondPolicyId }),
        writes: (p) => [{ method: "PATCH", body: { default_policy_profile_id: p.settingsSecondPolicyId } }],
      },
    },
    replaces: { projectId: (p) => ({ projectId: p.otherProjectId, defaultPolicyProfileId: p.otherPolicyId }) },
    removeOutOfBand: (emulator, id) => emulator.patch("project", id, { default_policy_profile_id: null }),
  },
};
