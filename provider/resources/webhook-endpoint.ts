import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import * as api from "../api/schemas.generated";
import { PgBeamResource, typeToken } from "../engine/dynamic";
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

/** Delivers agent-gateway events (approvals, anomalies, kill switch) to a URL, signed with `secret`. */
export class WebhookEndpoint extends PgBeamResource {
  /** What policy packs and `pulumi stack export` name this type by. */
  static readonly __pulumiType = typeToken("WebhookEndpoint");
  /** Reads an existing object of the project into the program; Pulumi never changes or deletes it. */
  static get(name: string, id: pulumi.Input<string>, parents: { projectId: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions): WebhookEndpoint {
    return new WebhookEndpoint(name, parents as WebhookEndpointArgs, { ...opts, id });
  }
  declare readonly projectId: pulumi.Output<string>;
  declare readonly url: pulumi.Output<string>;
  /** Write-only signing secret: kept in state as a secret, resent on every update. */
  declare readonly secret: pulumi.Output<string | undefined>;
  declare readonly format: pulumi.Output<Webhook["format"]>;
  declare readonly eventTypes: pulumi.Output<string[] | undefined>;
  declare readonly enabled: pulumi.Output<boolean>;
  declare readonly description: pulumi.Output<string | undefined>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly updatedAt: pulumi.Output<string>;

  constructor(name: string, args: WebhookEndpointArgs, opts?: pulumi.CustomResourceOptions) {
    super(webhookEndpointSpec, name, args, opts);
  }
}
