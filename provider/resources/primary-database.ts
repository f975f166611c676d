import type { Props } from "../engine/values";

/**
 * The databases that may be a project's primary, oldest first. The project names no primary database, and `role`
 * defaults to "primary" for every database: the primary one is the first non-replica, made with the project.
 * Items are the API's (snake_case).
 */
export function primaryDatabaseCandidates(databases: Props[]): Props[] {
  return databases
    .filter((database) => database.role !== "replica")
    .sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
}

/**
 * For adopting a project: its primary database, which must be certain because the program's values (password
 * included) are then written to it. Several candidates are narrowed to the one at the program's host, port and
 * name; if that leaves not exactly one, it refuses, naming them.
 */
export function adoptedPrimaryDatabase(databases: Props[], program: Props | undefined): Props | undefined {
  const candidates = primaryDatabaseCandidates(databases);
  if (candidates.length <= 1) return candidates[0];
  const same = candidates.filter((database) => ["host", "port", "name"].every((key) => database[key] === program?.[key]));
  if (same.length === 1) return same[0];
  const listed = candidates
    .map((database) => `${String(database.id)} (${String(database.host)}:${String(database.port)}/${String(database.name)})`)
    .join(", ");
  throw new Error(
    `its primary database is ambiguous: ${candidates.length} of its databases are not replicas (${listed}) and ` +
      `${same.length === 0 ? "none" : same.length} match the program's database host, port and name`,
  );
}
