import { kWh, num, sek, when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import type { ChargingPlan } from './types.ts';

/** The driver's plan: what was asked, what fits, what it is expected to cost, and when the car charges. */
export function ChargingPlanPanel({ plan }: { plan: ChargingPlan }) {
  const values = { energy: kWh(plan.energyWh), planned: kWh(plan.plannedEnergyWh), readyBy: when(plan.readyBy), cost: sek(plan.expectedCostOre) };
  return (
    <>
      <p>{t('sessions.detail.planSummary', values)}</p>
      {plan.plannedEnergyWh < plan.energyWh && <p class="notice" role="status">{t('sessions.detail.planShort', values)}</p>}
      <div class="table-wrap">
        <table aria-label={t('sessions.detail.plan')}>
          <thead>
            <tr>
              <th scope="col">{t('sessions.detail.planPeriod')}</th>
              <th scope="col">{t('sessions.detail.planUntil')}</th>
              <th scope="col" class="num">{t('sessions.detail.planCurrent')}</th>
              <th scope="col" class="num">{t('sessions.detail.planEnergy')}</th>
              <th scope="col" class="num">{t('sessions.detail.planPrice')}</th>
            </tr>
          </thead>
          <tbody>
            {plan.periods.map((period) => (
              <tr key={period.startsAt}>
                <td>{when(period.startsAt)}</td>
                <td>{when(period.endsAt)}</td>
                <td class="num">{num(period.currentA)} A</td>
                <td class="num">{kWh(period.energyWh)}</td>
                <td class="num">{sek(period.pricePerKwhOre)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
