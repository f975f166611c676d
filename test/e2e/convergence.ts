/**
 * What "converged" means after a failure, checked the same way by the interrupted-run and fault-matrix suites:
 * the emulator holds exactly the objects the state names (no duplicate, no orphan), and nothing secret is
 * readable in the state or in anything the CLI printed.
 */
import type { Emulator } from "../../emulator";
import { expectNoPlaintext, resourcesIn, type TestStack } from "./harness";

/**
 * The state a check reads: a stack (exported when checked) or the text of its `pulumi stack export`, already read
 * for another check of the same state (each export is a CLI run).
 */
export type StateSource = TestStack | string;

/**
 * Ids of live objects under the given projects (the projects included, and what hangs off their databases), and
 * of live enrollments whose region label starts with `labelPrefix`. Revoked credentials and enrollments are not
 * live; cache rules are left out: an upsert keyed by its query hash has no id of its own to duplicate.
 */
export function liveIdsUnder(emulator: Emulator, projectIds: Set<string>, labelPrefix?: string): string[] {
  const live = emulator.objects();
  const databases = new Set(live.filter((o) => o.kind === "database" && projectIds.has(o.data.project_id)).map((o) => o.id));
  return live
    .filter((o) =>
      o.kind === "project"
        ? projectIds.has(o.id)
        : o.kind === "enrollment"
          ? labelPrefix !== undefined && String(o.data.region_label).startsWith(labelPrefix) && !o.data.revoked_at
          : o.kind !== "cacheRule" && (projectIds.has(o.data?.project_id) || databases.has(o.data?.database_id)),
    )
    .filter((o) => !(o.kind === "agent" && o.data.status === "revoked"))
    .map((o) => o.id)
    .sort();
}

/**
 * Ids the state holds that name API objects: every resource's id and the primary database a project carries
 * (resources keyed by something else, such as an org's spend limit, name no object of their own).
 */
export async function stateIds(source: StateSource, emulator?: Emulator): Promise<{ ids: string[]; projectIds: Set<string> }> {
  const resources = typeof source === "string" ? resourcesIn(source) : await source.resources();
  const known =
    emulator &&
    new Set(
      emulator
        .objects(undefined, { includeDeleted: true })
        .filter((o) => o.kind !== "organization" && o.kind !== "plan")
        .map((o) => o.id),
    );
  const ids = resources
    .filter((r) => !r.type.endsWith(":ProjectDefaultPolicy"))
    .flatMap((r) => [r.id, r.outputs?.primaryDatabaseId])
    .filter((id): id is string => typeof id === "string" && id !== "" && (!known || known.has(id)));
  const projectIds = new Set(resources.filter((r) => r.type.endsWith(":Project")).map((r) => r.id!));
  return { ids: [...new Set(ids)].sort(), projectIds };
}

/**
 * The scenario's projects are found by name in the emulator (a project the state lost is still found), and
 * everything live under them must be exactly what the state holds.
 */
export async function expectStateMatchesEmulator(source: StateSource, emulator: Emulator, projectNamePrefix: string): Promise<void> {
  const projects = emulator.objects("project").filter((o) => String(o.data.name).startsWith(projectNamePrefix));
  const live = liveIdsUnder(emulator, new Set(projects.map((o) => o.id)), projectNamePrefix);
  const { ids } = await stateIds(source, emulator);
  expect({ prefix: projectNamePrefix, live }).toEqual({ prefix: projectNamePrefix, live: ids });
}

/** Every secret value the emulator holds or was given, by a name that does not reveal it. */
export function knownSecrets(emulator: Emulator, given: Record<string, string>): Record<string, string> {
  const secrets: Record<string, string> = { "API key": emulator.apiKey, ...given };
  for (const object of emulator.objects(undefined, { includeDeleted: true })) {
    for (const [field, value] of Object.entries(object.secrets)) {
      if (typeof value === "string" && value.length >= 8) secrets[`${object.kind} ${object.id} ${field}`] = value;
    }
  }
  return secrets;
}

/**
 * Throws if any known secret is readable in `stack export` (no --show-secrets; `exported` when already read) or in
 * any CLI output so far.
 */
export async function expectNoLeaks(stack: TestStack, emulator: Emulator, given: Record<string, string>, exported?: string): Promise<void> {
  const state = exported ?? (await stack.exportText());
  expectNoPlaintext({ "stack export": state, "CLI output": stack.log.join("\n") }, knownSecrets(emulator, given));
}
