/**
 * A durable, append-only journal in one local directory: the server writes records here
 * while its database is unreachable, answers clients once they are on disk, and later
 * replays them into the database in order.
 *
 * Guarantees: an append that resolved survives a process crash and, through fdatasync,
 * a power loss on a disk that honours it; records come back in seq order, exactly as
 * appended (as JSON: `JSON.parse(JSON.stringify(value))`); seqs start at 1 and increase by
 * 1, and a seq an append resolved with is never given to another record, not even after
 * every segment has been pruned (a rejected append's seqs go to the next one).
 *
 * Limits: a corrupt record in the last segment ends the journal there (the tail is
 * truncated on open); in an earlier segment it loses the rest of that segment, because
 * nothing after a bad length can be trusted to be a record boundary. A full or failing
 * disk rejects appends: the caller must hold its answer. If a write fails and even
 * cutting its bytes off fails, the next append starts a new segment; should the process
 * die before that append, the failed records may reappear on open. The journal is local
 * to one machine's DATA_DIR and to one process at a time. A record that goes bad on disk
 * after open makes `read` throw rather than skip it.
 *
 * On disk: `journal.id` holds the directory's random id; `<first seq, 20 digits>.seg`
 * files hold the records, each framed as
 * `[u32 LE payload length][u32 LE checksum][u64 LE seq][payload: UTF-8 JSON]`, the checksum
 * being the first 4 bytes of SHA-256 over the length, seq and payload fields. A segment's
 * name is the seq of its first record, or of the next record if it is empty, which is how
 * numbering survives pruning: the segment appended to is never deleted.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface JournalRecord<T> { seq: number; value: T }

export interface JournalOptions {
  /** A segment is closed once the next group of records would take it past this size (default 16 MiB). */
  segmentBytes?: number;
  /** Told about data dropped on open and about failed writes that could not be cleaned up. */
  onWarning?: (message: string, details: Record<string, unknown>) => void;
  /**
   * For tests: opens the segment files appends write through (defaults to `fs.open`), so a
   * test can wrap the handle to count syncs or inject write failures.
   */
  openSegment?: (file: string, flags: string) => Promise<FileHandle>;
}

interface Segment {
  file: string;
  firstSeq: number;
  /** Last durable seq in this segment; `firstSeq - 1` when it has none. */
  lastSeq: number;
  /** End of the durable records; readers never look past it. */
  bytes: number;
  /** Size of the file, which can exceed `bytes` after a corrupt record in an earlier segment. */
  diskBytes: number;
}

interface Pending {
  payloads: Buffer[];
  resolve: (seqs: number[]) => void;
  reject: (error: unknown) => void;
}

type Scanned = { seq: number; payload: Buffer; end: number } | { corruptAt: number };

const HEADER_BYTES = 16;
const CHUNK_BYTES = 1024 * 1024;
const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
const SEGMENT_NAME = /^\d{20}\.seg$/;

const segmentName = (firstSeq: number) => `${String(firstSeq).padStart(20, '0')}.seg`;

function checksum(buffer: Buffer, at: number, length: number): number {
  return createHash('sha256')
    .update(buffer.subarray(at, at + 4))
    .update(buffer.subarray(at + 8, at + HEADER_BYTES + length))
    .digest()
    .readUInt32LE(0);
}

function serialise(value: unknown): Buffer {
  const json = JSON.stringify(value);
  // undefined, functions and symbols have no JSON form; stringify returns undefined for them.
  if (json === undefined) throw new TypeError('journal: value has no JSON form');
  return Buffer.from(json, 'utf8');
}

