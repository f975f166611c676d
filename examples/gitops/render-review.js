#!/usr/bin/env node
// Renders the review text of a pull request (Markdown) from one `pulumi preview --json --show-sames
// --show-replacement-steps`, or with `--mode drift` the drift report of a `pulumi preview --refresh` of the same kind
// (exit 3 when there is drift). Run by pgbeam-ci.sh in the Pulumi project's directory (pulumi-pgbeam installed):
//   node render-review.js --stack dev --json preview.json [--status <preview exit code>] [--full review-full.md] [--mode drift]
// What it reads and why is in docs/review.md: per resource the old and new inputs (secrets masked as "[secret]"),
// the provider's replace reasons and notes (which secret inputs change, which API calls planning made), the order
// of the replacement steps (delete-first or create-first), the dependencies of every resource, the stack's outputs.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

/** Pulumi's marker for a value not known until apply. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET = "[secret]";
/** GitHub refuses comments over 65536 characters; the rest of the room is for the summary's own lines. */
const MAX_COMMENT = 60000;
const TYPE_PREFIX = "pulumi-nodejs:dynamic/pgbeam:";
/** pulumi-pgbeam's own bookkeeping (the stack's anchor): no PgBeam object, no API call, nothing to review. */
const INTERNAL_TYPE_PREFIX = "pulumi-nodejs:dynamic/pgbeam-internal:";
const REPLACEMENT_STEPS = new Set(["create-replacement", "delete-replaced"]);
/** Exit code of a drift report that found drift. */
const DRIFT_EXIT = 3;

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]} (see the header)`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  if (!args.stack || !args.json) throw new Error("--stack and --json are required");
  return args;
}

/** The program's own pulumi-pgbeam: what its resources declare (server-kept fields, what a replace invalidates). */
function installedPgbeam() {
  try {
    return createRequire(path.join(process.cwd(), "package.json"))("pulumi-pgbeam");
  } catch (error) {
    throw new Error(
      `render-review.js: cannot load pulumi-pgbeam from ${process.cwd()} (${error.message}): run it in the Pulumi project's directory after \`npm ci\``,
    );
  }
}

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
/** The user's fields: Pulumi's and the provider's own `__` keys are not theirs. */
const visible = (props) => Object.fromEntries(Object.entries(props ?? {}).filter(([key]) => !key.startsWith("__")));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const getPath = (object, dotted) => dotted.split(".").reduce((node, key) => (isObject(node) ? node[key] : undefined), object);
const nameOf = (urn) => urn.slice(urn.lastIndexOf("::") + 2);
const typeOf = (urn) => urn.split("::")[2] ?? "";
const label = (urn) => `\`${nameOf(urn)}\` (${typeOf(urn).replace(TYPE_PREFIX, "")})`;
const isStack = (urn) => !urn || urn.includes("::pulumi:pulumi:Stack::");
const plain = (message) => message.replace(/^(warning|error|info): /, "").trim();

/** Leaf values by dotted path; lists and empty objects are leaves (compared whole). */
function flatten(value, prefix = "", into = new Map()) {
  if (isObject(value) && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) flatten(item, prefix ? `${prefix}.${key}` : key, into);
  } else if (prefix) into.set(prefix, value);
  return into;
}

