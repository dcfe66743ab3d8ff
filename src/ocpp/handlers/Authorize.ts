import { authorizeIdTag } from '../../domain/idTags.ts';
import type { Handler } from './context.ts';

export const Authorize: Handler = async (deps, _connection, payload) => ({
  response: { idTagInfo: await authorizeIdTag(deps.db, payload.idTag) },
});
