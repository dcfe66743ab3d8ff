import type { FunctionComponent } from 'preact';
import { useEffect } from 'preact/hooks';
import { session, signOut } from './auth.ts';
import { t, type StringKey } from './i18n/index.ts';
import { liveState, startLive, stopLive } from './live.ts';
import { ChargerPage } from './pages/ChargerPage.tsx';
import { Cards } from './pages/Cards.tsx';
import { Fleet } from './pages/Fleet.tsx';
import { Invoices } from './pages/Invoices.tsx';
import { SelfTest } from './pages/SelfTest.tsx';
import { SessionDetail } from './pages/SessionDetail.tsx';
import { Sessions } from './pages/Sessions.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { Tariffs } from './pages/Tariffs.tsx';
import { UserDetail } from './pages/UserDetail.tsx';
import { Users } from './pages/Users.tsx';
import { href, match, path } from './router.ts';

type Params = Record<string, string>;

/** The pages, by hash path; the first that matches is shown. */
const ROUTES: [string, FunctionComponent<{ params: Params }>][] = [
  ['/fleet', Fleet],
  ['/chargers/:id', ChargerPage],
  ['/sessions', Sessions],
  ['/sessions/:id', SessionDetail],
  ['/users', Users],
  ['/users/:username', UserDetail],
  ['/cards', Cards],
  ['/tariffs', Tariffs],
  ['/invoices', Invoices],
  ['/self-test', SelfTest],
];

const NAV: [string, StringKey][] = [
  ['/fleet', 'app.nav.fleet'],
  ['/sessions', 'app.nav.sessions'],
  ['/users', 'app.nav.users'],
  ['/cards', 'app.nav.cards'],
  ['/tariffs', 'app.nav.tariffs'],
  ['/invoices', 'app.nav.invoices'],
  ['/self-test', 'app.nav.selfTest'],
];

function LiveIndicator() {
  const state = liveState.value;
  const label = state === 'connected' ? t('app.liveConnected') : state === 'reconnecting' ? t('app.liveReconnecting') : t('app.liveOffline');
  return <span class={`live ${state}`} role="status" data-live={state}>{label}</span>;
}

function Page() {
  const current = path.value;
  for (const [pattern, Component] of ROUTES) {
    const params = match(pattern, current);
    if (params) return <Component params={params} />;
  }
  return <p>{t('app.notFound')}</p>;
}

export function App() {
  const signedIn = session.value;
  const email = signedIn?.email;

  // One live stream per signed-in tab; it ends with the sign-in.
  useEffect(() => {
    if (!email) return;
    startLive();
    return stopLive;
  }, [email]);

  if (!signedIn) return <SignIn />;
  const current = path.value;
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(event) => { event.preventDefault(); document.getElementById('main')?.focus(); }}>{t('app.skipToContent')}</a>
      <header class="topbar">
        <span class="brand">{t('app.title')}</span>
        <nav aria-label={t('app.navLabel')}>
          <ul>
            {NAV.map(([to, label]) => (
              <li key={to}>
                <a href={href(to)} aria-current={current === to || current.startsWith(`${to}/`) ? 'page' : undefined}>{t(label)}</a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <LiveIndicator />
          <span class="muted">{t('app.signedInAs', { email: signedIn.email })}</span>
          <button type="button" onClick={() => signOut()}>{t('app.signOut')}</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page />
      </main>
    </div>
  );
}
