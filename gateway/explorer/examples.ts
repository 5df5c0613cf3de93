/**
 * The explorer's saved operations, one GraphiQL tab each. A test runs the query and validates all of
 * them against the supergraph, so they cannot drift from the schema.
 */
export interface ExampleTab {
  query: string;
  variables?: string;
}

export const FEDERATED_QUERY = `# Three subgraphs in one query: clients
# (client), their accounts and balances
# (ledger), their transfers (transfer).
# Run it: the play button, or Ctrl-Enter.
query ClientsWithMoney {
  clients(first: 5) {
    totalCount
    nodes {
      id
      firstName
      lastName
      status
      accounts {
        id
        number
        currency
        balance {
          posted
          pending
          available
        }
      }
      transfers(first: 5) {
        nodes {
          id
          kind
          status
          amount
          currency
          createdAt
        }
      }
    }
  }
}
`;

export const PAYMENT_MUTATION = `# Money between two accounts of one currency.
# Put two account ids from the first tab in
# the variables. The same idempotency key and
# request return the first transfer again.
mutation MoveMoney($input: InternalTransferInput!, $idempotencyKey: String!) {
  createInternalTransfer(input: $input, idempotencyKey: $idempotencyKey) {
    id
    status
    statusHistory {
      sequence
      to
      changedAt
    }
    account {
      number
      balance {
        available
      }
    }
    counterAccount {
      number
      balance {
        available
      }
    }
    client {
      firstName
    }
  }
}
`;

const PAYMENT_VARIABLES = `{
  "input": {
    "debitAccountId": "<an account id from the first tab>",
    "creditAccountId": "<another account id in the same currency>",
    "amount": "10.00",
    "reference": "Tried in the explorer"
  },
  "idempotencyKey": "explorer-example-1"
}
`;

export const TRANSFER_SUBSCRIPTION = `# Transfer status changes, live (graphql-ws).
# Start it, then run MoveMoney in its tab:
# each change arrives with the balance as it
# is now, resolved through the supergraph.
subscription WatchTransfers {
  transferStatusChanged {
    transferId
    sequence
    previousStatus
    status
    changedAt
    transfer {
      kind
      amount
      currency
      account {
        number
        balance {
          available
        }
      }
    }
  }
}
`;

export const EXAMPLE_TABS: ExampleTab[] = [
  { query: FEDERATED_QUERY },
  { query: PAYMENT_MUTATION, variables: PAYMENT_VARIABLES },
  { query: TRANSFER_SUBSCRIPTION },
];
