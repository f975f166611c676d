/**
 * The bad-input corpus at the provider level, against the emulator: every case must fail check() naming its field,
 * as the engine drives a provider (check, and create only when check passes), so none may reach the API. Values the
 * API accepts must pass. And no failure may show a secret.
 */
import { failedField } from "../bad-input/failed-field";
import * as host from "../../provider/host";
import type { Props } from "../../provider/engine/values";
import { RESOURCE_SPECS } from "../../provider/resources/registry";
import { type Emulator, startEmulator } from "../../emulator";
import { acceptedCorpus, badInputCorpus, type InputCase, validInputs } from "../bad-input/corpus";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  host.configure({
    get: (key) => ({ "pgbeam:apiKey": emulator.apiKey, "pgbeam:baseUrl": emulator.url, "pgbeam:predictRefusals": "false" })[key],
  });
});
afterAll(() => emulator.stop());

const corpus = badInputCorpus();
const label = (c: InputCase) => `${c.resource} ${c.field}: ${c.constraint}`;

/** What the engine does with a program's inputs: check, then create only if check found nothing. */
async function drive(c: InputCase) {
  const lifecycle = host.lifecycle(c.resource);
  const before = emulator.requests.length;
  const result = await lifecycle.check({}, c.inputs);
  if (!result.failures?.length) await lifecycle.create({ ...result.inputs, __provider: "p" }).catch(() => undefined);
  return { failures: result.failures ?? [], requests: emulator.requests.length - before };
}

describe("bad-input corpus", () => {
  it("covers every registered resource and each kind of constraint", () => {
    expect(new Set(corpus.map((c) => c.resource))).toEqual(new Set(Object.keys(RESOURCE_SPECS)));
    const kinds = new Set(corpus.map((c) => c.kind));
    for (const kind of [
      "required",
      "not",
      "type",
      "enum",
      "minLength",
      "maxLength",
      "pattern",
      "minimum",
      "maximum",
      "integer",
      "NaN",
      "unknown",
      "maxItems",
    ]) {
      expect(kinds).toContain(kind);
    }
    const rules = corpus.map((c) => `${c.resource} ${c.field}: ${c.constraint}`);
    for (const expected of [
      "Project allowedCidrs[0].cidr: CIDR",
      "Project status: settable status",
      "Project database.poolConfig.minPoolSize: minPoolSize <= poolSize",
      "Database poolConfig.minPoolSize: minPoolSize <= poolSize",
      "AgentCredential expiresAt: future timestamp",
      "AgentCredential policyProfileId: id",
      "WebhookEndpoint url: https URL",
    ]) {
      expect(rules).toContain(expected);
    }
  });

  it("every valid baseline passes check (so each case breaks exactly its one value)", async () => {
    for (const spec of Object.values(RESOURCE_SPECS)) {
      expect({ [spec.name]: (await host.lifecycle(spec.name).check({}, validInputs(spec))).failures ?? [] }).toEqual({ [spec.name]: [] });
    }
  });

  it("every case fails check() naming its field, and none reaches the API", async () => {
    const missed: string[] = [];
    let caught = 0;
    let reached = 0;
    for (const c of corpus) {
      const { failures, requests } = await drive(c);
      if (requests > 0) reached++;
      if (failures.some((f) => failedField(f) === c.field)) caught++;
      else missed.push(`${label(c)} → ${JSON.stringify(failures)}`);
      // Reasons never carry the value they judge.
      if (typeof c.value === "string" && c.value.length >= 10) {
        for (const f of failures) expect(f.reason).not.toContain(c.value);
      }
    }
    process.stdout.write(
      `bad-input corpus (provider level, emulator): ${corpus.length} cases, ${caught} caught in check, ${reached} reached the API\n`,
    );
    expect(missed).toEqual([]);
    expect(reached).toBe(0);
    expect(emulator.requests).toEqual([]);
  });

  it("values the API accepts pass check: RFC 3339 with t/z and offsets, bare IPs, IPv6, https URLs", async () => {
    const accepted = acceptedCorpus();
    expect(accepted.length).toBeGreaterThan(10);
    const refused: string[] = [];
    for (const c of accepted) {
      const result = await host.lifecycle(c.resource).check({}, c.inputs);
      if (result.failures?.length) refused.push(`${label(c)} ${JSON.stringify(c.value)} → ${JSON.stringify(result.failures)}`);
    }
    expect(refused).toEqual([]);
    const checked = await host
      .lifecycle("AgentCredential")
      .check({}, { projectId: "prj_x", policyProfileId: "pol_x", name: "a", expiresAt: "2999-01-31t01:00:00+01:00" });
    expect(checked.inputs?.expiresAt).toBe("2999-01-31T00:00:00.000Z");
  });
});

