/**
 * What the registry-driven lifecycle does not show by itself: plan gates, bounded domain verification, unseen
 * query shapes, one-time enrollment tokens and their rotation, and check() of an enrollment's expiry.
 */
import { createServer } from "node:http";
import { PgBeamClient } from "../../provider/client/client";
import { DeploymentMemory } from "../../provider/engine/deployment-memory";
import { Lifecycle } from "../../provider/engine/lifecycle";
import * as host from "../../provider/host";
import { RESOURCE_SPECS } from "../../provider/resources/registry";
import type { Props } from "../../provider/engine/values";
import { providerSuite } from "./provider-suite";

const suite = providerSuite();

const PROVIDER = { __provider: "serialized-provider-text" };
async function create(name: string, args: Props) {
  const lifecycle = host.lifecycle(name);
  const checked = await lifecycle.check({}, args);
  expect(checked.failures ?? []).toEqual([]);
  return lifecycle.create({ ...checked.inputs!, ...PROVIDER });
}
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error & Props) => error,
  );

describe("CustomDomain", () => {
  it("below the Scale plan, create fails with a plan error, not an API trace", async () => {
    suite.emulator.addOrganization("org_starter_shapes");
    const { projectId } = await (async () => {
      const response = await fetch(`${suite.emulator.url}/v1/projects`, {
        method: "POST",
        headers: { authorization: `Bearer ${suite.emulator.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          name: "starter",
          org_id: "org_starter_shapes",
          database: { host: "h", port: 5432, name: "a", username: "u", password: "pw-x" },
        }),
      });
      return { projectId: ((await response.json()) as { project: { id: string } }).project.id };
    })();
    const error = await failureOf(create("CustomDomain", { projectId, domain: "db.starter.example.com" }));
    expect(String(error)).toBe(
      "Error: PgBeam refused to create this: custom domains need the Scale or Enterprise plan, and organization org_starter_shapes is on starter " +
        "(PgBeam said: custom domains require a Scale or Enterprise plan (organization org_starter_shapes is on starter)). Upgrade the organization's plan, or remove this resource.",
    );
    expect((error as Error).cause).toMatchObject({ name: "PgBeamApiError", status: 403 });
  });

  it("a 403 the plan does not explain says what PgBeam said and what to check, not the plan", async () => {
    suite.emulator.inject({ method: "POST", path: `/v1/projects/${suite.parents.projectId}/domains`, status: 403 });
    const error = await failureOf(create("CustomDomain", { projectId: suite.parents.projectId, domain: "db.denied.example.com" }));
    expect(String(error)).toBe(
      `Error: PgBeam refused to create this with 403 (PgBeam said: injected fault: HTTP 403), and organization ${suite.parents.orgId}'s scale plan allows it. ` +
        `Check that the API key (pgbeam:apiKey) has access to organization ${suite.parents.orgId}: list the key's organizations with pgbeam.getOrganizations() ` +
        "and compare this resource's projectId; or set pgbeam:apiKey to a key of that organization.",
    );
  });

  it("verification that never succeeds gives up, bounded, naming the DNS records; the domain stays in state", async () => {
    suite.emulator.failDomainVerification("nodns.lifecycle.example.com");
    const error = (await failureOf(
      create("CustomDomain", {
        projectId: suite.parents.projectId,
        domain: "nodns.lifecycle.example.com",
        verify: true,
        verifyTimeoutSeconds: 0,
      }),
    )) as Error & Props;
    expect(error.message).toContain("custom domain nodns.lifecycle.example.com is not verified after 1 check(s) over 0 s");
    expect(error.message).toContain('TXT _pgbeam-verify.nodns.lifecycle.example.com = "pgbeam-verify=');
    expect(error.id).toMatch(/^dom_/);
    const properties = error.properties as Props;
    expect(properties).toMatchObject({ verified: false, dnsInstructions: { txtHost: "_pgbeam-verify.nodns.lifecycle.example.com" } });
    expect(properties.verify).toBeUndefined(); // so the next `up` sees `verify: true` as a change and checks again

    // DNS published, verified by the platform's own check: a refresh shows it.
    suite.emulator.verifyDomain("nodns.lifecycle.example.com");
    const refreshed = (await host.lifecycle("CustomDomain").read(error.id as string, properties)).props as Props;
    expect(refreshed).toMatchObject({ verified: true, verifiedAt: expect.any(String), tlsCertExpiry: expect.any(String) });
  });
  it("while verification waits, the DNS records to create are shown on the resource at once, before it gives up", async () => {
    const domain = "waiting.lifecycle.example.com";
    suite.emulator.failDomainVerification(domain);
    const shown: string[] = [];
    jest.spyOn(console, "error").mockImplementation((line: string) => void shown.push(line));
    try {
      const created = create("CustomDomain", { projectId: suite.parents.projectId, domain, verify: true, verifyTimeoutSeconds: 60 });
      const started = Date.now();
      while (shown.length === 0 && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 50));
      // Shown while the wait goes on (the first check failed, the next is 5 s away): the user can act on it now.
      expect(shown).toEqual([
        expect.stringMatching(
          new RegExp(
            `^info: waiting for PgBeam to verify custom domain ${domain.replace(/\./g, "\\.")}: DNS needs TXT _pgbeam-verify\\.${domain.replace(/\./g, "\\.")} = "pgbeam-verify=\\w+", CNAME ${domain.replace(/\./g, "\\.")} → \\S+ and CNAME \\S+ → \\S+ \\(check 1 of 13, 0 s of at most 60 s\\)$`,
          ),
        ),
      ]);
      suite.emulator.verifyDomain(domain);
      expect((await created).outs).toMatchObject({ verified: true });
      expect(shown).toHaveLength(1); // the next message would come 20 s later at the earliest
    } finally {
      jest.restoreAllMocks();
    }
  });
});

describe("CacheRule", () => {
  it("a query shape never observed fails with a message naming hash and database", async () => {
    const error = await failureOf(
      create("CacheRule", { projectId: suite.parents.projectId, databaseId: suite.parents.databaseId, queryHash: "ffffffffffffffff" }),
    );
    expect(String(error)).toContain(`query shape ffffffffffffffff has not been observed on database ${suite.parents.databaseId}`);
    expect((error as Error).cause).toMatchObject({ name: "PgBeamApiError", status: 404 });
  });

  it("queryHash must be 16 lowercase hex digits, said before any API call", async () => {
    suite.emulator.clearRequests();
    const result = await host.lifecycle("CacheRule").check({}, { projectId: "prj_x", databaseId: "db_x", queryHash: "ABC" });
    expect(result.failures).toEqual([{ property: "queryHash", reason: expect.stringContaining("16 lowercase hex digits") }]);
    expect(suite.emulator.requests).toEqual([]);
  });
});

describe("SpendLimit", () => {
  it("a limit of 0 is kept as 0, distinct from no limit", async () => {
    const created = await create("SpendLimit", { orgId: suite.parents.otherOrgId, spendLimit: 0 });
    expect(suite.emulator.get("plan", suite.parents.otherOrgId)).toMatchObject({ spend_limit: 0, spend_capped: true });
    const read = await host.lifecycle("SpendLimit").read(created.id, created.outs as Props);
    expect(read).toMatchObject({ id: suite.parents.otherOrgId, props: { spendLimit: 0, spendCapped: true } });
    await host.lifecycle("SpendLimit").delete(created.id, created.outs as Props);
    expect(suite.emulator.get("plan", suite.parents.otherOrgId)).toMatchObject({ spend_limit: null, spend_capped: false });
  });
});

describe("SelfHostEnrollment", () => {
  it("keeps the one-time token; rotation replaces it in place, same id; revoked reads as gone", async () => {
    const lifecycle = host.lifecycle("SelfHostEnrollment");
    const created = await create("SelfHostEnrollment", { orgId: suite.parents.orgId, regionLabel: "vpc" });
    const outs = created.outs as Props;
    expect(outs.token).toMatch(/^pbh_/);
    const read = (await lifecycle.read(created.id, outs)).props as Props;
    expect(read.token).toBe(outs.token);
    const news = (await lifecycle.check(outs, { orgId: suite.parents.orgId, regionLabel: "vpc", rotationTrigger: 1 })).inputs!;
    expect(await lifecycle.diff(created.id, read, news)).toMatchObject({ changes: true, replaces: [] });
    const rotated = (await lifecycle.update(created.id, read, { ...news, ...PROVIDER })).outs as Props;
    expect(rotated.token).toMatch(/^pbh_/);
    expect(rotated.token).not.toBe(outs.token);
    // Rotated in place: the same enrollment now holds the new token.
    expect(suite.emulator.objects("enrollment").find((e) => e.id === created.id)?.secrets.token).toBe(rotated.token);
    await lifecycle.delete(created.id, rotated);
    expect(suite.emulator.objects("enrollment").find((e) => e.id === created.id)?.data.revoked_at).toEqual(expect.any(String));
    expect((await lifecycle.read(created.id, rotated)).id).toBe("");
  });

  it("for an organization the API key cannot reach (on Scale), create fails saying so, not blaming the plan", async () => {
    suite.emulator.addOrganization("org_unreachable", { plan: "scale" });
    suite.emulator.addApiKey("pbo_scoped_to_demo", { orgId: suite.emulator.orgId });
    host.configure({
      get: (key) =>
        ({ "pgbeam:apiKey": "pbo_scoped_to_demo", "pgbeam:baseUrl": suite.emulator.url, "pgbeam:predictRefusals": "false" })[key],
    });
    try {
      const error = await failureOf(create("SelfHostEnrollment", { orgId: "org_unreachable" }));
      expect(String(error)).toBe(
        "Error: PgBeam refused to create this with 403 (PgBeam said: this API key has no access to organization org_unreachable). " +
          "Check that the API key (pgbeam:apiKey) has access to organization org_unreachable: list the key's organizations with " +
          "pgbeam.getOrganizations() and compare this resource's orgId; or set pgbeam:apiKey to a key of that organization.",
      );
    } finally {
      host.configure({
        get: (key) =>
          ({ "pgbeam:apiKey": suite.emulator.apiKey, "pgbeam:baseUrl": suite.emulator.url, "pgbeam:predictRefusals": "false" })[key],
      });
    }
  });

  it("check() wants a new expiresAt in the future, and lets an existing one pass once it has gone by", async () => {
    const lifecycle = host.lifecycle("SelfHostEnrollment");
    const past = "2020-01-01T00:00:00.000Z";
    expect((await lifecycle.check({}, { orgId: "org_x", expiresAt: past })).failures).toEqual([
      { property: "expiresAt", reason: "must be in the future" },
    ]);
    expect((await lifecycle.check({ orgId: "org_x", expiresAt: past }, { orgId: "org_x", expiresAt: past })).failures).toBeUndefined();
  });
});

describe("adoption (adoptId)", () => {
  const writes = () => suite.emulator.requests.filter((r) => r.method !== "GET").map((r) => [r.method, r.path, r.body]);
  async function post(path: string, body: Props): Promise<Props> {
    const response = await fetch(suite.emulator.url + path, {
      method: "POST",
      headers: { authorization: `Bearer ${suite.emulator.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return (await response.json()) as Props;
  }

  it("a console-made project is read, checked, then updated to the program (write-only values sent), and no diff after", async () => {
    const made = await post("/v1/projects", {
      name: "console-made",
      org_id: suite.parents.orgId,
      description: "by hand",
      database: { host: "h.internal", port: 5432, name: "app", username: "app", password: "pw-console-Ab12" },
    });
    const projectId = (made.project as Props).id as string;
    const args = {
      orgId: suite.parents.orgId,
      name: "console-made",
      database: { host: "h.internal", port: 5432, name: "app", username: "app", password: "pw-program-Cd34" },
    };
    suite.emulator.clearRequests();
    const adopted = await create("Project", { ...args, adoptId: projectId });
    expect(adopted.id).toBe(projectId);
    expect(writes()).toEqual([
      ["PATCH", `/v1/projects/${projectId}/databases/${(made.database as Props).id}`, { password: "pw-program-Cd34" }],
      ["PATCH", `/v1/projects/${projectId}`, { description: "" }],
    ]);
    expect(adopted.outs).toMatchObject({ primaryDatabaseId: (made.database as Props).id, adoptId: projectId });
    const inputs = (await host.lifecycle("Project").check({}, { ...args, adoptId: projectId })).inputs!;
    expect(await host.lifecycle("Project").diff(projectId, adopted.outs as Props, inputs)).toMatchObject({ changes: false });
  });

  it("says that destroy now deletes the adopted object, and warns when it was changed recently (managed elsewhere?)", async () => {
    const made = await post("/v1/projects", {
      name: "console-recent",
      org_id: suite.parents.orgId,
      database: { host: "r.internal", port: 5432, name: "app", username: "app", password: "pw-console-Rc56" },
    });
    const projectId = (made.project as Props).id as string;
    const said = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await create("Project", {
        orgId: suite.parents.orgId,
        name: "console-recent",
        adoptId: projectId,
        database: { host: "r.internal", port: 5432, name: "app", username: "app", password: "pw-console-Rc56" },
      });
      const messages = said.mock.calls.map((call) => String(call[0]));
      expect(messages).toContainEqual(
        expect.stringMatching(
          new RegExp(`^info: adopted Project ${projectId} .*\\\`pulumi destroy\\\` .* deletes it.*retainOnDelete: true`),
        ),
      );
      expect(messages).toContainEqual(
        expect.stringMatching(new RegExp(`^warning: Project ${projectId} was changed 1 min before it was adopted`)),
      );
    } finally {
      said.mockRestore();
    }
  });

  it("a project with several non-replica databases (role defaults to primary) is adopted only if the program's database singles one out", async () => {
    const db = { port: 5432, name: "app", username: "app", password: "pw-console-Ab12" };
    const made = await post("/v1/projects", {
      name: "console-two-dbs",
      org_id: suite.parents.orgId,
      database: { ...db, host: "first.internal" },
    });
    const projectId = (made.project as Props).id as string;
    const second = await post(`/v1/projects/${projectId}/databases`, { ...db, host: "second.internal" });
    expect(second.role).toBe("primary");
    const args = (host: string) => ({
      orgId: suite.parents.orgId,
      name: "console-two-dbs",
      adoptId: projectId,
      database: { ...db, host, password: "pw-program-Cd34" },
    });
    suite.emulator.clearRequests();
    const ambiguous = await failureOf(create("Project", args("third.internal")));
    expect(String(ambiguous)).toContain(
      `cannot adopt Project ${projectId} (adoptId): its primary database is ambiguous: 2 of its databases are not replicas (${String((made.database as Props).id)} (first.internal:5432/app), ${String(second.id)} (second.internal:5432/app)) and none match`,
    );
    expect(writes()).toEqual([]);
    const adopted = await create("Project", args("second.internal"));
    expect(adopted.outs).toMatchObject({ primaryDatabaseId: second.id });
  });

  it("refuses, changing nothing, when the unique name differs, the parent differs, or a replace field differs", async () => {
    const policy = await post(`/v1/projects/${suite.parents.projectId}/policies`, { name: "console-policy" });
    const replica = await post(`/v1/databases/${suite.parents.databaseId}/replicas`, { host: "r.internal", port: 5432 });
    suite.emulator.clearRequests();
    const wrongName = await failureOf(
      create("PolicyProfile", { projectId: suite.parents.projectId, name: "other-name", adoptId: policy.id }),
    );
    expect(String(wrongName)).toContain(
      `cannot adopt PolicyProfile ${String(policy.id)} (adoptId): its name is "console-policy", the program says "other-name". Nothing was changed.`,
    );
    const wrongParent = await failureOf(
      create("PolicyProfile", { projectId: suite.parents.otherProjectId, name: "console-policy", adoptId: policy.id }),
    );
    expect(String(wrongParent)).toContain("no such object under the parent the program names");
    const otherHost = await failureOf(
      create("Replica", { databaseId: suite.parents.databaseId, host: "elsewhere.internal", port: 5432, adoptId: replica.id }),
    );
    expect(String(otherHost)).toContain("host differ(s) from the program and cannot change in place");
    expect(writes()).toEqual([]);
    const same = await create("Replica", { databaseId: suite.parents.databaseId, host: "r.internal", port: 5432, adoptId: replica.id });
    expect([same.id, writes()]).toEqual([replica.id, []]);
  });
});

describe("list reads", () => {
  it("follow next_page_token even where the spec pages nothing (replicas), sending page_size only to paged lists", async () => {
    const seen: string[] = [];
    const replica = {
      id: "rep_2",
      database_id: "db_1",
      host: "r",
      port: 5432,
      ssl_mode: "require",
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
    };
    const server = createServer((request, response) => {
      seen.push(request.url!);
      const firstPage = !request.url!.includes("page_token");
      response.setHeader("content-type", "application/json");
      response.end(
        JSON.stringify(firstPage ? { replicas: [{ ...replica, id: "rep_1" }], next_page_token: "p2" } : { replicas: [replica] }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const client = new PgBeamClient({ apiKey: "pbu_stub", baseUrl: `http://127.0.0.1:${port}` });
    const lifecycle = new Lifecycle(RESOURCE_SPECS.Replica, {
      client: () => client,
      account: () => "default",
      predicting: () => false,
      memory: new DeploymentMemory(),
    });
    const read = await lifecycle.read("rep_2", { databaseId: "db_1" });
    server.close();
    expect(read).toMatchObject({ id: "rep_2", props: { host: "r", databaseId: "db_1" } });
    expect(seen).toEqual(["/v1/databases/db_1/replicas", "/v1/databases/db_1/replicas?page_token=p2"]);
  });
});
