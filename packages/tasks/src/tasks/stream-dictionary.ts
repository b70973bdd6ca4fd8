import { type Matrix, NmflabError, definePlugin, type PluginRef, type Rng } from '@nmflab/core';
import type { FrameStream } from '../sources/wav-stream.js';

/** What the task needs of its learner (the `online-mu` solver has it). */
interface StreamLearner {
  learnStream(
    batches: () => Iterable<Matrix>,
    o: { rank: number; frames: number; passes?: number; rng: Rng; onPass?: (pass: number, cost: number) => void },
  ): { W: Matrix; passCosts: number[]; frames: number; batches: number; seconds: number };
}

interface Params {
  learner: PluginRef;
  passes: number;
  blockFrames: number;
  partStart: number;
  partDuration: number;
}

/**
 * Learn a dictionary W from a recording streamed block by block (source `wav-stream`), then the
 * activations H of one part of it with W frozen. The learner (default `online-mu` with fresh
 * restarts, the only mode that needs no stored activations) sees every frame once per pass and
 * never holds the recording; the part's activations come from the run's model (its solver, with
 * the problem's W frozen), so memory is W, one block and the part, whatever the recording's length.
 */
export default definePlugin<'task', Params>({
  meta: {
    kind: 'task',
    id: 'stream-dictionary',
    description: 'Learn W online from a streamed recording (wav-stream), then H of one part with W frozen',
    params: {
      learner: {
        description: 'the solver that learns W from the stream (it must stream: online-mu)',
        plugin: 'solver',
        default: { id: 'online-mu', params: { freshRestarts: true } },
      },
      passes: { description: 'passes over the recording', type: 'integer', minimum: 1, default: 1 },
      blockFrames: {
        description: 'frames read from the file at a time (the learner cuts them into its batches)',
        type: 'integer',
        minimum: 1,
        default: 1024,
      },
      partStart: {
        description: 'start (seconds) of the part whose activations are computed with W frozen',
        type: 'number',
        minimum: 0,
        default: 0,
      },
      partDuration: {
        description: 'length (seconds) of that part; cut at the end of the recording',
        type: 'number',
        exclusiveMinimum: 0,
        default: 10,
      },
    },
  },
  create: (p, ctx) => ({
    id: 'stream-dictionary',
    run(task) {
      const stream = task.data.extra?.stream as FrameStream | undefined;
      if (!stream || typeof stream.blocks !== 'function') {
        throw new NmflabError('task stream-dictionary needs a streaming source', {
          path: 'data',
          expected: 'source wav-stream',
          found: 'a source without a frame stream',
        });
      }
      try {
        const learner = task.registry.instantiate('solver', p.learner, {
          file: ctx.file,
          path: `${ctx.path}.learner`,
        }) as unknown as Partial<StreamLearner>;
        if (typeof learner.learnStream !== 'function') {
          throw new NmflabError('this solver cannot learn from a stream', {
            file: ctx.file,
            path: `${ctx.path}.learner`,
            expected: 'a streaming solver (online-mu)',
            found: describe(p.learner),
          });
        }
        const rank = task.rank;
        const learned = learner.learnStream(() => stream.blocks(p.blockFrames), {
          rank,
          frames: stream.frames,
          passes: p.passes,
          rng: task.rng.fork('learner'),
        });
        const from = Math.min(stream.frameAt(p.partStart), stream.frames - 1);
        const to = Math.max(from + 1, Math.min(stream.frames, stream.frameAt(p.partStart + p.partDuration)));
        const V = stream.read(from, to);
        const fit = task.fit({ problem: { V, rank, W0: learned.W, freezeW: true }, label: 'part' });
        const rss = process.resourceUsage().maxRSS / 1024;
        return {
          fit,
          matrices: { W: learned.W, H: fit.result.H },
          metrics: {
            passCost: learned.passCosts.at(-1)!,
            frames: learned.frames,
            batches: learned.batches,
            streamSeconds: learned.seconds,
            recordingSeconds: stream.length / stream.sampleRate,
            partFrames: to - from,
            peakRssMB: rss,
          },
          extra: { passCosts: learned.passCosts, part: { fromFrame: from, toFrame: to } },
        };
      } finally {
        stream.close();
      }
    },
  }),
});

function describe(ref: PluginRef): string {
  return typeof ref === 'string' ? ref : ((ref as { id?: string }).id ?? JSON.stringify(ref));
}
