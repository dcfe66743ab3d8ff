import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type ConsoleMessage, type Locator, type Page, type ViewportSize } from 'playwright-core';
import { ADMIN, sendRequest, startTestSystem } from './testSystem.ts';

/** Debian's chromium package; CI installs it (.ci/run). Playwright's own browser downloads are not used. */
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumMissing = !fs.existsSync(CHROMIUM);
if (chromiumMissing) {
  console.warn(`Browser tests skipped: ${CHROMIUM} is missing (Debian: apt-get install -y chromium).`);
}

/**
 * A page can take a while on a machine busy with the rest of the suite (the server, a
 * simulator and the browser share its cores): waits are long, and nothing is timed.
 */
export const WAIT_MS = 60_000;

/** Where screenshots go, beside the test reports (reports/ is not committed). */
const SCREENSHOTS = fileURLToPath(new URL('../../reports/screenshots/', import.meta.url));

/** STORAGE_KEY of dashboard/src/auth.ts: the signed-in admin, kept in the tab's sessionStorage. */
const SESSION_KEY = 'flexicharge.session';

/**
 * Headless Chromium talking only to loopback: no network of its own (updates, sync,
 * QUIC probing), no GPU. Playwright gives the browser a fresh temporary profile and
 * removes it at close.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** A console error or an uncaught exception of a page, with where it came from. */
export interface PageProblem {
  kind: 'console' | 'pageerror';
  text: string;
  /** The script or resource the message names (a failed request's URL for "Failed to load resource"). */
  url: string;
}

export interface DashboardPage {
  page: Page;
  /** The dashboard's address on the test server, e.g. http://127.0.0.1:1234/dashboard. */
  dashboardUrl: string;
  /** Console errors and page errors since the page opened. */
  problems: PageProblem[];
  /** Opens a page of the dashboard by its hash path (e.g. `/fleet`) and waits for the app to show it. */
  open(route: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A new browser context (its own storage: a tab of its own) on the dashboard of the server
 * at `baseUrl`, collecting its console errors and uncaught exceptions.
 */
export async function openDashboard(browser: Browser, baseUrl: string, viewport: ViewportSize = { width: 1280, height: 900 }): Promise<DashboardPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: PageProblem[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') problems.push({ kind: 'console', text: message.text(), url: message.location().url });
  });
  page.on('pageerror', (error) => problems.push({ kind: 'pageerror', text: `${error.name}: ${error.message}`, url: page.url() }));
  const dashboardUrl = `${baseUrl}/dashboard`;
  return {
    page,
    dashboardUrl,
    problems,
    async open(route) {
      await page.goto(`${dashboardUrl}#${route}`);
      // The app replaced the empty body: the shell (signed in) or the sign-in form.
      await page.locator('main').first().waitFor({ timeout: WAIT_MS });
    },
    close: () => context.close(),
  };
}

/**
 * Signs the page's tab in as the test admin without the form: the session the sign-in form
 * would keep (dashboard/src/auth.ts `keep`) is put into sessionStorage before the app starts.
 * Kept only when the tab has none, so that a token the app refreshed is not replaced on reload.
 */
export async function signInAsAdmin(dashboard: DashboardPage, baseUrl: string): Promise<void> {
  const answer = await sendRequest(baseUrl, 'POST', '/admin/sign-in', { body: { username: ADMIN.email, password: ADMIN.password } });
  if (answer.status !== 200) throw new Error(`admin sign-in failed: ${answer.text}`);
  const session = {
    accessToken: answer.body.accessToken,
    refreshToken: answer.body.refreshToken,
    expiresAt: Date.now() + answer.body.expiresIn * 1000,
    email: answer.body.email,
  };
  await dashboard.page.addInitScript(([key, value]) => {
    if (location.pathname.startsWith('/dashboard') && !sessionStorage.getItem(key!)) sessionStorage.setItem(key!, value!);
  }, [SESSION_KEY, JSON.stringify(session)]);
}

/**
 * The trimmed text of the first element `locator` finds, or undefined while there is none;
 * it does not wait, for polling with `expect.poll`.
 */
export async function textOf(locator: Locator): Promise<string | undefined> {
  return (await locator.allTextContents())[0]?.trim();
}

/** Waits until the top bar says the live stream is open (pages then see every event from here on). */
export async function liveConnected(page: Page): Promise<void> {
  await page.locator('[data-live="connected"]').waitFor({ timeout: WAIT_MS });
}

/**
 * Waits until the shown page has its heading and has loaded what it shows: nothing in it
 * is busy (the loading note of components/Async.tsx is `aria-busy`).
 */
export async function pageSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const main = document.getElementById('main');
    return main !== null && main.querySelector('h1') !== null && main.querySelector('[aria-busy="true"]') === null;
  }, undefined, { timeout: WAIT_MS });
}

/** Writes `reports/screenshots/<name>.png` (the whole page). */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

/** The problems, each on a line, for an assertion's message. */
export function describeProblems(problems: PageProblem[]): string {
  return problems.map((problem) => `${problem.kind}: ${problem.text} (${problem.url})`).join('\n');
}

/** True when the document is no wider than the viewport (nothing makes the page scroll sideways). */
export function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

/**
 * A test system for the browser: the real server in this process on loopback ports, with the
 * dashboard built into dist/ (globalSetup builds it) and no map tiles (the page then asks
 * nothing of any other host), and one browser.
 */
export async function startBrowserSystem(extraEnv: Record<string, string> = {}) {
  const system = await startTestSystem({ DASHBOARD_TILE_URL: '', ...extraEnv });
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await system.close();
    throw error;
  }
  const baseUrl = system.system.httpUrl;
  const opened: DashboardPage[] = [];
  return {
    t: system,
    browser,
    baseUrl,
    /** A new tab on the dashboard, signed in as the admin unless `signedIn` is false. */
    async dashboard({ viewport, signedIn = true }: { viewport?: ViewportSize; signedIn?: boolean } = {}): Promise<DashboardPage> {
      const dashboard = await openDashboard(browser, baseUrl, viewport);
      opened.push(dashboard);
      if (signedIn) await signInAsAdmin(dashboard, baseUrl);
      return dashboard;
    },
    async close() {
      await Promise.allSettled(opened.map((dashboard) => dashboard.close()));
      await browser.close().catch(() => undefined);
      await system.close();
    },
  };
}

export type BrowserSystem = Awaited<ReturnType<typeof startBrowserSystem>>;
