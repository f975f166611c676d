import { z } from "zod";
import * as api from "../api/schemas.generated";
import { defineSpec } from "../engine/spec";
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
