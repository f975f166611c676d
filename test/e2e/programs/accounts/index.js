// Two organizations, two keys, one program: each explicit provider carries its own key (secret config) and
// account. `mover` lives where `moverAccount` says; `moverOrg` (default: that account's org) is its orgId. `plain`
// goes through a provider that declares no account, named by `plainProvider`.
const pulumi = require("@pulumi/pulumi");
const pgbeam = require("pulumi-pgbeam");

const config = new pulumi.Config();
const baseUrl = config.require("baseUrl");
const orgs = { a: config.require("orgA"), b: config.require("orgB") };
// Without refusal predictions, as every suite but test/e2e/refusals.test.ts: the suite counts its own API calls, and
// one of its previews (mover through key B, still in organization A) would rightly be refused by them.
const predictRefusals = false;
const providers = {
  a: new pgbeam.Provider("org-a", { apiKey: config.requireSecret("keyA"), baseUrl, account: orgs.a, predictRefusals }),
  b: new pgbeam.Provider("org-b", { apiKey: config.requireSecret("keyB"), baseUrl, account: orgs.b, predictRefusals }),
};
const plainProvider = new pgbeam.Provider(config.get("plainProvider") ?? "plain", {
  apiKey: config.requireSecret("keyA"),
  baseUrl,
  predictRefusals,
});
const database = { host: "db.internal", port: 5432, name: "app", username: "app", password: config.requireSecret("dbPassword") };
const project = (name, account, orgId = orgs[account]) =>
  new pgbeam.Project(name, { orgId, name, database }, { provider: providers[account] });

const alpha = project("alpha", "a");
const beta = project("beta", "b");
const betaPolicy = new pgbeam.PolicyProfile(
  "beta-readonly",
  { projectId: beta.id, name: "readonly", maxRows: 100 },
  { provider: providers.b },
);
const moverAccount = config.get("moverAccount") ?? "a";
const mover = project("mover", moverAccount, orgs[config.get("moverOrg") ?? moverAccount]);

// A lookup through organization B's provider: its key, never the stack's (which has none here).
const betaOrg = pgbeam.getOrganizationOutput({ id: orgs.b }, { provider: providers.b });
const plain = new pgbeam.Project("plain", { orgId: orgs.a, name: "plain", database }, { provider: plainProvider });

module.exports = {
  betaOrgId: betaOrg.id,
  plainId: plain.id,
  alphaId: alpha.id,
  betaId: beta.id,
  betaPolicyId: betaPolicy.id,
  moverId: mover.id,
};
