/**
 * What "converged" means after a failure, checked the same way by the interrupted-run and fault-matrix suites:
 * the emulator holds exactly the objects the state names (no duplicate, no orphan), and nothing secret is
 * readable in the state or in anything the CLI printed.
 */
import type { Emulator } from "../emulator";
import { expectNoPlaintext, type TestStack } from "./harness";

/** Ids of live objects under the given projects (the projects included); revoked credentials are not live. */
export function liveIdsUnder(emulator: Emulator, projectIds: Set<string>): string[] {
  return emulator
    .objects()
    .filter((o) => (o.kind === "project" ? projectIds.has(o.id) : projectIds.has(o.data?.project_id)))
    .filter((o) => !(o.kind === "agent" && o.data.status === "revoked"))
    .map((o) => o.id)
    .sort();
}

/** Ids the state holds: every resource's id, and the primary database a project carries. */
export async function stateIds(stack: TestStack): Promise<{ ids: string[]; projectIds: Set<string> }> {
  const resources = await stack.resources();
  const ids = resources.flatMap((r) => [r.id, r.outputs?.primaryDatabaseId].filter((id): id is string => typeof id === "string" && id !== ""));
  const projectIds = new Set(resources.filter((r) => r.type.endsWith(":Project")).map((r) => r.id!));
  return { ids: ids.sort(), projectIds };
}

/**
 * The scenario's projects are found by name in the emulator (a project the state lost is still found), and
 * everything live under them must be exactly what the state holds.
 */
export async function expectStateMatchesEmulator(stack: TestStack, emulator: Emulator, projectNamePrefix: string): Promise<void> {
  const projects = emulator.objects("project").filter((o) => String(o.data.name).startsWith(projectNamePrefix));
  const live = liveIdsUnder(emulator, new Set(projects.map((o) => o.id)));
  const { ids } = await stateIds(stack);
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

/** Throws if any known secret is readable in `stack export` (no --show-secrets) or in any CLI output so far. */
export async function expectNoLeaks(stack: TestStack, emulator: Emulator, given: Record<string, string>): Promise<void> {
  const state = await stack.exportText();
  expectNoPlaintext({ "stack export": state, "CLI output": stack.log.join("\n") }, knownSecrets(emulator, given));
}
