/**
 * The account stamp (provider/engine/account.ts): every checked input carries the provider host's account, and a
 * resource moved to another account is replaced, creating first; one from before the stamp is never replaced.
 */
import { accountOf, DEFAULT_ACCOUNT } from "../../provider/engine/account";
import { Lifecycle } from "../../provider/engine/lifecycle";
import type { Props } from "../../provider/engine/values";
import { projectSpec } from "../../provider/resources/project";

const noClient = () => {
  throw new Error("check and diff must not call the API");
};
const hostOf = (account: string) => new Lifecycle(projectSpec, noClient, () => account);

const args: Props = {
  orgId: "org_a",
  name: "app",
  database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "pw" },
  __provider: "serialized",
};

/** Outputs as state holds them after a create: the checked inputs with the ids the API gave. */
const asState = (inputs: Props): Props => ({ ...inputs, id: "prj_1", primaryDatabaseId: "db_1" });

async function checked(account: string): Promise<Props> {
  const result = await hostOf(account).check({}, args);
  expect(result.failures ?? []).toEqual([]);
  return result.inputs!;
}

it("stamps the account from pgbeam:account, else the default", async () => {
  expect((await checked("org_a")).__account).toBe("org_a");
  expect(accountOf({ get: (key) => (key === "pgbeam:account" ? " org_b " : undefined) })).toBe("org_b");
  expect(accountOf({ get: () => undefined })).toBe(DEFAULT_ACCOUNT);
  expect(accountOf(undefined)).toBe(DEFAULT_ACCOUNT);
});

it("an account change alone replaces, creating in the new account before deleting in the old", async () => {
  const olds = asState(await checked("org_a"));
  const news = await checked("org_b");
  expect(await hostOf("org_b").diff("prj_1", olds, news)).toEqual({ changes: true, replaces: ["__account"], deleteBeforeReplace: false });
  expect(await hostOf("org_a").diff("prj_1", olds, await checked("org_a"))).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
});

it("state from before the stamp is not replaced for lacking one", async () => {
  const { __account: _stamp, ...legacy } = await checked("org_a");
  expect(await hostOf("org_b").diff("prj_1", asState(legacy), await checked("org_b"))).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
});
