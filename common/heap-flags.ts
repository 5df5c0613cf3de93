/**
 * The V8 setting every service process runs with, set by this module's import: the first import of
 * each entry point (`gateway/main.ts`, each `subgraphs/<name>/main.ts`, `bin/start.ts`), so that it
 * holds before anything is allocated (decision 0068).
 *
 * No allocation-site pretenuring. V8 watches whether the objects of each allocation site outlive
 * minor collections and, once most of a site's do, allocates that site's objects straight in the
 * old generation from then on. A server's sites serve every kind of request alike (pg builds every
 * row of every result at one site), so a burst of long-lived objects decides for the rest of the
 * process's life: after the cost bench's set-up (a thousand accounts opened and funded through
 * the ledger), each payment's rows were born old, and everything a row points to, young, lived
 * until the next full collection: the ledger's old generation grew by 0.5 MB at each minor
 * collection under payments. Request-serving objects die young; without pretenuring they are
 * collected young, whatever the process did before.
 */
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--no-allocation-site-pretenuring");
