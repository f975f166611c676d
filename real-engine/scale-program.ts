/** What a caller adds to every project of the stack, and how the projects are named. */
export interface ScaleVariant {
  /** Projects are named `${namePrefix}-${i}` (default `scale`). */
  namePrefix?: string;
  /** Added to every project's arguments. */
  projectArgs?: Record<string, unknown>;
  /** Added to every policy's arguments. */
  policyArgs?: Record<string, unknown>;
}

/**
 * A stack of `projects` × 5 resources (project, policy, agent credential, webhook, database), for the
 * rate-limit-at-scale and interrupted-run tests and the benchmark: 40 projects make 200 resources.
 */
export function scaleProgram(projects: number, orgId: string, variant: ScaleVariant = {}): Record<string, { type: string; args: unknown }> {
  const resources: Record<string, { type: string; args: unknown }> = {};
  for (let i = 0; i < projects; i++) {
    resources[`p${i}`] = {
      type: "Project",
      args: {
        name: `${variant.namePrefix ?? "scale"}-${i}`,
        orgId,
        ...variant.projectArgs,
        database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "env:PASSWORD" },
      },
    };
    resources[`pol${i}`] = { type: "PolicyProfile", args: { projectId: `ref:p${i}.id`, name: "read-only", ...variant.policyArgs } };
    resources[`agent${i}`] = {
      type: "AgentCredential",
      args: { projectId: `ref:p${i}.id`, policyProfileId: `ref:pol${i}.id`, name: "bot" },
    };
    resources[`hook${i}`] = {
      type: "WebhookEndpoint",
      args: { projectId: `ref:p${i}.id`, url: "https://hooks.example.com/s", secret: "env:WEBHOOK_SECRET" },
    };
    resources[`db${i}`] = {
      type: "Database",
      args: {
        projectId: `ref:p${i}.id`,
        host: "replica.internal",
        port: 5432,
        name: "app",
        username: "ro",
        password: "env:PASSWORD",
        role: "replica",
      },
    };
  }
  return resources;
}

export const SCALE_SECRETS = { PASSWORD: "pw-scale-Rk40", WEBHOOK_SECRET: "whsec-scale-Mz17" };
