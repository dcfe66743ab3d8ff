import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  raw: string;
}

/** A local SMTP server that keeps what it receives, for reading the codes the system e-mails. */
export async function startSmtpInbox() {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => { raw += chunk.toString(); });
      stream.on('end', () => {
        // Unfold quoted-printable soft line breaks so tests can search the text.
        const text = raw.replace(/=\r?\n/g, '');
        for (const recipient of session.envelope.rcptTo) received.push({ to: recipient.address, raw: text });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  /** The newest 6-digit code sent to `to` (waits a little for it to arrive). */
  async function codeFor(to: string): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const mail = received.filter((m) => m.to.toLowerCase() === to.toLowerCase()).at(-1);
      const code = mail && /code is (\d{6})/.exec(mail.raw)?.[1];
      if (code) return code;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no code e-mailed to ${to}`);
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    codeFor,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
