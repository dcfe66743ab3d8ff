import { useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { t } from '../../i18n/index.ts';

type Outcome = { ok: true; count: number } | { ok: false; message: string };

/**
 * POST /tariffs/import: a CSV file or pasted text. A chosen file is read into the text box,
 * so what is sent is always what is shown (and can be corrected before sending).
 */
export function TariffImport({ onImported }: { onImported: () => void }) {
  const [text, setText] = useState('');
  const [working, setWorking] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  async function readFile(event: Event) {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    setOutcome(null);
    try {
      setText(await file.text());
    } catch (reason) {
      setOutcome({ ok: false, message: t('money.tariffs.unreadableFile', { message: reason instanceof Error ? reason.message : String(reason) }) });
    }
  }

  async function submit(event: Event) {
    event.preventDefault();
    setWorking(true);
    setOutcome(null);
    try {
      const { count } = await api<{ count: number }>('/tariffs/import', { method: 'POST', body: text, contentType: 'text/csv' });
      setOutcome({ ok: true, count });
      onImported();
    } catch (reason) {
      setOutcome({ ok: false, message: t('money.tariffs.importFailed', { message: reason instanceof Error ? reason.message : String(reason) }) });
    } finally {
      setWorking(false);
    }
  }

  return (
    <form class="panel money-panel tariff-import" onSubmit={submit} aria-labelledby="tariff-import-heading">
      <h2 id="tariff-import-heading">{t('money.tariffs.importHeading')}</h2>
      <p class="muted" id="tariff-import-format">{t('money.tariffs.importFormat')}</p>
      <label>
        {t('money.tariffs.file')}
        <input type="file" accept=".csv,text/csv,text/plain" onChange={readFile} />
      </label>
      <label>
        {t('money.tariffs.text')}
        <textarea rows={6} spellcheck={false} value={text} aria-describedby="tariff-import-format"
          placeholder={'start,price_sek_per_kwh\n2026-06-02T06:00:00Z,1.24'}
          onInput={(event) => setText(event.currentTarget.value)} />
      </label>
      <div>
        <button type="submit" class="primary" disabled={working || text.trim() === ''}>
          {working ? t('money.tariffs.importing') : t('money.tariffs.import')}
        </button>
      </div>
      {outcome?.ok && <p class="notice ok" role="status">{t('money.tariffs.imported', { count: outcome.count })}</p>}
      {outcome && !outcome.ok && <p class="notice error" role="alert">{outcome.message}</p>}
    </form>
  );
}
