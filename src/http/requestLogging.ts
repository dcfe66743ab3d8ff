import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Load balancers and orchestrators ask every few seconds; their probes are logged at debug, not info. */
const PROBES = new Set(['/health', '/health/']);

const isProbe = (request: FastifyRequest) => PROBES.has(request.url.split('?')[0]!);

export class RequestLogging extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (isProbe(request)) request.log.debug({ req: request }, 'incoming request');
    else super.incomingRequest(request, reply);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (isProbe(request) && !error) reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
    else super.requestCompleted(error, request, reply);
  }
}
