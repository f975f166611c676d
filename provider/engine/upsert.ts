/**
 * Creates by PUT/PATCH to an item path built from the inputs (upserts: a spend limit, a project's default policy, a
 * cache rule) have the path, not a fresh id, as the object's identity. When a replacement writes the same path as
 * the entry it replaces (`pulumi up --replace` creates first, then deletes the old entry, and calls neither diff nor
 * check with the old state), the old entry's "delete" (PUT null, clear, disable) must not wipe what was just
 * written. Pulumi runs one provider process per deployment, so what this process wrote is what this deployment wrote.
 */

/** Item paths an upsert create of this process found already set as the program says, then wrote (or adopted). */
const writtenPaths = new Set<string>();

/** Called by create after it wrote a path that already held its setting (an old entry's), and by adoption. */
export function rememberWrittenPath(path: string): void {
  writtenPaths.add(path);
}

/** True when a replacement in this deployment wrote `path`: deleting it now would be the old entry wiping the new one. */
export function writtenByNewEntry(path: string): boolean {
  return writtenPaths.has(path);
}
