/**
 * The stacks of all eight stages, tested from one file so that each stage is
 * synthesized once (lib/synth.ts caches per process) and CDK's template
 * validator loads once: what each stage adds and must not have yet, security
 * properties, the invariants that hold going up the ladder (one snapshot per
 * stage and stack), and the in-place update of the single instance.
 */
import './stage-behaviour.cases';
import './ladder-invariants.cases';
import './in-place-update.cases';
import './security-rules.cases';
import './stack-outputs.cases';
import './deploy-guard.cases';
import './monitoring.cases';
import './stack-policy.cases';
import './two-regions.cases';
import './second-region-safety.cases';
