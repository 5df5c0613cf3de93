/**
 * Batches take their accounts as the database takes row locks (subgraphs/ledger/persistence/account-turns.ts):
 * in a fixed order, waiting at the first account another batch holds, each account's waiters
 * served in arrival order; a batch on other accounts goes at once; a failed batch hands its
 * accounts on like any other.
 */
import { AccountTurns } from "../../subgraphs/ledger/persistence/account-turns";

/** A batch that runs until `finish()` is called, noting when it started. */
function batch(turns: AccountTurns, accounts: string[], started: string[], name: string) {
  let finish!: (fail?: boolean) => void;
  const done = turns.run(accounts, () => {
    started.push(name);
    return new Promise<string>((resolve, reject) => {
      finish = (fail) => (fail ? reject(new Error(`${name} failed`)) : resolve(name));
    });
  });
  return { done, finish: (fail?: boolean) => finish(fail) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Ends a batch and lets whatever it hands its accounts to start. */
async function end(b: ReturnType<typeof batch>): Promise<void> {
  b.finish();
  await b.done;
  await settle();
}

test("batches sharing an account run one after another, in arrival order; others at once", async () => {
  const turns = new AccountTurns();
  const started: string[] = [];
  const x = batch(turns, ["b", "a"], started, "x");
  const y = batch(turns, ["a", "b"], started, "y");
  const z = batch(turns, ["a"], started, "z");
  const w = batch(turns, ["c"], started, "w");
  await settle();
  expect(started).toEqual(["x", "w"]);
  x.finish(true);
  await expect(x.done).rejects.toThrow("x failed");
  await settle();
  expect(started).toEqual(["x", "w", "y"]);
  y.finish();
  await expect(y.done).resolves.toBe("y");
  await settle();
  expect(started).toEqual(["x", "w", "y", "z"]);
  z.finish();
  w.finish();
  await expect(Promise.all([z.done, w.done])).resolves.toEqual(["z", "w"]);
  // Nothing is left held.
  const again = batch(turns, ["a", "b", "c"], started, "again");
  await settle();
  expect(started.at(-1)).toBe("again");
  await end(again);
});

test("a batch waiting for one account holds none after it: a later batch may use those meanwhile", async () => {
  const turns = new AccountTurns();
  const started: string[] = [];
  const r = batch(turns, ["a"], started, "r");
  const p = batch(turns, ["a", "b"], started, "p");
  const q = batch(turns, ["b"], started, "q");
  await settle();
  // p waits at a, holding nothing; q takes b.
  expect(started).toEqual(["r", "q"]);
  await end(r);
  // p now holds a and waits for b.
  expect(started).toEqual(["r", "q"]);
  const s = batch(turns, ["a"], started, "s");
  await end(q);
  expect(started).toEqual(["r", "q", "p"]);
  await end(p);
  expect(started).toEqual(["r", "q", "p", "s"]);
  await end(s);
});

test("batches naming their accounts in different orders never wait for each other in a circle", async () => {
  const turns = new AccountTurns();
  const started: string[] = [];
  const r = batch(turns, ["c"], started, "r");
  const p = batch(turns, ["a", "c", "b"], started, "p");
  const q = batch(turns, ["b", "a"], started, "q");
  await settle();
  await end(r);
  expect(started).toEqual(["r", "p"]);
  await end(p);
  expect(started).toEqual(["r", "p", "q"]);
  await end(q);
});