/** One value, readable in a table cell: lists one item a line, objects as `key: value`. */
function show(value, marker = "") {
  if (value === undefined) return "_(not set)_";
  if (value === UNKNOWN) return "_(known after apply)_";
  if (value === SECRET) return "`[secret]`";
  if (Array.isArray(value)) return value.length === 0 ? "`[]`" : value.map((item) => `${marker}${inline(item)}`).join("<br>");
  return inline(value);
}
function inline(value) {
  const text = isObject(value)
    ? Object.entries(value)
        .map(([key, item]) => `${key}: ${item === UNKNOWN ? "(known after apply)" : JSON.stringify(item)}`)
        .join(", ")
    : JSON.stringify(value).replaceAll(`"${UNKNOWN}"`, "(known after apply)");
  return `\`${text.replaceAll("|", "\\|").replaceAll("`", "'")}\``;
}
/** A list change: the items that go marked − on the left, those that come marked + on the right. */
function showListChange(before, after) {
  const mark = (items, others, sign) =>
    items.length === 0
      ? "`[]`"
      : items.map((item) => `${others.some((other) => same(other, item)) ? "" : sign}${inline(item)}`).join("<br>");
  return [mark(before, after, "− "), mark(after, before, "+ ")];
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
    const forces = replaceReasons.has(field.split(".")[0]) || replaceReasons.has(field) ? "forces replacement" : "";
    if (same(before, after)) {
      // Equal inputs, yet the server has another value: drift found by refresh, which `up` undoes.
      const actual = getPath(server, field);
      if (
        step.op !== "create" &&
        after !== SECRET &&
        after !== UNKNOWN &&
        actual !== undefined &&
        actual !== SECRET &&
        !same(actual, after)
      ) {
        rows.push([field, show(actual), show(after), "changed outside Pulumi (found by refresh); `up` sets it back"]);
      }
    } else if (after === undefined && before !== undefined && keptByServer.some((kept) => field === kept || field.startsWith(`${kept}.`))) {
      rows.push([
        field,
        show(before),
        "_(left to the server)_",
        `removed from the program: the server keeps ${show(getPath(server, field) ?? before)}; \`up\` sends nothing`,
      ]);
    } else if (after === undefined) {
      rows.push([field, show(before), "_(cleared)_", forces]);
    } else if (step.op !== "create" && Array.isArray(before) && Array.isArray(after)) {
      rows.push([field, ...showListChange(before, after), forces]);
    } else {
      rows.push([field, step.op === "create" ? "" : show(before), show(after), forces]);
    }
  }
  return rows;
}

/** Everything the sections need, read once from the preview. */
function analyse(preview, pgbeam) {
  const allSteps = (preview.steps ?? []).filter((step) => step.urn && !typeOf(step.urn).startsWith(INTERNAL_TYPE_PREFIX));
  const diagnostics = (preview.diagnostics ?? []).filter((d) => ["warning", "error", "info"].includes(d.severity));
  const notes = (urn) => diagnostics.filter((d) => d.urn === urn);
  const secretChanges = new Map();
  const calls = new Map();
  for (const d of diagnostics) {
    const secrets = d.urn && pgbeam.secretChangesIn(d.message);
    if (secrets) secretChanges.set(d.urn, [...new Set([...(secretChanges.get(d.urn) ?? []), ...secrets])]);
    const made = d.urn && pgbeam.planningCallsIn(d.message);
    if (made) calls.set(d.urn, [...(calls.get(d.urn) ?? []), ...made]);
  }
  // Delete-first replaces: the engine deletes the old object before the replace step (create-first: after).
  const deleteFirst = new Set();
  const firstReplacementStep = new Map();
  for (const step of allSteps) {
    if ((REPLACEMENT_STEPS.has(step.op) || step.op === "replace") && !firstReplacementStep.has(step.urn))
      firstReplacementStep.set(step.urn, step.op);
  }
  for (const [urn, op] of firstReplacementStep) if (op === "delete-replaced") deleteFirst.add(urn);
  // With --refresh, a resource's refresh step comes first and its planned step last: the plan is what `up` does.
  const planned = new Map();
  for (const step of allSteps)
    if (!REPLACEMENT_STEPS.has(step.op) && step.op !== "refresh" && !isStack(step.urn)) planned.set(step.urn, step);
  const steps = [...planned.values()];
  const refreshed = new Set(allSteps.filter((step) => step.op === "refresh" && !isStack(step.urn)).map((step) => step.urn)).size;
  const stackStep = allSteps.find((step) => isStack(step.urn));
  return { steps, stackStep, diagnostics, notes, secretChanges, calls, deleteFirst, refreshed };
}

