#!/usr/bin/env node
// Renders the review text of a pull request (Markdown) from `pulumi preview --json`, plus the raw
// `pulumi preview --diff` text. Run by pgbeam-ci.sh in the Pulumi project's directory:
//   node render-review.js --stack dev --json preview.json [--diff preview.txt] [--status <preview exit code>]
//
// What a Node dynamic provider gives a preview in Pulumi 3.248, and so what this can and cannot say:
// - per resource, the old inputs (state) and the new inputs (after the provider's check: defaults applied), the
//   old outputs (the server's values at the last up or refresh), the replace reasons from the provider's diff,
//   and the warnings attached to the resource; secrets arrive as "[secret]" on both sides;
// - no detailed diff: `--diff` shows Pulumi's own old vs new values, which shows a field left to the server as a
//   removal `up` never performs, and on a replace the server-computed outputs as removed. The tables correct the
//   first; the footer says both. (Drift found by refresh: read returns inputs, so both show it; states refreshed
//   before that have equal old and new inputs, and the tables label the server's value as drift.)
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

/** Pulumi's marker for a value not known until apply. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET = "[secret]";
/** GitHub refuses comments over 65536 characters: the raw diff is cut first. */
const MAX_COMMENT = 60000;

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]} (see the header)`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  if (!args.stack || !args.json) throw new Error("--stack and --json are required");
  return args;
}

/** The server-kept fields of a type, from the installed pulumi-pgbeam (the program's own version). */
function serverKeptFields() {
  try {
    const pgbeam = createRequire(path.join(process.cwd(), "package.json"))("pulumi-pgbeam");
    return (type) => pgbeam.fieldsKeptByServer(type);
  } catch {
    return () => [];
  }
}

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/** The user's fields: Pulumi's and the provider's own `__` keys are not theirs. */
const visible = (props) => Object.fromEntries(Object.entries(props ?? {}).filter(([key]) => !key.startsWith("__")));

/** Leaf values by dotted path; lists and empty objects are leaves (compared whole). */
function flatten(value, prefix = "", into = new Map()) {
  if (isObject(value) && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) flatten(item, prefix ? `${prefix}.${key}` : key, into);
  } else if (prefix) into.set(prefix, value);
  return into;
}

const getPath = (object, dotted) => dotted.split(".").reduce((node, key) => (isObject(node) ? node[key] : undefined), object);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function show(value) {
  if (value === undefined) return "_(not set)_";
  if (value === UNKNOWN) return "_(known after apply)_";
  if (value === SECRET) return "`[secret]`";
  const text = JSON.stringify(value).replaceAll(`"${UNKNOWN}"`, "(known after apply)").replaceAll("|", "\\|");
  return `\`${text}\``;
}

/** The rows of one resource's table: field, from, to, note. */
function fieldRows(step, keptByServer) {
  const olds = flatten(visible(step.oldState?.inputs));
  const news = flatten(visible(step.newState?.inputs));
  const server = visible(step.oldState?.outputs);
  const replaceReasons = new Set(step.replaceReasons ?? []);
  const rows = [];
  for (const field of [...new Set([...olds.keys(), ...news.keys()])].sort()) {
    const before = olds.get(field);
    const after = news.get(field);
    const top = field.split(".")[0];
    const forces = replaceReasons.has(top) || replaceReasons.has(field) ? "forces replacement" : "";
    if (same(before, after)) {
      // Equal inputs, yet the server has another value: drift found by refresh, which `up` undoes.
      const actual = getPath(server, field);
      if (step.op !== "create" && after !== SECRET && after !== UNKNOWN && actual !== undefined && actual !== SECRET && !same(actual, after)) {
        rows.push([field, show(actual), show(after), "changed outside Pulumi (found by refresh); `up` sets it back"]);
      }
    } else if (after === undefined && before !== undefined && keptByServer.some((kept) => field === kept || field.startsWith(`${kept}.`))) {
      rows.push([field, show(before), "_(left to the server)_", `removed from the program: the server keeps ${show(getPath(server, field) ?? before)}; \`up\` sends nothing`]);
    } else if (after === undefined) {
      rows.push([field, show(before), "_(cleared)_", forces]);
    } else {
      rows.push([field, step.op === "create" ? "" : show(before), show(after), forces]);
    }
  }
  return rows;
}

const ACTIONS = { create: "create", update: "update", replace: "**replace**", delete: "**delete**", read: "read", same: "no change" };

