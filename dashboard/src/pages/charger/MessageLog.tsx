import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { t } from '../../i18n/index.ts';
import { onLive, watchCharger } from '../../live.ts';
import { Field } from './Field.tsx';
import { FrameItem } from './FrameItem.tsx';
import { actionOf, FrameReader, MAX_FRAMES, type LoggedFrame } from './frames.ts';
import type { StoredFrames } from './types.ts';

/** Stored frames read when the page opens (the newest; older ones are in the database). */
const STORED_PAGE = 200;

const sameFrame = (a: LoggedFrame, b: LoggedFrame) => a.direction === b.direction && a.text === b.text;

/** The OCPP frames exchanged with the charger: the stored ones, then live while the page is open. */
export function MessageLog({ chargerId }: { chargerId: number }) {
  const reader = useRef(new FrameReader());
  const [frames, setFrames] = useState<LoggedFrame[]>([]);
  const [stored, setStored] = useState<StoredFrames | null>(null);
  const [storedError, setStoredError] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  const pausedRef = useRef(false);
  const held = useRef<LoggedFrame[]>([]);
  const [heldCount, setHeldCount] = useState(0);
  const [action, setAction] = useState('');
  const [text, setText] = useState('');

  useEffect(() => {
    reader.current = new FrameReader();
    setFrames([]);
    held.current = [];
    setHeldCount(0);
    const unwatch = watchCharger(chargerId);
    const unlisten = onLive('frame', (event) => {
      if (event.chargerId !== chargerId) return;
      const frame = reader.current.read(event.direction, event.at, event.frame);
      if (pausedRef.current) {
        held.current = [frame, ...held.current].slice(0, MAX_FRAMES);
        setHeldCount(held.current.length);
      } else {
        setFrames((current) => [frame, ...current].slice(0, MAX_FRAMES));
      }
    });
    let cancelled = false;
    api<StoredFrames>(`/chargers/${chargerId}/messages?limit=${STORED_PAGE}`).then(
      (answer) => {
        if (cancelled) return;
        setStored(answer);
        // Oldest first, so each answer finds the CALL before it.
        const older = [...answer.frames].reverse().map((f) => reader.current.read(f.direction, f.at, f.frame)).reverse();
        setFrames((live) => [...live, ...older.filter((o) => !live.some((l) => sameFrame(l, o)))].slice(0, MAX_FRAMES));
      },
      (error: unknown) => !cancelled && setStoredError(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      cancelled = true;
      unlisten();
      unwatch();
    };
  }, [chargerId]);

  const togglePause = () => {
    const next = !pausedRef.current;
    pausedRef.current = next;
    setPaused(next);
    if (!next) {
      const resumed = held.current;
      held.current = [];
      setHeldCount(0);
      setFrames((current) => [...resumed, ...current].slice(0, MAX_FRAMES));
    }
  };
  const clear = () => {
    held.current = [];
    setHeldCount(0);
    setFrames([]);
  };

  const actions = useMemo(() => [...new Set(frames.map(actionOf).filter((a): a is string => a !== null))].sort(), [frames]);
  const needle = text.trim().toLowerCase();
  const shown = frames.filter((f) => (!action || actionOf(f) === action) && (!needle || f.text.toLowerCase().includes(needle)));

  return (
    <section class="panel" aria-labelledby="charger-log">
      <h2 id="charger-log">{t('charger.log.heading')}</h2>
      <div class="filters">
        <Field label={t('charger.log.action')}>{(id) => (
          <select id={id} value={action} onChange={(e) => setAction(e.currentTarget.value)}>
            <option value="">{t('common.all')}</option>
            {actions.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        )}</Field>
        <Field label={t('charger.log.text')}>{(id) => (
          <input id={id} type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        )}</Field>
        <button type="button" aria-pressed={paused} onClick={togglePause}>{paused ? t('charger.log.resume') : t('charger.log.pause')}</button>
        <button type="button" onClick={clear}>{t('charger.log.clear')}</button>
      </div>
      {paused && heldCount > 0 && <p class="muted" role="status">{t('charger.log.held', { count: heldCount })}</p>}
      {stored && !stored.messageLog && <p class="muted">{t('charger.log.notStored')}</p>}
      {storedError && <p class="notice error" role="alert">{t('charger.log.storedFailed', { message: storedError })}</p>}
      <p class="muted">{t('charger.log.count', { shown: shown.length, total: frames.length, max: MAX_FRAMES })}</p>
      <ol class="message-log" data-testid="message-log">
        {shown.map((frame) => <FrameItem key={frame.key} frame={frame} />)}
      </ol>
    </section>
  );
}
