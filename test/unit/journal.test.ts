import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, type JournalOptions, type JournalRecord } from '../../src/ingest/journal.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-test-'));
  dirs.push(dir);
  return dir;
}

const segmentFiles = (dir: string) => fs.readdirSync(dir).filter((name) => name.endsWith('.seg')).sort();
const lastSegment = (dir: string) => path.join(dir, segmentFiles(dir).at(-1)!);

async function readAll<T>(journal: Journal<T>, afterSeq = 0): Promise<JournalRecord<T>[]> {
  return journal.read(afterSeq, Number.MAX_SAFE_INTEGER);
}

function collectWarnings() {
  const warnings: { message: string; details: Record<string, unknown> }[] = [];
  return { warnings, onWarning: (message: string, details: Record<string, unknown>) => void warnings.push({ message, details }) };
}

type Hook = (args: unknown[], real: () => Promise<unknown>) => Promise<unknown>;

/** The test seam: segment handles whose write, datasync or truncate go through a hook. */
function hooked(hooks: Partial<Record<'write' | 'datasync' | 'truncate', Hook>>): JournalOptions['openSegment'] {
  return async (file, flags) => new Proxy(await fsp.open(file, flags), {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      const hook = hooks[property as keyof typeof hooks];
      return (...args: unknown[]) => (hook ? hook(args, () => method.apply(target, args)) : method.apply(target, args));
    },
  }) as FileHandle;
}

/** Holds the next datasync once `hold()` is called, until `release()`; `started` resolves when it is held. */
function syncGate() {
  let holding = false;
  let syncStarted!: () => void;
  let release!: () => void;
  const started = new Promise<void>((resolve) => { syncStarted = resolve; });
  const released = new Promise<void>((resolve) => { release = resolve; });
  const gate = {
    syncs: 0,
    started,
    hold: () => { holding = true; },
    release,
    datasync: (async (_args, real) => {
      gate.syncs += 1;
      if (holding) {
        holding = false;
        syncStarted();
        await released;
      }
      return real();
    }) satisfies Hook,
  };
  return gate;
}

function diskError(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

// Every record of these has the same size, so byte offsets are easy to compute.
const label = (n: number) => `record-${String(n).padStart(3, '0')}`;
const FRAME_BYTES = 16 + JSON.stringify(label(1)).length;

describe('journal: append and read', () => {
  it('round-trips records in order across segment rotations, paging with read(afterSeq, limit)', async () => {
    const dir = path.join(tempDir(), 'nested', 'journal');
    const journal = await Journal.open<{ n: number; text: string; tags: string[]; ok: boolean; none: null }>(dir, { segmentBytes: 400 });
    expect(journal.lastSeq).toBe(0);
    const value = (n: number) => ({ n, text: `value ${n} ✓`, tags: ['a', String(n)], ok: n % 2 === 0, none: null });
    const seqs: number[] = [];
    for (let n = 1; n <= 100; n += 4) seqs.push(...await journal.append([value(n), value(n + 1), value(n + 2), value(n + 3)]));
    expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(journal.lastSeq).toBe(100);

    const names = segmentFiles(dir);
    expect(names.length).toBeGreaterThan(5);
    expect(names[0]).toBe('00000000000000000001.seg');
    for (const name of names) expect(fs.statSync(path.join(dir, name)).size).toBeLessThanOrEqual(400);
    expect(journal.sizeBytes).toBe(names.reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0));

    const paged: JournalRecord<unknown>[] = [];
    for (let page = await journal.read(0, 7); page.length > 0; page = await journal.read(page.at(-1)!.seq, 7)) {
      expect(page.length).toBeLessThanOrEqual(7);
      paged.push(...page);
    }
    expect(paged).toEqual(Array.from({ length: 100 }, (_, i) => ({ seq: i + 1, value: value(i + 1) })));
    // Each segment's name is the seq of its first record.
    for (const name of names) {
      const [first] = await journal.read(Number(name.slice(0, 20)) - 1, 1);
      expect(first?.seq).toBe(Number(name.slice(0, 20)));
    }
    expect((await journal.read(42, 5)).map((record) => record.seq)).toEqual([43, 44, 45, 46, 47]);
    expect((await journal.read(10, 3)).map((record) => record.seq)).toEqual([11, 12, 13]);
    expect(await journal.read(100, 10)).toEqual([]);
    expect(await journal.read(0, 0)).toEqual([]);
    await journal.close();
  });

  it('reads records larger than its read chunk and many records spanning chunks', async () => {
    const dir = tempDir();
    const journal = await Journal.open<string>(dir);
    const big = 'x'.repeat(3 * 1024 * 1024);
    const small = Array.from({ length: 3000 }, (_, i) => `${i}:${'y'.repeat(1000)}`);
    await journal.append([small[0]!, big, ...small.slice(1)]);
    const expected = [small[0]!, big, ...small.slice(1)];
    const values: string[] = [];
    for (let page = await journal.read(0, 250); page.length > 0; page = await journal.read(page.at(-1)!.seq, 250)) {
      values.push(...page.map((record) => record.value));
    }
    expect(values).toEqual(expected);
    await journal.close();
  });

  it('keeps a stable id for its directory', async () => {
    const dir = tempDir();
    const first = await Journal.open(dir);
    await first.close();
    const second = await Journal.open(dir);
    expect(second.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.id).toBe(first.id);
    await second.close();
    const other = await Journal.open(tempDir());
    expect(other.id).not.toBe(first.id);
    await other.close();
  });

  it('only returns records whose append has resolved', async () => {
    const gate = syncGate();
    const journal = await Journal.open<string>(tempDir(), { openSegment: hooked({ datasync: gate.datasync }) });
    await journal.append(['a', 'b']);
    gate.hold();
    const pending = journal.append(['c']);
    await gate.started;
    expect((await readAll(journal)).map((record) => record.value)).toEqual(['a', 'b']);
    expect(journal.lastSeq).toBe(2);
    gate.release();
    expect(await pending).toEqual([3]);
    expect((await readAll(journal)).map((record) => record.value)).toEqual(['a', 'b', 'c']);
    await journal.close();
  });
});

