import { resourceClass } from "../engine/dynamic";
import { webhookEndpointSpec } from "../resources/webhook-endpoint";
import type { WebhookEndpointInput, WebhookEndpointOutputs } from "./types.generated";
import type { ResourceArgs } from "./types";

export type { WebhookEndpointOutputs };
export type WebhookEndpointArgs = ResourceArgs<WebhookEndpointInput>;
/** Delivers agent-gateway events (approvals, anomalies, kill switch) to a URL, signed with the write-only `secret`. */
export const WebhookEndpoint = resourceClass<WebhookEndpointArgs, WebhookEndpointOutputs, "projectId">(webhookEndpointSpec);
export type WebhookEndpoint = InstanceType<typeof WebhookEndpoint>;
