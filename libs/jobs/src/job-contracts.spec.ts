import { bullQueueName, JOBS, JobName, jobsOf, PER_NODE_QUEUES, QueueName, replicaQueueName } from './job-contracts';

describe('job contracts', () => {
  it('puts every queue in one Redis Cluster slot with a hash tag', () => {
    for (const queue of Object.values(QueueName)) {
      if (PER_NODE_QUEUES.has(queue)) {
        expect(bullQueueName(queue, 'node-1')).toBe(`{${queue}-node-1}`);
      } else {
        expect(bullQueueName(queue)).toBe(`{${queue}}`);
        expect(bullQueueName(queue, 'node-1')).toBe(`{${queue}}`);
      }
    }
  });

  it('names each node its own replication queue, and refuses one without a node', () => {
    expect(replicaQueueName('node-2')).toBe('{replica-node-2}');
    expect(() => bullQueueName(QueueName.Replica)).toThrow('node id');
  });

  it('removes a completed replication job, so the same file can be queued again', () => {
    expect(JOBS[JobName.ReplicateFile].options.removeOnComplete).toBe(true);
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