describe("clock-judged rules", () => {
  const agent = host.lifecycle("AgentCredential");
  const credential = (expiresAt: string) => ({ projectId: "prj_x", policyProfileId: "pol_x", name: "a", expiresAt });

  it("an expiry that has passed since it was applied is not a failure, nor a change", async () => {
    const applied = "2001-01-31T00:00:00.000Z"; // the checked input and the output of an earlier up
    const olds = { ...credential(applied), principalType: "agent" };
    const result = await agent.check(olds, credential("2001-01-31T00:00:00Z"));
    expect(result.failures ?? []).toEqual([]);
    expect(result.inputs?.expiresAt).toBe(applied);
    const diff = await agent.diff("agt_x", { ...olds, id: "agt_x", status: "active" }, result.inputs as Props);
    expect(diff.changes).toBe(false);
  });

  it("changing it to another past time fails before the delete-before-replace could revoke the credential", async () => {
    const olds = { ...credential("2001-01-31T00:00:00.000Z"), principalType: "agent" };
    const result = await agent.check(olds, credential("2002-01-31T00:00:00Z"));
    expect((result.failures ?? []).map(failedField)).toEqual(["expiresAt"]);
  });
});

describe("check failures never show a secret", () => {
  const webhookSecret = `whsec-${"k".repeat(251)}`; // 257 characters: one too many
  const password = "pw-\u0000-Zx81"; // NUL is refused

  it("names the write-only field in the reason and gives the engine no property whose value it would print", async () => {
    const webhook = await host
      .lifecycle("WebhookEndpoint")
      .check({}, { projectId: "prj_x", url: "https://h.example.com", secret: webhookSecret });
    expect(webhook.failures).toEqual([
      { property: "", reason: expect.stringMatching(/^secret: Too big: expected string to have <=256 characters/) },
    ]);
    const project = await host.lifecycle("Project").check(
      {},
      {
        name: "p",
        orgId: "org_x",
        database: { host: "db", port: 5432, name: "app", username: "app", password },
      },
    );
    expect(project.failures).toEqual([{ property: "", reason: expect.stringMatching(/^database\.password: /) }]);
    // A whole object that holds a secret is not echoed either; a misspelt key might hold one.
    const whole = await host.lifecycle("Project").check({}, { name: "p", orgId: "org_x", database: "postgres://u:pw@h/db" });
    expect(whole.failures?.[0]).toMatchObject({ property: "", reason: expect.stringMatching(/^database: /) });
    const typo = await host
      .lifecycle("WebhookEndpoint")
      .check({}, { projectId: "prj_x", url: "https://h.example.com", secrte: "s3cret-value" });
    expect(typo.failures).toEqual([{ property: "", reason: 'unknown property "secrte"' }]);
    for (const failure of [...webhook.failures!, ...project.failures!, ...whole.failures!, ...typo.failures!]) {
      for (const secret of [webhookSecret, password, "pw-", "postgres://", "s3cret-value"]) expect(failure.reason).not.toContain(secret);
    }
  });
});
