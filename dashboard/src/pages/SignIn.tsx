import { useState } from 'preact/hooks';
import { endedBecause, setNewPassword, signIn } from '../auth.ts';
import { t } from '../i18n/index.ts';

/** Sign-in with an admin account (POST /admin/sign-in), and the new-password step of a temporary password. */
export function SignIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(endedBecause.value === 'expired' ? t('signIn.expired') : null);
  const [working, setWorking] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setWorking(true);
    setError(null);
    try {
      const outcome = challenge ? await setNewPassword(email, password, challenge) : await signIn(email, password);
      if (outcome.kind === 'newPassword') {
        setChallenge(outcome.session);
        setPassword('');
      } else if (outcome.kind === 'refused') {
        setError(challenge ? outcome.message : t('signIn.failed'));
      }
    } catch (reason) {
      setError(t('common.error', { message: reason instanceof Error ? reason.message : String(reason) }));
    } finally {
      setWorking(false);
    }
  }

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-heading">
        <h1 id="sign-in-heading">{t('app.title')}</h1>
        <p class="muted">{challenge ? t('signIn.newPasswordRequired') : t('signIn.intro')}</p>
        <label>
          {t('signIn.email')}
          <input type="email" name="email" autoComplete="username" required value={email} disabled={challenge !== null}
            onInput={(event) => setEmail(event.currentTarget.value)} />
        </label>
        <label>
          {challenge ? t('signIn.newPassword') : t('signIn.password')}
          <input type="password" name="password" autoComplete={challenge ? 'new-password' : 'current-password'} required value={password}
            onInput={(event) => setPassword(event.currentTarget.value)} />
        </label>
        {error && <p class="notice error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={working}>
          {working ? t('signIn.working') : challenge ? t('signIn.setPassword') : t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
