import { createHash } from "node:crypto";
import type { HandlerContext, HandlerResult, Principal } from "./context";
import { conflict, forbidden, invalidInput, notFound } from "./errors";
import { newId } from "./ids";
import { KINDS, type Kind, type Store, type StoredObject } from "./store";

/**
 * CRUD helpers shared by every API area: access checks, lookups that answer 404 the same way everywhere,
 * timestamps, uniqueness and pagination.
 */

export function canAccessOrg(principal: Principal, orgId: string): boolean {
  return principal.orgId === undefined || principal.orgId === orgId;
}

/**
 * For operations that name an org explicitly (`org_id` in the path, query or body): 403 when the org is unknown or
 * the key is scoped to another org. Objects of other orgs answer 404 instead (see `findAccessible`), so a scoped key
 * cannot probe for ids it does not own.
 */
export function requireOrgAccess(ctx: HandlerContext, orgId: string): void {
  if (!ctx.state.store.find("organization", orgId) || !canAccessOrg(ctx.principal, orgId)) {
    throw forbidden(`this API key has no access to organization ${orgId}`);
  }
}

/** A live object the caller may see, or 404. `parentId` also checks the object sits under that project/database. */
export function findAccessible(ctx: HandlerContext, kind: Kind, id: string, parentId?: string): StoredObject {
  const object = ctx.state.store.find(kind, id);
  if (!object || object.deleted || !canAccessOrg(ctx.principal, object.orgId) || (parentId !== undefined && object.parentId !== parentId)) {
    throw notFound(`${KINDS[kind].label} ${id} not found`);
  }
  return object;
}

export function requireProject(ctx: HandlerContext): StoredObject {
  return findAccessible(ctx, "project", ctx.params.project_id);
}

/** The database of the path; when the path also names a project, the database must belong to it. */
export function requireDatabase(ctx: HandlerContext): StoredObject {
  const projectId = ctx.params.project_id === undefined ? undefined : requireProject(ctx).id;
  return findAccessible(ctx, "database", ctx.params.database_id, projectId);
}

export interface NewObject {
  orgId: string;
  parentId?: string;
  data: Record<string, unknown>;
  secrets?: Record<string, unknown>;
}

/** Stores a new object with a fresh prefixed id and its creation timestamps set to now. */
export function insertObject(ctx: HandlerContext, kind: Kind, object: NewObject): StoredObject {
  const now = ctx.state.now();
  const { idPrefix, tracksUpdates } = KINDS[kind];
  if (!idPrefix) throw new Error(`${kind} ids are not generated`);
  const id = newId(idPrefix);
  return ctx.state.store.insert({
    kind,
    id,
    orgId: object.orgId,
    parentId: object.parentId,
    data: { id, ...object.data, created_at: now, ...(tracksUpdates ? { updated_at: now } : {}) },
    secrets: object.secrets,
  });
}

/** PATCH semantics: only the given fields change (and `updated_at`, for kinds that have one). */
export function patchObject(object: StoredObject, fields: Record<string, unknown>, now: string): void {
  Object.assign(object.data, fields, KINDS[object.kind].tracksUpdates ? { updated_at: now } : {});
}

/** For `expires_at`-style inputs, which the spec says "must be in the future". */
export function assertFuture(ctx: HandlerContext, field: string, timestamp: string | null | undefined): void {
  if (timestamp != null && Date.parse(timestamp) <= Date.parse(ctx.state.now())) throw invalidInput(`body.${field}: must be in the future`);
}

/** 409 when a live sibling already has this value; the uniqueness rules themselves are chosen per area. */
export function assertUnique(kind: Kind, siblings: StoredObject[], field: string, value: unknown): void {
  const clash = siblings.find((o) => o.data[field] === value);
  if (clash) throw conflict(`a ${KINDS[kind].label} with ${field} ${JSON.stringify(value)} already exists (${clash.id})`);
}

/**
 * Orders by `created_at`. Objects created in the same millisecond keep the store's order, which is the order they
 * were created in (the sort is stable), so pages stay stable and in creation order.
 */
export function byCreation(a: StoredObject, b: StoredObject): number {
  return a.data.created_at === b.data.created_at ? 0 : a.data.created_at < b.data.created_at ? -1 : 1;
}

