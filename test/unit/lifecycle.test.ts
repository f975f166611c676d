/**
 * The registry-driven lifecycle, against the emulator through the engine's verbs: for every registered resource,
 * create → no-change diff → each updatable input changed alone (exact writes, then no diff) → each replace input →
 * read → delete → read gone → and, created again, deleted out of band → read gone. The same table drives the
 * real-engine run in test/e2e/registry.test.ts.
 */
import * as host from "../../provider/host";
import { fromApi, type Props } from "../../provider/engine/values";
import { RESOURCE_SPECS } from "../../provider/resources/registry";
import type { Args } from "../../fixtures/resources";
import { coverageProblems, expectedWrites, fixtureFor, removeOutOfBand, resolveSecrets, writesTo } from "../../fixtures/scenario";
import { providerSuite } from "./provider-suite";

const suite = providerSuite();

const PROVIDER = { __provider: "serialized-provider-text" };

describe.each(Object.keys(RESOURCE_SPECS))("%s", (name) => {
  const spec = RESOURCE_SPECS[name];
  const lifecycle = host.lifecycle(name);

  async function checked(args: Args, olds: Props = {}): Promise<Props> {
    const result = await lifecycle.check(olds, resolveSecrets(args) as Props);
    expect(result.failures ?? []).toEqual([]);
    return result.inputs!;
  }
  async function expectNoChanges(id: string, outs: Props, inputs: Props) {
    expect(await lifecycle.diff(id, outs, inputs)).toMatchObject({ changes: false, replaces: [] });
  }

  it("has a fixture covering every input exactly once", () => {
    expect(coverageProblems(spec, fixtureFor(name))).toEqual([]);
  });

  it("create, no-change diff, each update alone with its exact writes, each replace, read, delete", async () => {
    const fixture = fixtureFor(name);
    let args = fixture.args(suite.parents);
    let inputs = await checked(args);
    const created = await lifecycle.create({ ...inputs, ...PROVIDER });
    const id = created.id;
    let outs = created.outs as Props;
    await expectNoChanges(id, outs, inputs);
    const putState: Args = { ...fixture.putBody?.(suite.parents) };

    for (const field of Object.keys(fixture.updates)) {
      args = { ...args, ...fixture.updates[field].change(suite.parents) };
      const news = await checked(args, inputs);
      expect([field, await lifecycle.diff(id, outs, news)]).toEqual([field, expect.objectContaining({ changes: true, replaces: [] })]);
      suite.emulator.clearRequests();
      outs = (await lifecycle.update(id, outs, { ...news, ...PROVIDER })).outs as Props;
      const writes = writesTo(suite.emulator.requests, spec.itemPath(outs, id));
      expect([field, writes]).toEqual([field, expectedWrites(fixture, field, suite.parents, putState)]);
      inputs = news;
      await expectNoChanges(id, outs, inputs);
    }

    for (const [field, change] of Object.entries(fixture.replaces)) {
      const diff = await lifecycle.diff(id, outs, await checked({ ...args, ...change(suite.parents) }, inputs));
      expect([field, diff.replaces]).toEqual([field, expect.arrayContaining([field])]);
    }

    const read = await lifecycle.read(id, outs);
    expect(read.id).toBe(id);
    await expectNoChanges(id, read.props as Props, inputs);

    suite.emulator.clearRequests();
    await lifecycle.delete(id, read.props as Props);
    const deleteVerb = spec.delete ?? { method: "DELETE" as const };
    expect(writesTo(suite.emulator.requests, spec.itemPath(outs, id))).toEqual([
      { method: deleteVerb.method, ...("body" in deleteVerb ? { body: deleteVerb.body } : {}) },
    ]);
    // Gone, or (a soft delete the API still lists) in the state the delete put it in.
    const after = await lifecycle.read(id, outs);
    if (after.id) expect(after.props).toMatchObject(fromApi("body" in deleteVerb ? deleteVerb.body : {}));
    await lifecycle.delete(id, outs); // deleting what is already gone is not an error
  });

  it("an object deleted out of band reads as gone", async () => {
    const fixture = fixtureFor(name);
    const created = await lifecycle.create({ ...(await checked(fixture.args(suite.parents))), ...PROVIDER });
    removeOutOfBand(suite.emulator, fixture, created.id, created.outs as Args);
    expect((await lifecycle.read(created.id, created.outs as Props)).id).toBe("");
    await lifecycle.delete(created.id, created.outs as Props);
  });
});
