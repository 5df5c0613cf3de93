// The live dashboard (decision 0029): one snapshot query, then one graphql-ws subscription (the
// graphql-ws UMD client, global `graphqlWs`) to transferStatusChanged after the snapshot's position.
// The snapshot brings the current transfers, the counts per status and the completed volume per
// minute as of one position of the event log; each event after it brings its own position, so a
// lost connection resumes with `after` from the last event shown: nothing missed, nothing twice.
(() => {
  "use strict";
  const TRANSFER = `id kind amount currency
    account { id number currency balance { available } }
    counterAccount { id number currency balance { available } }`;
  const SNAPSHOT = `query DashboardSnapshot {
    transferSnapshot(recent: 50) {
      position
      counts { status count }
      volumes { minute currency amount }
      recent { status updatedAt ${TRANSFER} }
    }
  }`;
  const SUBSCRIPTION = `subscription Dashboard($after: String) {
    transferStatusChanged(after: $after) {
      position transferId sequence previousStatus status changedAt
      transfer { ${TRANSFER} }
    }
  }`;
  const MAX_ROWS = 200; // a page left open for days keeps the newest transfers only
  const CHART_MINUTES = 30;
  const MINUTE = 60_000;

  const settings = JSON.parse(document.getElementById("settings").textContent);
  const form = document.getElementById("sign-in");
  const state = document.getElementById("state");
  const currencySelect = document.getElementById("currency");
  const transfers = new Map(); // transfer id -> { row, sequence }
  const accounts = new Map(); // account id -> row
  const counts = new Map(); // status -> count, from the snapshot and every event since
  const volumes = new Map(); // currency -> Map(minute start ms -> amount in thousandths, a BigInt)
  let session = 0; // a new sign-in ends the previous one's callbacks
  let client = null;
  let cursor = null; // the position of the last event shown (or of the snapshot)
  let failures = 0;
  form.elements.token.value = settings.token ?? "";

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void start(form.elements.token.value.trim().replace(/^Bearer\s+/i, ""));
  });
  currencySelect.addEventListener("change", drawChart);
  window.setInterval(drawChart, 10_000); // the chart's window slides with the clock

  /** Loads the snapshot, shows it, and follows the stream from its position. */
  async function start(token) {
    const mine = ++session;
    client?.dispose();
    client = null;
    setState("connecting", "Loading the current transfers…");
    let snapshot;
    try {
      snapshot = await loadSnapshot(token);
    } catch (error) {
      if (mine === session) setState("stopped", `Stopped: ${describe(error)}`);
      return;
    }
    if (mine !== session) return;
    for (const map of [transfers, accounts, counts, volumes]) map.clear();
    document.querySelectorAll("tbody").forEach((body) => body.replaceChildren());
    for (const { status, count } of snapshot.counts) counts.set(status, count);
    for (const { minute, currency, amount } of snapshot.volumes) addVolume(currency, minute, amount);
    for (const transfer of [...snapshot.recent].reverse()) {
      showTransfer(transfer.id, 0, transfer.status, transfer.updatedAt, transfer);
    }
    cursor = snapshot.position;
    showCounts();
    drawChart();
    follow(mine, token, `Snapshot at position ${cursor}.`);
  }

  async function loadSnapshot(token) {
    const response = await window.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: SNAPSHOT }),
    });
    const body = await response.json();
    if (!body.data?.transferSnapshot) throw body.errors ?? new Error(`HTTP ${response.status}`);
    return body.data.transferSnapshot;
  }

  /** Subscribes after the cursor; a lost connection tries again after a backoff, from the cursor then. */
  function follow(mine, token, how) {
    const ws = graphqlWs.createClient({
      url: new URL("/graphql", window.location.href).href.replace(/^http/, "ws"),
      connectionParams: { authorization: `Bearer ${token}` }, // checked once, when the socket opens
      retryAttempts: 0, // this page resumes itself, with the cursor of the last event it showed
      on: {
        connected: () => {
          if (mine !== session || client !== ws) return;
          failures = 0;
          setState("live", `Live since ${time(new Date())}. ${how}`);
        },
      },
    });
    client = ws;
    ws.subscribe(
      { query: SUBSCRIPTION, variables: { after: cursor } },
      {
        next: (result) => {
          if (mine !== session || client !== ws) return;
          if (result.data) show(result.data.transferStatusChanged);
          else if (result.errors) setState("stopped", describe(result.errors));
        },
        error: (error) => lost(mine, token, ws, error),
        complete: () => lost(mine, token, ws, null),
      },
    );
  }

  function lost(mine, token, ws, error) {
    if (mine !== session || client !== ws) return;
    client = null;
    void ws.dispose();
    const code = Array.isArray(error) ? error[0]?.extensions?.code : error?.code;
    // 4401 no token, 4403 a refused or expired one, or an error of the request: trying again cannot help.
    if (code === 4401 || code === 4403 || (typeof code === "string" && code !== "SUBSCRIPTION_INTERRUPTED")) {
      setState("stopped", `Stopped: ${describe(error)}`);
      return;
    }
    const delay = Math.min(1_000 * 2 ** failures++, 15_000);
    const why = error ? ` (${describe(error)})` : "";
    setState("lost", `Connection lost at ${time(new Date())}${why}. Catching up from position ${cursor}…`);
    setTimeout(() => {
      if (mine === session) follow(mine, token, `Caught up from position ${cursor} after a lost connection.`);
    }, delay);
  }

  function show(event) {
    if (cursor !== null && BigInt(event.position) <= BigInt(cursor)) return; // never twice
    cursor = event.position;
    if (event.previousStatus) counts.set(event.previousStatus, (counts.get(event.previousStatus) ?? 0) - 1);
    counts.set(event.status, (counts.get(event.status) ?? 0) + 1);
    if (event.status === "COMPLETED") {
      addVolume(event.transfer.currency, event.changedAt, event.transfer.amount);
      drawChart();
    }
    showTransfer(event.transferId, event.sequence, event.status, event.changedAt, event.transfer);
    showCounts();
  }

  function showTransfer(id, sequence, status, changedAt, transfer) {
    let entry = transfers.get(id);
    if (!entry) {
      entry = { row: addRow("transfers", 5), sequence: 0 };
      entry.row.dataset.transferId = id;
      entry.row.cells[0].title = id;
      transfers.set(id, entry);
      if (transfers.size > MAX_ROWS) forgetOldest();
    }
    if (sequence && sequence < entry.sequence) return; // in order per transfer; never step back
    entry.sequence = sequence;
    entry.row.dataset.status = status;
    fill(entry.row, [
      id.slice(0, 8),
      transfer.kind,
      `${transfer.amount} ${transfer.currency}`,
      status,
      time(changedAt),
    ]);
    for (const account of [transfer.account, transfer.counterAccount]) {
      if (account) showAccount(account);
    }
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
    const items = [...counts.keys()]
      .filter((status) => counts.get(status) > 0)
      .sort()
      .map((status) => {
        const item = document.createElement("li");
        item.dataset.status = status;
        item.textContent = `${status}: ${counts.get(status)}`;
        return item;
      });
    document.getElementById("counts").replaceChildren(...items);
  }

  /** Adds a completed amount (a decimal string) to its minute, in thousandths: never a float. */
  function addVolume(currency, at, amount) {
    const minute = Math.floor(new Date(at).getTime() / MINUTE) * MINUTE;
    const [whole, fraction = ""] = amount.split(".");
    const thousandths = BigInt(whole + (fraction + "000").slice(0, 3));
    if (!volumes.has(currency)) {
      volumes.set(currency, new Map());
      const option = document.createElement("option");
      option.value = option.textContent = currency;
      currencySelect.append(option);
    }
    const perMinute = volumes.get(currency);
    perMinute.set(minute, (perMinute.get(minute) ?? 0n) + thousandths);
  }

  /** The completed volume per minute of the chosen currency over the last 30 minutes, as SVG bars. */
  function drawChart() {
    const svg = document.getElementById("chart");
    const currency = currencySelect.value;
    const perMinute = volumes.get(currency) ?? new Map();
    const now = Math.floor(Date.now() / MINUTE) * MINUTE;
    const minutes = Array.from({ length: CHART_MINUTES }, (_, i) => now - (CHART_MINUTES - 1 - i) * MINUTE);
    const values = minutes.map((minute) => perMinute.get(minute) ?? 0n);
    const peak = values.reduce((a, b) => (b > a ? b : a), 0n);
    const highest = peak > 0n ? peak : 1n;
    const [width, height, gap] = [600, 150, 2];
    const barWidth = width / CHART_MINUTES;
    const bars = values.map((value, i) => {
      const barHeight = value === 0n ? 0 : Math.max(1, Number((value * 1000n) / highest) * (height / 1000));
      const bar = svgElement("rect", {
        x: i * barWidth + gap / 2,
        y: height - barHeight,
        width: barWidth - gap,
        height: barHeight,
        "data-minute": new Date(minutes[i]).toISOString(),
        "data-amount": decimal(value),
      });
      const title = svgElement("title", {});
      title.textContent = `${time(minutes[i])}: ${decimal(value)} ${currency}`;
      bar.append(title);
      return bar;
    });
    svg.replaceChildren(...bars);
    document.getElementById("chart-peak").textContent = currency
      ? `Highest minute: ${decimal(peak)} ${currency}`
      : "Nothing completed in the last 30 minutes.";
  }

  function svgElement(name, attributes) {
    const element = document.createElementNS("http://www.w3.org/2000/svg", name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
    return element;
  }

  /** Thousandths as a decimal string with two places, or three when they are needed. */
  function decimal(thousandths) {
    const whole = thousandths / 1000n;
    const fraction = (thousandths % 1000n).toString().padStart(3, "0");
    return `${whole}.${fraction.endsWith("0") ? fraction.slice(0, 2) : fraction}`;
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
