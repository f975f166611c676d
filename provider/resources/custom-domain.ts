import { z } from "zod";
import * as api from "../api/schemas.generated";
import { defineSpec } from "../engine/spec";
import type { Props } from "../engine/values";
import { planGate } from "./explain";
import { underProject } from "./paths";

export const CustomDomainInputs = api.CreateCustomDomainRequest.extend({
  projectId: z.string().min(1),
  /** Opt-in: call `verify` after create (or when turned on) and wait until DNS checks out, at most the timeout. */
  verify: z.boolean().default(false),
  verifyTimeoutSeconds: z.number().int().min(0).max(3600).default(300),
});

const domains = underProject("domains");
const VERIFY_INTERVAL_MS = 5000;

/** What DNS still lacks when verification gives up: the records the API asked for. */
function missingDns(response: Props, inputs: Props, attempts: number): string {
  const dns = ((response.domain as Props | undefined)?.dns_instructions ?? {}) as Record<string, string>;
  return (
    `custom domain ${String(inputs.domain)} is not verified after ${attempts} check(s) over ${String(inputs.verifyTimeoutSeconds)} s` +
    `: ${String(response.error ?? "DNS records not found")}. DNS needs TXT ${dns.txt_host} = "${dns.txt_value}", ` +
    `CNAME ${dns.cname_host} → ${dns.cname_target} and CNAME ${dns.acme_cname_host} → ${dns.acme_cname_target}. ` +
    "The domain exists and is kept in state; the next `up` checks again."
  );
}

/** Create, list-read (paged), delete; no update, so a new domain name replaces (the name is unique, so old first). */
export const customDomainSpec = defineSpec({
  name: "CustomDomain",
  inputs: CustomDomainInputs,
  outputs: ["verified", "verifiedAt", "tlsCertExpiry", "dnsVerificationToken", "dnsInstructions"],
  fields: { projectId: ["path"], domain: ["unique"], verify: ["local"], verifyTimeoutSeconds: ["local"] },
  ...domains,
  read: { list: { itemsKey: "domains", paged: true } },
  action: {
    trigger: "verify",
    onCreate: true,
    path: (outputs, id) => `${domains.itemPath(outputs, id)}/verify`,
    parse: (response) => ({ object: response.domain as Props | undefined }),
    until: {
      done: (response) => response.verified === true,
      attempts: (inputs) => 1 + Math.floor((Number(inputs.verifyTimeoutSeconds) * 1000) / VERIFY_INTERVAL_MS),
      intervalMs: VERIFY_INTERVAL_MS,
      gaveUp: missingDns,
    },
  },
  explainError: planGate("custom domains"),
});
