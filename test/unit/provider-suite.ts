import * as host from "../../provider/host";
import { type Emulator, startEmulator } from "../../emulator";
import type { Parents } from "../../fixtures/resources";
import { createParents } from "../../fixtures/scenario";

/**
 * What a provider-level suite sets up once: an emulator, the provider host configured against it, and the parent
 * objects the fixtures hang off. After the file, every request and response must have passed the spec. Fields are
 * set once its beforeAll has run.
 */
export function providerSuite() {
  const suite = { emulator: undefined as unknown as Emulator, parents: undefined as unknown as Parents };
  beforeAll(async () => {
    suite.emulator = await startEmulator();
    host.configure({
      get: (key) =>
        ({ "pgbeam:apiKey": suite.emulator.apiKey, "pgbeam:baseUrl": suite.emulator.url, "pgbeam:predictRefusals": "false" })[key],
    });
    suite.parents = await createParents(suite.emulator);
  });
  afterAll(async () => {
    expect(suite.emulator.validationFailures).toEqual([]); // every request the provider sent passes the spec
    expect(suite.emulator.responseValidationFailures).toEqual([]);
    await suite.emulator.stop();
  });
  return suite;
}
