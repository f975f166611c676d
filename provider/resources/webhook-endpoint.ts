import { z } from "zod";
import * as api from "../api/schemas.generated";
import { defineSpec } from "../engine/spec";
import { fromApi } from "./from-api";

export const WebhookEndpointInputs = api.WebhookEndpointInput.extend({ projectId: z.string().min(1) });

const rest = fromApi("WebhookEndpoint");

export const webhookEndpointSpec = defineSpec({
  ...rest,
  inputs: WebhookEndpointInputs,
  // The spec's adoption match field `url` is not declared unique: the API accepts two endpoints with one URL.
  fields: { ...rest.fields, secret: ["writeOnly"] },
  // Full body every time (the spec's PUT), signing secret included: the API never returns it and a PUT without it would drop it.
});
