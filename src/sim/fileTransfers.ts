import { createHash } from 'node:crypto';
import { LONGEST_TIMER_MS } from './connector.ts';

/** A firmware file the simulator downloaded and installed: what a test can compare with what it uploaded. */
export interface InstalledFirmware {
  location: string;
  sha256: string;
  sizeBytes: number;
}

/** A diagnostics file the simulator uploaded. */
export interface UploadedDiagnostics {
  location: string;
  fileName: string;
  content: string;
}

/** The longest a single download or upload may take before the simulator gives up on it. */
const TRANSFER_TIMEOUT_MS = 60_000;

/**
 * The HTTP side of UpdateFirmware and GetDiagnostics, with Node's fetch: waits that end with
 * the charger's connection, and transfers it aborts. A location that is not http(s) (ftp://)
 * fails like an unreachable one.
 */
export class FileTransfers {
  private aborter = new AbortController();

  /** Ends every wait and transfer under way (the connection closed, or the charger reboots). */
  abortAll(): void {
    this.aborter.abort(new Error('the charger disconnected'));
    this.aborter = new AbortController();
  }

  /** Resolves at `date` (at once when it has passed); rejects when aborted first. */
  until(date: Date): Promise<void> {
    const signal = this.aborter.signal;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', abort);
        resolve();
      }, Math.min(Math.max(0, date.getTime() - Date.now()), LONGEST_TIMER_MS));
      const abort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  /** GET: the body's SHA-256 and size; throws on a network error or a status other than 2xx. */
  async download(location: string): Promise<InstalledFirmware> {
    const response = await fetch(httpUrl(location), { signal: this.signal() });
    if (!response.ok) throw new Error(`GET ${location} answered ${response.status}`);
    const body = Buffer.from(await response.arrayBuffer());
    return { location, sha256: createHash('sha256').update(body).digest('hex'), sizeBytes: body.byteLength };
  }

  /** PUT of a text file; throws on a network error or a status other than 2xx. */
  async upload(location: string, content: string): Promise<void> {
    const response = await fetch(httpUrl(location), { method: 'PUT', body: content, headers: { 'content-type': 'text/plain; charset=utf-8' }, signal: this.signal() });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`PUT ${location} answered ${response.status}`);
  }

  private signal(): AbortSignal {
    return AbortSignal.any([this.aborter.signal, AbortSignal.timeout(TRANSFER_TIMEOUT_MS)]);
  }
}

function httpUrl(location: string): URL {
  const url = new URL(location);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${url.protocol} locations are not supported (HTTP only)`);
  return url;
}
