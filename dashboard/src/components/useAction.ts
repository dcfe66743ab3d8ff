import { useCallback, useState } from 'preact/hooks';

export interface Action {
  busy: boolean;
  /** The server's message of the last attempt's failure. */
  error: string | undefined;
  /** Runs `work` (one at a time); true when it succeeded. */
  run: (work: () => Promise<unknown>) => Promise<boolean>;
}

/** A change asked of the server from a button or form: whether it is under way and why it failed. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = useCallback(async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}
