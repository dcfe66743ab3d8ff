import type { ChargerConnection } from '../connection.ts';
import type { ChargerRequest } from '../protocol/chargerMessages.ts';
import type { Answer, HandlerDeps } from './context.ts';

/** Vendor messages: which ones are known is the dialect's business. */
export async function DataTransfer(_deps: HandlerDeps, connection: ChargerConnection, request: ChargerRequest<'DataTransfer'>): Promise<Answer<'DataTransfer'>> {
  return { response: connection.dialect.answerDataTransfer(request, connection.log) };
}
