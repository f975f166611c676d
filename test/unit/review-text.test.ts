/**
 * examples/gitops/render-review.js on hand-made `pulumi preview --json --show-sames --show-replacement-steps`
 * documents: the cases the real-engine test (test/e2e/gitops.test.ts) does not reach, and the limits (a large stack)
 * that are cheap here. The shapes are those Pulumi 3.248 prints (steps with oldState/newState, replaceReasons,
 * propertyDependencies; diagnostics with urn and severity; unknowns as Pulumi's marker, secrets as "[secret]").
 */
import * as pgbeam from "../../provider";

const { render, MAX_COMMENT } = require("../../examples/gitops/render-review.js") as {
  render(input: object): { comment: string; full: string; exitCode: number };
  MAX_COMMENT: number;
};

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const urn = (type: string, name: string) => `urn:pulumi:dev::infra::pulumi-nodejs:dynamic/pgbeam:${type}::${name}`;
const stackUrn = "urn:pulumi:dev::infra::pulumi:pulumi:Stack::infra-dev";
const review = (preview: object, status = 0, stack = "dev") => render({ stack, status, preview, pgbeam }).comment;

it("a secret-only update names the secret input, and only the user's fields", () => {
  const inputs = { name: "db", password: "[secret]", __provider: "stub", __account: "default" };
  const text = review({
    changeSummary: { update: 1, same: 1 },
    steps: [{ op: "update", urn: urn("Database", "db"), oldState: { inputs, outputs: inputs }, newState: { inputs } }],
    diagnostics: [{ urn: urn("Database", "db"), severity: "info", message: "secret inputs that change (values not shown): `password`\n" }],
  });
  expect(text).toContain("#### `db` (Database): update\n**Secret input changing:** `password` (value not shown; `up` sends the new one).");
  expect(text).not.toContain("__provider");
  expect(text).not.toContain("__account");
});

it("the stack's anchor (pulumi-pgbeam's bookkeeping) is neither counted nor listed", () => {
  const anchorUrn = "urn:pulumi:dev::infra::pulumi-nodejs:dynamic/pgbeam-internal:StackAnchor::pgbeam-stack-anchor";
  const text = review({
    changeSummary: { create: 2, same: 1 },
    steps: [
      { op: "same", urn: stackUrn },
      { op: "create", urn: anchorUrn, newState: { inputs: {} } },
      { op: "create", urn: urn("Project", "app"), newState: { inputs: { name: "app" } } },
    ],
  });
  expect(text).toContain("### PgBeam preview of `dev`: 1 to create, 1 unchanged");
  expect(text).not.toContain("pgbeam-stack-anchor");
});

it("a replace caused by a parent's replace names the values known only after apply", () => {
  const olds = { projectId: "prj_1", name: "ro", maxRows: 5 };
  const text = review({
    changeSummary: { replace: 1 },
    steps: [
      {
        op: "replace",
        urn: urn("PolicyProfile", "ro"),
        oldState: { inputs: olds, outputs: olds },
        newState: { inputs: { ...olds, projectId: UNKNOWN } },
      },
    ],
  });
  expect(text).toContain(
    "Replaced: `projectId` will only be known after apply (what it belongs to is replaced); a new object is created, then the old one deleted.",
  );
  expect(text).toContain('| `projectId` | `"prj_1"` | _(known after apply)_ |  |');
});

it("a rotation says what it invalidates and what in the stack uses the credential", () => {
  const olds = { projectId: "prj_1", name: "bot", rotationTrigger: 1 };
  const outputs = { ...olds, mcpUrl: "https://mcp.example/bot", mcpToken: "[secret]" };
  const text = review({
    changeSummary: { update: 1, same: 2 },
    steps: [
      { op: "same", urn: stackUrn, oldState: { outputs: { mcpUrl: "https://mcp.example/bot", token: "[secret]", region: "eu" } } },
      {
        op: "update",
        urn: urn("AgentCredential", "bot"),
        oldState: { inputs: olds, outputs },
        newState: { inputs: { ...olds, rotationTrigger: 2 } },
      },
      {
        op: "same",
        urn: urn("WebhookEndpoint", "hook"),
        newState: { inputs: {}, propertyDependencies: { url: [urn("AgentCredential", "bot")] } },
      },
    ],
  });
  expect(text).toContain(
    "**Its rotation (`rotationTrigger` changes) invalidates** a new password (connection string) and MCP token under the same id: every agent still using the old ones is refused.",
  );
  expect(text).toContain(
    "**Uses it in this stack:** resources `hook` (WebhookEndpoint) through `url`; stack outputs `mcpUrl` (its `mcpUrl`); possibly the secret stack outputs `token` (masked: check which hold its values).",
  );
  expect(text).not.toContain("#### `hook`");
});

