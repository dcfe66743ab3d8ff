import type { Handler } from './context.ts';

export const Authorize: Handler = async (deps, _connection, payload) => ({
  response: { idTagInfo: (await deps.authorizer.authorize(payload.idTag)).info },
});
