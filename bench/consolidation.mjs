// SPDX-License-Identifier: MIT
// Section 9: the consolidation Lambda on 3 workers' answers of 10,000 to 100,000 segments each:
// the matching and voting alone, and the whole handler (payload and answers from a loopback S3
// endpoint through the SDK, each answer read by the wasm model, large parts written back).
// Also runs on its own: node bench/consolidation.mjs [--quick]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { consolidate } from '../scripts/aws/lambda/consolidate.mjs';
import { handler } from '../scripts/aws/lambda/consolidation.mjs';
import { answerContent, generateAnswers } from '../tests/aws/answers.mjs';
import { startS3Stub } from '../tests/aws/s3-stub.mjs';
import { formatTable, mb } from './table.mjs';

export const TARGET_SECONDS = 10;   // 100,000 segments per worker, 3 workers
const WORKERS = 3;

export async function benchConsolidation({ sizes = [10000, 30000, 100000], log = () => {} } = {}) {
  const s3 = await startS3Stub();
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' });
  const rows = [];
  try {
    for (const segments of sizes) {
      log(`consolidation ${WORKERS} x ${segments}`);
      const answers = generateAnswers({ segments, workers: WORKERS, seed: segments });
      let t0 = performance.now();
      const { consensus } = consolidate(answers);
      const matchMs = performance.now() - t0;
      const uri = `s3://bench/job/annotations/consolidation-request/iteration-1/${segments}.json`;
      const payload = [{ datasetObjectId: '0', annotations: answers.map((a) => ({ workerId: a.workerId, annotationData: { content: answerContent(a.document) } })) }];
      const payloadBytes = Buffer.from(JSON.stringify(payload));
      s3.objects.clear();
      s3.objects.set(uri.slice(5), { body: payloadBytes });
      s3.requests.length = 0;
      t0 = performance.now();
      const out = await handler({ version: '2018-10-16', labelingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:labeling-job/bench', labelAttributeName: 'segments', payload: { s3Uri: uri } });
      const lambdaMs = performance.now() - t0;
      rows.push({ segments, perWorker: answers.map((a) => a.document.segments.length), consensusSegments: consensus.segments.length, matchMs, lambdaMs,
        payloadBytes: payloadBytes.length, responseBytes: Buffer.byteLength(JSON.stringify(out)), written: s3.requests.filter((r) => r.method === 'PUT').length });
    }
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await s3.close();
  }
  const last = rows.find((r) => r.segments === 100000);
  return { workers: WORKERS, rows, targetSeconds: TARGET_SECONDS, verdict: last ? (last.lambdaMs / 1000 < TARGET_SECONDS ? 'PASS' : 'MISS') : 'n/a' };
}

export function formatConsolidation(result) {
  return [
    `9. Consolidation Lambda, ${result.workers} workers' answers (seconds; target: 100,000 segments per worker in < ${result.targetSeconds} s, the whole handler):`,
    formatTable(['segments/worker', 'consensus', 'match + vote', 'whole handler', 'payload', 'response', 'written to S3'],
      result.rows.map((r) => [r.segments, r.consensusSegments, `${(r.matchMs / 1000).toFixed(2)} s`, `${(r.lambdaMs / 1000).toFixed(2)} s`, mb(r.payloadBytes), mb(r.responseBytes, 3), r.written])),
    `   ${result.verdict}`,
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const result = await benchConsolidation({ sizes: quick ? [10000, 100000] : [10000, 30000, 100000], log: (m) => process.stderr.write(`bench: ${m}\n`) });
  console.log(formatConsolidation(result));
}
