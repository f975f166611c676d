/**
 * The account stamp (provider/engine/account.ts): when an account is declared, every checked input carries it, and
 * a resource moved to another declared account is replaced, creating first; one without a stamp is never replaced.
 */
import type { PgBeamClient } from "../../provider/client/client";
import { accountOf } from "../../provider/engine/account";
import { DeploymentMemory } from "../../provider/engine/deployment-memory";
import { Lifecycle } from "../../provider/engine/lifecycle";
import { type Props, UNKNOWN } from "../../provider/engine/values";
import { projectSpec } from "../../provider/resources/project";

const noClient = () => {
  throw new Error("check and diff must not call the API");
};
const hostOf = (account: string | undefined, client: () => PgBeamClient = noClient) =>
  new Lifecycle(projectSpec, { client, account: () => account, predicting: () => false, memory: new DeploymentMemory() });

const args: Props = {
  orgId: "org_a",
  name: "app",
  database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "pw" },
  __provider: "serialized",
};

/** Outputs as state holds them after a create: the checked inputs with the ids the API gave. */
const asState = (inputs: Props): Props => ({ ...inputs, id: "prj_1", primaryDatabaseId: "db_1" });

async function checked(account: string | undefined): Promise<Props> {
  const result = await hostOf(account).check({}, args);
  expect(result.failures ?? []).toEqual([]);
  return result.inputs!;
}

it("stamps the account only when one is declared: no default from the provider's name", async () => {
  expect((await checked("org_a")).__account).toBe("org_a");
  expect(accountOf({ get: (key) => (key === "pgbeam:account" ? " org_b " : undefined) })).toBe("org_b");
  expect(accountOf({ get: () => " " })).toBeUndefined();
  expect(accountOf(undefined)).toBeUndefined();
  expect(await checked(undefined)).not.toHaveProperty("__account");
});

it("without declared accounts, a move between providers (renamed, default to explicit) never replaces", async () => {
  const olds = asState(await checked(undefined));
  expect(await hostOf(undefined).diff("prj_1", olds, await checked(undefined))).toEqual({ changes: false, replaces: [] });
  // Declaring an account later stamps it without replacing anything.
  expect(await hostOf("org_a").diff("prj_1", olds, await checked("org_a"))).toEqual({ changes: false, replaces: [] });
});

it("an account not known yet (preview) shows an update, never a replace", async () => {
  const olds = asState(await checked("org_a"));
  expect(await hostOf(UNKNOWN).diff("prj_1", olds, await checked(UNKNOWN))).toEqual({ changes: true, replaces: [] });
});

it("read stamps the declared account on a resource that has none", async () => {
  const api = {
    get: async (path: string) =>
      path.includes("/databases/")
        ? { id: "db_1", project_id: "prj_1", host: "db.internal", port: 5432, name: "app", username: "app" }
        : { id: "prj_1", org_id: "org_a", name: "app" },
    reportingRetries: () => api,
  } as unknown as PgBeamClient;
  const { __account: _stamp, ...legacy } = asState(await checked("org_a"));
  const read = await hostOf("org_a", () => api).read("prj_1", legacy);
  expect(read.props?.__account).toBe("org_a");
  expect(read.inputs?.__account).toBe("org_a");
  const kept = await hostOf("org_b", () => api).read("prj_1", { ...legacy, __account: "org_a" });
  expect(kept.props?.__account).toBe("org_a");
  expect((await hostOf(undefined, () => api).read("prj_1", legacy)).props).not.toHaveProperty("__account");
});

it("an account change alone replaces, creating in the new account before deleting in the old", async () => {
  const olds = asState(await checked("org_a"));
  const news = await checked("org_b");
  expect(await hostOf("org_b").diff("prj_1", olds, news)).toEqual({ changes: true, replaces: ["__account"] });
  expect(await hostOf("org_a").diff("prj_1", olds, await checked("org_a"))).toEqual({ changes: false, replaces: [] });
});

it("state from before the stamp is not replaced for lacking one", async () => {
  const { __account: _stamp, ...legacy } = await checked("org_a");
  expect(await hostOf("org_b").diff("prj_1", asState(legacy), await checked("org_b"))).toEqual({ changes: false, replaces: [] });
});
