import type { ChargerConnection } from '../connection.ts';
import type { ChargerRequest } from '../protocol/chargerMessages.ts';
import type { Answer, HandlerDeps } from './context.ts';

export async function Authorize(deps: HandlerDeps, _connection: ChargerConnection, request: ChargerRequest<'Authorize'>): Promise<Answer<'Authorize'>> {
  return { response: { idTagInfo: (await deps.authorizer.authorize(request.idTag)).info } };
}
