import { sek, when } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import type { Payment } from './types.ts';

function PaymentEvents({ payment }: { payment: Payment }) {
  if (payment.events.length === 0) return <p class="muted">{t('sessions.detail.noEvents')}</p>;
  return (
    <div class="table-wrap">
      <table aria-label={t('sessions.detail.eventsOf', { id: payment.id })}>
        <thead>
          <tr>
            <th scope="col">{t('sessions.detail.at')}</th>
            <th scope="col">{t('sessions.detail.operation')}</th>
            <th scope="col">{t('sessions.detail.outcome')}</th>
            <th scope="col">{t('sessions.detail.httpStatus')}</th>
            <th scope="col">{t('sessions.detail.eventDetail')}</th>
          </tr>
        </thead>
        <tbody>
          {payment.events.map((event, index) => (
            <tr key={index}>
              <td>{when(event.at)}</td>
              <td>{event.operation}</td>
              <td>{event.outcome}</td>
              <td>{event.httpStatus ?? '–'}</td>
              <td class="wrap">{event.detail ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The session's payments (authorized, captured, refunded) and what was asked of the provider for each. */
export function Payments({ payments }: { payments: Payment[] }) {
  if (payments.length === 0) return <p class="muted">{t('sessions.detail.noPayments')}</p>;
  return (
    <>
      <div class="table-wrap">
        <table aria-label={t('sessions.detail.payments')}>
          <thead>
            <tr>
              <th scope="col">{t('sessions.id')}</th>
              <th scope="col">{t('sessions.detail.provider')}</th>
              <th scope="col">{t('sessions.status')}</th>
              <th scope="col" class="num">{t('sessions.detail.authorized')}</th>
              <th scope="col" class="num">{t('sessions.detail.captured')}</th>
              <th scope="col" class="num">{t('sessions.detail.refunded')}</th>
              <th scope="col">{t('sessions.detail.created')}</th>
            </tr>
          </thead>
          <tbody>
            {payments.map((payment) => (
              <tr key={payment.id}>
                <td>{payment.id}</td>
                <td>{payment.provider}</td>
                <td>{payment.status}</td>
                <td class="num">{sek(payment.authorizedOre)}</td>
                <td class="num">{sek(payment.capturedOre)}</td>
                <td class="num">{sek(payment.refundedOre)}</td>
                <td>{when(payment.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {payments.map((payment) => (
        <section key={payment.id} aria-label={t('sessions.detail.eventsOf', { id: payment.id })}>
          <h3>{t('sessions.detail.eventsOf', { id: payment.id })}</h3>
          <PaymentEvents payment={payment} />
        </section>
      ))}
    </>
  );
}
