import type { Octokit } from '@octokit/rest';
import { isStageName, type StageName } from '../../stages/ladder';
import type { RepositoryRef } from './github-client';

/**
 * The deployment task that records a stage. The stacks' names and templates
 * never carry the stage, so the deploy workflow records each stage it
 * deployed as a GitHub deployment with this task and `{ stage }` as payload;
 * the next deploy reads it to know which stage it starts from. (The
 * deployments GitHub makes for a job's `environment:` have task "deploy" and
 * no payload, so they never mix with these.)
 * @see https://docs.github.com/en/rest/deployments/deployments
 */
export const STAGE_TASK = 'graminsta:stage';

export interface StageTarget extends RepositoryRef {
  readonly environment: string;
}

export interface DeployedStage {
  readonly stage: StageName;
  /** The commit that was deployed. */
  readonly sha: string;
  readonly deploymentId: number;
}

/** Records that `sha` was deployed at `stage`: a deployment with the stage task, marked successful. */
export async function recordDeployedStage(octokit: Octokit, target: StageTarget & { readonly sha: string; readonly stage: StageName }): Promise<number> {
  const { owner, repo, environment, sha, stage } = target;
  const created = await octokit.rest.repos.createDeployment({
    owner,
    repo,
    ref: sha,
    task: STAGE_TASK,
    environment,
    payload: { stage },
    description: `stage ${stage}`,
    // A record of what is already deployed: no merge of the default branch, no status checks to wait for.
    auto_merge: false,
    required_contexts: [],
    production_environment: true,
  });
  if (!('id' in created.data)) throw new Error(`GitHub did not create the deployment record: ${created.data.message ?? 'no reason given'}`);
  const id = created.data.id;
  await octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: id, state: 'success', description: `stage ${stage} deployed` });
  return id;
}

/**
 * The stage of the newest stage record whose latest status is `success`,
 * newest first across every page; undefined when none was recorded (a first
 * deploy, or stacks deployed by hand).
 */
export async function readDeployedStage(octokit: Octokit, target: StageTarget): Promise<DeployedStage | undefined> {
  const { owner, repo, environment } = target;
  for await (const page of octokit.paginate.iterator(octokit.rest.repos.listDeployments, { owner, repo, environment, task: STAGE_TASK, per_page: 30 })) {
    for (const deployment of page.data) {
      const stage = (deployment.payload as { stage?: unknown } | string | null) ?? {};
      const name = typeof stage === 'object' ? stage.stage : undefined;
      if (!isStageName(name)) continue;
      const { data: statuses } = await octokit.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: deployment.id, per_page: 1 });
      if (statuses[0]?.state === 'success') return { stage: name, sha: deployment.sha, deploymentId: deployment.id };
    }
  }
  return undefined;
}
