/**
 * Creates that happen once, even when a run is interrupted or every attempt times out after the server acted.
 *
 * The create's Idempotency-Key is an HMAC, keyed with the API key, of the resource's identity (its URN), the URL
 * and the body (secrets included, which a plain hash in a header would let anyone confirm by guessing), so the
 * create the next `up` sends after an interruption carries the same key, and the API answers it with the
 * object it created the first time (it keeps keys 24 h) instead of a duplicate or a 409.
 *
 * A replayed answer is only taken if its object is still live and is not the object this resource is replacing:
 * after a delete (destroy, a delete-before-replace, an out-of-band delete) the same program must create a new
 * object, not get the dead one back. Then the key is derived again from the previous one and the dead object's
 * id, so the chain of keys is the same on every run and each link is replayed in turn.
 */
import type { PgBeamClient } from "../client/client";
import type { Props } from "./values";

/** More live-then-deleted objects than this under one identity within the API's 24 h window is not plausible. */
const MAX_CHAIN = 20;
/** A create answer describing an object older than this was replayed, whatever the API's headers say. */
const REPLAY_AGE_MS = 60_000;

/** Object id last seen in state per identity (from diff), i.e. the object a replace is replacing. */
const heldIds = new Map<string, string>();
/** Objects a create in this process took back from a replay, for the new state entry to own. */
const takenBack = new Set<string>();

/**
 * True when this process's create took this object back for a new state entry, so the engine's delete of it is
 * an old entry's: within one deployment the engine deletes such an object only as the old entry of a targeted
 * replace (`pulumi up --replace`, inputs unchanged, within the API's 24 h window). The engine calls no diff for
 * a targeted replace, so create could not tell; the object must stay, owned by the new entry.
 */
export function ownedByNewEntry(id: string): boolean {
  return takenBack.has(id);
}

/** Called by diff: the object this resource holds now, which a replace must never get back from a replay. */
export function rememberHeldObject(identity: unknown, id: string): void {
  if (typeof identity === "string" && id) heldIds.set(identity, id);
}

/** A UUID v4-shaped key (the API's documented key format) from a keyed digest of `parts`, stable for the same inputs. */
export function deriveIdempotencyKey(digest: (data: string) => string, ...parts: unknown[]): string {
  const hex = digest(JSON.stringify(parts.map(canonicalJson)));
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Props)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export interface CreateOnceRequest {
  identity: unknown;
  collectionPath: string;
  body: Props;
  /** The created object's id in the create answer. */
  idOf(response: Props): string;
  /** The object as the API has it now, or undefined when it is gone (deleted, revoked). */
  current(id: string): Promise<Props | undefined>;
}

export interface CreateOnceResult {
  response: Props;
  /** The object as it is now, when the answer was a replay (the replayed answer is from the first create). */
  current?: Props;
}

export async function createOnce(client: PgBeamClient, request: CreateOnceRequest): Promise<CreateOnceResult> {
  const { identity, collectionPath, body } = request;
  if (typeof identity !== "string" || identity === "") return { response: await client.post<Props>(collectionPath, body) };
  const digest = (data: string) => client.keyedDigest(data);
  let key = deriveIdempotencyKey(digest, identity, "POST", collectionPath, body);
  for (let link = 0; link < MAX_CHAIN; link++) {
    const started = Date.now();
    const answer = await client.send<Props>("POST", collectionPath, { body, idempotencyKey: key });
    if (!answer.replayed && !describesOlderObject(answer.body, started)) return { response: answer.body };
    const id = request.idOf(answer.body);
    const current = id === heldIds.get(identity) ? undefined : await request.current(id);
    if (current) {
      takenBack.add(id);
      return { response: answer.body, current };
    }
    key = deriveIdempotencyKey(digest, key, id);
  }
  throw new Error(
    `${collectionPath}: ${MAX_CHAIN} objects were created and deleted again for this resource within the API's 24 h ` +
      "idempotency window; wait for it to pass before creating it again",
  );
}

/** True when any `created_at` in the answer is well before the call: the API replayed an earlier create. */
function describesOlderObject(response: Props, callStarted: number): boolean {
  const createdAt = [response.created_at, ...Object.values(response).map((v) => (v as Props | null)?.created_at)]
    .map((value) => (typeof value === "string" ? Date.parse(value) : Number.NaN))
    .filter((value) => !Number.isNaN(value));
  return createdAt.some((value) => value < callStarted - REPLAY_AGE_MS);
}