function describeStep(step, diagnostics, keptByServer) {
  const [type, name] = [step.urn.split("::")[2], step.urn.split("::").pop()];
  const shortType = type.replace(/^pulumi-nodejs:dynamic\/pgbeam:/, "");
  const lines = [`#### \`${name}\` (${shortType}): ${ACTIONS[step.op] ?? step.op}`];
  const reasons = (step.replaceReasons ?? []).map((reason) => (reason === "__account" ? "it moves to another PgBeam account" : `\`${reason}\` changes`));
  const rows = step.op === "delete" || step.op === "same" ? [] : fieldRows(step, keptByServer(type));
  if (step.op === "replace") {
    const pending = rows.filter((row) => row[2].includes("known after apply")).map((row) => `\`${row[0]}\``);
    if (reasons.length > 0) lines.push(`Replaced because ${reasons.join(" and ")}: a new object is created and the old one deleted.`);
    else if (pending.length > 0) lines.push(`Replaced: ${pending.join(", ")} will only be known after apply (what it belongs to is replaced).`);
    else lines.push("Replaced: a new object is created and the old one deleted.");
  }
  if (rows.length > 0) {
    lines.push("", "| Field | From | To | |", "|---|---|---|---|", ...rows.map((row) => `| \`${row[0]}\` | ${row.slice(1).join(" | ")} |`));
  } else if (step.op === "update") {
    lines.push("No field change is visible: a secret input changed (secrets are masked on both sides).");
  }
  for (const diagnostic of diagnostics) {
    const text = diagnostic.message.replace(/^(warning|error): /, "").trim();
    const marker = diagnostic.severity === "error" ? "❌ error" : "⚠️ warning";
    lines.push("", `> ${marker}: ${text.startsWith("policy impact:") ? `**${text}**` : text}`);
  }
  return lines.join("\n");
}

function summary(changeSummary) {
  const order = ["create", "update", "replace", "delete", "same"];
  const label = { create: "to create", update: "to update", replace: "to replace", delete: "to delete", same: "unchanged" };
  return Object.entries(changeSummary ?? {})
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([op, count]) => `${count} ${label[op] ?? op}`)
    .join(", ");
}

const FOOTNOTE = [
  "<sub>From `pulumi preview --json`: each resource's old and new inputs (as the provider checked them, defaults",
  "applied), the server's values at the last `up` or `refresh`, the provider's replace reasons and the warnings",
  "attached to the resource. Secrets are masked (`[secret]`); a change to one cannot be shown. PgBeam resources are",
  "Node dynamic providers, which send Pulumi no detailed diff, so the `--diff` text below is Pulumi's own",
  "old-vs-new values: it shows a field left to the server as a removal that `up` never performs, and on a replace",
  "the server-computed values (status, timestamps, one-time secrets) as removed, though the new object gets its",
  "own. The tables above give the truth.</sub>",
].join("\n");

function render({ stack, preview, diffText, status }) {
  const isStack = (urn) => !urn || urn.includes("::pulumi:pulumi:Stack::");
  const steps = (preview.steps ?? []).filter((step) => !isStack(step.urn));
  const diagnostics = (preview.diagnostics ?? []).filter((d) => d.severity === "warning" || d.severity === "error");
  const forResource = (urn) => diagnostics.filter((d) => d.urn === urn);
  // The JSON lists no step for most unchanged resources: one with a warning still gets its section.
  const unchangedWithWarnings = [...new Set(diagnostics.map((d) => d.urn))]
    .filter((urn) => !isStack(urn) && !steps.some((step) => step.urn === urn))
    .map((urn) => ({ op: "same", urn }));
  const shown = [...steps.filter((step) => step.op !== "same" || forResource(step.urn).length > 0), ...unchangedWithWarnings];
  const out = [`### PgBeam preview of \`${stack}\`: ${summary(preview.changeSummary) || "no resources"}`];
  if (status !== 0) out.push("", `**The preview failed (exit ${status}).** Nothing below will be applied until it passes.`);
  if (shown.length === 0 && status === 0) out.push("", "No changes.");
  const keptByServer = serverKeptFields();
  for (const step of shown) out.push("", describeStep(step, forResource(step.urn), keptByServer));
  const loose = diagnostics.filter((d) => isStack(d.urn));
  if (loose.length > 0) {
    out.push("", "#### Stack", ...loose.map((d) => `> ${d.severity === "error" ? "❌ error" : "⚠️ warning"}: ${d.message.replace(/^(warning|error): /, "").trim()}`));
  }
  out.push("", FOOTNOTE);
  let text = out.join("\n");
  if (diffText !== undefined) {
    const room = MAX_COMMENT - text.length - 200;
    const body = diffText.length > room ? `${diffText.slice(0, Math.max(0, room))}\n… (cut: see the job log)` : diffText;
    text += `\n\n<details><summary><code>pulumi preview --diff</code></summary>\n\n\`\`\`\n${body.replaceAll("```", "``\u200b`")}\n\`\`\`\n</details>`;
  }
  return `${text}\n`;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const status = Number(args.status ?? 0);
  let preview;
  try {
    preview = JSON.parse(fs.readFileSync(args.json, "utf8"));
  } catch (error) {
    // A preview that failed before planning prints no JSON; its messages are in the --diff text.
    preview = { steps: [], diagnostics: [{ severity: "error", message: `no JSON from pulumi preview (${error.message})` }] };
  }
  const diffText = args.diff ? fs.readFileSync(args.diff, "utf8") : undefined;
  process.stdout.write(render({ stack: args.stack, preview, diffText, status }));
}

if (require.main === module) main();
module.exports = { render };
