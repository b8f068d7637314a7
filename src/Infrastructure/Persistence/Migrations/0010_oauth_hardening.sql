-- OAuth hardening (ADR 0009, docs/oauth.md): client_credentials grants, per-account sign-in
-- lockout, and the shared ASP.NET Core Data Protection key ring.

-- client_credentials (RFC 6749 §4.4): the app acts for an organisation that installed it, with no
-- member involved. Each such token gets a grant of its own (member_id null), so revocation,
-- disconnection and the per-request check work exactly as for member grants.
alter table oauth_grants alter column member_id drop not null;
alter table oauth_grants add column grant_type text not null default 'authorization_code'
    check (grant_type in ('authorization_code', 'client_credentials'));
alter table oauth_grants add constraint oauth_grants_member_matches_type
    check ((grant_type = 'authorization_code') = (member_id is not null));

-- Failed sign-ins per member: N failures within the window lock the account for a while. One row
-- per member that failed recently; a successful sign-in deletes it. Shared by every API instance.
create table member_sign_in_failures (
    member_id         uuid primary key references members(id),
    failures          int not null,
    window_started_at timestamptz not null,
    locked_until      timestamptz null
);

-- ASP.NET Core Data Protection key ring (cookies, antiforgery tokens) shared by every API instance.
-- The key XML is encrypted with the platform secret protector before it is stored (ADR 0009).
create table data_protection_keys (
    friendly_name text primary key,
    xml           text not null,
    created_at    timestamptz not null default now()
);
