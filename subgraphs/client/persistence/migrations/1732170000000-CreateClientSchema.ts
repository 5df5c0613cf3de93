import type { MigrationInterface, QueryRunner } from "typeorm";

/** The `client` schema: clients and their append-only status history. PostgreSQL 14+. */
export class CreateClientSchema1732170000000 implements MigrationInterface {
  name = "CreateClientSchema1732170000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE client.client (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type text NOT NULL CHECK (type IN ('individual', 'company')),
        external_id varchar(100),
        status text NOT NULL CHECK (status IN ('inactive', 'active', 'blocked')),
        risk_level text NOT NULL CHECK (risk_level IN ('low', 'medium', 'high', 'prohibited')),
        is_default_compliant boolean NOT NULL DEFAULT false,
        editor_user_id uuid,
        onboarding_id uuid,
        address_street_line1 varchar(255) NOT NULL,
        address_street_line2 varchar(255),
        address_city varchar(255) NOT NULL,
        address_state varchar(255),
        address_zip varchar(255) NOT NULL,
        address_country char(2) NOT NULL,
        phone_number varchar(17) NOT NULL,
        email varchar(64),
        first_name varchar(255),
        last_name varchar(255),
        date_of_birth date,
        citizenship_country char(2),
        residence_country char(2),
        document_type text CHECK (document_type IN ('passport', 'driverLicense', 'idCard', 'other')),
        document_number varchar(30),
        document_issued_by varchar(100),
        document_issued_country_code char(2),
        document_issued_date date,
        document_expiration_date date,
        legal_name varchar(255),
        company_type text,
        company_registration_date date,
        country_of_registration char(2),
        tax_residency_country char(2),
        registration_number varchar(100),
        industry text,
        industry_other varchar(255),
        turnover text,
        web_site varchar(255),
        tax_number varchar(100),
        pay_ins_countries text[],
        pay_outs_countries text[],
        is_engaged_gambling_10k boolean,
        is_foundation boolean,
        is_publicly_listed boolean,
        is_relevant_activity boolean,
        purposes_account_opening text[],
        purposes_account_opening_other varchar(255),
        business_partners jsonb,
        fund_flows jsonb,
        compliance_evaluation jsonb,
        related_individuals jsonb NOT NULL DEFAULT '[]'::jsonb,
        -- Millisecond precision: the keyset cursor carries created_at as a JavaScript Date.
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT client_external_id_key UNIQUE (external_id),
        CONSTRAINT client_individual_fields CHECK (
          type <> 'individual' OR (first_name IS NOT NULL AND last_name IS NOT NULL AND date_of_birth IS NOT NULL)
        ),
        CONSTRAINT client_company_fields CHECK (type <> 'company' OR legal_name IS NOT NULL)
      )`);
    // Keyset pagination walks (created_at, id).
    await db.query(`CREATE INDEX client_created_at_id_idx ON client.client (created_at, id)`);
    await db.query(`CREATE INDEX client_status_idx ON client.client (status)`);

    await db.query(`
      CREATE TABLE client.client_status_change (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        client_id uuid NOT NULL REFERENCES client.client (id),
        from_status text,
        to_status text NOT NULL,
        reason text,
        changed_by text NOT NULL,
        request_id text,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX client_status_change_client_idx ON client.client_status_change (client_id, id)`,
    );
    await db.query(`
      CREATE FUNCTION client.refuse_history_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
      END $$`);
    await db.query(`
      CREATE TRIGGER client_status_change_append_only
      BEFORE UPDATE OR DELETE ON client.client_status_change
      FOR EACH ROW EXECUTE FUNCTION client.refuse_history_rewrite()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE client.client_status_change`);
    await db.query(`DROP FUNCTION client.refuse_history_rewrite()`);
    await db.query(`DROP TABLE client.client`);
  }
}