describe('journal: group commit', () => {
  it('groups 1,000 concurrent appends into few write+datasync rounds, each call getting its own seq', async () => {
    const counts = { write: 0, datasync: 0 };
    const journal = await Journal.open<{ caller: number }>(tempDir(), {
      openSegment: hooked({
        write: (_args, real) => { counts.write += 1; return real(); },
        datasync: (_args, real) => { counts.datasync += 1; return real(); },
      }),
    });
    await journal.append([{ caller: -1 }]);
    counts.write = 0;
    counts.datasync = 0;

    const results = await Promise.all(Array.from({ length: 1000 }, (_, caller) => journal.append([{ caller }])));
    expect(counts.datasync).toBeLessThan(10);
    expect(counts.write).toBe(counts.datasync);
    const seqs = results.map((seqs) => { expect(seqs).toHaveLength(1); return seqs[0]!; });
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 2));
    // Each caller's seq holds that caller's value.
    const bySeq = new Map((await readAll(journal)).map((record) => [record.seq, record.value.caller]));
    seqs.forEach((seq, caller) => expect(bySeq.get(seq)).toBe(caller));
    await journal.close();
  });

  it('groups appends that arrive while a round is being synced into the next round', async () => {
    const gate = syncGate();
    const journal = await Journal.open<number>(tempDir(), { openSegment: hooked({ datasync: gate.datasync }) });
    gate.hold();
    const first = journal.append([0]);
    await gate.started;
    const rest = Array.from({ length: 50 }, (_, i) => journal.append([i + 1]));
    gate.release();
    expect(await first).toEqual([1]);
    expect(await Promise.all(rest)).toEqual(Array.from({ length: 50 }, (_, i) => [i + 2]));
    expect(gate.syncs).toBe(2);
    await journal.close();
  });
});

