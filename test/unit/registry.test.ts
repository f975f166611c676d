/**
 * The registry loads each resource's module when it is first read, so a provider host serving projects never builds
 * the other resources' schemas; its keys are written beside the loaders and must stay the specs' own names.
 */
import { RESOURCE_SPECS } from "../../provider/resources/registry";

it("names every spec by its own name", () => {
  expect(Object.entries(RESOURCE_SPECS).filter(([key, spec]) => spec.name !== key)).toEqual([]);
});

it("loads only the resources the provider host is asked for", () => {
  jest.isolateModules(() => {
    const loaded: string[] = [];
    for (const module of ["policy-profile", "policy/what-if", "agent-credential", "custom-domain", "cache-rule", "self-host-enrollment"]) {
      jest.doMock(`../../provider/resources/${module}`, () => {
        loaded.push(module);
        return jest.requireActual(`../../provider/resources/${module}`);
      });
    }
    const host = require("../../provider/host") as typeof import("../../provider/host");
    host.lifecycle("Project");
    host.lifecycle("Database");
    expect(loaded).toEqual([]);
    host.lifecycle("PolicyProfile");
    expect(loaded).toEqual(expect.arrayContaining(["policy-profile", "policy/what-if"]));
  });
});
