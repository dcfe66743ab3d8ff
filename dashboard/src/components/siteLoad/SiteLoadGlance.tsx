import { kW } from '../../format.ts';
import { t } from '../../i18n/index.ts';

/** A site's load now against its limit, as a figure and a gauge: "31.2 kW of 43.5 kW". */
export function SiteLoadGlance({ name, loadW, limitW }: { name: string; loadW: number; limitW: number }) {
  return (
    <p class="site-load-glance" data-testid="site-load-glance" data-load-w={loadW} data-limit-w={limitW}>
      <span class="muted">{t('balancing.glanceLabel')}</span>{' '}
      <strong>{t('balancing.glance', { load: kW(loadW), limit: kW(limitW) })}</strong>
      <meter min={0} max={limitW} low={limitW * 0.8} high={limitW * 0.95} optimum={0} value={loadW} aria-label={t('balancing.meterLabel', { site: name })} />
    </p>
  );
}
