/**
 * Two PgBeam organizations in one program through explicit `pgbeam.Provider` objects, under the real engine: each
 * resource is created, refreshed and deleted with its own provider's key; moving a resource to another account
 * replaces it instead of silently re-pointing it.
 */
import * as path from "node:path";
import { expectNoPlaintext, leftovers, realEngineSuite } from "./harness";

jest.setTimeout(20 * 60_000);

const ORG_A = "org_alpha_inc";
const ORG_B = "org_beta_gmbh";
const KEY_A = "pbo_alpha_key_5c1d9e2f7a3b";
const KEY_B = "pbo_beta_key_0e4a8c6b2d9f";
const DB_PASSWORD = "accounts-db-pw-Rt63";

const suite = realEngineSuite({ orgId: ORG_A }, (emulator) => {
  emulator.addOrganization(ORG_B, { plan: "scale" });
  emulator.addApiKey(KEY_A, { orgId: ORG_A });
  emulator.addApiKey(KEY_B, { orgId: ORG_B });
});

/** Which key each API request about an object carried, by the object's organization. */
function keysUsedFor(orgId: string): Set<string> {
  const projectIds = new Set(
    suite.emulator
      .objects("project", { includeDeleted: true })
      .filter((o) => o.data.org_id === orgId)
      .map((o) => o.id),
  );
  return new Set(
    suite.emulator.requests
      .filter((r) => [...projectIds].some((id) => r.path.includes(id)) || (r.body as { org_id?: string } | undefined)?.org_id === orgId)
      .map((r) => r.headers.authorization.replace(/^Bearer /, "")),
  );
}

it("two organizations, each through its own provider; a move between accounts replaces", async () => {
  const stack = await suite.stack(path.join(__dirname, "programs/accounts"));
  try {
    // The stack's own provider gets no key: everything must go through the explicit providers.
    await stack.stack.removeConfig("pgbeam:apiKey");
    await stack.stack.setAllConfig({
      baseUrl: { value: suite.emulator.url },
      orgA: { value: ORG_A },
      orgB: { value: ORG_B },
      keyA: { value: KEY_A, secret: true },
      keyB: { value: KEY_B, secret: true },
      dbPassword: { value: DB_PASSWORD, secret: true },
    });

    suite.emulator.clearRequests();
    const up = await stack.up();
    expect(up.ops).toEqual({ alpha: "create", beta: "create", "beta-readonly": "create", mover: "create", plain: "create" });
    const orgOf = (name: string) => suite.emulator.objects("project").find((o) => o.data.name === name)?.data.org_id;
    expect(["alpha", "beta", "mover", "plain"].map(orgOf)).toEqual([ORG_A, ORG_B, ORG_A, ORG_A]);
    expect(keysUsedFor(ORG_A)).toEqual(new Set([KEY_A]));
    expect(keysUsedFor(ORG_B)).toEqual(new Set([KEY_B]));
    // The program's lookup given `{ provider: providers.b }` went out with key B.
    expect((await stack.outputs()).betaOrgId.value).toBe(ORG_B);
    const lookups = suite.emulator.requests.filter((r) => r.method === "GET" && r.path === "/v1/organizations");
    expect(lookups.length).toBeGreaterThan(0);
    expect(new Set(lookups.map((r) => r.headers.authorization))).toEqual(new Set([`Bearer ${KEY_B}`]));

    // State: the providers' keys encrypted, each resource stamped with its provider's declared account (none declared: none).
    const exported = await stack.exportText();
    const state = JSON.parse(exported).deployment.resources as { urn: string; inputs?: Record<string, unknown> }[];
    const account = (name: string) => state.find((r) => r.urn.endsWith(`::${name}`))?.inputs?.__account;
    expect(["alpha", "beta", "beta-readonly", "mover", "plain"].map(account)).toEqual([ORG_A, ORG_B, ORG_B, ORG_A, undefined]);
    expectNoPlaintext(
      { "stack export": exported, "CLI output": up.output },
      { "key A": KEY_A, "key B": KEY_B, "database password": DB_PASSWORD },
    );

    // The unchanged program's empty plan is the previews' below: the four that stay put after the refresh, the mover
    // after its move.
    suite.emulator.clearRequests();
    expect((await stack.refresh()).ops).toEqual({
      alpha: "refresh",
      beta: "refresh",
      "beta-readonly": "refresh",
      mover: "refresh",
      plain: "refresh",
    });
    expect(keysUsedFor(ORG_A)).toEqual(new Set([KEY_A]));
    expect(keysUsedFor(ORG_B)).toEqual(new Set([KEY_B]));

    // Only the provider changes (same inputs): without the account stamp Pulumi would call this an update and
    // re-point the resource at a key that cannot see it.
    await stack.stack.setAllConfig({ moverAccount: { value: "b" }, moverOrg: { value: "a" } });
    const switched = await stack.preview();
    expect(switched.ops).toEqual({ alpha: "same", beta: "same", "beta-readonly": "same", mover: "replace", plain: "same" });

    // The real move: to organization B with its provider. Created there with key B, deleted here with key A.
    await stack.stack.removeConfig("moverOrg");
    const oldMover = suite.emulator.objects("project").find((o) => o.data.name === "mover")!.id;
    suite.emulator.clearRequests();
    const move = await stack.up();
    expect(move.ops).toEqual({ alpha: "same", beta: "same", "beta-readonly": "same", mover: "replace", plain: "same" });
    const newMover = suite.emulator.objects("project").find((o) => o.data.name === "mover")!;
    expect(newMover.data.org_id).toBe(ORG_B);
    expect(newMover.id).not.toBe(oldMover);
    expect(suite.emulator.get("project", oldMover)).toBeUndefined();
    const moveRequests = suite.emulator.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization.replace(/^Bearer /, "")}`);
    expect(moveRequests).toContain(`POST /v1/projects ${KEY_B}`);
    expect(moveRequests).toContain(`DELETE /v1/projects/${oldMover} ${KEY_A}`);
    expect((await stack.preview()).ops).toEqual({ alpha: "same", beta: "same", "beta-readonly": "same", mover: "same", plain: "same" });
    expect(suite.emulator.validationFailures).toEqual([]);

    // Renaming a provider that declares no account re-points nothing and replaces nothing: same key, same object.
    await stack.stack.setAllConfig({ plainProvider: { value: "plain-renamed" } });
    const plainId = suite.emulator.objects("project").find((o) => o.data.name === "plain")!.id;
    const renamed = await stack.up();
    expect(renamed.ops.plain).not.toBe("replace");
    expect(suite.emulator.objects("project").find((o) => o.data.name === "plain")!.id).toBe(plainId);

    await stack.destroy();
    expect(leftovers(suite.emulator)).toEqual([]);
  } finally {
    await stack.cleanup();
  }
});
