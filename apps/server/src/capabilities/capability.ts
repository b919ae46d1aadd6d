// What a capability folder declares about itself, once, in its capability.ts. The app, the
// worker and the CLI loop over the list in capabilities/index.ts; none keeps a list of its own.
import type { CustomerDataOwner } from '../customers/customer-data.ts';
import type { RegisterRoutes } from '../http/route-deps.ts';
import type { JobDefinition } from '../jobs/job-types.ts';

/** What the dispatcher hands a command, so that a command needs no import of the capability list. */
export interface CliContext {
  /** Every job Kizuna runs, for commands that publish topics to the worker's queues. */
  jobs(): Promise<JobDefinition[]>;
}

/** A `kizuna <command>` subcommand. */
export interface CliCommand {
  command: string;
  /** Its lines in `kizuna help`, starting with the command and its arguments. */
  usage: string;
  /** Runs it and returns the exit code. Import the handler inside, so `kizuna help` stays quick. */
  run(args: string[], context: CliContext): Promise<number>;
}

/**
 * One capability. Routes and jobs are loaded on demand: the CLI reads every descriptor, and a
 * command such as `kizuna clv` must not load the HTTP API to find its own handler.
 *
 * `customerData` lists every table with a `customer_id` column the capability owns and what a
 * customer merge does to its rows (see customers/customer-data.ts); capability-coverage.test.ts
 * fails on a migrated table no descriptor declares.
 */
export interface Capability extends CustomerDataOwner {
  name: string;
  /** Loads the function that adds this capability's HTTP routes. */
  routes?(): Promise<RegisterRoutes>;
  /** Loads this capability's background jobs (topics they subscribe to are on each job). */
  jobs?(): Promise<JobDefinition[]>;
  cli?: readonly CliCommand[];
}
