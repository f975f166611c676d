import type { EmulatorState, HandlerContext, Handlers } from "./context";
import { conflict, invalidInput } from "./errors";
import { newAgentUsername, newId, newToken } from "./ids";
import { assertWithinLimit } from "./organizations";
import { assertFuture, assertUnique, childResource, patchObject, requireProject } from "./resources";
import type { StoredObject } from "./store";

/** The agent gateway: policy profiles, agent credentials and webhook endpoints, all under a project. */

const policies = childResource({
  kind: "policy",
  parent: requireProject,
  parentField: "project_id",
  idParam: "policy_id",
  listKey: "policies",
});
const agents = childResource({ kind: "agent", parent: requireProject, parentField: "project_id", idParam: "agent_id", listKey: "agents" });
const webhooks = childResource({
  kind: "webhook",
  parent: requireProject,
  parentField: "project_id",
  idParam: "webhook_id",
  listKey: "webhooks",
});

/** A full `PolicyProfileInput` with the spec's defaults; the list fields the response requires default to empty. */
function policyFields(ctx: HandlerContext): Record<string, unknown> {
  const input = ctx.state.validator.withDefaults("PolicyProfileInput", ctx.body);
  return {
    ...input,
    table_allowlist: input.table_allowlist ?? [],
    table_denylist: input.table_denylist ?? [],
    masking_rules: input.masking_rules ?? [],
    row_filters: input.row_filters ?? [],
  };
}

const isRevoked = (agent: StoredObject): boolean => agent.data.status === "revoked";

/** Credentials that are not revoked; a revoked one no longer holds its policy or counts against the quota. */
function activeAgents(state: EmulatorState, filter: (agent: StoredObject) => boolean): StoredObject[] {
  return state.store.list("agent").filter((a) => !isRevoked(a) && filter(a));
}

/** The database an agent's connection string points at: the project's first primary, else its first database. */
function agentDatabaseName(state: EmulatorState, project: StoredObject): string {
  const projectDatabases = state.store.liveChildren("database", project.id);
  const primary = projectDatabases.find((d) => d.data.role === "primary") ?? projectDatabases[0];
  return primary?.data.name ?? "postgres";
}

/** New one-time secrets (`AgentCredentialSecrets`); the current ones are kept so tests can check rotation. */
function issueAgentSecrets(state: EmulatorState, agent: StoredObject): Record<string, unknown> {
  const project = state.store.find("project", agent.parentId as string) as StoredObject;
  const host: string = project.data.proxy_host;
  const password = newToken("", 32);
  const mcpToken = newToken("pba_");
  agent.secrets.password = password;
  agent.secrets.mcp_token = mcpToken;
  return {
    credential: agent.data,
    connection_string: `postgresql://${agent.data.pg_username}:${password}@${host}:5432/${encodeURIComponent(agentDatabaseName(state, project))}`,
    mcp_url: `https://${host}/mcp`,
    mcp_token: mcpToken,
  };
}

