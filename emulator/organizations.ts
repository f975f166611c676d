import type { EmulatorState, HandlerContext, Handlers } from "./context";
import { conflict, forbidden, invalidInput, notFound } from "./errors";
import { newToken } from "./ids";
import { assertFuture, canAccessOrg, findAccessible, insertObject, patchObject, requireOrgAccess } from "./resources";
import type { Store, StoredObject } from "./store";

/** Organizations, their plan and spend limit, and self-host enrollments. */

export type PlanName = "starter" | "pro" | "scale" | "enterprise";

const PLAN_RANK: Record<PlanName, number> = { starter: 0, pro: 1, scale: 2, enterprise: 3 };

export function isPlanName(value: string): value is PlanName {
  return value in PLAN_RANK;
}

/** The fields of the spec's `PlanLimits`. */
export type PlanLimits = Record<
  | "queries_per_day"
  | "max_projects"
  | "max_databases"
  | "max_connections"
  | "queries_per_second"
  | "bytes_per_month"
  | "max_query_shapes"
  | "included_seats"
  | "max_agent_credentials"
  | "audit_retention_days"
  | "sandbox_max_branches"
  | "sandbox_max_upstream_bytes"
  | "sandbox_idle_seconds"
  | "sandbox_ttl_seconds",
  number
>;
export type PlanLimitName = keyof PlanLimits;

/**
 * The spec has no plan table; these numbers are invented (in the proportions of the public pricing page's tiers),
 * only their shape (`PlanLimits`) is the spec's.
 */
const PLAN_LIMITS: Record<PlanName, PlanLimits> = {
  starter: limits({
    queries_per_day: 100_000,
    max_projects: 1,
    max_databases: 1,
    max_connections: 20,
    queries_per_second: 10,
    max_agent_credentials: 3,
    max_query_shapes: 10,
    included_seats: 1,
  }),
  pro: limits({
    queries_per_day: 10_000_000,
    max_projects: 10,
    max_databases: 10,
    max_connections: 200,
    queries_per_second: 500,
    max_agent_credentials: 25,
    max_query_shapes: 100,
    included_seats: 5,
  }),
  scale: limits({
    queries_per_day: 0,
    max_projects: 100,
    max_databases: 50,
    max_connections: 2000,
    queries_per_second: 5000,
    max_agent_credentials: 0,
    max_query_shapes: 1000,
    included_seats: 20,
  }),
  enterprise: limits({
    queries_per_day: 0,
    max_projects: 1000,
    max_databases: 500,
    max_connections: 20000,
    queries_per_second: 50000,
    max_agent_credentials: 0,
    max_query_shapes: 0,
    included_seats: 100,
  }),
};

function limits(perPlan: Omit<PlanLimits, "bytes_per_month" | "audit_retention_days" | `sandbox_${string}`>): PlanLimits {
  return {
    bytes_per_month: 0,
    audit_retention_days: 30,
    sandbox_max_branches: 0,
    sandbox_max_upstream_bytes: 0,
    sandbox_idle_seconds: 300,
    sandbox_ttl_seconds: 86_400,
    ...perPlan,
  };
}

/** Limits whose spec description says "0 means unlimited"; for the others (max_projects, max_databases) 0 is a cap. */
const ZERO_IS_UNLIMITED: ReadonlySet<PlanLimitName> = new Set([
  "queries_per_day",
  "bytes_per_month",
  "max_query_shapes",
  "max_agent_credentials",
  "sandbox_max_branches",
  "sandbox_max_upstream_bytes",
]);

/** The self-serve tiers `listPlans` shows (Enterprise is sold, not signed up for); prices invented like the limits. */
const SELF_SERVE_PLANS: { name: PlanName; label: string; monthly_price: number; description: string }[] = [
  { name: "starter", label: "Starter", monthly_price: 0, description: "One project to try PgBeam." },
  { name: "pro", label: "Pro", monthly_price: 49, description: "Production projects with agents." },
  { name: "scale", label: "Scale", monthly_price: 399, description: "Custom domains, self-hosting, higher limits." },
];

/** The emulator bills nothing, so month-to-date spend is always 0: a limit of 0 caps at once, `null` never does. */
const MONTH_TO_DATE_SPEND = 0;

