// The operator dashboard in a real headless Chromium, against the real gateway (wrangler dev, D1,
// Queues, the fake CRM): what an operator clicks, and what then happened in the API and the CRM.
// Each test signs in on a browser context of its own and uses people, campaigns and a destination
// of its own. One after another: concurrently they take as long on a small machine.
import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness';

const SHOTS = '.tmp/screenshots';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let gateway: Gateway;
let browser: Browser;
let counter = 0;
const person = (label: string) => `${label}.${Date.now()}.${++counter}@example.com`;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [gateway, browser] = await Promise.all([
    startGateway(),
    chromium.launch({
      executablePath: CHROMIUM,
      // Without the background-networking flags Chromium keeps calling Google on a closed network.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  // Confirmations (data-confirm) are accepted, as an operator who meant it would.
  page.on('dialog', (dialog) => dialog.accept());
  return { context, page };
}

async function signedIn(): Promise<{ context: BrowserContext; page: Page }> {
  const { context, page } = await newPage();
  await page.goto(`${gateway.url}/admin/login`);
  await page.fill('input[name=token]', gateway.adminToken);
  await page.click('button[type=submit]');
  await page.waitForURL(`${gateway.url}/admin`);
  return { context, page };
}

/** Polls until `read` answers something `ready` accepts (the queue works asynchronously). */
async function until<T>(
  read: () => Promise<T>,
  ready: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ready(value)) return value;
    if (Date.now() > deadline) throw new Error(`never got there: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

const eventStatus = async (id: string): Promise<string> =>
  ((await (await gateway.admin(`/events/${id}`)).json()) as { status: string }).status;

/** A lead the mock CRM refuses with a 400 (permanent), so its event ends dead after one attempt. */
async function deadEvent(email: string, lead: Record<string, unknown> = {}): Promise<string> {
  await gateway.crm.script(email, [{ status: 400 }]);
  const id = await gateway.sendLead({ email, first_name: 'Dee', ...lead });
  await until(
    () => eventStatus(id),
    (status) => status === 'dead',
  );
  return id;
}

describe('sign-in', () => {
  it('refuses a wrong token, then sets an HttpOnly, Secure, SameSite=Strict session cookie', async () => {
    const { context, page } = await newPage();
    await page.goto(`${gateway.url}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.screenshot({ path: `${SHOTS}/login.png` });

    await page.fill('input[name=token]', 'not-the-token');
    const refused = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/admin/login') && r.request().method() === 'POST'),
      page.click('button[type=submit]'),
    ]);
    expect(refused[0].status()).toBe(401);
    await expect(page.locator('[role=alert]').textContent()).resolves.toContain('not the admin token');
    expect(await context.cookies()).toEqual([]);

    await page.fill('input[name=token]', gateway.adminToken);
    await page.click('button[type=submit]');
    await page.waitForURL(`${gateway.url}/admin`);
    const [cookie, ...others] = await context.cookies();
    expect(others).toEqual([]);
    expect(cookie).toMatchObject({
      name: 'inlet_session',
      path: '/admin',
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
    });
    expect(cookie?.value).not.toContain(gateway.adminToken);
    // Expiring: within the 8 hours the sign-in lasts.
    expect(cookie?.expires).toBeGreaterThan(Date.now() / 1000 + 7 * 3600);
    expect(cookie?.expires).toBeLessThanOrEqual(Date.now() / 1000 + 8 * 3600 + 5);
    // The cookie is not a bearer token for the JSON API.
    const api = await page.request.get(`${gateway.url}/admin/events`);
    expect(api.status()).toBe(401);

    await page.click('text=Sign out');
    await page.waitForURL(/\/admin\/login/);
    expect(await context.cookies()).toEqual([]);
    await page.goto(`${gateway.url}/admin/ui/destinations`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await context.close();
  });

  it('refuses a forged or altered session cookie', async () => {
    const { context, page } = await newPage();
    const url = new URL(gateway.url);
    const forged = `AAAAAAAAAAAAAAAAAAAAAA.${Math.floor(Date.now() / 1000) + 3600}.${'A'.repeat(43)}`;
    await context.addCookies([
      { name: 'inlet_session', value: forged, domain: url.hostname, path: '/admin' },
    ]);
    await page.goto(`${gateway.url}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await context.close();
  });
});

describe('routing', () => {
  it('answers a missing page or event as a page, and leaves the JSON API its paths', async () => {
    const { context, page } = await signedIn();
    for (const [path, text] of [
      ['/admin/ui/no-such-page', 'No such page'],
      ['/admin/ui/events/evt_01M8XW0000000000000000000', 'No event has this id'],
    ] as const) {
      const response = await page.goto(`${gateway.url}${path}`);
      expect(response?.status()).toBe(404);
      await expect(page.locator('[data-testid=error-page]').textContent()).resolves.toContain(text);
    }
    // The API answers its own routes, with its own auth, whatever the browser holds.
    const events = await page.request.get(`${gateway.url}/admin/events`);
    expect(events.status()).toBe(401);
    expect(events.headers()['content-type']).toContain('application/problem+json');
    expect((await gateway.admin('/events?limit=1')).status).toBe(200);
    expect((await fetch(`${gateway.url}/admin/openapi.json`)).status).toBe(200);
    await context.close();
  });
});

describe('pages', () => {
  it('load everything from the Worker, under a strict CSP, without a console error', async () => {
    const id = await gateway.sendLead({ email: person('csp'), campaign: 'e2e-csp' });
    const { context, page } = await signedIn();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
    const origins = new Set<string>();
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    for (const path of [
      '/admin',
      `/admin/ui/events/${id}`,
      '/admin/ui/replay-jobs',
      '/admin/ui/destinations',
      '/admin/ui/stats',
      '/admin/ui/erase',
    ]) {
      const response = await page.goto(`${gateway.url}${path}`);
      expect(response?.status()).toBe(200);
      const headers = response?.headers() ?? {};
      expect(headers['content-security-policy']).toContain("default-src 'none'");
      expect(headers['content-security-policy']).toContain("script-src 'self'");
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['cache-control']).toBe('no-store');
      // The stylesheet applied: a styled page, not a bare one.
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(
        'rgba(0, 0, 0, 0)',
      );
    }
    expect(problems).toEqual([]);
    expect([...origins]).toEqual([gateway.url]);
    await context.close();
  });
});

describe('events', () => {
  it('finds a dead event, replays it, and sees it delivered', async () => {
    const email = person('dead');
    const id = await deadEvent(email, { campaign: 'e2e-dead' });
    const { context, page } = await signedIn();

    await page.click('nav.chips >> text=dead');
    await page.waitForURL(/status=dead/);
    const row = page.locator(`tr[data-event-id="${id}"]`);
    await expect(row.locator('.badge').textContent()).resolves.toBe('dead');
    await page.screenshot({ path: `${SHOTS}/events-dead.png`, fullPage: true });

    await row.locator('a.id').click();
    await page.waitForURL(`${gateway.url}/admin/ui/events/${id}`);
    await expect(
      page.locator('[data-testid=deliveries] tr[data-destination=crm] .badge').textContent(),
    ).resolves.toBe('dead');
    await expect(page.locator('[data-testid=attempts]').textContent()).resolves.toContain('client_error');
    await expect(page.locator('[data-testid=raw-body]').textContent()).resolves.toContain(email);
    await page.screenshot({ path: `${SHOTS}/event-dead.png`, fullPage: true });

    // The CRM takes it now (its script is used up): a replay delivers it.
    await page.click('[data-testid=replay-event]');
    await page.waitForURL(`${gateway.url}/admin/ui/events/${id}`);
    await expect(page.locator('.flash').textContent()).resolves.toContain('Replaying');
    await until(
      () => eventStatus(id),
      (status) => status === 'delivered',
    );
    await page.reload();
    await expect(page.locator('h1 .badge').textContent()).resolves.toBe('delivered');
    const received = await gateway.crm.deliveries(email);
    expect(received.map((d) => d.status)).toEqual([400, 201]);
    await page.screenshot({ path: `${SHOTS}/event-delivered.png`, fullPage: true });
    await context.close();
  });

  it('filters by a person and pages with the cursor', async () => {
    const email = person('pager');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await gateway.sendLead({ email, first_name: `Page ${i}` }));
    // Routing links an event to its person: wait until the API finds all three by email.
    const search = `/events?email=${encodeURIComponent(email)}`;
    await until(
      async () => ((await (await gateway.admin(search)).json()) as { events: unknown[] }).events.length,
      (count) => count === 3,
    );
    const { context, page } = await signedIn();
    const shown = () =>
      page
        .locator('tr[data-event-id]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-event-id')));
    // Two a page: the person's events only (matched through the stored hash), newest first.
    await page.goto(`${gateway.url}/admin?email=${encodeURIComponent(email)}&limit=2`);
    expect(await shown()).toEqual([ids[2], ids[1]]);
    // Each click is a navigation: wait for the page it leads to before reading the rows.
    await Promise.all([
      page.waitForURL((url) => url.searchParams.has('cursor')),
      page.click('[data-testid=next-page]'),
    ]);
    expect(await shown()).toEqual([ids[0]]);
    await expect(page.locator('[data-testid=next-page]').count()).resolves.toBe(0);
    await expect(page.locator('[data-testid=filters] input[name=email]').inputValue()).resolves.toBe(email);
    await Promise.all([
      page.waitForURL((url) => !url.searchParams.has('cursor')),
      page.click('text=← Newest'),
    ]);
    expect(await shown()).toEqual([ids[2], ids[1]]);
    await context.close();
  });
});

describe('bulk replay', () => {
  it('replays every event of a filter and shows the progress reach done', async () => {
    const campaign = `bulk-${Date.now()}`;
    const ids = await Promise.all([1, 2, 3].map((i) => deadEvent(person(`bulk${i}`), { campaign })));
    const { context, page } = await signedIn();
    await page.goto(`${gateway.url}/admin?status=dead&campaign=${campaign}`);
    await expect(page.locator('tr[data-event-id]').count()).resolves.toBe(3);

    await page.click('[data-testid=start-bulk-replay]');
    await page.waitForURL(/\/admin\/ui\/replay-jobs\/rpj_/);
    // The page's script polls the job: no reload here.
    await page.waitForFunction(
      () => document.querySelector('[data-testid=job-status]')?.textContent === 'done',
      undefined,
      { timeout: 30_000 },
    );
    await expect(page.locator('[data-testid=job-replayed]').textContent()).resolves.toBe('3');
    await expect(page.locator('[data-field=percent]').textContent()).resolves.toBe('100%');
    await expect(page.locator('[data-testid=cancel-job]').count()).resolves.toBe(0);
    await page.screenshot({ path: `${SHOTS}/replay-job.png`, fullPage: true });
    for (const id of ids)
      await until(
        () => eventStatus(id),
        (status) => status === 'delivered',
      );

    await Promise.all([page.waitForURL(/\/admin\/ui\/replay-jobs$/), page.click('text=All replays')]);
    await expect(page.locator('table').textContent()).resolves.toContain(campaign);
    await context.close();
  });

  it('cancels a running bulk replay: no later chunk starts', async () => {
    // Three chunks (50, 50, 10) with a queue hop of about a second between them: time to press Cancel.
    const campaign = `cancel-${Date.now()}`;
    const sent = await Promise.all(
      Array.from({ length: 110 }, (_, i) => gateway.sendLead({ email: person(`cancel${i}`), campaign })),
    );
    const search = `/events?campaign=${campaign}&status=delivered&limit=200`;
    await until(
      async () => ((await (await gateway.admin(search)).json()) as { events: unknown[] }).events.length,
      (count) => count === sent.length,
      30_000,
    );
    const { context, page } = await signedIn();
    await page.goto(`${gateway.url}/admin?campaign=${campaign}`);
    await page.click('[data-testid=start-bulk-replay]');
    await page.waitForURL(/\/admin\/ui\/replay-jobs\/rpj_/);
    const jobId = new URL(page.url()).pathname.split('/').at(-1) as string;
    await page.click('[data-testid=cancel-job]');
    await page.waitForURL(`${gateway.url}/admin/ui/replay-jobs/${jobId}`);
    await expect(page.locator('[data-testid=job-status]').textContent()).resolves.toBe('canceled');
    await expect(page.locator('.flash').textContent()).resolves.toContain('Canceled');
    const job = async () =>
      (
        (await (await gateway.admin(`/replay-jobs/${jobId}`)).json()) as {
          job: { replayed: number; matched: number };
        }
      ).job;
    const atCancel = await job();
    expect(atCancel.matched).toBe(110);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await job()).replayed).toBe(atCancel.replayed);
    expect(atCancel.replayed).toBeLessThan(110);
    await context.close();
  });

  it('submitting the same bulk form twice starts one job', async () => {
    const campaign = `twice-${Date.now()}`;
    await deadEvent(person('twice'), { campaign });
    const { context, page } = await signedIn();
    await page.goto(`${gateway.url}/admin?status=dead&campaign=${campaign}`);
    const form = page.locator('#bulk-replay form');
    const fields = await form.evaluate((f) => Object.fromEntries(new FormData(f as HTMLFormElement)));
    const post = () =>
      page.request.post(`${gateway.url}/admin/ui/replay-jobs`, {
        form: fields as Record<string, string>,
        headers: { origin: gateway.url },
        maxRedirects: 0,
      });
    const [first, second] = [await post(), await post()];
    expect(first.status()).toBe(303);
    expect(second.headers().location).toBe(first.headers().location);
    await context.close();
  });
});

describe('destinations', () => {
  it('pauses and resumes a destination', async () => {
    const { context, page } = await signedIn();
    await Promise.all([
      page.waitForURL(/\/admin\/ui\/destinations/),
      page.click('nav.nav >> text=Destinations'),
    ]);
    const card = page.locator('.dest-card', { has: page.locator('[data-destination=salesforce]') });
    await expect(card.locator('.card-head .badge').textContent()).resolves.toBe('active');

    await card.locator('[data-testid=pause-salesforce]').click();
    await page.waitForURL(`${gateway.url}/admin/ui/destinations`);
    await expect(card.locator('.card-head .badge').textContent()).resolves.toBe('paused');
    await expect(page.locator('.flash').textContent()).resolves.toContain('salesforce paused');
    const state = async () =>
      (
        (await (await gateway.admin('/destinations')).json()) as {
          destinations: { name: string; state: string }[];
        }
      ).destinations.find((d) => d.name === 'salesforce')?.state;
    expect(await state()).toBe('paused');
    await page.screenshot({ path: `${SHOTS}/destinations-paused.png`, fullPage: true });

    await card.locator('[data-testid=resume-salesforce]').click();
    await page.waitForURL(`${gateway.url}/admin/ui/destinations`);
    await expect(card.locator('.card-head .badge').textContent()).resolves.toBe('active');
    expect(await state()).toBe('active');
    await context.close();
  });
});

describe('stats', () => {
  it('draws the funnel as an SVG with a bar for today', async () => {
    const campaign = `funnel-${Date.now()}`;
    const id = await gateway.sendLead({ email: person('funnel'), campaign });
    await until(
      () => eventStatus(id),
      (status) => status === 'delivered',
    );
    await deadEvent(person('funnel-dead'), { campaign });
    const { context, page } = await signedIn();
    await Promise.all([page.waitForURL(/\/admin\/ui\/stats/), page.click('nav.nav >> text=Funnel & stats')]);
    const chart = page.locator('svg[data-testid=funnel-chart]');
    await expect(chart.count()).resolves.toBe(1);
    const today = new Date().toISOString().slice(0, 10);
    const bars = chart.locator(`g[data-day="${today}"] rect.seg`);
    expect(await bars.count()).toBeGreaterThanOrEqual(2); // delivered and dead at least
    const classes = await bars.evaluateAll((rects) => rects.map((r) => r.getAttribute('class')));
    expect(classes).toEqual(expect.arrayContaining(['seg s-delivered', 'seg s-dead']));
    // Each bar has a height: the chart is drawn, not only present.
    const heights = await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
    expect(heights.every((h) => h > 0)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/stats.png`, fullPage: true });

    // One campaign: its row in the table, 1 delivered and 1 dead.
    await page.goto(`${gateway.url}/admin/ui/stats?campaign=${campaign}`);
    const row = page.locator('[data-testid=funnel-table] tbody tr');
    await expect(row.count()).resolves.toBe(1);
    await expect(page.locator('[data-testid=total-received]').textContent()).resolves.toBe('2');
    await context.close();
  });
});

