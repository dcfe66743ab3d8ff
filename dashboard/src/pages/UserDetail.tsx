import { Async } from '../components/Async.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { useApi } from '../data.ts';
import { t, type StringKey } from '../i18n/index.ts';
import { href } from '../router.ts';
import { AccountControls } from './users/AccountControls.tsx';
import type { Profile } from './users/types.ts';
import { UserCards } from './users/UserCards.tsx';

const FIELDS: [keyof Profile, StringKey][] = [
  ['userId', 'users.id'],
  ['username', 'users.email'],
  ['firstName', 'users.firstName'],
  ['lastName', 'users.lastName'],
  ['phoneNumber', 'users.detail.phone'],
  ['streetAddress', 'users.detail.street'],
  ['zipCode', 'users.detail.zip'],
  ['city', 'users.detail.city'],
  ['country', 'users.detail.country'],
];

/** One user (by e-mail address or id): profile, sign-in, RFID cards and a way to their sessions. */
export function UserDetail({ params }: { params: Record<string, string> }) {
  const username = params.username ?? '';
  const profile = useApi<Profile>(`/admin/users/${encodeURIComponent(username)}`);
  return (
    <>
      <PageHeader title={profile.data?.username ?? username}>
        <a class="button" href={href('/users')}>{t('users.detail.back')}</a>
        {profile.data && <a class="button" href={href(`/sessions?userId=${encodeURIComponent(profile.data.userId)}`)}>{t('users.detail.sessions')}</a>}
      </PageHeader>
      <Async loaded={profile}>
        {(user) => (
          <>
            <section class="panel section" aria-labelledby="user-profile">
              <h2 id="user-profile">{t('users.detail.profile')}</h2>
              <dl class="facts">
                {FIELDS.map(([field, label]) => (
                  <div key={field}>
                    <dt>{t(label)}</dt>
                    <dd>{user[field] || '–'}</dd>
                  </div>
                ))}
              </dl>
            </section>
            <section class="panel section" aria-labelledby="user-sign-in">
              <h2 id="user-sign-in">{t('users.detail.signIn')}</h2>
              <AccountControls key={user.username} email={user.username} />
            </section>
            <section class="panel section" aria-labelledby="user-cards">
              <h2 id="user-cards">{t('users.cards.heading')}</h2>
              <UserCards username={user.username} />
            </section>
          </>
        )}
      </Async>
    </>
  );
}
