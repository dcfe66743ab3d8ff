import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumMissing, describeProblems, screenshot, startBrowserSystem, WAIT_MS, type BrowserSystem,
} from '../support/browser.ts';
import { ADMIN } from '../support/testSystem.ts';

describe.skipIf(chromiumMissing)('signing in to the dashboard and moving around it with the keyboard', () => {
  let s: BrowserSystem;
  beforeAll(async () => {
    s = await startBrowserSystem();
  });
  afterAll(() => s?.close());

  it('refuses a wrong password with a message, then signs the admin in through the form', async () => {
    const { page, problems, open } = await s.dashboard({ signedIn: false });
    await open('/fleet');
    const form = page.locator('form[aria-labelledby="sign-in-heading"]');
    await form.waitFor({ timeout: WAIT_MS });

    await page.getByLabel('E-mail address').fill(ADMIN.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: WAIT_MS });
    expect(await alert.textContent()).toBe('The e-mail address or password is wrong.');
    expect(await page.evaluate(() => sessionStorage.getItem('flexicharge.session'))).toBeNull();
    await screenshot(page, 'sign-in-refused');

    // The refused sign-in's answer (4xx) is the only thing the browser may complain about so far.
    const unexpected = problems.filter((problem) =>
      !(problem.kind === 'console' && problem.url.endsWith('/admin/sign-in') && /status of 4\d\d/.test(problem.text)));
    expect(unexpected, describeProblems(unexpected)).toEqual([]);

    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('navigation', { name: 'Sections' }).waitFor({ timeout: WAIT_MS });
    await page.getByText(`Signed in as ${ADMIN.email}`).waitFor({ timeout: WAIT_MS });
    await expect.poll(() => form.count()).toBe(0);
    const kept = JSON.parse((await page.evaluate(() => sessionStorage.getItem('flexicharge.session')))!);
    expect(kept.email).toBe(ADMIN.email);
    expect(kept.expiresAt).toBeGreaterThan(Date.now());
    await screenshot(page, 'signed-in');
  });

  it('reaches the skip link first and then the navigation with Tab, and follows a link with Enter', async () => {
    const { page, open } = await s.dashboard();
    await open('/fleet');
    await page.getByRole('navigation', { name: 'Sections' }).waitFor({ timeout: WAIT_MS });
    const focused = () => page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      return { tag: element?.tagName, id: element?.id, text: element?.textContent?.trim(), href: element?.getAttribute('href') };
    });

    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'A', text: 'Skip to content' });
    await page.keyboard.press('Enter');
    expect(await focused()).toMatchObject({ tag: 'MAIN', id: 'main' });

    await page.reload();
    await page.getByRole('navigation', { name: 'Sections' }).waitFor({ timeout: WAIT_MS });
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ text: 'Skip to content' });
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'A', text: 'Fleet', href: '#/fleet' });
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'A', text: 'Sessions', href: '#/sessions' });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: WAIT_MS }).toBe('#/sessions');
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await expect.poll(() => nav.getByRole('link', { name: 'Sessions', exact: true }).getAttribute('aria-current'), { timeout: WAIT_MS })
      .toBe('page');
  });
});
