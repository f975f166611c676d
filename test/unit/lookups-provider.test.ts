/**
 * Lookups given `{ provider }` (like Pulumi's InvokeOptions) call the API with that explicit provider's key and URL,
 * never the stack's `pgbeam:` config. The provider is a real `pgbeam.Provider`, registered against Pulumi's mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { type Emulator, startEmulator } from "../../emulator";

// setMocks is async in signature only: its work is done when it returns.
void pulumi.runtime.setMocks(
  { newResource: (args) => ({ id: `${args.name}_id`, state: args.inputs }), call: (args) => args.inputs },
  "lookups",
  "dev",
  false,
);
import * as pgbeam from "../../provider";

const OTHER_ORG = "org_other_gmbh";
const OTHER_KEY = "pbo_other_key_7d2c";
let emulator: Emulator;

const resolved = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.addOrganization(OTHER_ORG, { plan: "pro" });
  emulator.addApiKey(OTHER_KEY, { orgId: OTHER_ORG });
  // The stack's own config points nowhere: a lookup that used it would fail.
  pulumi.runtime.setConfig("pgbeam:apiKey", "pbo_stack_key_unused");
  pulumi.runtime.setConfig("pgbeam:baseUrl", "http://127.0.0.1:9");
});
afterAll(() => emulator.stop());

it("a lookup given { provider } uses that provider's key and URL, in both forms", async () => {
  const provider = new pgbeam.Provider("other", { apiKey: pulumi.secret(OTHER_KEY), baseUrl: emulator.url });
  emulator.clearRequests();
  const { organizations } = await pgbeam.getOrganizations({ provider });
  expect(organizations.map((o) => o.id)).toEqual([OTHER_ORG]);
  const plan = await resolved(pgbeam.getOrganizationPlanOutput({ orgId: OTHER_ORG }, { provider }));
  expect(plan).toEqual(expect.objectContaining({ plan: "pro" }));
  // The provider's key is secret; what the lookup found is not.
  expect(await pulumi.isSecret(pgbeam.getOrganizationOutput({ id: OTHER_ORG }, { provider }))).toBe(false);
  expect(emulator.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization}`)).toEqual([
    `GET /v1/organizations Bearer ${OTHER_KEY}`,
    `GET /v1/organizations/${OTHER_ORG}/plan Bearer ${OTHER_KEY}`,
    `GET /v1/organizations Bearer ${OTHER_KEY}`,
  ]);
});
