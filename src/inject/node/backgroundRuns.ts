// Background interactions (`background: true`): one trace per run, whose root stays open from the
// create until a call of this process sees the run finished, however far apart in the app those
// calls are. The shape is in interactions.ts's header.
import { GEMINI_ATTR, GEMINI_TAG } from '../../shared/runTags';
import type { Call } from './calls';
import { captureContent } from './calls';
import { exitFinalizers } from './exit';
import { failure, interactionOutputs, isFailed, isRunning } from './interactionShape';
import type { Obj } from './interactionShape';

/** Runs watched at once; past it the oldest is let go as unfinished (an app that starts runs and
 *  never looks at them again must not grow without bound). */
const MAX_OPEN = 1000;
/** Open runs by interaction id. */
const open = new Map<string, BackgroundRun>();

export class BackgroundRun {
  /** The last interaction a call of this run returned. */
  private last?: Obj;
  private watched = false;

  constructor(
    readonly root: Call,
    readonly agent: boolean,
  ) {}

  /** The open run of this interaction, if this process started it. */
  static of(id: unknown): BackgroundRun | undefined {
    return typeof id === 'string' ? open.get(id) : undefined;
  }

  /** The create returned the run's id: later calls with it join this trace. */
  watch(id: string): void {
    if (this.root.done || open.has(id)) return;
    if (open.size >= MAX_OPEN) open.values().next().value?.abandon();
    open.set(id, this);
    this.watched = true;
    exitFinalizers.add(abandonAll);
  }

  /** One of the run's calls ended, with the interaction it saw or its error. The root ends once
   *  the run has finished (or cannot be followed: the create failed, or never named the run). */
  settle(interaction: Obj | undefined, err?: unknown): void {
    if (this.root.done) return;
    if (interaction) this.last = interaction;
    const last = this.last;
    const attrs: Record<string, string> = {};
    if (typeof last?.id === 'string') attrs[GEMINI_ATTR.interactionId] = last.id;
    if (typeof last?.status === 'string') attrs[GEMINI_ATTR.interactionStatus] = last.status;
    this.root.set(attrs);
    if (!this.watched) return this.close(() => (err ? this.root.fail(err, this.outputs) : this.root.succeed(this.outputs)));
    const status = last?.status;
    if (status === undefined || isRunning(status)) return;
    if (isFailed(status)) this.close(() => this.root.fail(failure(last!), this.outputs));
    else this.close(() => this.root.succeed(this.outputs));
  }

  /** The app deleted the interaction: nothing more will be seen of it. */
  deleted(): void {
    if (this.root.done) return;
    this.root.set({ [GEMINI_ATTR.interactionStatus]: 'deleted' });
    this.close(() => this.root.succeed(this.outputs));
  }

  /** Exported as last seen, with no status, tagged unfinished. */
  abandon(): void {
    this.close(() => {
      this.root.tag(GEMINI_TAG.unfinished, 'true');
      this.root.abandon(this.outputs);
    });
  }

  private readonly outputs = () => (this.last ? interactionOutputs(this.last, captureContent()) : null);

  private close(end: () => void): void {
    for (const [id, r] of open) if (r === this) open.delete(id);
    end();
  }
}

/** At exit: runs the app never saw finish. */
function abandonAll(): void {
  for (const run of new Set(open.values())) run.abandon();
}
