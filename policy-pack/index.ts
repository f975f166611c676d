/**
 * Guardrails for stacks that use pulumi-pgbeam, checked by `pulumi preview --policy-pack <this dir>` before
 * anything changes. Resources are matched by their type token (`pulumi-nodejs:dynamic/pgbeam:<Type>`), so the
 * pack needs nothing but @pulumi/policy. "Production" means a stack whose name matches `productionStacks`
 * (a regular expression, default `^prod`), settable per policy with `--policy-pack-config`.
 */
import { PolicyPack, type PolicyConfigSchema, type PolicyResource } from "@pulumi/policy";

const pgbeamType = (name: string) => `pulumi-nodejs:dynamic/pgbeam:${name}`;

const productionConfig: PolicyConfigSchema = {
  properties: { productionStacks: { type: "string", default: "^prod" } },
};

/** The stack a resource belongs to, from its URN: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
function isProduction(urn: string, config: { productionStacks: string }): boolean {
  const stack = urn.split("::")[0].split(":").slice(2).join(":");
  return new RegExp(config.productionStacks).test(stack);
}

/** The PolicyProfile of this stack an AgentCredential's `policyProfileId` comes from, if it comes from one. */
function boundProfile(credential: PolicyResource, resources: PolicyResource[]): PolicyResource | undefined {
  const fromOutput = (credential.propertyDependencies.policyProfileId ?? []).find((r) => r.type === pgbeamType("PolicyProfile"));
  if (fromOutput) return fromOutput;
  const id = credential.props.policyProfileId;
  return resources.find((r) => r.type === pgbeamType("PolicyProfile") && r.props.id !== undefined && r.props.id === id);
}

new PolicyPack("pgbeam-guardrails", {
  enforcementLevel: "mandatory",
  policies: [
    {
      name: "pgbeam-prod-project-network",
      description: "A production project restricts who may connect (allowedCidrs) and where its data lives (residency us or eu).",
      configSchema: productionConfig,
      validateResource: (args, reportViolation) => {
        if (args.type !== pgbeamType("Project") || !isProduction(args.urn, args.getConfig())) return;
        const cidrs = args.props.allowedCidrs;
        if (!Array.isArray(cidrs) || cidrs.length === 0) {
          reportViolation(`Project "${args.name}" sets no allowedCidrs: in production every network may connect. List the CIDRs that may.`);
        }
        if (args.props.residency !== "us" && args.props.residency !== "eu") {
          reportViolation(
            `Project "${args.name}" has residency "${args.props.residency ?? "any"}": production data must stay in one region (set residency "us" or "eu").`,
          );
        }
      },
    },
    {
      name: "pgbeam-prod-agent-read-only",
      description: "In production, agent credentials use a read_only PolicyProfile of the same stack.",
      configSchema: productionConfig,
      validateStack: (args, reportViolation) => {
        const config = args.getConfig<{ productionStacks: string }>();
        for (const credential of args.resources.filter((r) => r.type === pgbeamType("AgentCredential"))) {
          if (!isProduction(credential.urn, config)) continue;
          const profile = boundProfile(credential, args.resources);
          if (!profile) {
            reportViolation(
              `AgentCredential "${credential.name}" uses a policy profile that is not a PolicyProfile of this stack, so read-only access cannot be verified.`,
              credential.urn,
            );
          } else if (profile.props.accessMode !== "read_only") {
            reportViolation(
              `AgentCredential "${credential.name}" uses PolicyProfile "${profile.name}" with accessMode "${profile.props.accessMode}": production agents must be read_only.`,
              credential.urn,
            );
          }
        }
      },
    },
    {
      // https is already refused by the provider's own check(); what it cannot require is a signature.
      name: "pgbeam-webhook-signed",
      description: "Webhook endpoints sign their deliveries, so receivers can reject forged events.",
      validateResource: (args, reportViolation) => {
        if (args.type !== pgbeamType("WebhookEndpoint")) return;
        if (!args.props.secret)
          reportViolation(`WebhookEndpoint "${args.name}" sets no signing secret: receivers cannot tell its events from forged ones.`);
      },
    },
    {
      name: "pgbeam-policy-expectations",
      description: "Every PolicyProfile declares at least one expectation, so a change that breaks it fails the preview.",
      // Advisory: a profile without expectations is not unsafe, and forcing one yields token statements; the warning
      // shows in every preview and review. Make it mandatory with `enforcementLevel` in a --policy-pack-config file.
      enforcementLevel: "advisory",
      validateResource: (args, reportViolation) => {
        if (args.type !== pgbeamType("PolicyProfile")) return;
        const expectations = args.props.expectations;
        if (!Array.isArray(expectations) || expectations.length === 0) {
          reportViolation(`PolicyProfile "${args.name}" declares no expectations: add at least one { sql, decision } it must keep.`);
        }
      },
    },
  ],
});
