import { describe, expect, it } from 'vitest';
import type { ChargerAdmission } from '../../src/domain/chargerPresence.ts';
import { hashPassword } from '../../src/domain/passwords.ts';
import { BasicAuth } from '../../src/ocpp/admission.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the remembered Basic Auth credentials', () => {
  it('forget the least recently used beyond their capacity', async () => {
    const passwordHash = await hashPassword('charger-password-0001');
    const charger = (id: number, identity = `cp${id}`): ChargerAdmission => ({ id, identity, passwordHash, registrationStatus: 'Accepted', dialect: 'ocpp1.6', securityProfile: 1 });
    const header = (id: number) => basic(`cp${id}`, 'charger-password-0001');
    // A remembered credential is accepted without a new check; a forgotten one is checked again,
    // and a charger renamed since then no longer matches its user name: that tells them apart.
    const remembered = (auth: BasicAuth, id: number) => auth.check(charger(id, 'renamed'), header(id));

    const auth = new BasicAuth(2);
    for (const id of [1, 2]) expect(await auth.check(charger(id), header(id))).toBe(true);
    expect(await remembered(auth, 1)).toBe(true); // 1 is now the most recently used
    expect(await auth.check(charger(3), header(3))).toBe(true); // 2 is forgotten
    expect(await remembered(auth, 2)).toBe(false);
    expect(await remembered(auth, 1)).toBe(true);
    expect(await remembered(auth, 3)).toBe(true);
  });

  it('remember nothing that failed, and nothing past a password change', async () => {
    const auth = new BasicAuth(10);
    const first = await hashPassword('charger-password-0001');
    const admission: ChargerAdmission = { id: 7, identity: 'cp7', passwordHash: first, registrationStatus: 'Accepted', dialect: 'ocpp1.6', securityProfile: 1 };
    expect(await auth.check(admission, basic('cp7', 'wrong-password-00001'))).toBe(false);
    expect(await auth.check(admission, basic('cp7', 'charger-password-0001'))).toBe(true);
    const changed = { ...admission, passwordHash: await hashPassword('charger-password-0002') };
    expect(await auth.check(changed, basic('cp7', 'charger-password-0001'))).toBe(false);
  });
});
