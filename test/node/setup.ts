// Property tests run with one seed, so CI is deterministic and a failure reproduces with the seed
// it prints; `FC_SEED=<n> npm test -- node` explores another part of the space (a failure found
// that way becomes an example test with the counterexample, as in test/node/leads/name.test.ts).
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261203) });
