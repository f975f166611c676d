/**
 * The engine's pure rules (provider/engine/field-rules.ts, state-rules.ts, output-rules.ts), without HTTP: from a
 * spec and the values Pulumi hands the verbs, what is desired, what changed and replaces, what is sent, and what is
 * returned and stored. The specs here are small and declared in place, so each rule is seen with only what it needs.
 */
import { z } from "zod";
import { ACCOUNT_KEY, LEFT_OUT_KEY, REPLACE_ON_CHANGES_KEY, URN_KEY } from "../../provider/engine/keys";
import { partialFailure } from "../../provider/engine/output-rules";
import { defineSpec } from "../../provider/engine/spec";
import { rulesOf } from "../../provider/engine/state-rules";
import { type Props, UNKNOWN } from "../../provider/engine/values";

/** A project-like object: a parent in its path, a unique name, a write-only password, a server default, a nested object. */
const projectLike = rulesOf(
  defineSpec({
    name: "Thing",
    inputs: z.strictObject({
      orgId: z.string(),
      name: z.string(),
      region: z.string().optional(),
      tier: z.enum(["free", "pro"]).default("free"),
      note: z.string().optional(),
      status: z.enum(["active", "paused"]).optional(),
      labels: z.array(z.string()).optional(),
      agentsDisabled: z.boolean().default(false),
      database: z.strictObject({ host: z.string(), password: z.string() }).optional(),
    }),
    outputs: ["primaryDatabaseId", "token"],
    fields: {
      orgId: ["path", "replace", "unique"],
      name: ["unique"],
      region: ["replace"],
      status: ["serverDefault"],
      "database.password": ["writeOnly"],
      token: ["oneTime", "secret"],
    },
    itemPath: (outputs, id) => `/v1/orgs/${String(outputs.orgId)}/things/${id}`,
    collectionPath: (inputs) => `/v1/orgs/${String(inputs.orgId)}/things`,
    create: { patchAfter: ["agentsDisabled"] },
    update: { method: "PATCH" },
    nested: { key: "database", idOutput: "primaryDatabaseId", parentField: "thingId", path: () => "/db", fromCreate: () => undefined },
  }),
);

/** A setting of its parent, written by PUT to a path built from the inputs, with no update verb of its own. */
const settingLike = rulesOf(
  defineSpec({
    name: "Setting",
    inputs: z.strictObject({ orgId: z.string(), limit: z.number().nullable(), trigger: z.string().optional() }),
    outputs: [],
    fields: { orgId: ["path"], trigger: ["local"] },
    itemPath: (outputs, id) => `/v1/orgs/${String(outputs.orgId)}/setting#${id}`,
    create: { method: "PUT", id: (inputs) => String(inputs.orgId) },
    delete: { method: "PUT", body: { limit: null } },
  }),
);

const stored: Props = {
  orgId: "org_1",
  name: "app",
  region: "eu",
  tier: "free",
  status: "active",
  primaryDatabaseId: "db_1",
  database: { host: "h", password: "pw" },
};

describe("field rules: the fields table resolved once", () => {
  it("with an update verb, only `replace` fields replace; without one, every input but local ones does", () => {
    expect(projectLike.fields.replaceOnChanges).toEqual(["orgId", "region"]);
    expect(settingLike.fields.replaceOnChanges).toEqual(["orgId", "limit"]);
  });

  it("an upsert's identity is the item path built from the inputs; a POST create has none", () => {
    expect(settingLike.fields.upsertPath!({ orgId: "org_9" })).toBe("/v1/orgs/org_9/setting#org_9");
    expect(projectLike.fields.upsertPath).toBeUndefined();
  });
});

