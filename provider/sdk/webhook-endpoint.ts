import { resourceClass } from "../engine/dynamic";
import { webhookEndpointSpec } from "../resources/webhook-endpoint";
import type { WebhookEndpointInput, WebhookEndpointInputValues } from "./inputs.generated";
import type { ObjectTimestamps, ResourceArgs } from "./types";

export type WebhookEndpointArgs = ResourceArgs<WebhookEndpointInput>;
type Webhook = WebhookEndpointInputValues;

/** A webhook endpoint as the program sees it once created. */
interface WebhookEndpointOutputs extends ObjectTimestamps {
  projectId: string;
  url: string;
  /** Write-only signing secret: kept in state as a secret, resent on every update. */
  secret: string | undefined;
  format: Webhook["format"];
  eventTypes: string[] | undefined;
  enabled: boolean;
  description: string | undefined;
}

/** Delivers agent-gateway events (approvals, anomalies, kill switch) to a URL, signed with `secret`. */
export const WebhookEndpoint = resourceClass<WebhookEndpointArgs, WebhookEndpointOutputs, "projectId">(webhookEndpointSpec);
export type WebhookEndpoint = InstanceType<typeof WebhookEndpoint>;