/** The user behind personal (`pbu_`) keys; org-scoped keys act as the org itself, so they have none. */
const EMULATOR_USER_ID = "user_emulator";

export function planOf(store: Store, orgId: string): PlanName {
  return store.find("plan", orgId)?.data.plan as PlanName;
}

/** Custom domains and self-hosting are gated to Scale and above (SPEC `createCustomDomain`, `createSelfHostEnrollment`). */
export function assertPlanAtLeastScale(store: Store, orgId: string, feature: string): void {
  const plan = planOf(store, orgId);
  if (PLAN_RANK[plan] < PLAN_RANK.scale)
    throw forbidden(`${feature} require a Scale or Enterprise plan (organization ${orgId} is on ${plan})`);
}

/** The org's effective limit: its plan's, or what a test set with `setPlan(…, { limits })`. */
export function planLimit(store: Store, orgId: string, limit: PlanLimitName): number {
  return (store.find("plan", orgId)?.data.limits as PlanLimits)[limit];
}

/**
 * 403 when the org already uses all that `limit` allows (`used` counts what exists now): one more would exceed
 * it. The message names the plan and the limit, so a client can tell a plan refusal from an access one.
 */
export function assertWithinLimit(store: Store, orgId: string, limit: PlanLimitName, used: number, what: string): void {
  const allowed = planLimit(store, orgId, limit);
  if (allowed === 0 && ZERO_IS_UNLIMITED.has(limit)) return;
  if (used >= allowed) {
    throw forbidden(
      `plan limit reached: organization ${orgId} is on the ${planOf(store, orgId)} plan, which allows ${allowed} ${what} (limits.${limit})`,
    );
  }
}

/** The plan's limits with a test's overrides; an unknown limit name is a test bug. */
function effectiveLimits(plan: PlanName, overrides: Partial<PlanLimits> = {}): PlanLimits {
  const unknown = Object.keys(overrides).filter((name) => !(name in PLAN_LIMITS[plan]));
  if (unknown.length > 0)
    throw new Error(`unknown plan limit(s) ${unknown.join(", ")} (PlanLimits has ${Object.keys(PLAN_LIMITS[plan]).join(", ")})`);
  return { ...PLAN_LIMITS[plan], ...overrides };
}

export function addOrganization(state: EmulatorState, orgId: string, plan: PlanName, overrides?: Partial<PlanLimits>): void {
  if (state.store.find("organization", orgId)) throw new Error(`organization ${orgId} already exists`);
  const now = state.now();
  const slug = orgId
    .replace(/^org_/, "")
    .replace(/[^a-z0-9]+/gi, "-")
    .toLowerCase();
  state.store.insert({ kind: "organization", id: orgId, orgId, data: { id: orgId, name: `Organization ${slug}`, slug } });
  const periodEnd = new Date(Date.parse(now) + 30 * 86_400_000).toISOString();
  state.store.insert({
    kind: "plan",
    id: orgId,
    orgId,
    data: {
      org_id: orgId,
      plan,
      billing_provider: "stripe",
      subscription_status: "active",
      current_period_end: periodEnd,
      enabled: true,
      custom_pricing: plan === "enterprise",
      spend_limit: null,
      spend_capped: false,
      spend_capped_at: null,
      limits: effectiveLimits(plan, overrides),
      created_at: now,
      updated_at: now,
    },
  });
}

/** An upgrade or downgrade: the new plan's limits, with a test's overrides (custom pricing, a limit at a boundary). */
export function setPlan(state: EmulatorState, orgId: string, plan: PlanName, overrides?: Partial<PlanLimits>): void {
  const planObject = state.store.find("plan", orgId);
  if (!planObject) throw new Error(`unknown organization ${orgId}`);
  patchObject(planObject, { plan, custom_pricing: plan === "enterprise", limits: effectiveLimits(plan, overrides) }, state.now());
}

function requirePlan(ctx: HandlerContext): StoredObject {
  requireOrgAccess(ctx, ctx.params.org_id);
  return ctx.state.store.find("plan", ctx.params.org_id) as StoredObject;
}

