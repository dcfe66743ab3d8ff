import { IdParam } from '../schemas.ts';

/** The `:id` of the charge point routes, and their answers to a bad or unknown one. */
export const ChargePointId = IdParam('invalidChargePointID', 'chargePointID', 2);
export const badSiteId = { description: '`id` is not a chargePointID (an integer)', codes: ['invalidChargePointID', 'invalidDataType'], message: 'params/id must be integer' };
export const unknownSite = { description: 'No charge point has this chargePointID', codes: ['notFoundError'], message: 'Charge point 99 not found' };
