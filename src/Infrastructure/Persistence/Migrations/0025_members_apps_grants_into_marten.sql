-- Members, apps and grants become event-sourced (ADR 0011, "Members, apps and grants"): their
-- tables become inline projections of Marten streams, and the projections are their only writers.
-- A database of the release before has the rows and no streams, so every row becomes a stream
-- with one event that reproduces it (MemberImported, AppImported, GrantImported, hashes included:
-- the password hash, the invitation hash, the client secret hash). Replaying these events gives the
-- same rows (a rebuild of members, oauth_apps and oauth_grants changes nothing), and the use cases
-- decide new commands on top of them. The rows themselves are left as they are.
--
-- Stream keys are those of the deciders (member-…, app-…, grant-… with the id in N format) under
-- their tenant: the member's and the grant's organisation, the app's owner. Event names and .NET
-- types are the records' (EventTypeRegistry), the data their snake_case JSON, the actor a header.

-- A projection's table is emptied by its rebuild, so nothing may hold a foreign key to it: the
-- codes, refresh tokens and sign-in failures (security state of the authorization server, not
-- projections) name their grant or member by id, as the grants name their app and member.
alter table oauth_grants drop constraint oauth_grants_member_id_fkey;
alter table oauth_grants drop constraint oauth_grants_app_id_fkey;
alter table oauth_codes drop constraint oauth_codes_grant_id_fkey;
alter table oauth_refresh_tokens drop constraint oauth_refresh_tokens_grant_id_fkey;
alter table member_sign_in_failures drop constraint member_sign_in_failures_member_id_fkey;

create temporary table imported_streams (
    seq_id      bigint not null,
    stream_id   text not null,
    tenant_id   text not null,
    type        text not null,
    dotnet_type text not null,
    data        jsonb not null
) on commit drop;

-- Sequence numbers in this order: members (by invitation), apps, grants (by creation).
insert into imported_streams
select nextval('marten.mt_events_sequence'), 'member-' || replace(m.id::text, '-', ''), m.tenant_id::text, 'MemberImported',
       'Integrations.Domain.Members.MemberImported, Integrations.Domain',
       jsonb_build_object(
           'member_id', m.id, 'tenant_id', m.tenant_id, 'email', m.email, 'role', m.role, 'status', m.status,
           'password_hash', m.password_hash, 'invitation_hash', m.invitation_hash, 'invitation_expires_at', m.invitation_expires_at,
           'invited_at', m.invited_at, 'joined_at', m.joined_at, 'removed_at', m.removed_at)
from (select * from members order by invited_at, id) m;

insert into imported_streams
select nextval('marten.mt_events_sequence'), 'app-' || replace(a.id::text, '-', ''), a.owner_tenant_id::text, 'AppImported',
       'Integrations.Domain.Marketplace.AppImported, Integrations.Domain',
       jsonb_build_object(
           'app_id', a.id, 'owner_tenant_id', a.owner_tenant_id, 'client_id', a.client_id, 'name', a.name, 'description', a.description,
           'homepage_url', a.homepage_url, 'logo_url', a.logo_url, 'screenshot_urls', to_jsonb(a.screenshot_urls),
           'redirect_uris', to_jsonb(a.redirect_uris), 'scopes', to_jsonb(a.scopes), 'client_type', a.client_type,
           'client_secret_hash', a.client_secret_hash, 'visibility', a.visibility, 'allowed_tenant_ids', to_jsonb(a.allowed_tenant_ids),
           'review_status', a.review_status, 'review_reason', a.review_reason, 'created_at', a.created_at)
from (select * from oauth_apps order by created_at, id) a;

insert into imported_streams
select nextval('marten.mt_events_sequence'), 'grant-' || replace(g.id::text, '-', ''), g.tenant_id::text, 'GrantImported',
       'Integrations.Domain.Marketplace.GrantImported, Integrations.Domain',
       jsonb_build_object(
           'grant_id', g.id, 'tenant_id', g.tenant_id, 'app_id', g.app_id, 'member_id', g.member_id, 'grant_type', g.grant_type,
           'scopes', to_jsonb(g.scopes), 'created_at', g.created_at, 'revoked_at', g.revoked_at, 'revoke_reason', g.revoke_reason)
from (select * from oauth_grants order by created_at, id) g;

insert into marten.mt_streams (tenant_id, id, type, version, timestamp, created, compacted_version, is_archived)
select tenant_id, stream_id, null, 1, now(), now(), 0, false
from imported_streams;

insert into marten.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, causation_id, headers, is_archived)
select seq_id, gen_random_uuid(), stream_id, 1, data, type, now(), tenant_id, dotnet_type, null, null, jsonb_build_object('actor', 'migration:0025'), false
from imported_streams
order by seq_id;

-- Every row has its stream, or nothing is migrated.
do $$
begin
    if (select count(*) from marten.mt_events where type = 'MemberImported') <> (select count(*) from members)
       or (select count(*) from marten.mt_events where type = 'AppImported') <> (select count(*) from oauth_apps)
       or (select count(*) from marten.mt_events where type = 'GrantImported') <> (select count(*) from oauth_grants) then
        raise exception 'members, oauth_apps and oauth_grants were not all imported into streams';
    end if;
end
$$;
