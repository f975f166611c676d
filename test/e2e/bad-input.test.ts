/**
 * Bad input under the real engine: a sample of the generated corpus fails `pulumi preview` naming each field with
 * no request reaching the API; secret values never appear in what the CLI prints; and values known only at apply
 * time (outputs of other resources) are validated once known, before the API is called.
 */
import * as path from "node:path";
import { badInputCorpus, type InputCase } from "../bad-input/corpus";
import { expectNoPlaintext, leftovers, realEngineSuite, TestStack } from "./harness";

jest.setTimeout(20 * 60_000);

const program = path.resolve(__dirname, "programs/resources");
const suite = realEngineSuite();

/** Why preview failed: everything the CLI printed. */
async function failedPreview(stack: TestStack): Promise<string> {
  const outcome = await stack.preview().then(
    () => undefined,
    (error: Error) => error.message,
  );
  if (outcome === undefined) throw new Error("preview succeeded");
  return outcome;
}

/** The lines the engine printed about one resource. */
const linesAbout = (text: string, name: string) => text.split("\n").filter((line) => line.includes(`resource '${name}'`));

/**
 * One case per kind of constraint (each API rule counts as its own kind), taken in turn from each resource. The
 * engine stops a preview at the first resource that fails check, so each case is its own preview. NaN and Infinity
 * cannot be written in a program's JSON config, and the SDK drops a null input before the engine sees it: those
 * stay at the provider level.
 */
function sample(): InputCase[] {
  const corpus = badInputCorpus();
  const resources = [...new Set(corpus.map((c) => c.resource))];
  const kinds = [...new Set(corpus.map((c) => c.kind))].filter((kind) => !["NaN", "finite", "not"].includes(kind));
  return kinds.map((kind, i) => {
    const ofKind = corpus.filter((c) => c.kind === kind);
    return ofKind.find((c) => c.resource === resources[i % resources.length]) ?? ofKind[0];
  });
}

it("a sample of the bad-input corpus fails preview naming each field as written; no request reaches the API", async () => {
  const stack = await suite.stack(program);
  try {
    const cases = sample();
    const missed: string[] = [];
    suite.emulator.clearRequests();
    for (const c of cases) {
      await stack.setResources({ subject: { type: c.resource, args: c.inputs } });
      const lines = linesAbout(await failedPreview(stack), "subject");
      // Named as the program writes it (`allowedCidrs[0].cidr`), never with the engine's `value {<nil>}`.
      if (!lines.some((line) => line.includes(c.field)) || lines.some((line) => line.includes("<nil>"))) {
        missed.push(`${c.resource} ${c.field}: ${c.constraint} → ${lines.join(" | ")}`);
      }
    }
    process.stdout.write(
      `bad-input corpus (real CLI, one pulumi preview each): ${cases.length} cases, ${cases.length - missed.length} caught in check, ${suite.emulator.requests.length} requests reached the API\n`,
    );
    expect(cases.length).toBeGreaterThanOrEqual(15);
    expect(missed).toEqual([]);
    expect(suite.emulator.requests).toEqual([]);
  } finally {
    await stack.cleanup();
  }
});

it("preview names the failing secret fields without printing their values", async () => {
  const webhookSecret = `whsec-${"Kd93".repeat(63)}-x`; // 259 characters; the API takes at most 256
  const password = "pw-Zx81\u0000-tail"; // NUL is refused
  const stack = await suite.stack(program, { env: { WEBHOOK_SECRET: webhookSecret, DB_PASSWORD: JSON.stringify(password) } });
  try {
    const failures: Record<string, string> = {};
    const subjects = {
      hook: {
        type: "WebhookEndpoint",
        args: { projectId: "prj_x", url: "https://hooks.example.com/pgbeam", secret: "env:WEBHOOK_SECRET" },
      },
      db: {
        type: "Database",
        args: { projectId: "prj_x", host: "db", port: 5432, name: "app", username: "app", password: "envjson:DB_PASSWORD" },
      },
      project: {
        type: "Project",
        args: {
          name: "p",
          orgId: suite.emulator.orgId,
          database: { host: "db", port: 5432, name: "app", username: "app", password: "envjson:DB_PASSWORD" },
        },
      },
    };
    suite.emulator.clearRequests();
    for (const [name, subject] of Object.entries(subjects)) {
      await stack.setResources({ [name]: subject });
      failures[name] = await failedPreview(stack);
    }
    expect(linesAbout(failures.hook, "hook").join("\n")).toMatch(
      /has a problem: secret: Too big: expected string to have <=256 characters/,
    );
    expect(linesAbout(failures.db, "db").join("\n")).toMatch(/has a problem: password: Invalid string/);
    expect(linesAbout(failures.project, "project").join("\n")).toMatch(/has a problem: database\.password: Invalid string/);
    const text = Object.values(failures).join("\n");
    expectNoPlaintext(
      { "preview output": text, "logged output": stack.log.join("\n") },
      {
        "webhook secret": webhookSecret,
        "webhook secret (start)": webhookSecret.slice(0, 24),
        "database password (up to its NUL)": "pw-Zx81",
        "database password (after its NUL)": "-tail",
      },
    );
    expect(suite.emulator.requests).toEqual([]);
  } finally {
    await stack.cleanup();
  }
});

it("values known only at apply time are validated once known, before the API is called", async () => {
  const stack = await suite.stack(program, { env: { DB_PASSWORD: JSON.stringify("pw-apply-Qm47") } });
  const parents = {
    project: {
      type: "Project",
      args: {
        name: "apply-time",
        orgId: suite.emulator.orgId,
        database: { host: "db", port: 5432, name: "app", username: "app", password: "envjson:DB_PASSWORD" },
      },
    },
    policy: { type: "PolicyProfile", args: { projectId: "ref:project.id", name: "read-only" } },
  };
  // The engine stops at the first resource that fails check, so each bad one gets its own run.
  const subjects = {
    // The project's creation time is in the past by the time it is known.
    agent: {
      resource: {
        type: "AgentCredential",
        args: { projectId: "ref:project.id", policyProfileId: "ref:policy.id", name: "bot", expiresAt: "ref:project.createdAt" },
      },
      failure: /resource 'agent': property expiresAt value .*has a problem: must be in the future/,
      collection: "agents",
    },
    // The project's proxy host is a host name, not an https URL.
    hook: {
      resource: { type: "WebhookEndpoint", args: { projectId: "ref:project.id", url: "ref:project.proxyHost" } },
      failure: /resource 'hook': property url value .*has a problem: must be an https:\/\/ URL/,
      collection: "webhooks",
    },
  };
  try {
    for (const [name, { resource, failure, collection }] of Object.entries(subjects)) {
      await stack.setResources({ ...parents, [name]: resource });
      suite.emulator.clearRequests();
      // In preview the value is unknown (the project does not exist yet): nothing to judge, so preview passes.
      const preview = await stack.preview();
      expect(preview.ops[name]).toBe("create");
      const up = await stack.up().then(
        () => "up succeeded",
        (error: Error) => error.message,
      );
      expect(up).toMatch(failure);
      const posts = suite.emulator.requests.filter((r) => r.method === "POST").map((r) => r.path);
      expect(posts.filter((p) => p.endsWith(`/${collection}`))).toEqual([]);
      expect(suite.emulator.objects("project")).toHaveLength(1);
      // Start the next one with nothing created, so its value is unknown in preview again.
      await stack.destroy();
      expect(leftovers(suite.emulator)).toEqual([]);
    }
  } finally {
    await stack.cleanup();
  }
});