function encode(payloads: Buffer[], firstSeq: number): Buffer {
  const buffer = Buffer.allocUnsafe(payloads.reduce((sum, payload) => sum + HEADER_BYTES + payload.length, 0));
  let at = 0;
  payloads.forEach((payload, i) => {
    buffer.writeUInt32LE(payload.length, at);
    buffer.writeBigUInt64LE(BigInt(firstSeq + i), at + 8);
    payload.copy(buffer, at + HEADER_BYTES);
    buffer.writeUInt32LE(checksum(buffer, at, payload.length), at + 4);
    at += HEADER_BYTES + payload.length;
  });
  return buffer;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

async function writeAll(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  // A file write can be short (the disk filling up part-way); the rest must still go out or fail.
  for (let written = 0; written < buffer.length;) {
    const { bytesWritten } = await handle.write(buffer, written, buffer.length - written, position + written);
    written += bytesWritten;
  }
}

/**
 * The frames between byte offsets `from` and `to`, read a chunk at a time so memory stays
 * bounded by the chunk or the largest record. Frames must carry consecutive seqs starting
 * at `seq` and below `seqLimit`; the first one that does not, or whose length or checksum
 * is wrong, is yielded as `corruptAt` and ends the scan.
 */
async function* scan(handle: FileHandle, from: number, to: number, seq: number, seqLimit = Infinity): AsyncGenerator<Scanned> {
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = from;
  const load = async (offset: number, need: number): Promise<boolean> => {
    if (offset + need <= chunkStart + chunk.length) return true;
    // Checked before reading, so a garbage length never allocates more than the file holds.
    if (offset + need > to) return false;
    chunk = await readAt(handle, offset, Math.min(to - offset, Math.max(need, CHUNK_BYTES)));
    chunkStart = offset;
    return chunk.length >= need;
  };
  let offset = from;
  while (offset < to) {
    if (!(await load(offset, HEADER_BYTES))) break;
    const length = chunk.readUInt32LE(offset - chunkStart);
    if (!(await load(offset, HEADER_BYTES + length))) break;
    const at = offset - chunkStart;
    const valid = chunk.readUInt32LE(at + 4) === checksum(chunk, at, length)
      && Number(chunk.readBigUInt64LE(at + 8)) === seq && seq < seqLimit;
    if (!valid) break;
    offset += HEADER_BYTES + length;
    yield { seq, payload: chunk.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length), end: offset };
    seq += 1;
  }
  if (offset < to) yield { corruptAt: offset };
}