/** What uses the object in this stack: resources through their inputs, stack outputs through equal values. */
function dependents(urn, analysis) {
  const step = analysis.steps.find((candidate) => candidate.urn === urn);
  const consumers = [];
  for (const other of analysis.steps) {
    const props = Object.entries(other.newState?.propertyDependencies ?? {})
      .filter(([, urns]) => urns.includes(urn))
      .map(([key]) => `\`${key}\``);
    if (props.length > 0) consumers.push(`${label(other.urn)} through ${props.join(", ")}`);
  }
  // Only what the server issued: an output that repeats an input (a parent's id) says nothing about this object.
  const inputs = step?.oldState?.inputs ?? {};
  const own = Object.fromEntries(Object.entries(visible(step?.oldState?.outputs)).filter(([key]) => !(key in inputs)));
  const stackOutputs = visible(analysis.stackStep?.oldState?.outputs ?? analysis.stackStep?.newState?.outputs);
  const traced = [];
  const secret = [];
  for (const [name, value] of Object.entries(stackOutputs)) {
    if (value === SECRET) secret.push(`\`${name}\``);
    else {
      const field = Object.keys(own).find((key) => typeof value === "string" && value.length > 0 && own[key] === value);
      if (field) traced.push(`\`${name}\` (its \`${field}\`)`);
    }
  }
  const parts = [];
  if (consumers.length > 0) parts.push(`resources ${consumers.join("; ")}`);
  if (traced.length > 0) parts.push(`stack outputs ${traced.join(", ")}`);
  // Masked in the preview, a secret output cannot be traced to what it holds: named, so the reviewer checks them.
  if (secret.length > 0) parts.push(`possibly the secret stack outputs ${secret.join(", ")} (masked: check which hold its values)`);
  return parts;
}

const ACTIONS = { create: "create", update: "update", replace: "**replace**", delete: "**delete**", read: "read", same: "no change" };

function describeStep(step, analysis, pgbeam) {
  const type = typeOf(step.urn);
  const facts = pgbeam.reviewFacts(type);
  const lines = [`#### ${label(step.urn)}: ${ACTIONS[step.op] ?? step.op}`];
  const reasons = (step.replaceReasons ?? []).map((reason) =>
    reason === "__account" ? "it moves to another PgBeam account" : `\`${reason}\` changes`,
  );
  const rows = step.op === "delete" || step.op === "same" ? [] : fieldRows(step, pgbeam.fieldsKeptByServer(type));
  const rotated =
    facts.rotationTrigger !== undefined &&
    step.op === "update" &&
    !same(getPath(step.oldState?.inputs, facts.rotationTrigger), getPath(step.newState?.inputs, facts.rotationTrigger));
  if (step.op === "replace") {
    const pending = rows.filter((row) => row[2].includes("known after apply")).map((row) => `\`${row[0]}\``);
    const order = analysis.deleteFirst.has(step.urn)
      ? "the old one is deleted, then the new one created"
      : "a new object is created, then the old one deleted";
    if (reasons.length > 0) lines.push(`Replaced because ${reasons.join(" and ")}: ${order}.`);
    else if (pending.length > 0)
      lines.push(`Replaced: ${pending.join(", ")} will only be known after apply (what it belongs to is replaced); ${order}.`);
    else lines.push(`Replaced: ${order}.`);
  }
  const invalidates = step.op === "replace" ? facts.replaceInvalidates : rotated ? facts.rotationInvalidates : undefined;
  if (invalidates) {
    lines.push(
      `**${step.op === "replace" ? "Its replace" : `Its rotation (\`${facts.rotationTrigger}\` changes)`} invalidates** ${invalidates}.`,
    );
    const users = dependents(step.urn, analysis);
    lines.push(
      users.length > 0
        ? `**Uses it in this stack:** ${users.join("; ")}.`
        : "**Uses it in this stack:** nothing else; check consumers outside the stack.",
    );
  }
  const secrets = analysis.secretChanges.get(step.urn) ?? [];
  if (secrets.length > 0)
    lines.push(
      `**Secret input${secrets.length > 1 ? "s" : ""} changing:** ${secrets.map((s) => `\`${s}\``).join(", ")} (value${secrets.length > 1 ? "s" : ""} not shown; \`up\` sends the new one).`,
    );
  if (rows.length > 0) {
    lines.push("", "| Field | From | To | |", "|---|---|---|---|", ...rows.map((row) => `| \`${row[0]}\` | ${row.slice(1).join(" | ")} |`));
  }
  for (const diagnostic of analysis.notes(step.urn).filter((d) => d.severity === "warning")) {
    const text = plain(diagnostic.message);
    lines.push("", `> ⚠️ warning: ${text.startsWith("policy impact:") ? `**${text}**` : text}`);
  }
  return lines.join("\n");
}

/** The engine's counts without pulumi-pgbeam's own bookkeeping (see INTERNAL_TYPE_PREFIX). */
function countedChanges(preview) {
  const counts = { ...(preview.changeSummary ?? {}) };
  for (const step of preview.steps ?? []) {
    if (step.urn && typeOf(step.urn).startsWith(INTERNAL_TYPE_PREFIX) && counts[step.op] > 0) counts[step.op] -= 1;
  }
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0));
}

