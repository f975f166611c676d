import { once } from "node:events";
import { createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import * as net from "node:net";
import { type ClientOptions, PgBeamClient } from "../../provider/client/client";
import { resolveClientOptions } from "../../provider/client/config";
import { isPgBeamApiError, PgBeamApiError } from "../../provider/client/errors";
import { backoffDelay, type Clock, DEFAULT_RETRY_POLICY, parseRetryAfter, retryAfterDelay } from "../../provider/client/retry";
import { SharedThrottle } from "../../provider/client/throttle";
import { PROGRESS_INTERVAL_MS, retryProgress } from "../../provider/engine/progress";
import { type Emulator, startEmulator } from "../../emulator";
import { TokenBuckets } from "../../emulator/rate-limit";
import { UNTRUSTED_CERT, UNTRUSTED_KEY } from "./untrusted-tls";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.clearRequests();
  emulator.clearFaults();
});

/** Real time plus every wait, which is recorded instead of slept: retries run in virtual time, fast and exact. */
function virtualClock(): Clock & { waits: number[] } {
  let offset = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => Date.now() + offset,
    sleep: async (ms) => {
      waits.push(ms);
      offset += ms;
    },
  };
}

/** A client in virtual time with its own throttle (so tests do not slow each other down). */
function clientWithRecordedWaits(overrides: Partial<ConstructorParameters<typeof PgBeamClient>[0]> = {}, clock = virtualClock()) {
  const client = new PgBeamClient({
    apiKey: emulator.apiKey,
    baseUrl: emulator.url,
    clock,
    throttle: new SharedThrottle(clock),
    ...overrides,
  });
  return { client, waits: clock.waits, clock };
}

const projectBody = (name: string) => ({
  name,
  org_id: emulator.orgId,
  database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "s3cret-pw" },
});

async function rejection(promise: Promise<unknown>): Promise<PgBeamApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isPgBeamApiError(error)) throw new Error(`expected a PgBeamApiError, got ${String(error)}`);
  return error;
}

