/** What the lookups return: the API's objects in camelCase (descriptions from PgBeam's OpenAPI spec). */

/** A data-plane region available for PgBeam traffic. */
export interface Region {
  /** Region identifier, e.g. `us-east-1`. */
  id: string;
  name: string;
  provider: "aws" | "azure" | "gcp";
  status: "active" | "draining" | "inactive";
  /** Whether new projects can currently be assigned to the region. */
  available: boolean;
  continent?: string;
  country?: string;
}

/** Usage limits enforced for a plan; 0 means unlimited where the API says so (e.g. `queriesPerDay`). */
export interface PlanLimits {
  queriesPerDay: number;
  maxProjects: number;
  maxDatabases: number;
  maxConnections: number;
  queriesPerSecond: number;
  bytesPerMonth: number;
  maxQueryShapes: number;
  includedSeats: number;
  maxAgentCredentials: number;
  auditRetentionDays: number;
  sandboxMaxBranches: number;
  sandboxMaxUpstreamBytes: number;
  sandboxIdleSeconds: number;
  sandboxTtlSeconds: number;
}

/** A billing plan available for self-serve signups. */
export interface Plan {
  /** Tier name: starter, pro, scale. */
  name: string;
  label: string;
  /** Dollars per month. */
  monthlyPrice: number;
  annualPrice?: number;
  description?: string;
  overageText?: string;
  trialDays?: number;
  limits: PlanLimits;
}

/** An organization the API key can access. */
export interface Organization {
  id: string;
  name: string;
  slug: string;
  /** The caller's role in it (absent for organization-scoped keys). */
  role?: string;
}

/** An organization's billing state and plan limits. */
export interface OrganizationPlan {
  orgId: string;
  plan: "starter" | "pro" | "scale" | "enterprise";
  billingProvider?: "stripe" | "vercel" | "aws" | "manual";
  subscriptionStatus?: string;
  currentPeriodEnd?: string;
  enabled?: boolean;
  customPricing?: boolean;
  /** Monthly spend limit in dollars; null or absent: no limit (0 is a limit of zero). */
  spendLimit?: number | null;
  spendCapped?: boolean;
  spendCappedAt?: string | null;
  limits: PlanLimits;
  createdAt?: string;
  updatedAt?: string;
}

/** A database as the API reports it (never its password). */
export interface DatabaseInfo {
  id: string;
  projectId: string;
  /** Connection string through the proxy, with a password placeholder. */
  connectionString?: string;
  host: string;
  port: number;
  name: string;
  username: string;
  sslMode: string;
  role?: "primary" | "replica";
  poolRegion?: string;
  queryTimeoutMs?: number;
  autoReadRouting?: boolean;
  cacheConfig: { enabled: boolean; ttlSeconds: number; maxEntries: number; swrSeconds: number };
  poolConfig: { poolSize: number; minPoolSize: number; poolMode: string; maxActive?: number };
  createdAt: string;
  updatedAt: string;
}

/** An existing project, with its primary database. */
export interface GetProjectResult {
  id: string;
  orgId: string;
  name: string;
  description?: string;
  tags?: string[];
  cloud?: string;
  selfHosted?: boolean;
  /** Hostname clients connect to. */
  proxyHost: string;
  queriesPerSecond?: number;
  burstSize?: number;
  maxConnections?: number;
  allowedCidrs?: { cidr: string; label?: string }[];
  defaultPolicyProfileId?: string;
  residency?: string;
  agentsDisabled?: boolean;
  databaseCount?: number;
  activeConnections?: number;
  status?: "active" | "suspended" | "deleted";
  createdAt: string;
  updatedAt: string;
  /** The project's primary database; absent only if it was deleted. */
  primaryDatabase?: DatabaseInfo;
}
