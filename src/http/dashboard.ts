import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { App, HttpContext } from './context.ts';

/**
 * Where `npm run build` puts the dashboard: `dist/dashboard`, beside the compiled server
 * (this file is `dist/http/dashboard.js`). Run from the sources (`npm run dev`) it is
 * looked for in `dist/` all the same.
 */
const BUILT = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));

/** The origin of a tile URL template, for the page's Content-Security-Policy; none for an empty or unreadable one. */
function tileOrigins(template: string): string {
  if (!template) return '';
  try {
    const url = new URL(template.replace(/\{[a-z]\}/g, 'a'));
    // `{s}` stands for the provider's subdomains: allow all of them.
    return template.includes('{s}.') ? ` ${url.protocol}//*.${url.host.split('.').slice(1).join('.')}` : ` ${url.origin}`;
  } catch {
    return '';
  }
}

/**
 * `/dashboard`: the operators' single-page app (dashboard/, built by Vite at `npm ci`), and
 * `/dashboard/config.json`, what the page needs to know of this server's configuration.
 * The page talks only to this server, so its policy allows nothing else but the map tiles.
 */
export function dashboardRoutes({ config }: HttpContext) {
  return async (app: App) => {
    const { tileUrl, tileAttribution } = config.dashboard;
    const policy = [
      "default-src 'self'",
      `img-src 'self' data:${tileOrigins(tileUrl)}`,
      // Leaflet and uPlot position their elements with style attributes.
      "style-src 'self' 'unsafe-inline'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; ');

    app.get('/dashboard/config.json', { schema: { hide: true } }, () => ({ tileUrl, tileAttribution }));

    if (!fs.existsSync(BUILT)) {
      app.get('/dashboard', { schema: { hide: true } }, (_request, reply) => reply.status(503).type('text/plain')
        .send('The dashboard is not built: run `npm run build` (npm ci does it).\n'));
      return;
    }
    // The page itself at /dashboard (and /dashboard/), whose hash says which page to show.
    const index = fs.readFileSync(`${BUILT}index.html`);
    app.get('/dashboard', { schema: { hide: true } }, (_request, reply) => reply
      .header('Content-Security-Policy', policy).header('X-Content-Type-Options', 'nosniff').header('Cache-Control', 'no-cache')
      .type('text/html; charset=utf-8').send(index));
    await app.register(fastifyStatic, {
      root: BUILT,
      prefix: '/dashboard/',
      decorateReply: false,
      index: false,
      cacheControl: false,
      // Vite names every asset after its content: cached for good. index.html is asked for again each time.
      setHeaders: (res, file) => {
        res.setHeader('Content-Security-Policy', policy);
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Cache-Control', file.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  };
}
