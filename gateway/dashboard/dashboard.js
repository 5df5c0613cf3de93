// The live dashboard: one graphql-ws subscription (the graphql-ws UMD client, global `graphqlWs`)
// to transferStatusChanged. Each event brings the transfer as it is now and the available balance of
// the accounts it moves money between, all resolved through the supergraph for this subscription.
(() => {
  "use strict";
  const SUBSCRIPTION = `subscription Dashboard {
    transferStatusChanged {
      transferId sequence status changedAt
      transfer {
        kind amount currency
        account { id number currency balance { available } }
        counterAccount { id number currency balance { available } }
      }
    }
  }`;
  const MAX_ROWS = 200; // a page left open for days keeps the newest transfers only

  const settings = JSON.parse(document.getElementById("settings").textContent);
  const form = document.getElementById("sign-in");
  const state = document.getElementById("state");
  const transfers = new Map(); // transfer id -> { row, sequence, status }
  const accounts = new Map(); // account id -> row
  let client = null;
  form.elements.token.value = settings.token ?? "";

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    connect(form.elements.token.value.trim().replace(/^Bearer\s+/i, ""));
  });

  function connect(token) {
    client?.dispose();
    const mine = graphqlWs.createClient({
      url: new URL("/graphql", window.location.href).href.replace(/^http/, "ws"),
      connectionParams: { authorization: `Bearer ${token}` }, // checked once, when the socket opens
      // 4401 no token, 4403 a refused or expired one: connecting again with it cannot help.
      shouldRetry: (closed) => ![4401, 4403].includes(closed?.code),
      on: {
        connecting: () => mine === client && setState("connecting", "Connecting…"),
        connected: () => mine === client && setState("live", `Live since ${time(new Date())}.`),
      },
    });
    client = mine;
    mine.subscribe(
      { query: SUBSCRIPTION },
      {
        next: (result) => {
          if (result.errors) setState("stopped", describe(result.errors));
          if (result.data) show(result.data.transferStatusChanged);
        },
        // The gateway ends a subscription it cannot keep whole (SUBSCRIPTION_INTERRUPTED): connect again.
        error: (error) => mine === client && setState("stopped", `Stopped: ${describe(error)}`),
        complete: () =>
          mine === client && setState("stopped", "Stopped: the gateway ended the subscription."),
      },
    );
  }

  function show(event) {
    const { transfer } = event;
    let entry = transfers.get(event.transferId);
    if (!entry) {
      entry = { row: addRow("transfers", 5), sequence: 0, status: null };
      entry.row.dataset.transferId = event.transferId;
      entry.row.cells[0].title = event.transferId;
      transfers.set(event.transferId, entry);
      if (transfers.size > MAX_ROWS) forgetOldest();
    }
    if (event.sequence < entry.sequence) return; // in order per transfer; never step back
    entry.sequence = event.sequence;
    entry.status = event.status;
    entry.row.dataset.status = event.status;
    fill(entry.row, [
      event.transferId.slice(0, 8),
      transfer.kind,
      `${transfer.amount} ${transfer.currency}`,
      event.status,
      time(event.changedAt),
    ]);
    for (const account of [transfer.account, transfer.counterAccount]) {
      if (account) showAccount(account);
    }
    showCounts();
  }

  function showAccount(account) {
    let row = accounts.get(account.id);
    if (!row) {
      row = addRow("accounts", 3);
      row.dataset.accountId = account.id;
      accounts.set(account.id, row);
    }
    fill(row, [account.number, `${account.balance.available} ${account.currency}`, time(new Date())]);
  }

  function showCounts() {
    const counts = {};
    for (const { status } of transfers.values()) counts[status] = (counts[status] ?? 0) + 1;
    const items = Object.keys(counts)
      .sort()
      .map((status) => {
        const item = document.createElement("li");
        item.dataset.status = status;
        item.textContent = `${status}: ${counts[status]}`;
        return item;
      });
    document.getElementById("counts").replaceChildren(...items);
  }

  /** A new row at the top of a table's body, with `cells` empty cells. */
  function addRow(tableId, cells) {
    const row = document.querySelector(`#${tableId} tbody`).insertRow(0);
    for (let i = 0; i < cells; i++) row.insertCell();
    return row;
  }

  /** Writes the values into the row's cells (as text, never as HTML) and flashes it. */
  function fill(row, values) {
    values.forEach((value, i) => (row.cells[i].textContent = value));
    row.classList.add("changed");
    setTimeout(() => row.classList.remove("changed"), 1000);
  }

  function forgetOldest() {
    const [oldest] = transfers.keys(); // a Map keeps insertion order
    transfers.get(oldest).row.remove();
    transfers.delete(oldest);
  }

  function setState(name, text) {
    state.dataset.state = name;
    state.textContent = text;
  }

  function time(value) {
    return new Date(value).toLocaleTimeString();
  }

  /** A CloseEvent, a list of GraphQL errors or an Error, as a sentence. */
  function describe(error) {
    if (Array.isArray(error)) return error.map((e) => e.message).join("; ");
    if (typeof error?.code === "number") return error.reason || `the connection closed (${error.code})`;
    return String(error?.message ?? error);
  }
})();
