import { signal } from '@preact/signals';

/** A signed-in admin: the tokens of `POST /admin/sign-in` and who they belong to. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** When the access token ends (ms since the epoch). */
  expiresAt: number;
  email: string;
}

const STORAGE_KEY = 'flexicharge.session';

function stored(): Session | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Session | null;
    return value && typeof value.accessToken === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** The signed-in admin, or null (the sign-in page shows). Kept per browser tab. */
export const session = signal<Session | null>(stored());
/** Why the last session ended without a sign-out (shown on the sign-in page). */
export const endedBecause = signal<'expired' | null>(null);

interface SignedIn {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  email: string;
}

export function keep(answer: SignedIn): void {
  const next: Session = {
    accessToken: answer.accessToken,
    refreshToken: answer.refreshToken,
    expiresAt: Date.now() + answer.expiresIn * 1000,
    email: answer.email,
  };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  endedBecause.value = null;
  session.value = next;
}

export function signOut(reason: 'expired' | null = null): void {
  sessionStorage.removeItem(STORAGE_KEY);
  endedBecause.value = reason;
  session.value = null;
}

export type SignInOutcome = { kind: 'signedIn' } | { kind: 'newPassword'; session: string } | { kind: 'refused'; message: string };

async function answerOf(response: Response): Promise<SignInOutcome> {
  const body = (await response.json().catch(() => ({}))) as Partial<SignedIn> & { ChallengeName?: string; Session?: string; message?: string };
  if (response.ok && body.accessToken) {
    keep(body as SignedIn);
    return { kind: 'signedIn' };
  }
  if (body.ChallengeName === 'NEW_PASSWORD_REQUIRED' && body.Session) return { kind: 'newPassword', session: body.Session };
  return { kind: 'refused', message: body.message ?? `HTTP ${response.status}` };
}

const post = (path: string, body: unknown) =>
  fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

export async function signIn(email: string, password: string): Promise<SignInOutcome> {
  return answerOf(await post('/admin/sign-in', { username: email, password }));
}

export async function setNewPassword(email: string, password: string, challenge: string): Promise<SignInOutcome> {
  return answerOf(await post('/admin/force-change-password', { username: email, password, session: challenge }));
}

let refreshing: Promise<boolean> | null = null;

/** Trades the refresh token for new tokens once, however many requests ask at the same time. */
export function refresh(): Promise<boolean> {
  const current = session.value;
  if (!current) return Promise.resolve(false);
  refreshing ??= post('/auth/refresh', { refreshToken: current.refreshToken })
    .then(async (response) => (await answerOf(response)).kind === 'signedIn')
    .catch(() => false)
    .finally(() => { refreshing = null; });
  return refreshing;
}

/** An access token good for at least another half minute, refreshed when needed; null when signed out. */
export async function freshToken(): Promise<string | null> {
  const current = session.value;
  if (!current) return null;
  if (current.expiresAt - Date.now() > 30_000) return current.accessToken;
  if (await refresh()) return session.value?.accessToken ?? null;
  signOut('expired');
  return null;
}
