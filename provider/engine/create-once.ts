/**
 * Creates that happen once, even when a run is interrupted or every attempt times out after the server acted.
 *
 * The create's Idempotency-Key is an HMAC, keyed with the API key, of who creates (the stack instance's anchor and
 * the resource's URN, see `creatorOf`), the URL and the body (secrets included, which a plain hash in a header would
 * let anyone confirm by guessing). The create the next `up` sends after an interruption carries the same key, and
 * the API answers it with the object it created the first time (it keeps keys 24 h) instead of a duplicate or a 409.
 * The anchor is what makes the key this stack's own: the same stack and resource names in another backend, with the
 * same API key, have another anchor, so their creates never get this stack's objects (and after `destroy` this stack
 * starts a new key space).
 *
 * A replayed answer is believed only when it is a success whose object is still live and is not the object this
 * resource is replacing. Otherwise the next key is derived from the replayed one, so the chain of keys is the same on
 * every run and each earlier link is replayed in turn, until a key the API has not seen yet:
 * - after a delete (destroy, a delete-before-replace, an out-of-band delete) the same program must create a new
 *   object, not get the dead one back;
 * - a replayed refusal (403 before a plan upgrade, 409 before a name was freed) is an earlier run's answer: nothing
 *   was created under that key, and its cause may have been fixed since, so it is asked again under the next key.
 * Each link is a key that was really sent, so the chain ends; its length is the number of earlier attempts.
 */
import { isPgBeamApiError } from "../client/errors";
import type { PgBeamClient } from "../client/client";
import type { DeploymentMemory } from "./deployment-memory";
import type { Props } from "./values";

/** A create answer describing an object older than this was replayed, whatever the API's headers say. */
const REPLAY_AGE_MS = 60_000;

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
  /** Who creates (see `creatorOf`); without one the create gets a random key. */
  creator: string | undefined;
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

/**
 * Reads the objects this deployment's resources hold (`heldObjects`, never believed as a replay) and records the
 * objects it takes back (`takenBack`, which delete then keeps): see ./deployment-memory.
 */
export async function createOnce(client: PgBeamClient, request: CreateOnceRequest, memory: DeploymentMemory): Promise<CreateOnceResult> {
  const { creator, collectionPath, body } = request;
  if (!creator) return { response: await client.post<Props>(collectionPath, body) };
  const digest = (data: string) => client.keyedDigest(data);
  let key = deriveIdempotencyKey(digest, creator, "POST", collectionPath, body);
  for (;;) {
    const started = Date.now();
    let answer;
    try {
      answer = await client.send<Props>("POST", collectionPath, { body, idempotencyKey: key });
    } catch (error) {
      if (!isPgBeamApiError(error) || !error.replayed) throw error;
      key = deriveIdempotencyKey(digest, key, "refused");
      continue;
    }
    if (!answer.replayed && !describesOlderObject(answer.body, started)) return { response: answer.body };
    const id = request.idOf(answer.body);
    const current = id === memory.heldObjects.get(creator) ? undefined : await request.current(id);
    if (current) {
      memory.takenBack.add(id);
      return { response: answer.body, current };
    }
    key = deriveIdempotencyKey(digest, key, id);
  }
}

/** True when any `created_at` in the answer is well before the call: the API replayed an earlier create. */
function describesOlderObject(response: Props, callStarted: number): boolean {
  const createdAt = [response.created_at, ...Object.values(response).map((v) => (v as Props | null)?.created_at)]
    .map((value) => (typeof value === "string" ? Date.parse(value) : Number.NaN))
    .filter((value) => !Number.isNaN(value));
  return createdAt.some((value) => value < callStarted - REPLAY_AGE_MS);
}
