// SPDX-License-Identifier: MIT
// The pre-annotation Lambda names the labeling job in the task input, so the element keeps drafts
// per job and a later job on the same media starts clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handler } from '../../scripts/aws/lambda/pre-annotation.mjs';

test('the job name from labelingJobArn reaches the task input as avsegJob', async () => {
  const out = await handler({
    version: '2018-10-16',
    labelingJobArn: 'arn:aws:sagemaker:eu-west-1:123456789012:labeling-job/calls-2026-11-second-pass',
    dataObject: { 'source-ref': 's3://b/calls/1.mp3' },
  });
  assert.equal(out.taskInput.avsegJob, 'calls-2026-11-second-pass');
});

test('without a labelingJobArn the task input has no avsegJob (drafts are then kept per task and media)', async () => {
  const out = await handler({ version: '2018-10-16', dataObject: { 'source-ref': 's3://b/calls/1.mp3' } });
  assert.ok(!('avsegJob' in out.taskInput));
});