function requireEnrollment(ctx: HandlerContext): StoredObject {
  requireOrgAccess(ctx, ctx.params.org_id);
  const enrollment = findAccessible(ctx, "enrollment", ctx.params.enrollment_id);
  if (enrollment.orgId !== ctx.params.org_id) throw notFound(`self-host enrollment ${enrollment.id} not found`);
  return enrollment;
}

/** Tokens are stored so tests can check that rotation really replaced them; the API never returns them again. */
function issueEnrollmentToken(enrollment: StoredObject): { enrollment: Record<string, unknown>; token: string } {
  const token = newToken("pbh_");
  enrollment.secrets.token = token;
  return { enrollment: enrollment.data, token };
}

export function registerOrganizationBehaviours(store: Store): void {
  // Revoking keeps the enrollment listed, with `revoked_at` set; revoking again changes nothing.
  store.onDelete("enrollment", {
    apply(enrollment, now) {
      enrollment.data.revoked_at ??= now;
    },
  });
}

export const organizationHandlers: Handlers = {
  /** The cheap "whoami": a scoped key sees exactly its org (without a role), a personal key every org. */
  listOrganizations(ctx) {
    const organizations = ctx.state.store
      .list("organization")
      .filter((o) => canAccessOrg(ctx.principal, o.id))
      .map((o) => (ctx.principal.orgId === undefined ? { ...o.data, role: "owner" } : o.data));
    return { status: 200, body: { organizations } };
  },

  listPlans() {
    return { status: 200, body: { plans: SELF_SERVE_PLANS.map((plan) => ({ ...plan, limits: { ...PLAN_LIMITS[plan.name] } })) } };
  },

  getOrganizationPlan(ctx) {
    return { status: 200, body: requirePlan(ctx).data };
  },

  /**
   * `null` removes the limit; a number (0 included) sets it. PUT semantics: an omitted `spend_limit` also removes
   * it. Negative limits are refused although the spec sets no minimum.
   */
  updateSpendLimit(ctx) {
    const plan = requirePlan(ctx);
    const spendLimit: number | null = ctx.body.spend_limit ?? null;
    if (spendLimit !== null && spendLimit < 0) throw invalidInput("body.spend_limit: must be >= 0 or null");
    const capped = spendLimit !== null && MONTH_TO_DATE_SPEND >= spendLimit;
    patchObject(
      plan,
      { spend_limit: spendLimit, spend_capped: capped, spend_capped_at: capped ? (plan.data.spend_capped_at ?? ctx.state.now()) : null },
      ctx.state.now(),
    );
    return { status: 200, body: plan.data };
  },

  createSelfHostEnrollment(ctx) {
    const orgId = ctx.params.org_id;
    requireOrgAccess(ctx, orgId);
    assertPlanAtLeastScale(ctx.state.store, orgId, "self-hosted proxies");
    const body = ctx.body ?? {};
    assertFuture(ctx, "expires_at", body.expires_at);
    const enrollment = insertObject(ctx, "enrollment", {
      orgId,
      data: {
        org_id: orgId,
        ...body,
        created_by: ctx.principal.orgId === undefined ? EMULATOR_USER_ID : null,
        last_seen_at: null,
        revoked_at: null,
        expires_at: body.expires_at ?? null,
      },
    });
    return { status: 201, body: issueEnrollmentToken(enrollment) };
  },

  listSelfHostEnrollments(ctx) {
    requireOrgAccess(ctx, ctx.params.org_id);
    // "newest first" (SPEC `ListSelfHostEnrollmentsResponse`); revoked enrollments stay listed.
    const enrollments = ctx.state.store
      .list("enrollment")
      .filter((e) => e.orgId === ctx.params.org_id)
      .reverse()
      .map((e) => e.data);
    return { status: 200, body: { enrollments } };
  },

  revokeSelfHostEnrollment(ctx) {
    ctx.state.store.delete(requireEnrollment(ctx));
    return { status: 204 };
  },

  rotateSelfHostEnrollment(ctx) {
    const enrollment = requireEnrollment(ctx);
    if (enrollment.data.revoked_at !== null) throw conflict(`self-host enrollment ${enrollment.id} is revoked and cannot be rotated`);
    return { status: 200, body: issueEnrollmentToken(enrollment) };
  },
};
