/** The control socket of the server holding the embedded database in `dataDir`: next to it. */
export const controlSocketPath = (dataDir: string) => `${dataDir}.sock`;