describe("requests", () => {
  it("sends bearer auth, a versioned User-Agent and JSON, and parses the answer", async () => {
    const { client } = clientWithRecordedWaits();
    const orgs = await client.get<{ organizations: { id: string }[] }>("/v1/organizations");
    expect(orgs.organizations.map((o) => o.id)).toContain(emulator.orgId);
    const [request] = emulator.requests;
    expect(request.headers.authorization).toBe(`Bearer ${emulator.apiKey}`);
    expect(request.headers["user-agent"]).toMatch(/^pulumi-pgbeam\/\d+\.\d+\.\d+/);
  });

  it("sends one UUID v4 Idempotency-Key per POST/PATCH call, none on GET/PUT/DELETE", async () => {
    const { client } = clientWithRecordedWaits();
    const created = await client.post<{ project: { id: string } }>("/v1/projects", projectBody("idem-a"));
    await client.patch(`/v1/projects/${created.project.id}`, { description: "x" });
    await client.get(`/v1/projects/${created.project.id}`);
    await client.delete(`/v1/projects/${created.project.id}`);
    const keys = emulator.requests.map((r) => r.headers["idempotency-key"]);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keys[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys.slice(2)).toEqual([undefined, undefined]);
  });

  it("follows next_page_token to the end", async () => {
    const { client } = clientWithRecordedWaits();
    const org = "org_paging";
    emulator.addOrganization(org, { plan: "enterprise" }); // room for 105 projects
    for (let i = 0; i < 105; i++) {
      await client.post("/v1/projects", { ...projectBody(`paged-${i}`), org_id: org });
    }
    emulator.clearRequests();
    const all = await client.listAll<{ name: string }>("/v1/projects", "projects", { org_id: org });
    expect(all).toHaveLength(105);
    expect(new Set(all.map((p) => p.name)).size).toBe(105);
    expect(emulator.requests.filter((r) => r.method === "GET")).toHaveLength(2);
  });

  it("a success answer that is not JSON (a web page at the base URL) fails naming method, path and the setting", async () => {
    const server = createServer((_request, response) =>
      response.writeHead(200, { "content-type": "text/html" }).end("<html>Welcome</html>"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const { client } = clientWithRecordedWaits({ baseUrl: `http://127.0.0.1:${port}` });
      const error = await rejection(client.get("/v1/projects/prj_1"));
      expect([error.status, error.attempts, error.message]).toEqual([
        200,
        1,
        'PgBeam API GET /v1/projects/prj_1 failed with 200: the answer is not JSON (it begins "<html>Welcome</html>"): check that pgbeam:baseUrl is the PgBeam API',
      ]);
    } finally {
      server.close();
    }
  });
});

describe("retries", () => {
  it.each([408, 429, 502, 503, 504])("retries %i and succeeds, reusing the idempotency key", async (status) => {
    const { client, waits } = clientWithRecordedWaits();
    emulator.inject({ method: "POST", path: "/v1/projects", status, times: 2 });
    const created = await client.post<{ project: { id: string } }>("/v1/projects", projectBody(`retry-${status}`));
    expect(created.project.id).toMatch(/^prj_[0-9a-z]{26}$/);
    const posts = emulator.requests.filter((r) => r.method === "POST");
    expect(posts.map((r) => r.status)).toEqual([status, status, 201]);
    expect(new Set(posts.map((r) => r.headers["idempotency-key"])).size).toBe(1);
    // One backoff per retry (a 429 also pauses the shared throttle, which may add a wait of its own).
    expect(waits.length).toBeGreaterThanOrEqual(2);
  });

  it("never retries a 500", async () => {
    const { client, waits } = clientWithRecordedWaits();
    emulator.inject({ method: "GET", path: "/v1/organizations", status: 500, times: 3 });
    const error = await rejection(client.get("/v1/organizations"));
    expect(error.status).toBe(500);
    expect(error.code).toBe("INTERNAL_ERROR");
    expect(emulator.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("never retries a 4xx other than 408/429, and says what failed and why", async () => {
    const { client } = clientWithRecordedWaits();
    await client.post("/v1/projects", projectBody("dup"));
    const error = await rejection(client.post("/v1/projects", projectBody("dup")));
    expect(error.status).toBe(409);
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/^PgBeam API POST \/v1\/projects failed with 409 CONFLICT: .+/);
    expect(emulator.requests.filter((r) => r.method === "POST")).toHaveLength(2);
  });

  it("honours Retry-After in seconds and as an HTTP-date, adding jitter on top", async () => {
    const { client, waits } = clientWithRecordedWaits();
    emulator.inject({ path: "/v1/organizations", status: 429, retryAfter: "2" });
    emulator.inject({ path: "/v1/organizations", status: 503, retryAfter: new Date(Date.now() + 8000).toUTCString() });
    await client.get("/v1/organizations");
    const [afterThrottle, afterOutage] = waits.filter((ms) => ms > 1000);
    expect(afterThrottle).toBeGreaterThanOrEqual(2000);
    expect(afterThrottle).toBeLessThanOrEqual(2500);
    // The date is 8 s after injection, and virtual time has moved on by the first wait (2–2.5 s).
    expect(afterOutage).toBeGreaterThan(4000);
    expect(afterOutage).toBeLessThanOrEqual(6000 * 1.25);
  });

  it("does not wait out a Retry-After beyond the call's budget: fails at once, saying so", async () => {
    const { client, waits } = clientWithRecordedWaits();
    emulator.inject({ path: "/v1/organizations", status: 429, retryAfter: "3600" });
    const error = await rejection(client.get("/v1/organizations"));
    expect(error.status).toBe(429);
    expect(error.message).toContain("retry after 3600 s");
    expect(error.message).toContain("110 s retry budget");
    expect(waits).toEqual([]);
  });

  it("retries a dropped connection; a POST whose answer was lost is replayed, not repeated", async () => {
    const { client } = clientWithRecordedWaits();
    emulator.inject({ method: "POST", path: "/v1/projects", drop: "after" });
    const answer = await client.send<{ project: { id: string } }>("POST", "/v1/projects", { body: projectBody("lost-answer") });
    const named = emulator.objects("project").filter((o) => o.data.name === "lost-answer");
    expect(named.map((o) => o.id)).toEqual([answer.body.project.id]);
    expect(answer.replayed).toBe(true);
    expect(emulator.requests.filter((r) => r.method === "POST").map((r) => r.replayed ?? false)).toEqual([false, true]);
  });

  it("sends a given idempotency key, and says when the API answered from its cache", async () => {
    const { client } = clientWithRecordedWaits();
    const key = "5b0c1e0f-3c1d-4a56-9e8f-0123456789ab";
    const first = await client.send<{ project: { id: string } }>("POST", "/v1/projects", {
      body: projectBody("keyed"),
      idempotencyKey: key,
    });
    const again = await client.send<{ project: { id: string } }>("POST", "/v1/projects", {
      body: projectBody("keyed"),
      idempotencyKey: key,
    });
    expect([first.replayed, again.replayed]).toEqual([false, true]);
    expect(again.body.project.id).toBe(first.body.project.id);
    expect(emulator.requests.map((r) => r.headers["idempotency-key"])).toEqual([key, key]);
  });

  it("retries by time, not by count: even with the longest jitter, 16 failures in a row (a 100 s outage) are ridden out", async () => {
    // Jitter fixed at its maximum: how many failures fit in the budget must not depend on Math.random.
    const { client, waits } = clientWithRecordedWaits({ random: () => 1 });
    emulator.inject({ path: "/v1/organizations", status: 503, times: 16 });
    await client.get("/v1/organizations");
    expect(emulator.requests.map((r) => r.status)).toEqual([...Array(16).fill(503), 200]);
    // 0.5 + 1 + 2 + 4 s of backoff, then 12 waits at the 8 s cap: the 17th attempt starts at 103.5 s, inside 110 s.
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBe(103_500);
  });

  it("a backoff that oversleeps the deadline (a loaded machine's timers) gives up as the budget, not as throttling", async () => {
    const clock = virtualClock();
    const { client } = clientWithRecordedWaits({}, { ...clock, sleep: (ms) => clock.sleep(ms + 200_000) });
    emulator.inject({ path: "/v1/organizations", status: 503 });
    const error = await rejection(client.get("/v1/organizations"));
    expect(error.attempts).toBe(1);
    expect(error.message).toMatch(/\(1 attempt in 200\.\d s; gave up: the 110 s retry budget ran out \(pgbeam:callBudgetMs\)\)$/);
  });

  /** A client on the real clock with short timeouts, for answers the emulator holds back. */
  const clientWithTimeouts = (timeouts: Pick<ClientOptions, "attemptTimeoutMs" | "callBudgetMs" | "retry">) =>
    new PgBeamClient({ apiKey: emulator.apiKey, baseUrl: emulator.url, throttle: new SharedThrottle(), ...timeouts });

  it("an attempt cut short by the budget says so, not the configured attempt timeout", async () => {
    const client = clientWithTimeouts({ attemptTimeoutMs: 15_000, callBudgetMs: 300 });
    emulator.inject({ path: "/v1/organizations", delayMs: 2000, times: 1 });
    const error = await rejection(client.get("/v1/organizations"));
    expect(error.message).toMatch(/^.*no response within 300 ms, all that was left of the retry budget \(1 attempt in \d+\.\d s; gave up/);
  });

  it("gives up within the call budget when every attempt times out", async () => {
    const client = clientWithTimeouts({ attemptTimeoutMs: 150, callBudgetMs: 700, retry: { baseDelayMs: 10, maxDelayMs: 20 } });
    emulator.inject({ path: "/v1/organizations", delayMs: 1000, times: 50 });
    const started = Date.now();
    const error = await rejection(client.get("/v1/organizations"));
    const elapsed = Date.now() - started;
    expect(error.status).toBe(0);
    expect(error.message).toMatch(
      /no response within (150 ms|\d+ ms, all that was left of the retry budget) \(\d+ attempts in \d+\.\d s; gave up: the 0\.7 s retry budget ran out \(pgbeam:callBudgetMs\)\)$/,
    );
    // Riding out all 50 slow answers would take 7.5 s or more; the slack is for a loaded machine's timers.
    expect(elapsed).toBeLessThan(3000);
    expect(error.attempts).toBeGreaterThanOrEqual(2);
  });
});

describe("outages, in virtual time (emulator and client share the clock)", () => {
  let outage: Emulator;
  const clock = virtualClock();
  beforeAll(async () => {
    outage = await startEmulator({ clock: clock.now });
  });
  afterAll(() => outage.stop());
  const client = () => new PgBeamClient({ apiKey: outage.apiKey, baseUrl: outage.url, clock, throttle: new SharedThrottle(clock) });

  it("rides out a 90 s outage within one call", async () => {
    outage.inject({ path: "/v1/organizations", status: 503, forMs: 90_000 });
    const started = clock.now();
    await client().get("/v1/organizations");
    const elapsed = clock.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(90_000);
    expect(elapsed).toBeLessThan(110_000);
    expect(outage.requests.at(-1)?.status).toBe(200);
  });

  it("gives up on an API that stays down within 2 minutes, saying how long, how many attempts, and the last status", async () => {
    outage.clearRequests();
    outage.inject({ path: "/v1/organizations", status: 503, forMs: 600_000 });
    const started = clock.now();
    const error = await rejection(client().get("/v1/organizations"));
    const elapsed = clock.now() - started;
    expect(elapsed).toBeLessThan(120_000);
    expect(error.status).toBe(503);
    expect(error.attempts).toBe(outage.requests.length);
    expect(error.message).toMatch(
      new RegExp(
        `failed with 503 INTERNAL_ERROR: injected fault: HTTP 503 \\(${error.attempts} attempts in 1\\d\\d\\.\\d s; gave up: the 110 s retry budget ran out \\(pgbeam:callBudgetMs\\)\\)$`,
      ),
    );
    outage.clearFaults();
  });

  it("while it rides out an outage, the user is told as it happens: at the first retry, then at most every 20 s", async () => {
    outage.clearRequests();
    outage.inject({ path: "/v1/organizations", status: 503, forMs: 90_000 });
    const shown: { at: number; message: string }[] = [];
    const started = clock.now();
    const diagnostics = { info: async (message: string) => void shown.push({ at: clock.now() - started, message }), warn: async () => {} };
    await client().reportingRetries(retryProgress(diagnostics)).get("/v1/organizations");
    expect(shown[0]).toEqual({
      at: expect.any(Number),
      message: expect.stringMatching(
        /^PgBeam API GET \/v1\/organizations: the API answered 503 INTERNAL_ERROR \(injected fault: HTTP 503\); retrying in 0\.\d s \(attempt 2, 0(\.\d)? s of the 110 s retry budget spent; pgbeam:callBudgetMs sets it\)$/,
      ),
    });
    expect(shown[0].at).toBeLessThan(1000);
    const gaps = shown.slice(1).map((entry, i) => entry.at - shown[i].at);
    expect(gaps.every((gap) => gap >= PROGRESS_INTERVAL_MS)).toBe(true);
    // About 16 retries over 90 s, shown 4 or 5 times; the last says how far into the budget the call is.
    expect(outage.requests.length).toBeGreaterThan(shown.length * 2);
    expect(shown.length).toBeGreaterThanOrEqual(4);
    expect(shown.at(-1)!.message).toMatch(/\(attempt \d+, (6|7|8)\d(\.\d)? s of the 110 s retry budget spent/);
  });

  it("rides out a server that accepts connections and drops them for 60 s: an outage, not a wrong URL", async () => {
    outage.clearRequests();
    outage.inject({ path: "/v1/organizations", drop: "before", forMs: 60_000 });
    const started = clock.now();
    await client().get("/v1/organizations");
    expect(clock.now() - started).toBeGreaterThanOrEqual(60_000);
    expect(outage.requests.at(-1)?.status).toBe(200);
  });

  it("the budget is configurable", async () => {
    outage.inject({ path: "/v1/organizations", status: 503, forMs: 600_000 });
    const shortBudget = new PgBeamClient({
      apiKey: outage.apiKey,
      baseUrl: outage.url,
      clock,
      callBudgetMs: 20_000,
      throttle: new SharedThrottle(clock),
    });
    const started = clock.now();
    const error = await rejection(shortBudget.get("/v1/organizations"));
    expect(clock.now() - started).toBeLessThan(20_000);
    expect(error.message).toContain("the 20 s retry budget ran out");
    outage.clearFaults();
  });
});

describe("a base URL that cannot be reached", () => {
  /** A local port nothing listens on: connections to it are refused. */
  async function refusingUrl(): Promise<string> {
    const server = net.createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return `http://127.0.0.1:${port}`;
  }
  const viaConfig = (values: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
    resolveClientOptions({ get: (key) => ({ "pgbeam:apiKey": "pbu_x", ...values })[key] }, env);

  it("refusing connections fails within 15 s, naming the URL and the setting it came from", async () => {
    const url = await refusingUrl();
    const clock = virtualClock();
    const client = new PgBeamClient({
      ...viaConfig({ "pgbeam:baseUrl": url }),
      clock,
      throttle: new SharedThrottle(clock),
      random: () => 0,
    });
    const shown: string[] = [];
    const started = clock.now();
    const error = await rejection(
      client.reportingRetries(retryProgress({ info: async (m) => void shown.push(m), warn: async () => {} })).get("/v1/organizations"),
    );
    // With the shortest jitter the most attempts fit: 0.25 + 0.5 + 1 + 2 + 4 + 4 s of backoff, the next would pass 15 s.
    expect(clock.now() - started).toBeLessThan(15_000);
    expect(error.status).toBe(0);
    expect(error.attempts).toBe(7);
    expect(error.message).toMatch(
      new RegExp(
        `failed: could not connect to ${url}: connection refused \\(connect ECONNREFUSED [^)]+\\) \\(7 attempts in 11\\.\\d s; gave up: no connection could be made\\)\\. Check the API URL ${url}: it is set by \`pgbeam:baseUrl\` \\(stack config: \`pulumi config set pgbeam:baseUrl …\`, or the \`baseUrl\` argument of an explicit pgbeam.Provider\\)$`,
      ),
    );
    expect(error.message).not.toContain("callBudgetMs");
    // While it tries, the user is told the short limit that applies, not the call budget.
    expect(shown).toEqual([
      expect.stringMatching(
        /: connection refused \(.*\); retrying in 0\.3 s \(attempt 2, a host that cannot be reached is tried for 15 s, 0(\.\d)? s so far\)$/,
      ),
    ]);
  });

  it("a server certificate Node does not accept fails at once, saying what to check, not retried for the whole budget", async () => {
    const server = createHttpsServer({ cert: UNTRUSTED_CERT, key: UNTRUSTED_KEY }, (_request, response) => response.end("{}"));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    try {
      const error = await rejection(
        new PgBeamClient({ ...viaConfig({ "pgbeam:baseUrl": url }), throttle: new SharedThrottle() }).get("/v1/organizations"),
      );
      expect(error.attempts).toBe(1);
      expect(error.message).toMatch(
        new RegExp(
          `the TLS certificate of ${url} was not accepted: self[- ]signed certificate \\(DEPTH_ZERO_SELF_SIGNED_CERT\\)\\. Check pgbeam:baseUrl; .* NODE_EXTRA_CA_CERTS$`,
        ),
      );
    } finally {
      server.close();
    }
  });

  it("a host name that does not resolve fails the same way, naming PGBEAM_API_URL when that set it", async () => {
    const clock = virtualClock();
    const options = viaConfig({}, { PGBEAM_API_URL: "https://api.pgbeam.invalid" });
    const error = await rejection(new PgBeamClient({ ...options, clock, throttle: new SharedThrottle(clock) }).get("/v1/organizations"));
    expect(error.message).toMatch(
      /could not connect to https:\/\/api\.pgbeam\.invalid: host name (not found|lookup failed) \(getaddrinfo E\w+ api\.pgbeam\.invalid\)/,
    );
    expect(error.message).toMatch(
      /Check the API URL https:\/\/api\.pgbeam\.invalid: it is set by the environment variable PGBEAM_API_URL$/,
    );
  });

  it("the default URL unreachable points at the network, and says how to use another", async () => {
    const clock = virtualClock();
    const client = new PgBeamClient({ apiKey: "pbu_x", baseUrl: "https://api.pgbeam.invalid", clock, throttle: new SharedThrottle(clock) });
    const error = await rejection(client.get("/v1/organizations"));
    expect(error.message).toMatch(
      /is the default API URL: check this machine's network and DNS, or .*`pulumi config set pgbeam:baseUrl <url>` or PGBEAM_API_URL$/,
    );
  });

  it("a base URL that is not an http(s) URL is refused before any call, naming its setting", () => {
    expect(() => viaConfig({ "pgbeam:baseUrl": "api.pgbeam.com" })).toThrow(
      'the PgBeam API URL must be an http(s) URL such as https://api.pgbeam.com, got "api.pgbeam.com": fix `pgbeam:baseUrl`',
    );
    expect(() => viaConfig({}, { PGBEAM_API_URL: "localhost:8080" })).toThrow(
      /got "localhost:8080": fix the environment variable PGBEAM_API_URL$/,
    );
  });
});

describe("the shared throttle", () => {
  function fakeClock() {
    let now = 1_000_000;
    return { now: () => now, sleep: async (ms: number) => void (now += ms), advance: (ms: number) => void (now += ms) };
  }

  it("is unpaced until the API throttles; then everyone waits out the Retry-After", async () => {
    const clock = fakeClock();
    const throttle = new SharedThrottle(clock);
    const start = clock.now();
    for (let i = 0; i < 5; i++) expect(await throttle.acquire(Infinity)).toBe(true);
    expect(clock.now()).toBe(start);
    throttle.throttled(2000);
    expect(await throttle.acquire(Infinity)).toBe(true);
    expect(clock.now()).toBeGreaterThanOrEqual(start + 2000);
  });

  it("paces at 70 % of what was sent in the second before the 429, cutting once per second", async () => {
    const clock = fakeClock();
    const throttle = new SharedThrottle(clock);
    for (let i = 0; i < 10; i++) await throttle.acquire(Infinity);
    throttle.throttled(0);
    expect(throttle.rate).toBeCloseTo(7);
    throttle.throttled(0); // another call's 429 from the same burst: no second cut
    expect(throttle.rate).toBeCloseTo(7);
    const before = clock.now();
    for (let i = 0; i < 8; i++) await throttle.acquire(Infinity);
    // Eight requests at 7/s: the last starts 7 gaps of 1/7 s after the first.
    expect(clock.now() - before).toBeGreaterThanOrEqual(999);
  });

  it("grows back by about one request per second per second, then stops pacing", () => {
    const throttle = new SharedThrottle(fakeClock());
    throttle.throttled(0);
    expect(throttle.rate).toBe(0.7);
    let successes = 0;
    while (Number.isFinite(throttle.rate)) {
      throttle.succeeded();
      successes += 1;
    }
    // Sum of 1/r steps from 0.7 to 200 is about (200² - 0.7²) / 2.
    expect(successes).toBeGreaterThan(19_000);
    expect(successes).toBeLessThan(21_000);
  });

  it("says no, without waiting, when the turn would come after the call's deadline", async () => {
    const clock = fakeClock();
    const throttle = new SharedThrottle(clock);
    throttle.throttled(5000);
    expect(await throttle.acquire(clock.now() + 1000)).toBe(false);
    expect(clock.now()).toBe(1_000_000);
  });

  /** Virtual time shared by concurrent sleepers: once every task waits, time jumps to the earliest wake-up. */
  function sharedVirtualTime() {
    let now = 1_000_000;
    const sleepers: { at: number; wake: () => void }[] = [];
    const clock: Clock = { now: () => now, sleep: (ms) => new Promise<void>((wake) => void sleepers.push({ at: now + ms, wake })) };
    async function run<T>(work: Promise<T>): Promise<T> {
      let settled = false;
      void work.then(
        () => (settled = true),
        () => (settled = true),
      );
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        if (settled) return work;
        sleepers.sort((a, b) => a.at - b.at);
        const next = sleepers.shift()!;
        now = Math.max(now, next.at);
        next.wake();
      }
    }
    return { clock, run };
  }

  it("a long throttled phase (60 s of 429 Retry-After: 1) does not collapse the pace: then steady progress at the bucket's rate", async () => {
    const { clock, run } = sharedVirtualTime();
    const throttle = new SharedThrottle(clock);
    const start = clock.now();
    // The emulator's token bucket (5 req/s) in virtual time, drained by someone else for the first 60 s.
    const bucket = new TokenBuckets(clock.now);
    bucket.set({ perSecond: 5 });
    const take = () => (clock.now() < start + 60_000 ? 1 : bucket.take("key"));
    // One call as PgBeamClient.send makes it: its turn, the attempt, then the Retry-After the API asked for.
    const call = async (): Promise<number | undefined> => {
      const deadline = clock.now() + 110_000;
      for (;;) {
        if (!(await throttle.acquire(deadline))) return undefined;
        const retryAfter = take();
        if (retryAfter === undefined) {
          throttle.succeeded();
          return clock.now() - start;
        }
        throttle.throttled(retryAfter * 1000);
        const wait = retryAfterDelay(retryAfter * 1000, () => 0.5);
        if (clock.now() + wait >= deadline) return undefined;
        await clock.sleep(wait);
      }
    };
    const done = await run(Promise.all(Array.from({ length: 100 }, call)));
    expect(done.filter((at) => at === undefined)).toHaveLength(0);
    // Virtual time and a fixed jitter: exact. The bucket serves 100 calls in 20 s after the phase (5 at once, then
    // 5/s); a pace collapsed to 0.5/s by the phase took 24.5 s, 6 calls in the first 5 s.
    const finished = Math.max(...(done as number[]));
    expect(finished).toBeLessThan(60_000 + 23_000);
    const servedIn = (from: number) => done.filter((at) => at! >= from && at! < from + 5_000).length;
    expect(servedIn(60_000)).toBeGreaterThanOrEqual(20);
    for (let from = 65_000; from < finished - 5_000; from += 5_000) expect(servedIn(from)).toBeGreaterThanOrEqual(15);
  });

  it("many concurrent calls against a 10 req/s bucket back off together: far fewer 429s than calls", async () => {
    const limited = await startEmulator({ rateLimit: { perSecond: 10 } });
    try {
      const throttle = new SharedThrottle();
      const client = new PgBeamClient({ apiKey: limited.apiKey, baseUrl: limited.url, throttle });
      await Promise.all(Array.from({ length: 40 }, () => client.get("/v1/organizations")));
      const refused = limited.requests.filter((r) => r.rateLimited).length;
      const served = limited.requests.filter((r) => r.status === 200).length;
      expect(served).toBe(40);
      // Each call alone would be refused about once per second it waits (40 calls over ~3 s: ~60 refusals).
      expect(refused).toBeLessThan(40);
    } finally {
      await limited.stop();
    }
  });
});

describe("errors never reveal the API key", () => {
  it("a rejected key gives a 401 naming the call, not the key", async () => {
    const secretKey = "pbu_this_key_must_never_be_printed_0123456789";
    const client = new PgBeamClient({ apiKey: secretKey, baseUrl: emulator.url });
    const error = await rejection(client.get("/v1/organizations"));
    expect(error.status).toBe(401);
    expect(error.code).toBe("UNAUTHORIZED");
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(secretKey);
    // A key rotated in config but not yet stored by an `up` is the usual cause: say exactly what to run.
    expect(error.message).toContain("`pulumi refresh --run-program` / `pulumi destroy --run-program`");
    expect(error.message).toContain("run `pulumi up`");
  });

  it("a refused key is named as the user configured it: an explicit provider's `apiKey` argument, or the environment", async () => {
    const refusal = async (values: Record<string, string>, env: NodeJS.ProcessEnv = {}) => {
      const options = resolveClientOptions({ get: (key) => values[key] }, env);
      return (await rejection(new PgBeamClient({ ...options, baseUrl: emulator.url }).get("/v1/organizations"))).message;
    };
    const explicit = await refusal({ "pgbeam:apiKey": "pbu_revoked_1", "pgbeam:providerName": "billing" });
    expect(explicit).toContain('PgBeam refused the API key of pgbeam.Provider "billing" (its `apiKey` argument)');
    expect(explicit).not.toContain("pgbeam:apiKey");
    const fromEnv = await refusal({ "pgbeam:providerName": "billing" }, { PGBEAM_TOKEN: "pbu_revoked_2" });
    expect(fromEnv).toContain('pgbeam.Provider "billing" (given no `apiKey` argument) took from PGBEAM_TOKEN');
    expect(await refusal({ "pgbeam:apiKey": "pbu_revoked_3" })).toContain("`pulumi config set --secret pgbeam:apiKey <key>`");
  });

  it("a network failure message holds no key either", async () => {
    const secretKey = "pbu_unreachable_key_abcdefghijklmnopqrstuvwxyz";
    // Every connection dropped before an answer, for as long as the call tries (2 s of virtual time: 3 attempts).
    const { client } = clientWithRecordedWaits({ apiKey: secretKey, callBudgetMs: 2000 });
    emulator.inject({ path: "/v1/organizations", drop: "before", times: 10 });
    const error = await rejection(client.get("/v1/organizations"));
    expect(error.status).toBe(0);
    expect(error.message).toContain("network error (socket hang up)");
    expect(`${error.message} ${error.stack}`).not.toContain(secretKey);
  });
});

describe("configuration", () => {
  const config = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

  it("prefers stack config over the environment", () => {
    const options = resolveClientOptions(config({ "pgbeam:apiKey": "pbu_cfg", "pgbeam:baseUrl": "http://cfg" }), {
      PGBEAM_API_KEY: "pbu_env",
      PGBEAM_API_URL: "http://env",
    });
    expect([options.apiKey, options.baseUrl]).toEqual(["pbu_cfg", "http://cfg"]);
  });

  it("falls back to PGBEAM_API_KEY, then its aliases, and the default URL", () => {
    expect(resolveClientOptions(undefined, { PGBEAM_API_KEY: "pbu_a", PGBEAM_TOKEN: "pbu_b" }).apiKey).toBe("pbu_a");
    expect(resolveClientOptions(undefined, { PGBEAM_TOKEN: "pbu_b" }).apiKey).toBe("pbu_b");
    const options = resolveClientOptions(config({}), { PGBEAM_API_TOKEN: "pbu_c" });
    expect([options.apiKey, options.baseUrl]).toEqual(["pbu_c", "https://api.pgbeam.com"]);
  });

  it("explains how to set a missing key", () => {
    expect(() => resolveClientOptions(config({}), {})).toThrow(/pulumi config set --secret pgbeam:apiKey/);
  });

  it("rejects a malformed numeric setting, naming it", () => {
    expect(() => resolveClientOptions(config({ "pgbeam:apiKey": "pbu_x", "pgbeam:callBudgetMs": "soon" }), {})).toThrow(
      /pgbeam:callBudgetMs/,
    );
  });
});

describe("retry rules", () => {
  it("parses Retry-After seconds and dates; ignores garbage", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:03 GMT", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("adds up to a quarter (at least 250 ms) of jitter to Retry-After", () => {
    expect(retryAfterDelay(1000, () => 0)).toBe(1000);
    expect(retryAfterDelay(1000, () => 1)).toBe(1250);
    expect(retryAfterDelay(8000, () => 1)).toBe(10000);
    expect(retryAfterDelay(0, () => 0.5)).toBe(125);
  });

  it("backs off exponentially with jitter, within [ceiling/2, ceiling] and capped", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, () => 1)).toBe(1000);
    expect(backoffDelay(10, policy, () => 0)).toBe(500);
  });
});
