import { z } from "zod";
import * as api from "../api/schemas.generated";
import { type ObjectTimestamps, resourceClass } from "../engine/dynamic";
import { defineSpec } from "../engine/spec";
import type { ResourceArgs } from "../engine/types";
import { underProject } from "./paths";

export const WebhookEndpointInputs = api.WebhookEndpointInput.extend({ projectId: z.string().min(1) });

export const webhookEndpointSpec = defineSpec({
  name: "WebhookEndpoint",
  inputs: WebhookEndpointInputs,
  outputs: [],
  fields: { projectId: ["path", "replace"], secret: ["writeOnly"] },
  ...underProject("webhooks"),
  // Full body every time, signing secret included: the API never returns it and a PUT without it would drop it.
  update: { method: "PUT" },
});

export type WebhookEndpointArgs = ResourceArgs<typeof WebhookEndpointInputs>;
type Webhook = z.output<typeof api.WebhookEndpointInput>;

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
