import { useMemo, useState } from 'preact/hooks';
import { query } from '../api.ts';
import { Async } from '../components/Async.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { TimeChart } from '../components/TimeChart.tsx';
import { useApi } from '../data.ts';
import { num, sek } from '../format.ts';
import { t } from '../i18n/index.ts';
import { dayLabel, hourLabel, localDay, localMidnight } from './money/calendar.ts';
import { TariffImport } from './money/TariffImport.tsx';
import { tariffSteps, type Tariff } from './money/tariffSteps.ts';

type Unit = 'ore' | 'sek';
interface Range { from: string; to: string }

const price = (ore: number, unit: Unit) => (unit === 'ore' ? `${num(ore)} ${t('money.units.orePerKwh')}` : `${sek(ore)}/kWh`);

function PriceChart({ hours, unit, range }: { hours: Tariff[]; unit: Unit; range: Range }) {
  const data = useMemo(() => tariffSteps(hours, unit === 'ore' ? (ore) => ore : (ore) => ore / 100), [hours, unit]);
  const series = useMemo(() => [{
    label: t('money.tariffs.price'),
    unit: unit === 'ore' ? t('money.units.orePerKwh') : t('money.units.sekPerKwh'),
    color: '#0b6bcb',
    stepped: true,
  }], [unit]);
  return <TimeChart title={t('money.tariffs.chartTitle', { from: dayLabel(range.from), to: dayLabel(range.to) })} series={series} data={data} />;
}

function PriceTable({ hours, unit }: { hours: Tariff[]; unit: Unit }) {
  return (
    <div class="table-wrap tariff-table" tabIndex={0} role="region" aria-label={t('money.tariffs.tableLabel')}>
      <table>
        <thead><tr><th scope="col">{t('money.tariffs.hour')}</th><th scope="col">{t('money.tariffs.price')}</th></tr></thead>
        <tbody>
          {hours.map((hour) => (
            <tr key={hour.startsAt}>
              <td><time dateTime={hour.startsAt}>{hourLabel(hour.startsAt)}</time></td>
              <td>{price(hour.pricePerKwhOre, unit)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Prices({ hours, unit, range }: { hours: Tariff[]; unit: Unit; range: Range }) {
  if (hours.length === 0) return <p class="muted">{t('money.tariffs.noHours')}</p>;
  const ores = hours.map((hour) => hour.pricePerKwhOre);
  return (
    <>
      <p>{t('money.tariffs.summary', { hours: hours.length, low: price(Math.min(...ores), unit), high: price(Math.max(...ores), unit) })}</p>
      <PriceChart hours={hours} unit={unit} range={range} />
      <PriceTable hours={hours} unit={unit} />
    </>
  );
}

/** #/tariffs: the hourly electricity prices of some days (GET /tariffs), and their CSV import. */
export function Tariffs(_props: { params: Record<string, string> }) {
  const [draft, setDraft] = useState<Range>(() => ({ from: localDay(-1), to: localDay(1) }));
  const [range, setRange] = useState<Range>(draft);
  const [unit, setUnit] = useState<Unit>('ore');
  const invalid = draft.from === '' || draft.to === '' || draft.to < draft.from;
  // Whole local days: from the first day's midnight to the midnight after the last.
  const path = `/tariffs${query({ from: localMidnight(range.from).toISOString(), to: localMidnight(range.to, 1).toISOString() })}`;
  const loaded = useApi<Tariff[]>(path);

  return (
    <>
      <PageHeader title={t('money.tariffs.title')} />
      <form class="filters" aria-label={t('money.tariffs.range')}
        onSubmit={(event) => { event.preventDefault(); if (!invalid) setRange(draft); }}>
        <label>
          {t('money.tariffs.from')}
          <input type="date" required value={draft.from} onInput={(event) => setDraft({ ...draft, from: event.currentTarget.value })} />
        </label>
        <label>
          {t('money.tariffs.to')}
          <input type="date" required value={draft.to} onInput={(event) => setDraft({ ...draft, to: event.currentTarget.value })} />
        </label>
        <button type="submit" disabled={invalid}>{t('money.tariffs.show')}</button>
        <label>
          {t('money.tariffs.unit')}
          <select value={unit} onChange={(event) => setUnit(event.currentTarget.value as Unit)}>
            <option value="ore">{t('money.units.orePerKwh')}</option>
            <option value="sek">{t('money.units.sekPerKwh')}</option>
          </select>
        </label>
      </form>
      {draft.to !== '' && draft.to < draft.from && <p class="notice error" role="alert">{t('money.tariffs.badRange')}</p>}
      <section class="panel money-panel">
        <Async loaded={loaded}>{(hours) => <Prices hours={hours} unit={unit} range={range} />}</Async>
      </section>
      <TariffImport onImported={loaded.reload} />
    </>
  );
}