it("stateful deletes and replaces, and a delete-first replace's window, stand out at the top", () => {
  const project = { orgId: "org_1", name: "app", cloud: "aws" };
  const credential = { projectId: "prj_1", name: "bot", policyProfileId: "pp_1" };
  const text = review({
    changeSummary: { replace: 2, delete: 1 },
    steps: [
      { op: "create-replacement", urn: urn("Project", "app") },
      {
        op: "replace",
        urn: urn("Project", "app"),
        replaceReasons: ["cloud"],
        oldState: { inputs: project, outputs: project },
        newState: { inputs: { ...project, cloud: "gcp" } },
      },
      { op: "delete-replaced", urn: urn("AgentCredential", "bot") },
      {
        op: "replace",
        urn: urn("AgentCredential", "bot"),
        replaceReasons: ["policyProfileId"],
        oldState: { inputs: credential, outputs: credential },
        newState: { inputs: { ...credential, policyProfileId: "pp_2" } },
      },
      { op: "create-replacement", urn: urn("AgentCredential", "bot") },
      { op: "delete", urn: urn("Database", "old"), oldState: { inputs: { name: "old" }, outputs: { name: "old" } } },
      { op: "delete-replaced", urn: urn("Project", "app") },
    ],
  });
  expect(text).toContain("### PgBeam preview of `dev`: 2 to replace, 1 to delete\n\n> [!CAUTION]\n");
  expect(text).toContain("> - `app` (Project) is **replaced**: a new project id and proxy host (`proxyHost`)");
  expect(text).toContain(
    "> - `bot` (AgentCredential) is replaced **delete-first** (its `projectId`, `name` must stay unique): from its delete until the new one is created, it does not exist.",
  );
  expect(text).toContain("> - `old` (Database) is **deleted**: clients using it stop working.");
  expect(text).toContain("Replaced because `cloud` changes: a new object is created, then the old one deleted.");
  expect(text).toContain("Replaced because `policyProfileId` changes: the old one is deleted, then the new one created.");
  expect(text).not.toContain("create-replacement");
});