describe('journal: reopening', () => {
  it('continues numbering after close, and after everything has been pruned', async () => {
    const dir = tempDir();
    const first = await Journal.open<string>(dir, { segmentBytes: 100 });
    await first.append(['a', 'b', 'c']);
    await first.append(['d']);
    await first.close();
    await expect(first.append(['late'])).rejects.toThrow(/closed/);

    const second = await Journal.open<string>(dir, { segmentBytes: 100 });
    expect(second.lastSeq).toBe(4);
    expect(await second.append(['e', 'f'])).toEqual([5, 6]);
    await second.prune(6);
    expect(await readAll(second)).toEqual([]);
    expect(segmentFiles(dir)).toEqual(['00000000000000000007.seg']);
    expect(second.lastSeq).toBe(6);
    await second.close();

    const third = await Journal.open<string>(dir, { segmentBytes: 100 });
    expect(third.lastSeq).toBe(6);
    expect(await third.append(['g'])).toEqual([7]);
    expect(await readAll(third)).toEqual([{ seq: 7, value: 'g' }]);
    await third.close();
  });

  it('keeps every resolved record when the process dies without closing', async () => {
    const dir = tempDir();
    const journal = await Journal.open<string>(dir, { segmentBytes: 200 });
    const resolved = await Promise.all(Array.from({ length: 40 }, (_, i) => journal.append([label(i + 1)])));
    // A copy taken now is what a crash would leave: no close, handles still open.
    const copy = path.join(tempDir(), 'copy');
    fs.cpSync(dir, copy, { recursive: true });

    const { warnings, onWarning } = collectWarnings();
    const reopened = await Journal.open<string>(copy, { segmentBytes: 200, onWarning });
    expect(warnings).toEqual([]);
    expect(reopened.id).toBe(journal.id);
    expect(reopened.lastSeq).toBe(40);
    expect(await readAll(reopened)).toEqual(resolved.map(([seq]) => ({ seq, value: label(seq!) })));
    expect(await reopened.append(['after'])).toEqual([41]);
    await reopened.close();
    await journal.close();
  });
});

describe('journal: damaged files', () => {
  async function writeLabels(dir: string, count: number): Promise<void> {
    const journal = await Journal.open<string>(dir);
    await journal.append(Array.from({ length: count }, (_, i) => label(i + 1)));
    await journal.close();
  }

  it('drops garbage after the last record and carries on', async () => {
    const dir = tempDir();
    await writeLabels(dir, 5);
    fs.appendFileSync(lastSegment(dir), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]));

    const { warnings, onWarning } = collectWarnings();
    const journal = await Journal.open<string>(dir, { onWarning });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.details).toMatchObject({ offset: 5 * FRAME_BYTES, droppedBytes: 20 });
    expect(fs.statSync(lastSegment(dir)).size).toBe(5 * FRAME_BYTES);
    expect(await journal.append([label(6)])).toEqual([6]);
    expect((await readAll(journal)).map((record) => record.value)).toEqual([1, 2, 3, 4, 5, 6].map(label));
    await journal.close();
  });

  it('drops a record cut in half and carries on', async () => {
    const dir = tempDir();
    await writeLabels(dir, 5);
    fs.truncateSync(lastSegment(dir), 5 * FRAME_BYTES - Math.floor(FRAME_BYTES / 2));

    const { warnings, onWarning } = collectWarnings();
    const journal = await Journal.open<string>(dir, { onWarning });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/truncated/);
    expect(warnings[0]!.details).toMatchObject({ offset: 4 * FRAME_BYTES, droppedBytes: FRAME_BYTES - Math.floor(FRAME_BYTES / 2) });
    expect(journal.lastSeq).toBe(4);
    expect(await journal.append([label(5)])).toEqual([5]);
    expect(await readAll(journal)).toEqual([1, 2, 3, 4, 5].map((seq) => ({ seq, value: label(seq) })));
    await journal.close();

    const again = await Journal.open<string>(dir, { onWarning });
    expect(warnings).toHaveLength(1);
    expect(again.lastSeq).toBe(5);
    await again.close();
  });

  it('ends the journal at a corrupt byte in the middle of the last segment', async () => {
    const dir = tempDir();
    await writeLabels(dir, 10);
    const file = lastSegment(dir);
    const bytes = fs.readFileSync(file);
    bytes[4 * FRAME_BYTES + 16 + 3]! ^= 0xff;
    fs.writeFileSync(file, bytes);

    const { warnings, onWarning } = collectWarnings();
    const journal = await Journal.open<string>(dir, { onWarning });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.details).toMatchObject({ offset: 4 * FRAME_BYTES, droppedBytes: 6 * FRAME_BYTES });
    expect((await readAll(journal)).map((record) => record.seq)).toEqual([1, 2, 3, 4]);
    expect(await journal.append(['new'])).toEqual([5]);
    expect((await readAll(journal)).map((record) => record.value)).toEqual([label(1), label(2), label(3), label(4), 'new']);
    await journal.close();
  });

  it('skips the rest of an earlier segment after a corrupt record; later segments are intact', async () => {
    const dir = tempDir();
    const journal = await Journal.open<string>(dir, { segmentBytes: 4 * FRAME_BYTES });
    for (let n = 1; n <= 12; n += 4) await journal.append([label(n), label(n + 1), label(n + 2), label(n + 3)]);
    await journal.close();
    const [first] = segmentFiles(dir);
    const file = path.join(dir, first!);
    const bytes = fs.readFileSync(file);
    bytes[FRAME_BYTES + 5]! ^= 0x01;
    fs.writeFileSync(file, bytes);

    const { warnings, onWarning } = collectWarnings();
    const reopened = await Journal.open<string>(dir, { segmentBytes: 4 * FRAME_BYTES, onWarning });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.details).toMatchObject({ offset: FRAME_BYTES, droppedBytes: 3 * FRAME_BYTES });
    expect((await readAll(reopened)).map((record) => record.seq)).toEqual([1, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect((await reopened.read(1, 2)).map((record) => record.seq)).toEqual([5, 6]);
    expect(await reopened.append(['next'])).toEqual([13]);
    await reopened.close();
  });
});

