import { t } from '../i18n/index.ts';

/** A failed change's message from the server, announced as it appears. */
export function ActionError({ error }: { error: string | undefined }) {
  if (!error) return null;
  return <div class="notice error" role="alert">{t('common.error', { message: error })}</div>;
}
