import { PageHeader } from '../components/PageHeader.tsx';
import { t } from '../i18n/index.ts';
import { liveState } from '../live.ts';
import { runSelfTest, selfTestRun, type SelfTestRun } from './money/selfTestRun.ts';

type Outcome = 'pending' | 'passed' | 'failed' | 'notSeen';

function outcomeOf(run: SelfTestRun, name: string): Outcome {
  const passed = run.passed[name];
  if (passed !== undefined) return passed ? 'passed' : 'failed';
  return run.running ? 'pending' : 'notSeen';
}

function Summary({ run }: { run: SelfTestRun }) {
  if (run.error) return <p class="notice error" role="alert">{t('money.selfTest.runFailed', { message: run.error })}</p>;
  const failed = run.names.filter((name) => run.passed[name] === false);
  if (failed.length > 0) return <p class="notice error" role="alert">{t('money.selfTest.someFailed', { count: failed.length, names: failed.join(', ') })}</p>;
  return <p class="notice ok" role="status">{t('money.selfTest.allPassed', { count: run.done })}</p>;
}

function Progress({ run }: { run: SelfTestRun }) {
  const text = t('money.selfTest.progressText', { done: run.done, total: run.total });
  return (
    <section class="panel money-panel self-test" aria-labelledby="self-test-progress">
      <h2 id="self-test-progress">{t('money.selfTest.progress')}</h2>
      {run.running && !run.mine && <p>{t('money.selfTest.elsewhere')}</p>}
      <progress max={run.total} value={run.done} aria-labelledby="self-test-progress" aria-valuetext={text} />
      <p role="status">{text}</p>
      <ul class="self-test-list" aria-label={t('money.selfTest.tests')}>
        {run.names.map((name) => {
          const outcome = outcomeOf(run, name);
          return (
            <li key={name} class={outcome} data-testid="self-test" data-outcome={outcome}>
              <span class="name">{name}</span> <span class="outcome">{t(`money.selfTest.${outcome}`)}</span>
            </li>
          );
        })}
      </ul>
      {!run.running && <Summary run={run} />}
    </section>
  );
}

/** #/self-test: runs the OCPP self-test (GET /tests/ocpp) and follows it test by test in the live stream. */
export function SelfTest(_props: { params: Record<string, string> }) {
  const run = selfTestRun.value;
  const running = run?.running ?? false;
  return (
    <>
      <PageHeader title={t('money.selfTest.title')}>
        <button type="button" class="primary" disabled={running} aria-busy={running} onClick={() => void runSelfTest()}>
          {running ? t('money.selfTest.running') : t('money.selfTest.run')}
        </button>
      </PageHeader>
      <p class="muted">{t('money.selfTest.intro')}</p>
      {running && liveState.value !== 'connected' && <p class="notice">{t('money.selfTest.noLive')}</p>}
      {run && <Progress run={run} />}
    </>
  );
}
