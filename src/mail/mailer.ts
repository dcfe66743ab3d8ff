import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Mail, Mailer } from '../domain/mail.ts';

/**
 * nodemailer to `SMTP_URL`; without one, each message is written to `outboxDir` as an
 * .eml file (and noted in the log), so accounts can be verified on a machine with no
 * mail server. The log never shows the message body: it holds codes.
 */
export function createMailer(options: { smtpUrl: string; from: string; outboxDir: string }, logger: Logger): Mailer {
  // Loaded with the first message: most of a server's life sends none, and nodemailer is large.
  const nodemailer = () => import('nodemailer').then((module) => module.default);
  if (options.smtpUrl) {
    let transport: ReturnType<Awaited<ReturnType<typeof nodemailer>>['createTransport']> | undefined;
    return {
      async send(mail: Mail) {
        transport ??= (await nodemailer()).createTransport(options.smtpUrl);
        await transport.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text });
        logger.info({ to: mail.to, subject: mail.subject }, 'e-mail sent');
      },
    };
  }
  let sequence = 0;
  return {
    async send(mail: Mail) {
      const transport = (await nodemailer()).createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
      const info = await transport.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text });
      await fs.mkdir(options.outboxDir, { recursive: true });
      const file = path.join(options.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${++sequence}-${mail.to.replace(/[^\w.@-]/g, '_')}.eml`);
      await fs.writeFile(file, info.message as Buffer);
      logger.info({ to: mail.to, subject: mail.subject, file }, 'e-mail written to the outbox');
    },
  };
}
