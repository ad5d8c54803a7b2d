/**
 * The pipeline's steps from discovery on (`run.ts` steps 5 to 10): checking the checkout,
 * planning and landing the bump, and reporting. `run.ts` loads this module while git clones,
 * so the part of the bundle that only these steps use (the YAML readers, the schema formats,
 * the bump and the diff) is compiled while the main thread would otherwise wait for git,
 * instead of before the clone starts (issue 11).
 */

export { reportRun } from './report/report.ts';
export { landBump } from './steps/land.ts';
export { planFromRendered } from './steps/plan.ts';
export { checkCheckout } from './validate/checkout.ts';
