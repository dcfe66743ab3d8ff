import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { t } from '../../i18n/index.ts';
import { monthName, periodLabel, previousMonth } from './calendar.ts';

interface Outcome { ok: boolean; message: string }

/** POST /invoices/generate for a month, after the operator confirms it. */
export function InvoiceGenerate({ onGenerated }: { onGenerated: () => void }) {
  const [month, setMonth] = useState(previousMonth);
  const [confirming, setConfirming] = useState(false);
  const [working, setWorking] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const askButton = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  // The question replaces the button that asked it: the focus goes to its answer, and back once answered.
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
    else if (asked.current) askButton.current?.focus();
    asked.current = confirming;
  }, [confirming]);
  const period = periodLabel(`${month.year}-${String(month.month).padStart(2, '0')}`);
  const validYear = Number.isInteger(month.year) && month.year >= 2000 && month.year <= 2100;

  async function generate() {
    setWorking(true);
    setOutcome(null);
    try {
      const { created } = await api<{ created: number }>('/invoices/generate', { method: 'POST', body: month });
      setOutcome({ ok: true, message: t('money.invoices.generated', { count: created, period }) });
      onGenerated();
    } catch (reason) {
      setOutcome({ ok: false, message: t('common.error', { message: reason instanceof Error ? reason.message : String(reason) }) });
    } finally {
      setWorking(false);
      setConfirming(false);
    }
  }

  return (
    <section class="panel money-panel" aria-labelledby="invoice-generate-heading">
      <h2 id="invoice-generate-heading">{t('money.invoices.generateHeading')}</h2>
      <p class="muted">{t('money.invoices.generateIntro')}</p>
      <form class="filters" onSubmit={(event) => { event.preventDefault(); setOutcome(null); setConfirming(true); }}>
        <label>
          {t('money.invoices.year')}
          <input type="number" min={2000} max={2100} required value={month.year} disabled={confirming}
            onInput={(event) => setMonth({ ...month, year: event.currentTarget.valueAsNumber })} />
        </label>
        <label>
          {t('money.invoices.month')}
          <select value={month.month} disabled={confirming} onChange={(event) => setMonth({ ...month, month: Number(event.currentTarget.value) })}>
            {Array.from({ length: 12 }, (_, index) => <option key={index} value={index + 1}>{monthName(index + 1)}</option>)}
          </select>
        </label>
        {!confirming && <button type="submit" ref={askButton} disabled={!validYear}>{t('money.invoices.generate')}</button>}
      </form>
      {confirming && (
        <div class="notice confirm" role="alertdialog" aria-labelledby="invoice-generate-confirm">
          <p id="invoice-generate-confirm">{t('money.invoices.confirm', { period })}</p>
          <button type="button" class="primary" disabled={working} ref={confirmButton} onClick={() => void generate()}>
            {working ? t('money.invoices.generating') : t('money.invoices.confirmYes')}
          </button>{' '}
          <button type="button" disabled={working} onClick={() => setConfirming(false)}>{t('common.cancel')}</button>
        </div>
      )}
      {outcome && <p class={`notice ${outcome.ok ? 'ok' : 'error'}`} role={outcome.ok ? 'status' : 'alert'}>{outcome.message}</p>}
    </section>
  );
}
