import { Histogram, type Registry } from 'prom-client';

/** The route label of a request no route matched: its URL is not a label (any URL would make a series). */
export const UNMATCHED_ROUTE = 'unmatched';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** How long HTTP requests take, by method, route template (`/chargers/:id`, never the URL) and status. */
export class HttpRequestDurations {
  readonly #histogram: Histogram<'method' | 'route' | 'status_code'>;

  constructor(registry: Registry) {
    this.#histogram = new Histogram({
      name: 'flexicharge_http_request_duration_seconds',
      help: 'Seconds an HTTP request took, by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: BUCKETS,
      registers: [registry],
    });
  }

  observe(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    this.#histogram.observe({ method, route: route ?? UNMATCHED_ROUTE, status_code: statusCode }, seconds);
  }
}
