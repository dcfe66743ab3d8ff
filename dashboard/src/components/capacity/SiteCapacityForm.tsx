import { useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { useApi } from '../../data.ts';
import { num } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { ActionError } from '../ActionError.tsx';
import { Async } from '../Async.tsx';
import { useAction } from '../useAction.ts';

interface SiteCapacity {
  chargePointID: number;
  maxCurrentA: number | null;
  maxPowerW: number | null;
  phases: 1 | 3;
  reserveCurrentA: number;
}

/** A number field's value: null when empty (no limit). */
const limitOf = (text: string) => (text.trim() === '' ? null : Number(text));

function Form({ capacity, onSaved }: { capacity: SiteCapacity; onSaved: (capacity: SiteCapacity) => void }) {
  const [current, setCurrent] = useState(capacity.maxCurrentA === null ? '' : String(capacity.maxCurrentA));
  const [power, setPower] = useState(capacity.maxPowerW === null ? '' : String(capacity.maxPowerW / 1000));
  const [phases, setPhases] = useState(String(capacity.phases));
  const [reserve, setReserve] = useState(String(capacity.reserveCurrentA));
  const action = useAction();
  const [saved, setSaved] = useState(false);
  const id = `capacity-${capacity.chargePointID}`;

  async function save(event: Event) {
    event.preventDefault();
    setSaved(false);
    const kW = limitOf(power);
    setSaved(await action.run(async () => {
      onSaved(await api<SiteCapacity>(`/chargePoints/${capacity.chargePointID}/capacity`, {
        method: 'PUT',
        body: { maxCurrentA: limitOf(current), maxPowerW: kW === null ? null : Math.round(kW * 1000), phases: Number(phases), reserveCurrentA: Number(reserve || 0) },
      }));
    }));
  }

  return (
    <form class="capacity-form" onSubmit={save}>
      <p class="muted fleet-small">
        {t('capacity.current', {
          current: capacity.maxCurrentA === null ? t('capacity.noLimit') : `${num(capacity.maxCurrentA)} A`,
          power: capacity.maxPowerW === null ? t('capacity.noLimit') : `${num(capacity.maxPowerW / 1000)} kW`,
          phases: capacity.phases,
          reserve: num(capacity.reserveCurrentA),
        })}
      </p>
      <div class="capacity-fields">
        <label for={`${id}-current`}>{t('capacity.maxCurrent')}</label>
        <input id={`${id}-current`} type="number" min="6" step="any" value={current} onInput={(event) => setCurrent(event.currentTarget.value)} />
        <label for={`${id}-power`}>{t('capacity.maxPower')}</label>
        <input id={`${id}-power`} type="number" min="1" step="any" value={power} onInput={(event) => setPower(event.currentTarget.value)} />
        <label for={`${id}-phases`}>{t('capacity.phases')}</label>
        <select id={`${id}-phases`} value={phases} onChange={(event) => setPhases(event.currentTarget.value)}>
          <option value="3">3</option>
          <option value="1">1</option>
        </select>
        <label for={`${id}-reserve`}>{t('capacity.reserve')}</label>
        <input id={`${id}-reserve`} type="number" min="0" step="any" value={reserve} onInput={(event) => setReserve(event.currentTarget.value)} />
      </div>
      <p class="muted fleet-small">{t('capacity.emptyMeansNone')}</p>
      <button type="submit">{t('capacity.save')}</button>
      {saved && <p class="notice ok" role="status">{t('capacity.saved')}</p>}
      <ActionError error={action.error} />
    </form>
  );
}

/** A site's grid connection (GET/PUT /chargePoints/:id/capacity), read when the operator opens it; `onSaved` after a change. */
export function SiteCapacityForm({ chargePointId, onSaved }: { chargePointId: number; onSaved: () => void }) {
  const loaded = useApi<SiteCapacity>(`/chargePoints/${chargePointId}/capacity`);
  return (
    <Async loaded={loaded}>
      {(capacity) => (
        <Form
          capacity={capacity}
          onSaved={(saved) => {
            loaded.update(() => saved);
            onSaved();
          }}
        />
      )}
    </Async>
  );
}
