import { api } from '../../api.ts';

/** POST /chargers/:id/commands/<action>: the charger's answer to an OCPP command. */
export async function sendCommand(chargerId: number, action: string, payload: Record<string, unknown>): Promise<{ status: string }> {
  const answer = await api<{ commandId: string; status: string }>(`/chargers/${chargerId}/commands/${action}`, { method: 'POST', body: payload });
  return { status: answer.status };
}
