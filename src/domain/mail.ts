/** An e-mail to one person. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends e-mail (SMTP, or the outbox directory when no server is configured). */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}
