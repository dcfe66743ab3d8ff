/** One Server-Sent Event as a client parses it (data as JSON); `comment` for a `: …` line. */
export interface StreamEvent {
  event: string;
  data: any;
}

/**
 * A Server-Sent Events client over Node's fetch: reads the stream as it comes and keeps every
 * event, so a test can wait for the one it expects.
 */
export class EventStream {
  readonly events: StreamEvent[] = [];
  readonly comments: string[] = [];
  readonly #consumed = new Set<number>();
  readonly #waiters: (() => void)[] = [];
  readonly #abort = new AbortController();
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;

  private constructor(readonly response: Response) {
    this.ended = this.#read(response.body!).catch(() => undefined).finally(() => this.#wake());
  }

  /** Opens the stream; a refusal (no 200) is returned as the Response. */
  static async open(url: string, token?: string): Promise<EventStream | Response> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: abort.signal });
    if (response.status !== 200) return response;
    const stream = new EventStream(response);
    stream.#abort.signal.addEventListener('abort', () => abort.abort());
    return stream;
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.#parse(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
      this.#wake();
    }
  }

  #parse(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length) this.events.push({ event, data: JSON.parse(data.join('\n')) });
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** The next event named `name` matching `predicate` that no earlier wait took. */
  async next(name: string, predicate: (data: any) => boolean = () => true, timeoutMs = 10_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex((event, i) => !this.#consumed.has(i) && event.event === name && predicate(event.data));
      if (index >= 0) {
        this.#consumed.add(index);
        return this.events[index]!.data;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no ${name} event within ${timeoutMs} ms; received ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Every event named `name` received so far. */
  all(name: string): any[] {
    return this.events.filter((event) => event.event === name).map((event) => event.data);
  }

  close(): void {
    this.#abort.abort();
  }
}
