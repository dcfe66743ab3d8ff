import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Order { id: string; amount: number; captured: number; refunded: number; status: 'AUTHORIZED' | 'CAPTURED' | 'CANCELLED' }

/**
 * A local stand-in for the Klarna Payments and Order Management endpoints FlexiCharge
 * calls, with Klarna's status codes and error bodies ({error_code, error_messages,
 * correlation_id}); a repeated idempotency key gets the first answer again.
 */
export async function startKlarnaStandIn(credentials = 'merchant:secret') {
  const expected = `Basic ${Buffer.from(credentials).toString('base64')}`;
  const orders = new Map<string, Order>();
  const sessions = new Map<string, number>();
  const answered = new Map<string, { status: number; body: unknown }>();
  const calls: { method: string; path: string; body: any; key: string | undefined }[] = [];
  const behaviour = { failCapture: false, dropNextCapture: false };
  let sequence = 0;

  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => { raw += chunk; });
    request.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      const key = request.headers['klarna-idempotency-key'] as string | undefined;
      calls.push({ method: request.method!, path: request.url!, body, key });
      const send = (status: number, payload?: unknown) => {
        if (key) answered.set(key, { status, body: payload });
        response.writeHead(status, { 'content-type': 'application/json' }).end(payload === undefined ? '' : JSON.stringify(payload));
      };
      const error = (status: number, code: string, message: string) => send(status, { error_code: code, error_messages: [message], correlation_id: `corr-${++sequence}` });
      if (request.headers.authorization !== expected) return error(401, 'UNAUTHORIZED', 'Bad credentials');
      const replay = key && answered.get(key);
      if (replay) return send(replay.status, replay.body);

      const path = request.url!;
      let match: RegExpExecArray | null;
      if (request.method === 'POST' && path === '/payments/v1/sessions') {
        if (!Number.isInteger(body?.order_amount) || body.order_amount < 0) return error(400, 'BAD_VALUE', 'order_amount');
        const id = `session-${++sequence}`;
        sessions.set(id, body.order_amount);
        return send(200, { session_id: id, client_token: `eyJ${'x'.repeat(1200)}.${id}`, payment_method_categories: [{ identifier: 'pay_later', name: 'Pay later' }] });
      }
      if (request.method === 'POST' && (match = /^\/payments\/v1\/authorizations\/([^/]+)\/order$/.exec(path))) {
        if (!decodeURIComponent(match[1]!).startsWith('auth-ok')) return error(404, 'NOT_FOUND', 'Authorization token not found');
        const order: Order = { id: `order-${++sequence}`, amount: body.order_amount, captured: 0, refunded: 0, status: 'AUTHORIZED' };
        orders.set(order.id, order);
        return send(200, { order_id: order.id, fraud_status: 'ACCEPTED', redirect_url: 'https://example.invalid' });
      }
      if ((match = /^\/ordermanagement\/v1\/orders\/([^/]+)\/(authorization|captures|cancel|refunds)$/.exec(path))) {
        const order = orders.get(match[1]!);
        if (!order) return error(404, 'NO_SUCH_ORDER', 'Order not found');
        switch (match[2]) {
          case 'authorization':
            if (body.order_amount > order.amount) return error(403, 'NOT_ALLOWED', 'Increase not allowed');
            order.amount = body.order_amount;
            return send(204);
          case 'captures':
            if (behaviour.dropNextCapture) {
              // A network failure after Klarna did the work: the retry must not capture twice.
              behaviour.dropNextCapture = false;
              order.captured = body.captured_amount;
              order.status = 'CAPTURED';
              if (key) answered.set(key, { status: 201, body: undefined });
              request.socket.destroy();
              return;
            }
            if (behaviour.failCapture || order.status !== 'AUTHORIZED' || body.captured_amount > order.amount) return error(403, 'CAPTURE_NOT_ALLOWED', 'Capture not allowed');
            order.captured = body.captured_amount;
            order.status = 'CAPTURED';
            return send(201);
          case 'cancel':
            if (order.status !== 'AUTHORIZED') return error(403, 'CANCEL_NOT_ALLOWED', 'Cannot cancel');
            order.status = 'CANCELLED';
            return send(204);
          case 'refunds':
            if (order.refunded + body.refunded_amount > order.captured) return error(403, 'REFUND_NOT_ALLOWED', 'Refund exceeds captured amount');
            order.refunded += body.refunded_amount;
            return send(201);
        }
      }
      return error(404, 'NOT_FOUND', `No route ${request.method} ${path}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    orders,
    calls,
    behaviour,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
