/** Kinds of stored objects; tests use these strings with `objects()`, `get()`, `remove()` and `patch()`. */
export type Kind =
  "organization" | "plan" | "project" | "database" | "policy" | "agent" | "webhook" | "replica" | "domain" | "cacheRule" | "enrollment";

export interface KindInfo {
  /** How error messages name it. */
  label: string;
  /** Prefix of its generated ids; kinds without one are keyed by an id the caller chooses. */
  idPrefix?: string;
  /** Whether its schema has `updated_at` (self-host enrollments and org summaries do not). */
  tracksUpdates: boolean;
}

export const KINDS: Record<Kind, KindInfo> = {
  organization: { label: "organization", tracksUpdates: false },
  plan: { label: "organization plan", tracksUpdates: true },
  project: { label: "project", idPrefix: "prj", tracksUpdates: true },
  database: { label: "database", idPrefix: "db", tracksUpdates: true },
  policy: { label: "policy profile", idPrefix: "pol", tracksUpdates: true },
  agent: { label: "agent credential", idPrefix: "agt", tracksUpdates: true },
  webhook: { label: "webhook endpoint", idPrefix: "whk", tracksUpdates: true },
  replica: { label: "replica", idPrefix: "rep", tracksUpdates: true },
  domain: { label: "custom domain", idPrefix: "dom", tracksUpdates: true },
  // Keyed `<database_id>:<query_hash>`: the same SQL shape can be observed on two databases.
  cacheRule: { label: "cache rule", tracksUpdates: false },
  enrollment: { label: "self-host enrollment", idPrefix: "she", tracksUpdates: false },
};

export function isKind(value: string): value is Kind {
  return value in KINDS;
}

export interface StoredObject {
  kind: Kind;
  id: string;
  /** Owning organization, for org-scoped (`pbo_`) keys. */
  orgId: string;
  /** The object a delete cascades from: the project of a database/policy/agent/webhook/domain, the database of a replica/cache rule. */
  parentId?: string;
  /** The API representation, without fields derived at read time (see the area modules' presenters). */
  data: Record<string, any>;
  /** What the API accepts or issues but never returns again: passwords, webhook secrets, current one-time tokens. */
  secrets: Record<string, unknown>;
  /** True once the API answers 404 for it. */
  deleted: boolean;
}

export interface DeletionBehaviour {
  /** How deleting looks: soft delete when absent; agents and enrollments are revoked instead. */
  apply?(object: StoredObject, now: string): void;
  /** Refuses a direct deletion by throwing (e.g. a policy still in use); not consulted when a parent's delete cascades. */
  guard?(object: StoredObject): void;
}

/** In-memory state of the emulated control plane. Nothing is ever physically removed: deletes are soft. */
export class Store {
  private readonly objectsByKey = new Map<string, StoredObject>();
  private readonly deletionBehaviours = new Map<Kind, DeletionBehaviour>();

  constructor(private readonly now: () => string) {}

  onDelete(kind: Kind, behaviour: DeletionBehaviour): void {
    this.deletionBehaviours.set(kind, behaviour);
  }

  insert(object: Omit<StoredObject, "deleted" | "secrets"> & { secrets?: Record<string, unknown> }): StoredObject {
    const key = `${object.kind}:${object.id}`;
    if (this.objectsByKey.has(key)) throw new Error(`store: ${key} already exists`);
    const stored: StoredObject = { ...object, secrets: object.secrets ?? {}, deleted: false };
    this.objectsByKey.set(key, stored);
    return stored;
  }

  /** Any stored object, deleted or not. */
  find(kind: Kind, id: string): StoredObject | undefined {
    return this.objectsByKey.get(`${kind}:${id}`);
  }

  /** Objects in creation order, live ones only unless asked. */
  list(kind?: Kind, includeDeleted = false): StoredObject[] {
    return [...this.objectsByKey.values()].filter((o) => (kind === undefined || o.kind === kind) && (includeDeleted || !o.deleted));
  }

  liveChildren(kind: Kind, parentId: string): StoredObject[] {
    return this.list(kind).filter((o) => o.parentId === parentId);
  }

  /**
   * Deletes with the kind's semantics, then cascades to everything under the object. Cascaded objects are always
   * gone afterwards, even kinds that stay visible when deleted directly (a revoked agent of a deleted project).
   */
  delete(object: StoredObject, cascaded = false): void {
    const behaviour = this.deletionBehaviours.get(object.kind);
    if (!cascaded) behaviour?.guard?.(object);
    if (behaviour?.apply) behaviour.apply(object, this.now());
    else object.deleted = true;
    if (cascaded) object.deleted = true;
    for (const child of this.list().filter((o) => o.parentId === object.id)) this.delete(child, true);
  }
}
