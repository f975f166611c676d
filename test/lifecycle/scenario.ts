/**
 * The parts of the registry-driven lifecycle shared by the unit test (engine against the emulator) and the e2e
 * test (real Pulumi CLI): the parents, the coverage rule, and the writes each change must cause.
 */
import type { ResourceSpec } from "../../provider/engine/spec";
import type { Emulator, RecordedRequest } from "../../emulator";
import { type Args, type Fixture, FIXTURES, type Parents, SECRET_VALUES, type Write } from "./fixtures";

export const OTHER_ORG_ID = "org_lifecycle_other";

/** One API call with the emulator's personal key; a refusal throws. */
export async function call(emulator: Emulator, method: string, path: string, body?: unknown): Promise<Args> {
  const response = await fetch(emulator.url + path, {
    method,
    headers: { authorization: `Bearer ${emulator.apiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Args;
}

/**
 * Creates the parents through the API (the second org, on the Scale plan, too) and makes fixtures ready. Other
 * `orgs` (the first one already added) give another, independent set of parents.
 */
export async function createParents(
  emulator: Emulator,
  orgs: Pick<Parents, "orgId" | "otherOrgId"> = { orgId: emulator.orgId, otherOrgId: OTHER_ORG_ID },
): Promise<Parents> {
  emulator.addOrganization(orgs.otherOrgId, { plan: "scale" });
  const project = async (name: string) => {
    const db = { host: `${name}.internal`, port: 5432, name: "app", username: "app", password: "pw-parent-Tx40" };
    const created = await call(emulator, "POST", "/v1/projects", { name, org_id: orgs.orgId, database: db });
    return { projectId: (created.project as Args).id as string, databaseId: (created.database as Args).id as string };
  };
  const policy = async (projectId: string, name: string) => (await call(emulator, "POST", `/v1/projects/${projectId}/policies`, { name })).id as string;
  const main = await project("lifecycle-parent");
  const other = await project("lifecycle-other-parent");
  const settings = await project("lifecycle-settings-parent");
  const second = await call(emulator, "POST", `/v1/projects/${main.projectId}/databases`, {
    host: "second.internal", port: 5432, name: "app", username: "app", password: "pw-parent-Tx40", role: "replica",
  });
  const parents: Parents = {
    ...orgs,
    ...main,
    secondDatabaseId: second.id as string,
    policyId: await policy(main.projectId, "parent-policy"),
    secondPolicyId: await policy(main.projectId, "parent-policy-2"),
    otherProjectId: other.projectId,
    otherDatabaseId: other.databaseId,
    otherPolicyId: await policy(other.projectId, "other-parent-policy"),
    settingsProjectId: settings.projectId,
    settingsPolicyId: await policy(settings.projectId, "settings-policy"),
    settingsSecondPolicyId: await policy(settings.projectId, "settings-policy-2"),
  };
  for (const fixture of Object.values(FIXTURES)) fixture.prepare?.(emulator, parents);
  return parents;
}

/** The fixture of a registered resource; a resource without one fails here (never skipped). */
export function fixtureFor(name: string): Fixture {
  const fixture = FIXTURES[name];
  if (!fixture) throw new Error(`resource ${name} is registered but has no entry in test/lifecycle/fixtures.ts`);
  return fixture;
}

/** Every input is updated, replaced or said why not: exactly once. Returns what is wrong. */
export function coverageProblems(spec: ResourceSpec, fixture: Fixture): string[] {
  const inputs = Object.keys(spec.inputs.shape);
  const covered = [...Object.keys(fixture.updates), ...Object.keys(fixture.replaces), ...Object.keys(fixture.notChanged ?? {})];
  return [
    ...inputs.filter((key) => !covered.includes(key)).map((key) => `input ${key} is not covered`),
    ...covered.filter((key) => !inputs.includes(key)).map((key) => `${key} is not an input`),
    ...covered.filter((key, index) => covered.indexOf(key) !== index).map((key) => `${key} is covered twice`),
  ];
}

/** `env:NAME` → the secret's value, at any depth (what the e2e program does from its environment). */
export function resolveSecrets(value: unknown): unknown {
  if (typeof value === "string" && value.startsWith("env:")) return SECRET_VALUES[value.slice(4)];
  if (Array.isArray(value)) return value.map(resolveSecrets);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSecrets(v)]));
  return value;
}

/** The writes (non-GET requests) to the object at `itemPath`, with the path relative to it and ids as `:id`. */
export function writesTo(requests: RecordedRequest[], itemPath: string): Write[] {
  return requests
    .filter((r) => r.method !== "GET" && (r.path === itemPath || r.path.startsWith(`${itemPath}/`)))
    .map((r) => {
      const suffix = r.path.slice(itemPath.length).replace(/\/[a-z]+_[A-Za-z0-9]+/g, "/:id");
      return { method: r.method as Write["method"], ...(suffix ? { suffix } : {}), ...(r.body === undefined ? {} : { body: r.body }) };
    });
}

/**
 * The writes an update must cause, exactly: PUT deltas folded into the running full body (`putState`, updated
 * here), so each PUT is checked whole.
 */
export function expectedWrites(fixture: Fixture, field: string, parents: Parents, putState: Args): Write[] {
  const entry = fixture.updates[field];
  const writes = typeof entry.writes === "function" ? entry.writes(parents) : entry.writes;
  return writes.map(({ put, ...write }) => {
    if (!put) return write;
    Object.assign(putState, put);
    return { ...write, body: { ...putState } };
  });
}

/**
 * A resource's changes (updates or replaces) packed into as few rounds as possible: each round takes every change
 * whose program keys no earlier change of that round sets. The real engine applies a round's changes in one run.
 */
export function changeRounds(changes: Record<string, (parents: Parents) => Args>, parents: Parents): string[][] {
  const rounds: { fields: string[]; keys: Set<string> }[] = [];
  for (const [field, change] of Object.entries(changes)) {
    const keys = Object.keys(change(parents));
    let round = rounds.find((r) => keys.every((key) => !r.keys.has(key)));
    if (!round) rounds.push((round = { fields: [], keys: new Set() }));
    round.fields.push(field);
    for (const key of keys) round.keys.add(key);
  }
  return rounds.map((r) => r.fields);
}

/**
 * The writes that updating several inputs in one run must cause, exactly: each field's writes (as
 * `expectedWrites`), those to the same path with the same method folded into one request (PATCH bodies merged, a
 * PUT's full body as it ends), sorted by path and method (the order of writes to different paths is the engine's).
 */
export function expectedRoundWrites(fixture: Fixture, fields: string[], parents: Parents, putState: Args): Write[] {
  const folded = new Map<string, Write>();
  for (const write of fields.flatMap((field) => expectedWrites(fixture, field, parents, putState))) {
    const key = writeKey(write);
    const earlier = folded.get(key);
    const body = earlier?.body && write.body && write.method === "PATCH" ? { ...(earlier.body as Args), ...(write.body as Args) } : write.body;
    folded.set(key, { ...write, ...(body === undefined ? {} : { body }) });
  }
  return sortWrites([...folded.values()]);
}

const writeKey = (write: Write) => `${write.suffix ?? ""} ${write.method}`;

/** Writes in the order `expectedRoundWrites` gives them (stable within one path and method). */
export function sortWrites(writes: Write[]): Write[] {
  return [...writes].sort((a, b) => writeKey(a).localeCompare(writeKey(b)));
}