function summary(changeSummary) {
  const order = ["create", "update", "replace", "delete", "same"];
  const names = { create: "to create", update: "to update", replace: "to replace", delete: "to delete", same: "unchanged" };
  return Object.entries(changeSummary ?? {})
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([op, count]) => `${count} ${names[op] ?? op}`)
    .join(", ");
}

/** Deletes and replaces a reviewer must not miss: stateful objects, and the window of a delete-first replace. */
function standOut(analysis, pgbeam) {
  const items = [];
  for (const step of analysis.steps) {
    const facts = pgbeam.reviewFacts(typeOf(step.urn));
    if (step.op === "delete" && facts.stateful) items.push(`${label(step.urn)} is **deleted**: clients using it stop working.`);
    if (step.op === "replace" && facts.stateful)
      items.push(`${label(step.urn)} is **replaced**: ${facts.replaceInvalidates ?? "a new object"}.`);
    if (step.op === "replace" && analysis.deleteFirst.has(step.urn)) {
      // The engine deletes first when every unique field stays as it is; a resource with unique fields deletes first
      // on any replace (its `deleteBeforeReplace` default, so that `pulumi up --replace` works); else what it belongs
      // to goes first.
      const keepsUnique =
        facts.uniqueFields.length > 0 &&
        facts.uniqueFields.every((field) => same(getPath(step.oldState?.inputs, field), getPath(step.newState?.inputs, field)));
      const why = keepsUnique
        ? `its ${facts.uniqueFields.map((field) => `\`${field}\``).join(", ")} must stay unique`
        : facts.uniqueFields.length > 0
          ? "its `deleteBeforeReplace` option, on by default where names are unique; set it `false` to create first"
          : "it goes with what it belongs to";
      items.push(
        `${label(step.urn)} is replaced **delete-first** (${why}): from its delete until the new one is created, it does not exist.`,
      );
    }
  }
  return items.length > 0 ? ["> [!CAUTION]", ...items.map((item) => `> - ${item}`)] : [];
}

function costLine(analysis) {
  const all = [...analysis.calls.values()].flat();
  const reads = analysis.refreshed > 0 ? `The refresh read each of the ${analysis.refreshed} PgBeam resources once. ` : "";
  if (all.length === 0) return `${reads}Planning these changes made no PgBeam API call.`;
  const per = [...analysis.calls].map(
    ([urn, made]) => `${label(urn)}: ${made.length} (${[...new Set(made)].map((call) => `\`${call}\``).join(", ")})`,
  );
  return `${reads}Planning these changes made ${all.length} PgBeam API call${all.length === 1 ? "" : "s"}, reads and what-if checks that change nothing: ${per.join("; ")}.`;
}

const FOOTNOTE =
  "<sub>From one `pulumi preview --json`: old and new inputs, replace reasons and the provider's notes. Secret values are never shown, " +
  "only which secret inputs change. A field left to the server is not removed by `up`. See docs/review.md.</sub>";

function render({ stack, preview, status, pgbeam, mode = "review" }) {
  const analysis = analyse(preview, pgbeam);
  const { steps, diagnostics, notes } = analysis;
  const errors = diagnostics.filter((d) => d.severity === "error");
  const failed = status !== 0;
  // The JSON lists a step for every resource (--show-sames): unchanged ones are shown only with a warning.
  const shown = steps.filter((step) => step.op !== "same" || notes(step.urn).some((d) => d.severity === "warning"));
  const drift = mode === "drift";
  const drifted = shown.filter((step) => step.op !== "same").length;
  const head = failed
    ? drift
      ? [`### ❌ PgBeam drift check of \`${stack}\` failed (exit ${status})`, "", "Drift could not be checked: fix what the errors say."]
      : [
          `### ❌ PgBeam preview of \`${stack}\` failed (exit ${status})`,
          "",
          "Nothing is applied until the preview passes: fix what the errors say and push again.",
        ]
    : drift
      ? drifted === 0
        ? [`### PgBeam drift check of \`${stack}\`: no drift`, "", "PgBeam holds what the program says."]
        : [
            `### ⚠️ PgBeam drift check of \`${stack}\`: ${drifted} resource${drifted === 1 ? "" : "s"} differ${drifted === 1 ? "s" : ""} from the program`,
            "",
            "Changed outside Pulumi (the console, the API, another tool): **From** is what PgBeam holds now, **To** what the program says. " +
              "The next `up` sets it back; to keep a change, write it into the program instead.",
          ]
      : [`### PgBeam preview of \`${stack}\`: ${summary(countedChanges(preview)) || "no resources"}`];
  if (errors.length > 0) head.push("", ...errors.map((d) => `- ❌ ${isStack(d.urn) ? "stack" : label(d.urn)}: ${plain(d.message)}`));
  const caution = standOut(analysis, pgbeam);
  if (caution.length > 0) head.push("", ...caution);
  head.push("", costLine(analysis));
  if (shown.length === 0 && !failed && !drift) head.push("", "No changes.");
  const sections = shown.map((step) => ({ step, text: describeStep(step, analysis, pgbeam) }));
  const loose = diagnostics.filter((d) => isStack(d.urn) && d.severity === "warning");
  const stackSection = loose.length > 0 ? ["", "#### Stack", ...loose.map((d) => `> ⚠️ warning: ${plain(d.message)}`)] : [];
  const full = [...head, ...sections.flatMap((s) => ["", s.text]), ...stackSection, "", FOOTNOTE].join("\n") + "\n";
  const exitCode = drift && !failed && drifted > 0 ? DRIFT_EXIT : 0;
  if (full.length <= MAX_COMMENT) return { comment: full, full, exitCode };
  // Too large for one comment: one line per changed resource, as many as fit; the full review is attached.
  const note = `The full review (${full.length} characters, over GitHub's comment limit) is attached to this workflow run: artifact \`pgbeam-review-${stack}\`.`;
  const lines = [...head, "", `> [!NOTE]\n> ${note}`, "", "| Resource | Action | Fields changed | Warnings |", "|---|---|---|---|"];
  let length = lines.join("\n").length + FOOTNOTE.length + 200;
  let listed = 0;
  // What needs a look first: deletes and replaces, then updates, then creates; by name within each.
  const priority = ["delete", "replace", "update", "create"];
  const rank = (op) => (priority.includes(op) ? priority.indexOf(op) : priority.length);
  const ordered = [...sections].sort(
    (a, b) => rank(a.step.op) - rank(b.step.op) || nameOf(a.step.urn).localeCompare(nameOf(b.step.urn), "en", { numeric: true }),
  );
  for (const { step } of ordered) {
    const fields = step.op === "delete" || step.op === "same" ? 0 : fieldRows(step, pgbeam.fieldsKeptByServer(typeOf(step.urn))).length;
    const row = `| ${label(step.urn)} | ${ACTIONS[step.op] ?? step.op} | ${fields} | ${notes(step.urn).filter((d) => d.severity === "warning").length} |`;
    if (length + row.length + 1 > MAX_COMMENT) break;
    lines.push(row);
    length += row.length + 1;
    listed++;
  }
  if (listed < sections.length) lines.push("", `… and ${sections.length - listed} more resources in the full review.`);
  return { comment: [...lines, "", FOOTNOTE].join("\n") + "\n", full, exitCode };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const status = Number(args.status ?? 0);
  let preview;
  try {
    preview = JSON.parse(fs.readFileSync(args.json, "utf8"));
  } catch (error) {
    // A preview that failed before planning prints no JSON; its messages are in the job log.
    preview = {
      steps: [],
      diagnostics: [{ severity: "error", message: `no JSON from pulumi preview (${error.message}): see the job log` }],
    };
  }
  const { comment, full, exitCode } = render({ stack: args.stack, preview, status, pgbeam: installedPgbeam(), mode: args.mode });
  if (args.full) fs.writeFileSync(args.full, full);
  process.stdout.write(comment);
  process.exitCode = exitCode;
}

if (require.main === module) main();
module.exports = { render, MAX_COMMENT };
