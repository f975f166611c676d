import { isIP } from "node:net";
import type { EmulatorState, HandlerContext, Handlers } from "./context";
import { invalidInput } from "./errors";
import { proxyHostFor } from "./ids";
import { assertPlanAtLeastScale, assertWithinLimit, planLimit } from "./organizations";
import {
  assertUnique,
  byCreation,
  childResource,
  insertObject,
  paginate,
  patchObject,
  requireOrgAccess,
  requireProject,
} from "./resources";
import type { Store, StoredObject } from "./store";

/** Projects and their databases. */

/**
 * Required in `Database` but without a default in the spec: the emulator uses the spec's example values. A
 * provider that assumes some other default (e.g. "disable") shows a perpetual diff here, as it would against the
 * real API.
 */
export const DEFAULT_SSL_MODE = "require";
const DEFAULT_POOL_MODE = "transaction";

/** The proxy listens on 5432 whatever the upstream port; the password is a placeholder (SPEC `Database.connection_string`). */
function connectionString(database: StoredObject, project: StoredObject): string {
  const user = encodeURIComponent(database.data.username);
  return `postgresql://${user}:YOUR_PASSWORD@${project.data.proxy_host}:5432/${encodeURIComponent(database.data.name)}`;
}

export function presentProject(store: Store, project: StoredObject): Record<string, unknown> {
  return { ...project.data, database_count: store.liveChildren("database", project.id).length };
}

export function presentDatabase(store: Store, database: StoredObject): Record<string, unknown> {
  const project = store.find("project", database.parentId as string) as StoredObject;
  return { ...database.data, connection_string: connectionString(database, project) };
}

function assertPoolSizes(pool: { pool_size: number; min_pool_size: number }, field: string): void {
  if (pool.min_pool_size > pool.pool_size) throw invalidInput(`${field}.min_pool_size: must not exceed pool_size (${pool.pool_size})`);
}

/** Database fields from a `CreateDatabaseRequest`, with the spec's defaults and the nested configs filled in. */
function newDatabaseFields(
  state: EmulatorState,
  request: Record<string, any>,
  field: string,
): { data: Record<string, unknown>; password: string } {
  const { password, ...fields } = state.validator.withDefaults("CreateDatabaseRequest", request);
  const poolConfig = state.validator.withDefaults("PoolConfig", fields.pool_config ?? { pool_mode: DEFAULT_POOL_MODE });
  assertPoolSizes(poolConfig, `${field}.pool_config`);
  return {
    password,
    data: {
      ...fields,
      ssl_mode: fields.ssl_mode ?? DEFAULT_SSL_MODE,
      cache_config: state.validator.withDefaults("CacheConfig", fields.cache_config ?? {}),
      pool_config: poolConfig,
    },
  };
}

const databases = childResource({
  kind: "database",
  parent: requireProject,
  parentField: "project_id",
  idParam: "database_id",
  listKey: "databases",
  present: presentDatabase,
});

/** `max_databases` is per project (SPEC `PlanLimits`): a primary registered again after a delete counts too. */
function insertDatabase(ctx: HandlerContext, project: StoredObject, request: Record<string, any>, field: string): StoredObject {
  const used = ctx.state.store.liveChildren("database", project.id).length;
  assertWithinLimit(
    ctx.state.store,
    project.orgId,
    "max_databases",
    used,
    `database(s) per project, and project ${project.id} has ${used}`,
  );
  const { data, password } = newDatabaseFields(ctx.state, request, field);
  return databases.insert(ctx, project, { data, secrets: { password } });
}

/** A bare IP gets /32 or /128, as the spec says the API does; anything that is not an address is refused. */
function normalizeCidrs(entries: Array<{ cidr: string; label?: string }>): Array<{ cidr: string; label?: string }> {
  return entries.map((entry, index) => {
    const [address, prefix] = entry.cidr.split("/");
    const version = isIP(address);
    const maxPrefix = version === 4 ? 32 : 128;
    if (version === 0 || (prefix !== undefined && Number(prefix) > maxPrefix)) {
      throw invalidInput(`body.allowed_cidrs[${index}].cidr: ${JSON.stringify(entry.cidr)} is not an IPv4 or IPv6 CIDR`);
    }
    return { ...entry, cidr: `${address}/${prefix ?? maxPrefix}` };
  });
}

/** `""` and `null` clear the default policy (SPEC `UpdateProjectRequest`); anything else must be a policy of the project. */
function defaultPolicyId(ctx: HandlerContext, project: StoredObject, requested: string | null): string | null {
  if (requested === null || requested === "") return null;
  const policy = ctx.state.store.find("policy", requested);
  if (!policy || policy.deleted || policy.parentId !== project.id) {
    throw invalidInput(`body.default_policy_profile_id: policy profile ${requested} does not exist in project ${project.id}`);
  }
  return requested;
}

/** The spec names the sort fields but not the direction. */
const PROJECT_SORTS: Record<string, (a: StoredObject, b: StoredObject) => number> = {
  // Oldest first, so pages stay stable while projects are being added.
  created_at: byCreation,
  name: (a, b) => (a.data.name === b.data.name ? byCreation(a, b) : a.data.name < b.data.name ? -1 : 1),
  // Busiest first; ties (always, since the emulator has no traffic) in creation order.
  active_connections: (a, b) => b.data.active_connections - a.data.active_connections || byCreation(a, b),
};

