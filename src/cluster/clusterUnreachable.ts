/** The other nodes cannot be reached at start (NATS does not answer): the start stops with this one line. */
export class ClusterUnreachableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClusterUnreachableError';
  }
}