describe("state rules: what the program asks for against what is there", () => {
  it("check's validation names a failing secret's field but never shows its value", () => {
    const result = projectLike.state.validate({ orgId: "org_1", name: "app", database: { host: "h", password: 42 } }, {});
    expect(result.inputs).toBeUndefined();
    expect(result.failures).toEqual([{ property: "", reason: expect.stringMatching(/^database\.password: /) }]);
    expect(JSON.stringify(result.failures)).not.toContain("42");
  });

  it("an unknown value (preview) passes through while defaults still apply to the known fields", () => {
    expect(projectLike.state.validate({ orgId: "org_1", name: UNKNOWN }, {}).inputs).toEqual({
      orgId: "org_1",
      name: UNKNOWN,
      tier: "free",
      agentsDisabled: false,
    });
  });

  it("each set of unknown fields is validated against its own schema (reused for the same set)", () => {
    const unknownName = { orgId: "org_1", name: UNKNOWN };
    expect(projectLike.state.validate(unknownName, {})).toEqual(projectLike.state.validate(unknownName, {}));
    expect(projectLike.state.validate({ orgId: "org_1", name: UNKNOWN, region: UNKNOWN }, {}).inputs).toMatchObject({
      name: UNKNOWN,
      region: UNKNOWN,
    });
    expect(projectLike.state.validate({ orgId: "org_1", name: UNKNOWN, tier: 7 }, {}).failures).toEqual([
      { property: "tier", reason: expect.any(String) },
    ]);
  });

  it("a server-defaulted field the program leaves out takes the stored value, so leaving it out is no change", () => {
    const desired = projectLike.state.desired(
      { orgId: "org_1", name: "app", region: "eu", tier: "free", database: { host: "h", password: "pw" } },
      stored,
    );
    expect(desired.status).toBe("active");
    expect(projectLike.state.change(desired, stored, desired)).toEqual({ changed: [], replaces: [], deleteBeforeReplace: false });
  });

  it("a replace field replaces; an unchanged unique name makes the new object wait for the old one's delete", () => {
    const desired = { ...stored, region: "us" };
    expect(projectLike.state.change(desired, stored, desired)).toEqual({
      changed: ["region"],
      replaces: ["region"],
      deleteBeforeReplace: true,
    });
    const renamed = { ...desired, name: "app-2" };
    expect(projectLike.state.change(renamed, stored, renamed)).toEqual({
      changed: ["name", "region"],
      replaces: ["region"],
      deleteBeforeReplace: false,
    });
  });

  it("the program's replaceOnChanges turns an in-place change into a replace", () => {
    const news = { ...stored, note: "new", [REPLACE_ON_CHANGES_KEY]: ["*"] };
    expect(projectLike.state.change(projectLike.state.desired(news, stored), stored, news).replaces).toEqual(["note"]);
  });

  it("a move to another declared account replaces, creating first; a nested object gone from state replaces the parent", () => {
    const news = { ...stored, [ACCOUNT_KEY]: "b" };
    expect(projectLike.state.change(stored, { ...stored, [ACCOUNT_KEY]: "a" }, news)).toEqual({
      changed: [ACCOUNT_KEY],
      replaces: [ACCOUNT_KEY],
      deleteBeforeReplace: false,
    });
    const withoutNested = { ...stored, primaryDatabaseId: undefined };
    expect(projectLike.state.change(stored, withoutNested, stored)).toMatchObject({ changed: ["database"], replaces: ["database"] });
  });

  it("only the changed write-only paths are noted as changing secrets", () => {
    expect(projectLike.state.changedSecrets({ ...stored, database: { host: "h", password: "new" } }, stored)).toEqual([
      "database.password",
    ]);
    expect(projectLike.state.changedSecrets(stored, stored)).toEqual([]);
  });

  it("the create body leaves out path ids, adoptId and the fields PATCHed right after the create", () => {
    const desired = { orgId: "org_1", name: "app", agentsDisabled: true, adoptId: undefined };
    expect(projectLike.state.createBody(desired)).toEqual({ name: "app" });
    expect(projectLike.state.patchedAfterCreate(desired, { agentsDisabled: false })).toEqual(["agentsDisabled"]);
    expect(projectLike.state.patchedAfterCreate(desired, { agentsDisabled: true })).toEqual([]);
  });

  it("a PATCH sends the changed fields, a removed one as the value that clears it; the nested object has its own call", () => {
    const desired = { ...stored, note: undefined, labels: undefined, database: { host: "h2", password: "pw" } };
    const previous = { ...stored, note: "old", labels: ["a"] };
    const changed = projectLike.state.changedKeys(desired, previous);
    expect(changed).toEqual(["note", "labels", "database"]);
    const fields = projectLike.state.updatedFields(changed);
    expect(fields).toEqual(["note", "labels"]);
    expect(projectLike.state.updateBody(desired, previous, fields)).toEqual({ note: "", labels: [] });
  });

  it("without an update verb a change replaces, and a replacement writing the same item path deletes the old entry first", () => {
    const olds = { orgId: "org_1", limit: 10 };
    const news = { orgId: "org_1", limit: 20, trigger: "x" };
    expect(settingLike.state.updatedFields(["limit"])).toEqual([]);
    expect(settingLike.state.change(news, olds, news)).toEqual({
      changed: ["limit", "trigger"],
      replaces: ["limit"],
      deleteBeforeReplace: true,
    });
    const moved = { ...news, orgId: "org_2" };
    expect(settingLike.state.change(moved, olds, moved).deleteBeforeReplace).toBe(false);
  });
});