it("a failed preview reads as failed at the top, each error with its resource; never as unchanged", () => {
  const text = review(
    {
      changeSummary: { same: 1 },
      steps: [{ op: "same", urn: stackUrn }],
      diagnostics: [
        { urn: urn("Database", "db"), severity: "error", message: "error: pgbeam:Database db: poolSize must be at least 1\n" },
        { urn: stackUrn, severity: "error", message: "error: preview failed\n" },
      ],
    },
    255,
  );
  expect(text).toMatch(/^### ❌ PgBeam preview of `dev` failed \(exit 255\)\n\nNothing is applied until the preview passes/);
  expect(text).toContain("- ❌ `db` (Database): pgbeam:Database db: poolSize must be at least 1\n- ❌ stack: preview failed");
  expect(text).not.toContain("unchanged");
  expect(text).not.toContain("No changes.");
});

it("lists render one item a line, with what goes and what comes marked; creates list values, deletes none", () => {
  const rules = [
    { table: "users", column: "email", kind: "redact" },
    { table: "users", column: "phone", kind: "null" },
  ];
  const olds = { projectId: "prj_1", name: "ro", maskingRules: rules };
  const text = review({
    changeSummary: { update: 1, create: 1 },
    steps: [
      {
        op: "update",
        urn: urn("PolicyProfile", "ro"),
        oldState: { inputs: olds, outputs: olds },
        newState: { inputs: { ...olds, maskingRules: [rules[0], { table: "users", column: "ssn", kind: "hash" }] } },
      },
      {
        op: "create",
        urn: urn("WebhookEndpoint", "hook"),
        newState: { inputs: { url: "https://x.example/h", secret: "[secret]", eventTypes: ["anomaly.detected"] } },
      },
    ],
  });
  expect(text).toContain(
    '| `maskingRules` | `table: "users", column: "email", kind: "redact"`<br>− `table: "users", column: "phone", kind: "null"` | ' +
      '`table: "users", column: "email", kind: "redact"`<br>+ `table: "users", column: "ssn", kind: "hash"` |  |',
  );
  expect(text).toContain('| `eventTypes` |  | `"anomaly.detected"` |  |');
  expect(text).toContain("| `secret` |  | `[secret]` |  |");
});

it("states the API calls planning made, per resource; none when there were none", () => {
  const profile = urn("PolicyProfile", "ro");
  const calls =
    "PgBeam API calls made to plan this change (reads and what-if checks, nothing changed): GET /v1/projects/prj_1/agents, POST /v1/projects/prj_1/policy-replays";
  const text = review({ changeSummary: { update: 1 }, steps: [], diagnostics: [{ urn: profile, severity: "info", message: calls }] });
  expect(text).toContain(
    "Planning these changes made 2 PgBeam API calls, reads and what-if checks that change nothing: `ro` (PolicyProfile): 2 (`GET /v1/projects/prj_1/agents`, `POST /v1/projects/prj_1/policy-replays`).",
  );
  expect(review({ changeSummary: { same: 4 }, steps: [{ op: "same", urn: stackUrn }] })).toContain(
    "### PgBeam preview of `dev`: 4 unchanged\n\nPlanning these changes made no PgBeam API call.\n\nNo changes.",
  );
});

it("a stack too large for one comment gets a summary that fits, and the whole review apart", () => {
  const steps = Array.from({ length: 400 }, (_, index) => {
    const inputs = {
      projectId: "prj_1",
      name: `profile-${index}`,
      maskingRules: Array.from({ length: 6 }, (_, n) => ({ table: `t${n}`, column: "c", kind: "redact" })),
    };
    return { op: "create", urn: urn("PolicyProfile", `profile-${index}`), newState: { inputs } };
  });
  const { comment, full } = render({ stack: "prod", status: 0, preview: { changeSummary: { create: 400 }, steps }, pgbeam });
  expect(full.length).toBeGreaterThan(MAX_COMMENT);
  expect(comment.length).toBeLessThanOrEqual(MAX_COMMENT);
  expect(comment).toContain("attached to this workflow run: artifact `pgbeam-review-prod`");
  expect(comment).toContain("| `profile-0` (PolicyProfile) | create | 3 | 0 |");
  expect(comment).toContain("| `profile-399` (PolicyProfile) | create | 3 | 0 |");
  expect(full).toContain("#### `profile-399` (PolicyProfile): create");
});

it("a drift report heads with the drift found, exits 3 on drift, and shows each resource's plan, not its refresh", () => {
  const refreshed = { name: "app", description: "edited in the console" };
  const drift = (steps: object[]) => render({ stack: "prod", status: 0, mode: "drift", pgbeam, preview: { steps } });
  const found = drift([
    { op: "refresh", urn: urn("Project", "app") },
    {
      op: "update",
      urn: urn("Project", "app"),
      oldState: { inputs: refreshed, outputs: refreshed },
      newState: { inputs: { ...refreshed, description: "app" } },
    },
  ]);
  expect(found.exitCode).toBe(3);
  expect(found.comment).toContain("### ⚠️ PgBeam drift check of `prod`: 1 resource differs from the program\n");
  expect(found.comment).toContain('| `description` | `"edited in the console"` | `"app"` |  |');
  expect(found.comment).not.toContain("refresh)");
  const none = drift([
    { op: "refresh", urn: urn("Project", "app") },
    { op: "same", urn: urn("Project", "app") },
  ]);
  expect(none).toMatchObject({ exitCode: 0 });
  expect(none.comment).toContain(
    "### PgBeam drift check of `prod`: no drift\n\nPgBeam holds what the program says.\n\nThe refresh read each of the 1 PgBeam resources once.",
  );
});
