import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, describeProblems, screenshot, startBrowserSystem, WAIT_MS, type BrowserSystem } from '../support/browser.ts';

/** A 1×1 PNG: enough for the browser to decode a tile. */
const TILE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** A tile server on loopback that serves tiles, or answers 404 for every one once `broken`. */
function startTileServer() {
  const requested: string[] = [];
  let broken = false;
  const server = http.createServer((request, response) => {
    requested.push(request.url ?? '');
    if (broken) response.writeHead(404).end();
    else response.writeHead(200, { 'Content-Type': 'image/png' }).end(TILE);
  });
  return new Promise<{ url: string; requested: string[]; breakTiles(): void; close(): Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/tiles/{z}/{x}/{y}.png`,
        requested,
        breakTiles: () => { broken = true; },
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

describe.skipIf(chromiumMissing)('the fleet map', () => {
  let s: BrowserSystem;
  let tiles: Awaited<ReturnType<typeof startTileServer>>;
  beforeAll(async () => {
    tiles = await startTileServer();
    s = await startBrowserSystem({ DASHBOARD_TILE_URL: tiles.url, DASHBOARD_TILE_ATTRIBUTION: 'Test tiles' });
  });
  afterAll(async () => {
    await s?.close();
    await tiles?.close();
  });

  it('draws the sites on the configured tiles', async () => {
    const { page, open, problems } = await s.dashboard();
    await open('/fleet');
    await page.locator('.leaflet-container .leaflet-tile-loaded').first().waitFor({ timeout: WAIT_MS });
    expect(tiles.requested.some((url) => /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(url))).toBe(true);
    await page.getByText('Test tiles').first().waitFor({ timeout: WAIT_MS });
    // Each of the four seeded sites is a marker on the map; no plotted list instead.
    await expect.poll(() => page.locator('.leaflet-container path.leaflet-interactive').count(), { timeout: WAIT_MS }).toBe(4);
    expect(await page.locator('.site-plot').count()).toBe(0);
    await screenshot(page, 'fleet-map');
    expect(problems, describeProblems(problems)).toEqual([]);
  });

  it('plots the sites instead when the tiles cannot be loaded', async () => {
    tiles.breakTiles();
    const { page, open, problems } = await s.dashboard();
    await open('/fleet');
    await page.locator('.site-plot svg[role="img"]').waitFor({ timeout: WAIT_MS });
    await expect.poll(() => page.locator('.site-plot ol.site-list > li').count(), { timeout: WAIT_MS }).toBe(4);
    expect(await page.locator('.leaflet-container').count()).toBe(0);
    // The only errors are the browser's own lines for the tiles that failed.
    const others = problems.filter((problem) => !problem.url.startsWith(tiles.url.split('/tiles/')[0]!));
    expect(others, describeProblems(others)).toEqual([]);
  });
});