/** The spec only says "HTTPS endpoint"; plain http is refused so a provider test cannot rely on it. */
function webhookFields(ctx: HandlerContext): { data: Record<string, unknown>; secrets: Record<string, unknown> } {
  const { secret, ...input } = ctx.state.validator.withDefaults("WebhookEndpointInput", ctx.body);
  if (!/^https:\/\//i.test(input.url)) throw invalidInput("body.url: must be an https:// URL");
  return { data: { ...input, event_types: input.event_types ?? [] }, secrets: secret === undefined ? {} : { secret } };
}

export function registerAgentGatewayBehaviours(state: EmulatorState): void {
  state.store.onDelete("policy", {
    guard(policy) {
      const users = activeAgents(state, (a) => a.data.policy_profile_id === policy.id);
      if (users.length > 0) {
        throw conflict(`policy profile ${policy.id} is still referenced by agent credentials: ${users.map((a) => a.id).join(", ")}`);
      }
    },
    // Spec silent on projects whose default_policy_profile_id names it: deleting is allowed and clears that field.
    apply(policy, now) {
      policy.deleted = true;
      for (const project of state.store.list("project").filter((p) => p.data.default_policy_profile_id === policy.id)) {
        patchObject(project, { default_policy_profile_id: null }, now);
      }
    },
  });
  // DELETE revokes. With revokedAgents "visible" (the default) a revoked credential is still returned by GET and
  // list with status "revoked"; with "gone" it answers 404. Revoking twice changes nothing.
  state.store.onDelete("agent", {
    apply(agent, now) {
      if (!isRevoked(agent)) patchObject(agent, { status: "revoked" }, now);
      agent.deleted = state.revokedAgents === "gone";
    },
  });
}

export const agentGatewayHandlers: Handlers = {
  createPolicyProfile(ctx) {
    const project = requireProject(ctx);
    // Uniqueness rule (spec silent): policy names are unique within a project, checked on create only (PUT declares no 409).
    assertUnique("policy", ctx.state.store.liveChildren("policy", project.id), "name", ctx.body.name);
    return policies.respond(ctx, policies.insert(ctx, project, { data: policyFields(ctx) }), 201);
  },
  listPolicyProfiles: policies.list,
  getPolicyProfile: policies.get,
  updatePolicyProfile(ctx) {
    const policy = policies.find(ctx);
    policies.replace(ctx, policy, policyFields(ctx));
    return policies.respond(ctx, policy);
  },
  /** 409 while non-revoked agent credentials use it (see the guard above). */
  deletePolicyProfile: policies.delete,

  /**
   * Checks, in order: the policy belongs to the project (400), the org's `max_agent_credentials` quota (403, 0 =
   * unlimited), the name is free among the project's non-revoked credentials (409, the emulator's uniqueness rule),
   * `expires_at` is in the future (400).
   */
  createAgentCredential(ctx) {
    const project = requireProject(ctx);
    const policy = ctx.state.store.find("policy", ctx.body.policy_profile_id);
    if (!policy || policy.deleted || policy.parentId !== project.id) {
      throw invalidInput(`body.policy_profile_id: policy profile ${ctx.body.policy_profile_id} does not exist in project ${project.id}`);
    }
    const active = activeAgents(ctx.state, (a) => a.orgId === project.orgId).length;
    assertWithinLimit(
      ctx.state.store,
      project.orgId,
      "max_agent_credentials",
      active,
      `agent credential(s) across its projects, and it has ${active}`,
    );
    assertUnique(
      "agent",
      activeAgents(ctx.state, (a) => a.parentId === project.id),
      "name",
      ctx.body.name,
    );
    assertFuture(ctx, "expires_at", ctx.body.expires_at);
    const request = ctx.state.validator.withDefaults("CreateAgentCredentialRequest", ctx.body);
    const agent = agents.insert(ctx, project, {
      data: {
        ...request,
        pg_username: newAgentUsername(),
        status: "active",
        auth_method: "scram-sha-256",
        last_used_at: null,
        expires_at: request.expires_at ?? null,
      },
    });
    return { status: 201, body: issueAgentSecrets(ctx.state, agent) };
  },
  listAgentCredentials: agents.list,
  getAgentCredential: agents.get,
  /** Only `status` can change. A revoked credential cannot be re-activated: 400, since the spec declares no 409 here. */
  updateAgentCredentialStatus(ctx) {
    const agent = agents.find(ctx);
    if (isRevoked(agent)) throw invalidInput(`agent credential ${agent.id} is revoked; its status can no longer change`);
    patchObject(agent, { status: ctx.body.status }, ctx.state.now());
    return agents.respond(ctx, agent);
  },
  revokeAgentCredential: agents.delete,
  /** Same id, username, name and policy; new password and MCP token. */
  rotateAgentCredential(ctx) {
    const agent = agents.find(ctx);
    if (isRevoked(agent)) throw conflict(`agent credential ${agent.id} is revoked and cannot be rotated`);
    patchObject(agent, {}, ctx.state.now());
    return { status: 200, body: issueAgentSecrets(ctx.state, agent) };
  },

  createWebhookEndpoint(ctx) {
    return webhooks.respond(ctx, webhooks.insert(ctx, requireProject(ctx), webhookFields(ctx)), 201);
  },
  listWebhookEndpoints: webhooks.list,
  getWebhookEndpoint: webhooks.get,
  /** Full replace: a body without `secret` removes the signing secret, as a real row rebuilt from the body would. */
  updateWebhookEndpoint(ctx) {
    const webhook = webhooks.find(ctx);
    const { data, secrets } = webhookFields(ctx);
    webhooks.replace(ctx, webhook, data);
    webhook.secrets = secrets;
    return webhooks.respond(ctx, webhook);
  },
  deleteWebhookEndpoint: webhooks.delete,
  /** The emulator makes no outbound call: an enabled endpoint "receives" a 200, a disabled one fails. */
  testWebhookEndpoint(ctx) {
    const webhook = webhooks.find(ctx);
    const body = webhook.data.enabled
      ? { delivery_id: newId("dlv"), status: "delivered", status_code: 200 }
      : { delivery_id: newId("dlv"), status: "failed", error: "endpoint is disabled" };
    return { status: 202, body };
  },
};
