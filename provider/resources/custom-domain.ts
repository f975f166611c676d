import { z } from "zod";
import * as api from "../api/schemas.generated";
import { defineSpec } from "../engine/spec";
import type { Props } from "../engine/values";
import { fromApi } from "./from-api";
import { scaleAndAbove } from "./plan";

export const CustomDomainInputs = api.CreateCustomDomainRequest.extend({
  projectId: z.string().min(1),
  verify: z
    .boolean()
    .default(false)
    .describe("Opt-in: call `verify` after create (or when turned on) and wait until DNS checks out, at most `verifyTimeoutSeconds`."),
  verifyTimeoutSeconds: z.number().int().min(0).max(3600).default(300).describe("How long `verify` waits for DNS, in seconds."),
});

const rest = fromApi("CustomDomain");
const VERIFY_INTERVAL_MS = 5000;

/** The DNS records the API asks for, from a verify answer. */
function dnsRecords(response: Props): string {
  const dns = ((response.domain as Props | undefined)?.dns_instructions ?? {}) as Record<string, string>;
  return (
    `TXT ${dns.txt_host} = "${dns.txt_value}", CNAME ${dns.cname_host} → ${dns.cname_target} and ` +
    `CNAME ${dns.acme_cname_host} → ${dns.acme_cname_target}`
  );
}

/** While verification waits: the records to create now, not only when it gives up. */
function awaitingDns(response: Props, inputs: Props): string {
  return `waiting for PgBeam to verify custom domain ${String(inputs.domain)}: DNS needs ${dnsRecords(response)}`;
}

/** What DNS still lacks when verification gives up: the records the API asked for. */
function missingDns(response: Props, inputs: Props, attempts: number): string {
  return (
    `custom domain ${String(inputs.domain)} is not verified after ${attempts} check(s) over ${String(inputs.verifyTimeoutSeconds)} s` +
    `: ${String(response.error ?? "DNS records not found")}. DNS needs ${dnsRecords(response)}. ` +
    "The domain exists and is kept in state; the next `up` checks again."
  );
}

/** The spec's create, list read (paged) and delete; no update, so a new domain name replaces (unique: old first). */
export const customDomainSpec = defineSpec({
  ...rest,
  inputs: CustomDomainInputs,
  fields: { ...rest.fields, domain: ["unique"], verify: ["local"], verifyTimeoutSeconds: ["local"] },
  review: {
    replaceInvalidates:
      "a new DNS verification token (`dnsVerificationToken`): the domain serves no traffic until its TXT record is updated and verified again",
  },
  action: {
    trigger: "verify",
    onCreate: true,
    path: (outputs, id) => `${rest.itemPath(outputs, id)}/verify`,
    parse: (response) => ({ object: response.domain as Props | undefined }),
    until: {
      done: (response) => response.verified === true,
      attempts: (inputs) => 1 + Math.floor((Number(inputs.verifyTimeoutSeconds) * 1000) / VERIFY_INTERVAL_MS),
      intervalMs: VERIFY_INTERVAL_MS,
      waiting: awaitingDns,
      gaveUp: missingDns,
    },
  },
  planRules: [scaleAndAbove("custom domains")],
});
