/**
 * Creates by PUT/PATCH to an item path built from the inputs (upserts: a spend limit, a project's default policy, a
 * cache rule). The path, not a fresh id, is the object's identity, so two things must hold:
 * - a create never takes over a setting someone else made (the console, another stack): it reads the path first
 *   and refuses unless it is free, or held by this same resource's state entry (a replace), or named by `adoptId`;
 * - when a replacement wrote the same path (`pulumi up --replace`, which calls no diff, or a replace whose path
 *   fields stay equal), the old entry's "delete" (PUT null, clear, disable) must not wipe what was just written.
 * Pulumi runs one provider process per deployment, so what this process wrote is what this deployment wrote.
 */

/** Item path held per identity (URN), learned in check() from the stored inputs of an existing state entry. */
const heldPaths = new Map<string, string>();
/** Item paths an upsert create of this process wrote in place of the old entry that holds them (or adopted). */
const writtenPaths = new Set<string>();

/** Called by check with stored inputs: this resource's state entry holds the object at `path`. */
export function rememberHeldPath(identity: unknown, path: string): void {
  if (typeof identity === "string") heldPaths.set(identity, path);
}

/** True when `path` is the object this resource's own state entry holds (the create is its replacement). */
export function heldBySameResource(identity: unknown, path: string): boolean {
  return typeof identity === "string" && heldPaths.get(identity) === path;
}

/** Called by create after it wrote `path` as the replacement of the entry holding it, and by adoption. */
export function rememberWrittenPath(path: string): void {
  writtenPaths.add(path);
}

/** True when a replacement in this deployment wrote `path`: deleting it now would be the old entry wiping the new one. */
export function writtenByNewEntry(path: string): boolean {
  return writtenPaths.has(path);
}
