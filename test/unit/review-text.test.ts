/**
 * examples/gitops/render-review.js on hand-made `pulumi preview --json` documents: the cases the real-engine test
 * (test/e2e/gitops.test.ts) does not reach. The shapes are those Pulumi 3.248 prints (steps with oldState/newState,
 * replaceReasons, diagnostics with urn and severity; unknowns as Pulumi's marker, secrets as "[secret]").
 */
const { render } = require("../../examples/gitops/render-review.js") as { render(input: object): string };

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const urn = (type: string, name: string) => `urn:pulumi:dev::infra::pulumi-nodejs:dynamic/pgbeam:${type}::${name}`;
const stackUrn = "urn:pulumi:dev::infra::pulumi:pulumi:Stack::infra-dev";

it("a secret-only update says that nothing visible changes, and why", () => {
  const inputs = { name: "db", password: "[secret]", __provider: "stub", __account: "default" };
  const text = render({
    stack: "dev",
    status: 0,
    preview: {
      changeSummary: { update: 1, same: 1 },
      steps: [{ op: "update", urn: urn("Database", "db"), oldState: { inputs, outputs: inputs }, newState: { inputs } }],
    },
  });
  expect(text).toContain("#### `db` (Database): update");
  expect(text).toContain("No field change is visible: a secret input changed (secrets are masked on both sides).");
  expect(text).not.toContain("__provider");
  expect(text).not.toContain("__account");
});

it("a replace caused by a parent's replace names the values known only after apply", () => {
  const olds = { projectId: "prj_1", name: "ro", maxRows: 5 };
  const text = render({
    stack: "dev",
    status: 0,
    preview: {
      changeSummary: { replace: 1 },
      steps: [{ op: "replace", urn: urn("PolicyProfile", "ro"), oldState: { inputs: olds, outputs: olds }, newState: { inputs: { ...olds, projectId: UNKNOWN } } }],
    },
  });
  expect(text).toContain("Replaced: `projectId` will only be known after apply (what it belongs to is replaced).");
  expect(text).toContain('| `projectId` | `"prj_1"` | _(known after apply)_ |  |');
});

it("creates list their values, deletes none; an account move is named; stack warnings get their own section", () => {
  const text = render({
    stack: "prod",
    status: 0,
    preview: {
      changeSummary: { create: 1, delete: 1, replace: 1 },
      steps: [
        { op: "same", urn: stackUrn },
        { op: "create", urn: urn("WebhookEndpoint", "hook"), newState: { inputs: { url: "https://x.example/h", secret: "[secret]", eventTypes: ["anomaly.detected"] } } },
        { op: "delete", urn: urn("Database", "old"), oldState: { inputs: { name: "old" }, outputs: { name: "old" } } },
        { op: "replace", urn: urn("Project", "app"), replaceReasons: ["__account"], oldState: { inputs: { name: "a" }, outputs: { name: "a" } }, newState: { inputs: { name: "a" } } },
      ],
      diagnostics: [
        { urn: stackUrn, severity: "warning", message: "warning: using pulumi-language-nodejs from $PATH\n" },
        { urn: urn("Project", "app"), severity: "info", message: "an info line is not for reviewers\n" },
      ],
    },
  });
  expect(text).toContain("### PgBeam preview of `prod`: 1 to create, 1 to replace, 1 to delete");
  expect(text).toContain('| `eventTypes` |  | `["anomaly.detected"]` |  |');
  expect(text).toContain("| `secret` |  | `[secret]` |  |");
  expect(text).toContain("#### `old` (Database): **delete**");
  expect(text).toContain("Replaced because it moves to another PgBeam account");
  expect(text).toContain("#### Stack\n> ⚠️ warning: using pulumi-language-nodejs from $PATH");
  expect(text).not.toContain("an info line");
});

it("a failed preview says so first; an unchanged one says no changes", () => {
  expect(render({ stack: "dev", status: 255, preview: { steps: [], diagnostics: [] } })).toContain("**The preview failed (exit 255).**");
  expect(render({ stack: "dev", status: 0, preview: { changeSummary: { same: 4 }, steps: [{ op: "same", urn: stackUrn }] } })).toContain(
    "### PgBeam preview of `dev`: 4 unchanged\n\nNo changes.",
  );
});