describe('journal: failures', () => {
  it('rejects only the append whose value cannot be serialised', async () => {
    const journal = await Journal.open<unknown>(tempDir());
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const calls = [
      journal.append([{ ok: 1 }]),
      journal.append([{ ok: 2 }, { big: 10n }]),
      journal.append([cycle]),
      journal.append([undefined]),
      journal.append([{ ok: 3 }]),
    ];
    const results = await Promise.allSettled(calls);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    expect(results[0]).toEqual({ status: 'fulfilled', value: [1] });
    expect(results[4]).toEqual({ status: 'fulfilled', value: [2] });
    expect(await readAll(journal)).toEqual([{ seq: 1, value: { ok: 1 } }, { seq: 2, value: { ok: 3 } }]);
    await journal.close();
  });

  it('rejects a round whose write fails part-way, cuts its bytes off and accepts later appends', async () => {
    const dir = tempDir();
    let failNext = false;
    const journal = await Journal.open<string>(dir, {
      openSegment: hooked({
        write: async (args, real) => {
          if (!failNext) return real();
          failNext = false;
          const [buffer, offset, length, position] = args as [Buffer, number, number, number];
          const handle = await fsp.open(lastSegment(dir), 'r+');
          await handle.write(buffer, offset, Math.floor(length / 2), position);
          await handle.close();
          throw diskError('ENOSPC');
        },
      }),
    });
    expect(await journal.append([label(1), label(2)])).toEqual([1, 2]);
    failNext = true;
    const failed = journal.append([label(3), label(4)]);
    const sameRound = journal.append([label(5)]);
    await expect(failed).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(sameRound).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(fs.statSync(lastSegment(dir)).size).toBe(2 * FRAME_BYTES);
    expect(journal.lastSeq).toBe(2);

    expect(await journal.append([label(6)])).toEqual([3]);
    expect((await readAll(journal)).map((record) => record.value)).toEqual([label(1), label(2), label(6)]);
    await journal.close();

    const { warnings, onWarning } = collectWarnings();
    const reopened = await Journal.open<string>(dir, { onWarning });
    expect(warnings).toEqual([]);
    expect((await readAll(reopened)).map((record) => record.value)).toEqual([label(1), label(2), label(6)]);
    await reopened.close();
  });

  it('moves to a new segment when a failed round cannot be cut off, and never brings its records back', async () => {
    const dir = tempDir();
    let failing = false;
    const { warnings, onWarning } = collectWarnings();
    const journal = await Journal.open<string>(dir, {
      onWarning,
      openSegment: hooked({
        // The write lands completely but is not confirmed, and it cannot be taken back.
        datasync: (_args, real) => (failing ? Promise.reject(diskError('EIO')) : real()),
        truncate: (_args, real) => (failing ? Promise.reject(diskError('EIO')) : real()),
      }),
    });
    expect(await journal.append([label(1), label(2)])).toEqual([1, 2]);
    failing = true;
    await expect(journal.append([label(3), label(4)])).rejects.toMatchObject({ code: 'EIO' });
    expect(warnings).toHaveLength(1);
    expect(fs.statSync(lastSegment(dir)).size).toBe(4 * FRAME_BYTES);
    failing = false;

    expect(await journal.append(['x'])).toEqual([3]);
    expect(segmentFiles(dir)).toEqual(['00000000000000000001.seg', '00000000000000000003.seg']);
    expect((await readAll(journal)).map((record) => record.value)).toEqual([label(1), label(2), 'x']);
    await journal.close();

    const reopenWarnings = collectWarnings();
    const reopened = await Journal.open<string>(dir, { onWarning: reopenWarnings.onWarning });
    // The unconfirmed records carry seqs 3 and 4, which the next segment took over.
    expect(reopenWarnings.warnings).toHaveLength(1);
    expect(reopenWarnings.warnings[0]!.details).toMatchObject({ offset: 2 * FRAME_BYTES, droppedBytes: 2 * FRAME_BYTES });
    expect(await readAll(reopened)).toEqual([{ seq: 1, value: label(1) }, { seq: 2, value: label(2) }, { seq: 3, value: 'x' }]);
    expect(await reopened.append(['y'])).toEqual([4]);
    await reopened.close();
  });

  it('recreates an empty segment whose failed round cannot be cut off', async () => {
    const dir = tempDir();
    let failing = true;
    const journal = await Journal.open<string>(dir, {
      openSegment: hooked({
        datasync: (_args, real) => (failing ? Promise.reject(diskError('EIO')) : real()),
        truncate: (_args, real) => (failing ? Promise.reject(diskError('EIO')) : real()),
      }),
    });
    await expect(journal.append(['lost'])).rejects.toMatchObject({ code: 'EIO' });
    failing = false;
    expect(await journal.append(['kept'])).toEqual([1]);
    expect(segmentFiles(dir)).toEqual(['00000000000000000001.seg']);
    await journal.close();

    const reopened = await Journal.open<string>(dir);
    expect(await readAll(reopened)).toEqual([{ seq: 1, value: 'kept' }]);
    await reopened.close();
  });
});