describe('erasure', () => {
  it('erases a person after a confirmation', async () => {
    const email = person('erase');
    const id = await gateway.sendLead({ email, first_name: 'Erin' });
    await until(
      () => eventStatus(id),
      (status) => status === 'delivered',
    );
    const { context, page } = await signedIn();
    await Promise.all([page.waitForURL(/\/admin\/ui\/erase/), page.click('nav.nav >> text=Erase a person')]);
    await page.fill('input[name=email]', email);
    await page.click('[data-testid=erase-lookup]');
    await page.waitForURL(`${gateway.url}/admin/ui/erase`);
    await expect(page.locator('[data-testid=erase-count]').textContent()).resolves.toBe('1 event');
    // Nothing is gone before the confirmation.
    expect((await gateway.admin(`/events/${id}`)).status).toBe(200);
    await page.screenshot({ path: `${SHOTS}/erase-confirm.png`, fullPage: true });

    await page.check('[data-testid=erase-confirm]');
    await page.click('[data-testid=erase-submit]');
    await page.waitForURL(`${gateway.url}/admin/ui/erase/confirm`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Erased');
    await expect(page.locator('[data-testid=erase-result]').textContent()).resolves.toContain('events');
    expect((await gateway.admin(`/events/${id}`)).status).toBe(404);
    const search = (await (await gateway.admin(`/events?email=${encodeURIComponent(email)}`)).json()) as {
      events: unknown[];
    };
    expect(search.events).toEqual([]);
    await context.close();
  });
});

describe('CSRF', () => {
  it('refuses a POST without the token, with a wrong one, or from another origin', async () => {
    const { context, page } = await signedIn();
    await page.goto(`${gateway.url}/admin/ui/destinations`);
    const token = await page
      .locator('[data-testid=pause-pipedrive]')
      .locator('xpath=..')
      .locator('input[name=_csrf]')
      .inputValue();
    const pause = (form: Record<string, string>, headers: Record<string, string> = {}) =>
      page.request.post(`${gateway.url}/admin/ui/destinations/pipedrive/pause`, {
        form,
        headers,
        maxRedirects: 0,
      });

    for (const response of [
      await pause({}),
      await pause({ _csrf: `${token.slice(0, -2)}xx` }),
      await pause({ _csrf: token }, { origin: 'http://evil.example' }),
      await pause({ _csrf: token }, { 'sec-fetch-site': 'cross-site' }),
    ]) {
      expect(response.status()).toBe(403);
      expect(await response.text()).toContain('This form has expired');
    }
    const state = (await (await gateway.admin('/destinations')).json()) as {
      destinations: { name: string; state: string }[];
    };
    expect(state.destinations.find((d) => d.name === 'pipedrive')?.state).toBe('active');

    // A page refused in the browser reads as one, not as a bare error.
    await page.evaluate(() => {
      const form = document.querySelector('form[action$="/pipedrive/pause"]') as HTMLFormElement;
      form.querySelector('input[name=_csrf]')?.remove();
      form.removeAttribute('data-confirm');
      form.submit();
    });
    await page.waitForSelector('[data-testid=error-page]');
    await page.screenshot({ path: `${SHOTS}/csrf-refused.png` });

    // Another session's token is not this session's.
    const other = await signedIn();
    const response = await other.page.request.post(`${gateway.url}/admin/ui/destinations/pipedrive/pause`, {
      form: { _csrf: token },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(403);
    await other.context.close();
    await context.close();
  });
});
