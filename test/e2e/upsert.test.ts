/**
 * A setting written to a path of its parent (here an organization's spend limit), under the real engine: a
 * create never overwrites one made outside the stack (adoptId takes it over), and `pulumi up --replace`, which
 * creates the replacement before deleting the old entry and calls no diff, keeps the limit it just wrote.
 */
import * as path from "node:path";
import { realEngineSuite, type TestStack } from "./harness";

jest.setTimeout(20 * 60_000);

const ORG = "org_upsert_e2e";
const suite = realEngineSuite({}, (emulator) => emulator.addOrganization(ORG, { plan: "scale" }));
let stack: TestStack;
beforeAll(async () => {
  stack = await suite.stack(path.join(__dirname, "programs/resources"));
});
afterAll(() => stack?.cleanup());

const limit = (extra: object = {}) => ({ limit: { type: "SpendLimit", args: { orgId: ORG, spendLimit: 500, ...extra } } });
const spendLimit = () => suite.emulator.get("plan", ORG)?.spend_limit;

it("a spend limit set in the console is refused, left as it was; with adoptId it is taken over", async () => {
  suite.emulator.patch("plan", ORG, { spend_limit: 2000 });
  await stack.setResources(limit());
  const refused = await stack.cli(["up", "--yes", "--skip-preview"]);
  expect(refused.code).not.toBe(0);
  expect(refused.output).toContain(`SpendLimit ${ORG} is already set (/v1/organizations/${ORG}/spend-limit)`);
  expect(refused.output).toContain(`set adoptId: "${ORG}"`);
  expect(spendLimit()).toBe(2000);
  await stack.setResources(limit({ adoptId: ORG }));
  expect((await stack.cli(["up", "--yes", "--skip-preview"])).code).toBe(0);
  expect(spendLimit()).toBe(500);
  // adoptId only matters to create: removing it now is no change.
  await stack.setResources(limit());
  expect((await stack.preview()).ops.limit).toBe("same");
});

it("`pulumi up --replace` keeps the limit the replacement wrote (the old entry's delete does not clear it)", async () => {
  const [entry] = await stack.resources();
  const replaced = await stack.cli(["up", "--yes", "--skip-preview", "--replace", entry.urn]);
  expect(replaced.output).toMatch(/1 replaced/);
  expect(replaced.code).toBe(0);
  expect(spendLimit()).toBe(500);
  expect((await stack.preview()).ops.limit).toBe("same");
});

it("destroy clears it", async () => {
  expect((await stack.cli(["destroy", "--yes", "--skip-preview"])).code).toBe(0);
  expect(spendLimit()).toBeNull();
});
