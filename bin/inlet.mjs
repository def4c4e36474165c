#!/usr/bin/env node
// `inlet`: the command line of an Inlet gateway. Sends signed sample webhooks to /in/<source> and
// drives the admin API (events, replays, stats, erasure, destinations). docs/cli.md is the
// reference; `inlet help` the summary. Plain ESM for Node >= 20: no build step.
import { run } from './lib/cli.mjs';

// exitCode, not exit(): output still buffered for a pipe is written before the process ends.
process.exitCode = await run(process.argv.slice(2));
