// SPDX-License-Identifier: MIT
// Motion of a video (mixed into LoadAnalysis): the pictures the element sends, in order, into the core's Motion.
import { ANALYSIS, ERROR } from './protocol.js';
import { ErrorCode } from './error-codes.js';

const PIECE_MS = 1000;            // motion so far, at most this often (as the pauses during the decode)

/** LoadAnalysis's motion (mixed into it by worker-analysis.js; its state is LoadAnalysis's). */
export class MotionFrames {
  /** Pictures of the video's frames in order (held when they come early), or done. */
  motionFrames(msg) {
    this.motionChain = this.motionChain.then(() => this.motionStep(msg)).catch((err) => {
      this.post({ type: ERROR, code: ErrorCode.Internal, message: `The motion could not be computed: ${err?.message ?? err}`, fatal: false });
      // What was taken is said final: the strip does not wait for frames that will not be measured.
      const motion = this.motion;
      if (motion && !motion.done && !this.stopped) {
        motion.done = true;
        try {
          motion.analyzer.finish();
          this.postMotion(true);
        } catch { /* said above */ }
      }
    });
    return this.motionChain;
  }

  async motionStep(msg) {
    if (this.stopped) return;
    if (!this.motion) {
      const M = await this.load.core();
      if (this.stopped || typeof M.Motion !== 'function') return;
      this.motion = { analyzer: new M.Motion(), held: new Map(), lastPost: performance.now(), done: false };
    }
    const motion = this.motion;
    if (motion.done) return;
    if (msg.done) {
      motion.done = true;
      motion.analyzer.finish();
      this.postMotion(true);
      return;
    }
    motion.held.set(msg.first, msg);
    for (;;) {
      const next = motion.analyzer.frames();
      // Pictures of frames already taken are dropped; the next one's batch goes in.
      let batch = motion.held.get(next);
      if (!batch) {
        for (const [first, m] of motion.held) {
          if (first < next && first + m.count > next) batch = m;
          else if (first + m.count <= next) motion.held.delete(first);
        }
      }
      if (!batch) break;
      motion.held.delete(batch.first);
      const size = batch.width * batch.height;
      const skip = next - batch.first;
      const whole = Number.isInteger(size) && size > 0 && batch.luma instanceof ArrayBuffer && batch.luma.byteLength >= batch.count * size;
      const taken = whole && motion.analyzer.push(new Uint8Array(batch.luma, skip * size, (batch.count - skip) * size), batch.width, batch.height, batch.count - skip);
      if (!taken) {
        // Pictures of another size, or fewer bytes than said: the motion stops where it got to.
        motion.done = true;
        motion.analyzer.finish();
        this.postMotion(true);
        this.post({ type: ERROR, code: ErrorCode.InvalidValue, fatal: false,
          message: `The motion stops at frame ${next}: its pictures (${batch.width}×${batch.height}, ${batch.count} frames, ${batch.luma?.byteLength} bytes) ${whole ? 'do not fit the earlier ones' : 'are fewer bytes than that many pictures of that size need'}.` });
        return;
      }
    }
    if (performance.now() - motion.lastPost > PIECE_MS) this.postMotion(false);
  }

  postMotion(final) {
    const motion = this.motion;
    if (final) this.coreFinal.add('motion');
    motion.lastPost = performance.now();
    const result = motion.analyzer.result();
    this.post({ type: ANALYSIS, kind: 'motion', from: 'core', final, ...result }, [result.motion.buffer]);
  }
}
