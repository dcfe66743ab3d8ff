import { language, t } from '../../i18n/index.ts';
import type { LoggedFrame } from './frames.ts';

const clock = new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 });
const TYPE_NAMES = { 2: 'CALL', 3: 'CALLRESULT', 4: 'CALLERROR' } as const;

/** One frame of the message log, with the test hooks of the contract (data-direction, data-action, data-answers). */
export function FrameItem({ frame }: { frame: LoggedFrame }) {
  const arrow = frame.direction === 'in' ? `← ${t('charger.log.in')}` : `→ ${t('charger.log.out')}`;
  return (
    <li
      data-testid="frame"
      data-direction={frame.direction}
      data-action={frame.messageType === 2 ? frame.action ?? undefined : undefined}
      data-answers={frame.answers ?? undefined}
      class={`frame-entry ${frame.direction}${frame.messageType === 4 ? ' callerror' : ''}`}
    >
      <div class="frame-head">
        <time dateTime={frame.at}>{clock.format(new Date(frame.at))}</time>
        <span class="frame-direction">{arrow}</span>
        <span>{frame.messageType ? TYPE_NAMES[frame.messageType] : t('charger.log.notOcpp')}</span>
        {frame.action && <strong>{frame.action}</strong>}
        {frame.answers && <span class="muted">{t('charger.log.answers', { action: frame.answers })}</span>}
      </div>
      <pre class="frame">{frame.pretty}</pre>
    </li>
  );
}