describe('journal: prune', () => {
  it('deletes only fully applied segments; later records stay readable', async () => {
    const dir = tempDir();
    const journal = await Journal.open<string>(dir, { segmentBytes: 4 * FRAME_BYTES });
    for (let n = 1; n <= 16; n += 4) await journal.append([label(n), label(n + 1), label(n + 2), label(n + 3)]);
    expect(segmentFiles(dir)).toEqual(['00000000000000000001.seg', '00000000000000000005.seg', '00000000000000000009.seg', '00000000000000000013.seg']);
    expect(journal.sizeBytes).toBe(16 * FRAME_BYTES);

    await journal.prune(7);
    expect(segmentFiles(dir)).toEqual(['00000000000000000005.seg', '00000000000000000009.seg', '00000000000000000013.seg']);
    expect(journal.sizeBytes).toBe(12 * FRAME_BYTES);
    expect((await journal.read(7, 100)).map((record) => record.seq)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect((await journal.read(0, 2)).map((record) => record.seq)).toEqual([5, 6]);

    await journal.prune(12);
    expect(segmentFiles(dir)).toEqual(['00000000000000000013.seg']);
    expect((await readAll(journal, 12)).map((record) => record.value)).toEqual([13, 14, 15, 16].map(label));

    // The segment still appended to is rotated away only once all of it is applied.
    await journal.prune(15);
    expect(segmentFiles(dir)).toEqual(['00000000000000000013.seg']);
    await journal.prune(16);
    expect(segmentFiles(dir)).toEqual(['00000000000000000017.seg']);
    expect(journal.sizeBytes).toBe(0);
    expect(await journal.append([label(17)])).toEqual([17]);
    expect(await readAll(journal)).toEqual([{ seq: 17, value: label(17) }]);
    await journal.close();
  });

  it('prunes while appends are in flight without losing any', async () => {
    const dir = tempDir();
    const journal = await Journal.open<number>(dir, { segmentBytes: 64 });
    await journal.append([1, 2, 3]);
    const appends = Array.from({ length: 20 }, (_, i) => journal.append([i + 4]));
    const pruned = journal.prune(3);
    await Promise.all([...appends, pruned]);
    expect((await readAll(journal, 3)).map((record) => record.value)).toEqual(Array.from({ length: 20 }, (_, i) => i + 4));
    await journal.close();
  });
});