function listScope(ctx: HandlerContext): string {
  const { page_token: _token, page_size: _size, ...filters } = ctx.query;
  return createHash("sha256")
    .update(JSON.stringify([ctx.operationId, ctx.params, filters]))
    .digest("hex")
    .slice(0, 12);
}

/**
 * One page of a list operation. The token is opaque to clients (offset plus a fingerprint of the list it belongs
 * to, base64url so it matches the spec's `^[a-zA-Z0-9_.-]+$`). `next_page_token` is always present and empty on
 * the last page, as the spec describes ("Empty if no more results"). Operations the spec gives no paging
 * parameters (`listReplicas`) return everything and no token.
 */
export function paginate<T>(ctx: HandlerContext, items: T[]): { page: T[]; next_page_token?: string } {
  if (ctx.query.page_size === undefined) return { page: items };
  const scope = listScope(ctx);
  let offset = 0;
  if (ctx.query.page_token !== undefined) {
    const [tokenOffset, tokenScope] = Buffer.from(String(ctx.query.page_token), "base64url").toString("utf8").split(":");
    offset = Number(tokenOffset);
    if (tokenScope !== scope || !Number.isInteger(offset) || offset < 0) {
      throw invalidInput("query.page_token: is not a page token issued for this list");
    }
  }
  const end = offset + Number(ctx.query.page_size);
  return {
    page: items.slice(offset, end),
    next_page_token: end < items.length ? Buffer.from(`${end}:${scope}`).toString("base64url") : "",
  };
}

export interface ChildResourceSpec {
  kind: Kind;
  /** Resolves (and access-checks) the parent named by the path, or answers 404. */
  parent: (ctx: HandlerContext) => StoredObject;
  /** Field of the representation naming the parent, when the schema has one. */
  parentField?: "project_id" | "database_id";
  /** Path parameter holding the object's id. */
  idParam: string;
  /** Key of the items array in the list response. */
  listKey: string;
  /** Adds fields derived at read time; the stored data as is by default. */
  present?: (store: Store, object: StoredObject) => Record<string, unknown>;
}

/**
 * The CRUD every object under a project or database shares: find with 404, create, full replace (PUT), list with
 * pagination, get, delete. Areas add only what is specific to them (defaults, uniqueness, secrets).
 */
export function childResource(spec: ChildResourceSpec) {
  const present = (ctx: HandlerContext, object: StoredObject) => (spec.present ? spec.present(ctx.state.store, object) : object.data);
  const parentFields = (parentId: string) => (spec.parentField ? { [spec.parentField]: parentId } : {});
  const find = (ctx: HandlerContext): StoredObject => findAccessible(ctx, spec.kind, ctx.params[spec.idParam], spec.parent(ctx).id);
  const respond = (ctx: HandlerContext, object: StoredObject, status = 200): HandlerResult => ({ status, body: present(ctx, object) });
  return {
    find,
    respond,
    insert(ctx: HandlerContext, parent: StoredObject, object: Omit<NewObject, "orgId" | "parentId">): StoredObject {
      return insertObject(ctx, spec.kind, {
        ...object,
        orgId: parent.orgId,
        parentId: parent.id,
        data: { ...parentFields(parent.id), ...object.data },
      });
    },
    /**
     * PUT semantics: the object becomes exactly `data` (already defaulted from the request schema), keeping only
     * its identity and creation time. Whatever the body omitted is reset: this is what makes partial-PUT bugs visible.
     */
    replace(ctx: HandlerContext, object: StoredObject, data: Record<string, unknown>): void {
      object.data = {
        id: object.id,
        ...parentFields(object.parentId as string),
        ...data,
        created_at: object.data.created_at,
        updated_at: ctx.state.now(),
      };
    },
    list(ctx: HandlerContext): HandlerResult {
      const { page, next_page_token } = paginate(ctx, ctx.state.store.liveChildren(spec.kind, spec.parent(ctx).id));
      return { status: 200, body: { [spec.listKey]: page.map((o) => present(ctx, o)), next_page_token } };
    },
    get(ctx: HandlerContext): HandlerResult {
      return respond(ctx, find(ctx));
    },
    delete(ctx: HandlerContext): HandlerResult {
      ctx.state.store.delete(find(ctx));
      return { status: 204 };
    },
  };
}