describe("output rules: what is returned and stored", () => {
  it("the API's answer is the truth; write-only values come from the inputs, one-time values from earlier state", () => {
    const previous = { ...stored, token: "tok-1", region: "eu" };
    const answer = { object: { id: "t_1", org_id: "org_1", name: "app", tier: "pro" } };
    // No region (the answer has none) and no id (the resource's id, not an output).
    expect(projectLike.outputs.afterAnswer(previous, stored, answer)).toEqual({
      orgId: "org_1",
      name: "app",
      tier: "pro",
      token: "tok-1",
      primaryDatabaseId: "db_1",
      database: { host: "h", password: "pw" },
    });
  });

  it("an answer without an object keeps the outputs, adding its one-time values", () => {
    expect(projectLike.outputs.afterAnswer({ name: "app" }, {}, { once: { token: "tok-2" } })).toEqual({ name: "app", token: "tok-2" });
  });

  it("the nested object's answer is laid in under its key, keeping its write-only fields, its id beside it", () => {
    const outputs = projectLike.outputs.withNested(
      { database: { host: "h", password: "pw" } },
      { id: "db_2", thing_id: "t_1", host: "h2" },
    );
    expect(outputs).toEqual({ database: { host: "h2", password: "pw" }, primaryDatabaseId: "db_2" });
  });

  it("a refresh that finds the nested object gone drops it and its id", () => {
    expect(projectLike.outputs.refreshed(stored, { id: "t_1", name: "app" }, undefined)).not.toHaveProperty("primaryDatabaseId");
  });

  it("stored outputs record the serialized provider, the account and the fields the program leaves out", () => {
    const inputs = { orgId: "org_1", name: "app", __provider: "serialized", [ACCOUNT_KEY]: "a", [URN_KEY]: "urn" };
    const outs = projectLike.outputs.stored({ id: "t_1", name: "app", note: "" }, inputs);
    expect(outs).toMatchObject({ __provider: "serialized", [ACCOUNT_KEY]: "a", id: "t_1" });
    expect(outs[LEFT_OUT_KEY]).toEqual(["region", "tier", "note", "status", "labels", "agentsDisabled", "database", "adoptId"]);
    expect(outs).not.toHaveProperty(URN_KEY);
  });

  it("inputs read back leave out what the program left out, where the API holds what leaving it out means", () => {
    const outputs = { orgId: "org_1", name: "app", note: "", status: "paused", region: "eu" };
    expect(projectLike.outputs.inputsFrom(outputs, ["note", "status", "region"])).toEqual({ orgId: "org_1", name: "app", region: "eu" });
  });

  it("a failure after the object exists hands back its id and the latest outputs, for the engine to keep", () => {
    const error = Object.assign(new Error("gave up"), { outputs: { id: "t_1", name: "latest" } });
    const failure = partialFailure("created t_1, but configuring it failed", "t_1", { __provider: "p" }, { id: "t_1", name: "old" }, error);
    expect(failure).toMatchObject({
      message: "created t_1, but configuring it failed: gave up",
      id: "t_1",
      reasons: ["gave up"],
      cause: error,
    });
    expect((failure as unknown as { properties: Props }).properties).toEqual({ id: "t_1", name: "latest", __provider: "p" });
  });
});
