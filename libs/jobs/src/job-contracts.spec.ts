import { bullQueueName, JOBS, JobName, jobsOf, QueueName } from './job-contracts';

describe('job contracts', () => {
  it('puts every queue in one Redis Cluster slot with a hash tag', () => {
    for (const queue of Object.values(QueueName)) {
      expect(bullQueueName(queue)).toBe(`{${queue}}`);
    }
  });

  it('gives every job a queue that lists it', () => {
    for (const name of Object.values(JobName)) {
      expect(jobsOf(JOBS[name].queue)).toContain(name);
    }
  });

  it('bounds what finished jobs keep in Redis', () => {
    for (const contract of Object.values(JOBS)) {
      expect(contract.options.removeOnComplete).toBeTruthy();
      expect(contract.options.removeOnFail).toBeTruthy();
    }
  });
});