export function registerProjectBehaviours(store: Store): void {
  // Soft delete: the row keeps status "deleted" but the API answers 404; the store cascades to everything under it.
  store.onDelete("project", {
    apply(project) {
      project.data.status = "deleted";
      project.deleted = true;
    },
  });
}

export const projectHandlers: Handlers = {
  createProject(ctx) {
    const request = ctx.state.validator.withDefaults("CreateProjectRequest", ctx.body);
    const orgId: string = request.org_id;
    requireOrgAccess(ctx, orgId);
    if (request.self_hosted) assertPlanAtLeastScale(ctx.state.store, orgId, "self-hosted projects");
    // "Maximum number of active projects" (SPEC `PlanLimits.max_projects`): deleted ones no longer count.
    const active = ctx.state.store.list("project").filter((p) => p.orgId === orgId).length;
    assertWithinLimit(ctx.state.store, orgId, "max_projects", active, `active project(s), and it has ${active}`);
    // Uniqueness rule (spec silent): project names are unique among an org's live projects.
    const siblings = ctx.state.store.list("project").filter((p) => p.orgId === orgId);
    assertUnique("project", siblings, "name", request.name);
    const { database, ...fields } = request;
    // Project and primary database are created together (SPEC `createProject`): the database is validated before
    // anything is stored, so a 400 on it leaves no project behind and the corrected retry succeeds.
    const primaryFields = newDatabaseFields(ctx.state, database, "body.database");
    const project = insertObject(ctx, "project", {
      orgId,
      data: {
        ...fields,
        tags: fields.tags ?? [],
        proxy_host: proxyHostFor(fields.name),
        queries_per_second: planLimit(ctx.state.store, orgId, "queries_per_second"),
        burst_size: 0,
        max_connections: planLimit(ctx.state.store, orgId, "max_connections"),
        allowed_cidrs: [],
        default_policy_profile_id: null,
        residency: "any",
        agents_disabled: false,
        active_connections: 0,
        status: "active",
      },
    });
    const primary = databases.insert(ctx, project, { data: primaryFields.data, secrets: { password: primaryFields.password } });
    return {
      status: 201,
      body: { project: presentProject(ctx.state.store, project), database: presentDatabase(ctx.state.store, primary) },
    };
  },

  listProjects(ctx) {
    const orgId: string = ctx.query.org_id;
    requireOrgAccess(ctx, orgId);
    const projects = ctx.state.store
      .list("project")
      .filter((p) => p.orgId === orgId)
      .sort(PROJECT_SORTS[ctx.query.sort_by]);
    const { page, next_page_token } = paginate(ctx, projects);
    return {
      status: 200,
      body: { projects: page.map((p) => presentProject(ctx.state.store, p)), total: projects.length, next_page_token },
    };
  },

  getProject(ctx) {
    return { status: 200, body: presentProject(ctx.state.store, requireProject(ctx)) };
  },

  /** Renames are not checked for uniqueness: the spec declares no 409 on PATCH. */
  updateProject(ctx) {
    const project = requireProject(ctx);
    const fields: Record<string, any> = { ...ctx.body };
    if (fields.status === "deleted") throw invalidInput("body.status: use DELETE /v1/projects/{project_id} to delete a project");
    if (fields.allowed_cidrs !== undefined) fields.allowed_cidrs = normalizeCidrs(fields.allowed_cidrs);
    if ("default_policy_profile_id" in fields)
      fields.default_policy_profile_id = defaultPolicyId(ctx, project, fields.default_policy_profile_id);
    patchObject(project, fields, ctx.state.now());
    return { status: 200, body: presentProject(ctx.state.store, project) };
  },

  deleteProject(ctx) {
    ctx.state.store.delete(requireProject(ctx));
    return { status: 204 };
  },

  createDatabase(ctx) {
    return databases.respond(ctx, insertDatabase(ctx, requireProject(ctx), ctx.body, "body"), 201);
  },

  listDatabases: databases.list,
  getDatabase: databases.get,

  /**
   * Only the fields sent change. `cache_config` and `pool_config` are whole objects in the spec, so sending one
   * replaces it (its own defaults, e.g. `max_active`, filled in). The spec lets `name`, `username` and `password`
   * be empty strings here (unlike on create); the emulator refuses them rather than guess a meaning.
   */
  updateDatabase(ctx) {
    const database = databases.find(ctx);
    const { password, ...fields }: Record<string, any> = { ...ctx.body };
    for (const field of ["name", "username", "password"]) {
      if (ctx.body[field] === "") throw invalidInput(`body.${field}: must not be empty`);
    }
    if (fields.cache_config) fields.cache_config = ctx.state.validator.withDefaults("CacheConfig", fields.cache_config);
    if (fields.pool_config) {
      fields.pool_config = ctx.state.validator.withDefaults("PoolConfig", fields.pool_config);
      assertPoolSizes(fields.pool_config, "body.pool_config");
    }
    if (password !== undefined) database.secrets.password = password;
    patchObject(database, fields, ctx.state.now());
    return databases.respond(ctx, database);
  },

  deleteDatabase: databases.delete,
};