/** Makes a created, renamed or deleted directory entry itself durable. */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readOrCreateId(dir: string): Promise<string> {
  const file = path.join(dir, 'journal.id');
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const id = randomUUID();
  const temp = `${file}.tmp`;
  const handle = await fs.open(temp, 'w');
  try {
    await handle.writeFile(`${id}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
  await syncDir(dir);
  return id;
}

/**
 * Finds the durable records of one segment. A bad record in the last segment is a torn
 * or corrupt tail and is cut off; in an earlier one the rest of that segment is ignored.
 */
async function recover(
  handle: FileHandle, file: string, firstSeq: number, seqLimit: number, isLast: boolean,
  warn: NonNullable<JournalOptions['onWarning']>,
): Promise<Segment> {
  const diskBytes = (await handle.stat()).size;
  const segment: Segment = { file, firstSeq, lastSeq: firstSeq - 1, bytes: 0, diskBytes };
  for await (const item of scan(handle, 0, diskBytes, firstSeq, seqLimit)) {
    if ('seq' in item) {
      segment.lastSeq = item.seq;
      segment.bytes = item.end;
      continue;
    }
    const details = { file, offset: item.corruptAt, droppedBytes: diskBytes - item.corruptAt };
    if (isLast) {
      await handle.truncate(item.corruptAt);
      await handle.datasync();
      segment.diskBytes = item.corruptAt;
      warn('journal: truncated a torn or corrupt tail', details);
    } else {
      warn('journal: a corrupt record ends this segment early; its remaining records are lost', details);
    }
  }
  return segment;
}

export class Journal<T> {
  readonly id: string;
  readonly #dir: string;
  readonly #segmentBytes: number;
  readonly #warn: NonNullable<JournalOptions['onWarning']>;
  readonly #openSegment: NonNullable<JournalOptions['openSegment']>;
  /** Oldest first; the last one is the segment appended to. */
  readonly #segments: Segment[];
  #active: { segment: Segment; handle: FileHandle };
  #pending: Pending[] = [];
  #flushing: Promise<void> | undefined;
  /** Commits, rotations and prunes run one at a time, in the order they were asked for. */
  #lock: Promise<void> = Promise.resolve();
  #needsFreshSegment = false;
  /** Where the last read stopped, so paging forward does not rescan the segment. */
  #cursor: { segment: Segment; offset: number; seq: number } | undefined;
  #closing: Promise<void> | undefined;

  private constructor(
    id: string, dir: string, options: Required<JournalOptions>, segments: Segment[], active: { segment: Segment; handle: FileHandle },
  ) {
    this.id = id;
    this.#dir = dir;
    this.#segmentBytes = options.segmentBytes;
    this.#warn = options.onWarning;
    this.#openSegment = options.openSegment;
    this.#segments = segments;
    this.#active = active;
  }

  /**
   * Opens (creating if needed) the journal in `dir`. Scans existing segments, truncates a
   * torn or corrupt tail (reported through `onWarning`) and continues numbering after the
   * last good record.
   */
  static async open<T>(dir: string, options: JournalOptions = {}): Promise<Journal<T>> {
    const settings: Required<JournalOptions> = {
      segmentBytes: options.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
      onWarning: options.onWarning ?? (() => {}),
      openSegment: options.openSegment ?? ((file, flags) => fs.open(file, flags)),
    };
    await fs.mkdir(dir, { recursive: true });
    const id = await readOrCreateId(dir);
    // Zero-padded names sort in seq order.
    const names = (await fs.readdir(dir)).filter((name) => SEGMENT_NAME.test(name)).sort();
    const segments: Segment[] = [];
    let active: { segment: Segment; handle: FileHandle } | undefined;
    for (const [i, name] of names.entries()) {
      const file = path.join(dir, name);
      const next = names[i + 1];
      const isLast = next === undefined;
      const handle = isLast ? await settings.openSegment(file, 'r+') : await fs.open(file, 'r');
      let segment: Segment;
      try {
        segment = await recover(handle, file, Number(name.slice(0, 20)), next ? Number(next.slice(0, 20)) : Infinity, isLast, settings.onWarning);
      } catch (error) {
        await handle.close();
        throw error;
      }
      segments.push(segment);
      if (isLast) active = { segment, handle };
      else await handle.close();
    }
    if (!active) {
      const file = path.join(dir, segmentName(1));
      const handle = await settings.openSegment(file, 'wx');
      await syncDir(dir);
      active = { segment: { file, firstSeq: 1, lastSeq: 0, bytes: 0, diskBytes: 0 }, handle };
      segments.push(active.segment);
    }
    return new Journal<T>(id, dir, settings, segments, active);
  }

  /** Seq of the last durable record (0 when the journal never held one). */
  get lastSeq(): number {
    return this.#active.segment.lastSeq;
  }

  /** Bytes in segment files on disk, for monitoring. */
  get sizeBytes(): number {
    return this.#segments.reduce((sum, segment) => sum + segment.diskBytes, 0);
  }

  /**
   * Appends the values in order and resolves with their seqs once they are written and
   * fdatasync'ed. Appends made while a write is in flight are written together in the next
   * round, with one write and one fdatasync. A failed round rejects all of its appends and
   * leaves the journal usable; a value that cannot be serialised rejects only its own call.
   */
  append(values: T[]): Promise<number[]> {
    if (this.#closing) return Promise.reject(new Error('journal: closed'));
    let payloads: Buffer[];
    try {
      payloads = values.map(serialise);
    } catch (error) {
      return Promise.reject(error);
    }
    if (payloads.length === 0) return Promise.resolve([]);
    return new Promise<number[]>((resolve, reject) => {
      this.#pending.push({ payloads, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /**
   * Up to `limit` durable records with seq > `afterSeq`, in order. Reads a chunk at a time
   * and resumes from where the previous call stopped when `afterSeq` has not gone back.
   */
  async read(afterSeq: number, limit: number): Promise<JournalRecord<T>[]> {
    const records: JournalRecord<T>[] = [];
    for (const segment of [...this.#segments]) {
      if (records.length >= limit) break;
      if (segment.lastSeq <= afterSeq) continue;
      const cursor = this.#cursor?.segment === segment && this.#cursor.seq <= afterSeq + 1
        ? this.#cursor
        : { segment, offset: 0, seq: segment.firstSeq };
      const handle = await fs.open(segment.file, 'r');
      try {
        for await (const item of scan(handle, cursor.offset, segment.bytes, cursor.seq)) {
          if (!('seq' in item)) throw new Error(`journal: corrupt record in ${segment.file} at byte ${item.corruptAt}`);
          if (item.seq > afterSeq) records.push({ seq: item.seq, value: JSON.parse(item.payload.toString('utf8')) as T });
          this.#cursor = { segment, offset: item.end, seq: item.seq + 1 };
          if (records.length >= limit) break;
        }
      } finally {
        await handle.close();
      }
    }
    return records;
  }

  /**
   * Deletes the segment files all of whose records have seq <= `appliedSeq`. A fully
   * applied segment that is still appended to is first replaced by a new, empty one,
   * whose name keeps the numbering.
   */
  prune(appliedSeq: number): Promise<void> {
    if (this.#closing) return Promise.reject(new Error('journal: closed'));
    return this.#serial(async () => {
      const active = this.#active.segment;
      if (active.lastSeq >= active.firstSeq && active.lastSeq <= appliedSeq) await this.#rotate();
      let deleted = 0;
      // lastSeq grows from segment to segment, so the applied ones are a prefix.
      while (this.#segments[0] && this.#segments[0] !== this.#active.segment && this.#segments[0].lastSeq <= appliedSeq) {
        await fs.rm(this.#segments[0].file, { force: true });
        this.#segments.shift();
        deleted += 1;
      }
      if (deleted > 0) await syncDir(this.#dir);
    });
  }

  /** Waits for appends in flight, then closes the segment file; later appends reject. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#flushing;
      await this.#serial(() => this.#active.handle.close());
    })();
    return this.#closing;
  }

  #serial<R>(task: () => Promise<R>): Promise<R> {
    const run = this.#lock.then(task);
    this.#lock = run.then(() => undefined, () => undefined);
    return run;
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      await this.#serial(() => {
        // Taken when the lock is ours, so everything that arrived while waiting joins this round.
        const group = this.#pending;
        this.#pending = [];
        return this.#commit(group);
      });
    }
    this.#flushing = undefined;
  }

  async #commit(group: Pending[]): Promise<void> {
    const payloads = group.flatMap((entry) => entry.payloads);
    const bytes = payloads.reduce((sum, payload) => sum + HEADER_BYTES + payload.length, 0);
    try {
      const current = this.#active.segment;
      if (this.#needsFreshSegment || (current.bytes > 0 && current.bytes + bytes > this.#segmentBytes)) await this.#rotate();
      const { segment, handle } = this.#active;
      const firstSeq = segment.lastSeq + 1;
      await writeAll(handle, encode(payloads, firstSeq), segment.bytes);
      await handle.datasync();
      segment.bytes += bytes;
      segment.diskBytes = segment.bytes;
      segment.lastSeq += payloads.length;
      let seq = firstSeq;
      for (const entry of group) entry.resolve(entry.payloads.map(() => seq++));
    } catch (error) {
      await this.#discardTail();
      for (const entry of group) entry.reject(error);
    }
  }

  /**
   * Cuts off the bytes of a failed round so the next one writes over clean ground. If
   * that fails too, the next round moves to a new segment: the stray bytes then sit in an
   * earlier segment, where open ignores them, as they carry seqs the new segment reuses.
   */
  async #discardTail(): Promise<void> {
    const { segment, handle } = this.#active;
    try {
      await handle.truncate(segment.bytes);
      await handle.datasync();
    } catch (error) {
      this.#needsFreshSegment = true;
      this.#warn('journal: could not remove a failed write; the next append starts a new segment', { file: segment.file, error: String(error) });
    }
  }

  async #rotate(): Promise<void> {
    const old = this.#active;
    // An empty segment already bears the next seq as its name; it is recreated rather than
    // followed by a second file of the same name.
    const empty = old.segment.lastSeq < old.segment.firstSeq;
    const firstSeq = old.segment.lastSeq + 1;
    const file = path.join(this.#dir, segmentName(firstSeq));
    const handle = await this.#openSegment(file, empty ? 'w' : 'wx');
    try {
      await syncDir(this.#dir);
    } catch (error) {
      await handle.close();
      throw error;
    }
    const segment: Segment = { file, firstSeq, lastSeq: firstSeq - 1, bytes: 0, diskBytes: 0 };
    if (empty) this.#segments.pop();
    this.#segments.push(segment);
    this.#active = { segment, handle };
    this.#needsFreshSegment = false;
    await old.handle.close();
  }
}
